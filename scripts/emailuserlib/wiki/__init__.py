"""What the script asks of the wiki, and what it says to it.

- :mod:`.site`: the wiki's names for things, user names, batches, temporary accounts,
  its identity and family
- :mod:`.titles`: generator sources and titles checked before Pywikibot reads them,
  redirects followed
- :mod:`.account`: whether the sending account may send at all
- :mod:`.post`: the send, and what the wiki's answers mean
- :mod:`.talk`: ``-fallback:talk``, the message on a user talk page
- :mod:`.logpage`: ``-logpage:``, who a run reached, appended to a wiki page
- :mod:`.mail`: what the wiki adds to every email, for the preview
- :mod:`.i18n`: the script's own messages in the wiki's language
- :mod:`.redact`: no password or token in anything the process writes
"""
