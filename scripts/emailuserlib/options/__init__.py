"""The options: defined once, read through three doors, parsed once into types.

- :mod:`.settings`: the frozen, typed :class:`~.settings.Settings` every later stage reads
- :mod:`.table`: every option, its parser, its help and the rules between options
- :mod:`.ini`: which scripts.ini is read, and its ``[emailuser]`` section read strictly
- :mod:`.load`: the command line merged over scripts.ini, checked before anything is sent
"""
