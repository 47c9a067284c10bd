"""The parts of the emailuser script: one package per stage of a run, in the order a
run goes through them. A package imports only the packages above it here, and
``core`` and ``wiki``, which every stage uses.

Throughout:

- :mod:`.core`: the exceptions and exit statuses, who a recipient is and the words for
  what becomes of one, and how sentences write values
- :mod:`.wiki`: what the script asks of the wiki and says to it: its names and limits,
  page titles, the sending account, the send itself, talk page posts, what the wiki adds
  to every email, the script's messages in the wiki's language, no secret in any log

The pipeline:

- :mod:`.options`: every option in one table, scripts.ini, and the door that parses
  them once into typed settings
- :mod:`.recipients`: names, files, pages and editors to accounts, and the opt-out lists
- :mod:`.message`: subject and body, their sources and placeholders, the opt-out note
- :mod:`.journal`: delivery state on disk, so that nobody is emailed twice
- :mod:`.plan`: the rate limits, the frozen campaign, and the plan and preview shown
  before anything is sent
- :mod:`.run`: the bot that delivers, its waits, progress and interrupts, ``-test``,
  ``-check``, and the pipeline from options to a finished run
- :mod:`.report`: the CSV report, one row per user the run considered
"""
