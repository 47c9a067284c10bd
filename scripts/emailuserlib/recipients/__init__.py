"""Who the run considers: names, files, pages and editors, to accounts.

- :mod:`.resolve`: names and pages to accounts, renames, and the batched emailable check
- :mod:`.renamelog`: the wiki's rename log, read in bulk for a long list of names
- :mod:`.namelist`: the ``-users:`` files, plain lists and CSV
- :mod:`.editors`: ``-editors``, the editors of the generators' pages as recipients
- :mod:`.optout`: the ``-optout:`` lists and MassMessage's opt-out category
- :mod:`.groups`: ``-group:``, the members of user groups
- :mod:`.inactive`: ``-inactive:``, only those with no recent edit or logged action
- :mod:`.gather`: the one way to gather recipients, for a run and ``-check`` alike
"""
