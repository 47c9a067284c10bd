"""The parts of the emailuser script, each with its own reason to change.

Before anything is sent:

- :mod:`.options`: every option, its default, its check, its help and the rules
  between options, in one table
- :mod:`.sources`: the generators' categories, pages and files, checked before
  Pywikibot reads them
- :mod:`.prepare`: the pipeline from options to a campaign, refused in one
  sentence when something cannot be honoured
- :mod:`.checkrun`: ``-check``, who can be emailed, listed instead of sent
- :mod:`.message`: subject and body, their sources and placeholders
- :mod:`.pagetext`: the body from a wiki page, as its readers see it
- :mod:`.langpages`: a page per language, ``-textpage:`` with columns in its title
- :mod:`.namelist`: the ``-users:`` files, plain lists and CSV
- :mod:`.recipients`: names and pages to accounts, temporary accounts, the opt-out
  lists' users and the batched emailable check
- :mod:`.editors`: ``-editors``, the editors of the generators' pages as recipients
- :mod:`.respect`: MassMessage's opt-out category, the way-out paragraph and the
  warning for a new sender
- :mod:`.preflight`: whether the account may send at all
- :mod:`.budget`: the rate limits the account keeps to, counted from the journal
- :mod:`.timing`: a rate limit, how long sending takes, and how to say it
- :mod:`.plan`: the plan and the preview shown before anything is sent
- :mod:`.wikimail`: what the wiki adds to every email, for the preview
- :mod:`.testmail`: ``-test``, the first recipient's email sent to the sender

While sending and after:

- :mod:`.bot`: the Pywikibot bot that delivers, and :func:`email_users` for
  library use
- :mod:`.delivery`: the send and what the wiki's answers mean
- :mod:`.fallback`: ``-fallback:talk``, the message on a user talk page
- :mod:`.progress`: what the operator sees while the run waits
- :mod:`.interrupts`: Ctrl-C, SIGTERM and SIGHUP between and during the sends
- :mod:`.journal`: delivery state on disk, so that nobody is emailed twice
- :mod:`.journal_schema`: the journal's tables and the migration of older journals
- :mod:`.report`: the CSV report, one row per user the run considered

Throughout:

- :mod:`.outcomes`: the words for what becomes of a recipient, and the exit statuses
- :mod:`.errors`: the base class of the script's errors, with an exit status
- :mod:`.sentences`: operator sentences that more than one part says
- :mod:`.translations`: the script's own messages in the wiki's language
- :mod:`.redact`: no password or token in anything the process writes
"""
