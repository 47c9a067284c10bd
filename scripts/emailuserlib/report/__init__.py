"""After the run: the CSV report and the status file.

- :mod:`.files`: the report's path checked, its rows written, one per user considered
- :mod:`.status`: ``-statusfile:``, each run's outcome as JSON for schedulers
"""
