"""Where the pipeline keeps the journal, without a wiki."""

from __future__ import annotations

from pathlib import Path


def test_the_journal_lives_among_pywikibots_data_files_unless_given():
    from types import SimpleNamespace

    from pywikibot import config

    from emailuserlib.prepare import journal_path

    default = journal_path(SimpleNamespace(journal=''))
    assert default == Path(config.base_dir).resolve() / 'emailuser-journal.sqlite3'
    given = journal_path(SimpleNamespace(journal='~/mailing.sqlite3'))
    assert given == Path.home() / 'mailing.sqlite3'
