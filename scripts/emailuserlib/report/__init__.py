"""After the run: the CSV report.

- :mod:`.files`: the report's path checked, its rows written, one per user considered
"""
