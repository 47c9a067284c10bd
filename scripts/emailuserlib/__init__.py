"""The parts of the emailuser script, each with its own reason to change.

- :mod:`.options`: every option, its default, its check and its help, in one table
- :mod:`.recipients`: pages to users, opt-outs and the batched emailable check
- :mod:`.message`: subject and body, their sources and placeholders
- :mod:`.preflight`: whether the account may send, and its rate limit
- :mod:`.plan`: what the operator is shown before anything is sent
- :mod:`.delivery`: the send and what the wiki's answers mean
- :mod:`.bot`: the Pywikibot bot, and :func:`email_users` for library use
"""
