"""What is sent: the subject and the body, and how each recipient's is made.

- :mod:`.template`: subject and body templates, placeholders, the subject's limits
- :mod:`.html`: a rendered wiki page as plain text, as its readers see it
- :mod:`.read`: the message read once from its option, a page per language, the
  opt-out note
"""
