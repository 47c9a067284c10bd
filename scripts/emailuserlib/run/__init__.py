"""The run: delivery, and what the operator sees while it goes on.

- :mod:`.bot`: the Pywikibot bot that delivers, each outcome settled once
- :mod:`.progress`: the progress line and the visible waits
- :mod:`.waits`: a run's waits for the account's email limits
- :mod:`.interrupts`: Ctrl-C, SIGTERM and SIGHUP between and during the sends
- :mod:`.trial`: ``-test``, the first recipient's email sent to the sender
- :mod:`.check`: ``-check``, who can be emailed, listed instead of sent
- :mod:`.pipeline`: options to a finished run, and :func:`~.pipeline.email_users` for
  library use
"""
