"""Delivery state on disk, so that nobody is emailed twice whatever happens to a run.

- :mod:`.schema`: the journal's tables, campaign names, and the migration of older journals
- :mod:`.store`: the journal file, its lock, and what is recorded in it
- :mod:`.filesystem`: whether the journal is on a network filesystem, where WAL is unsafe
- :mod:`.answer`: what the journal says of this run's campaign
- :mod:`.reconcile`: earlier runs applied to this run's recipients, and the commit
"""
