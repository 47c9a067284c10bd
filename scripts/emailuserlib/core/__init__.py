"""What every stage of the script uses, and that knows nothing of the wiki.

- :mod:`.errors`: every exception of the script, and the exit statuses
- :mod:`.accounts`: who a recipient is (a frozen account), and its statuses
- :mod:`.words`: durations, estimates, names and counts as sentences write them
- :mod:`.sentences`: operator sentences that more than one part says
"""
