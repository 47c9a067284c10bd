"""Where the pipeline keeps the journal, without a wiki."""

from __future__ import annotations

from pathlib import Path


def test_the_journal_lives_among_pywikibots_data_files_unless_given():
    from pywikibot import config

    from emailuserlib.journal.reconcile import journal_path
    from emailuserlib.options.load import command_line
    from emailuserlib.options.settings import Settings

    default = journal_path(Settings())
    assert default == Path(config.base_dir).resolve() / 'emailuser-journal.sqlite3'
    given = journal_path(Settings(**command_line(['-journal:~/mailing.sqlite3']).values))
    assert given == Path.home() / 'mailing.sqlite3'
