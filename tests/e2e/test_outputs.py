"""The report and the journal on the real wiki: a report replaces only its own earlier report
or the file a link leads to, never another file, and neither is ever written to a device
or a FIFO."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from conftest import Result

from harness.checks import exactly_once, one_line, read_report, received


def e2e(test):
    """An end-to-end test: what it tests does not depend on the MediaWiki version."""
    return pytest.mark.wiki(pytest.mark.mediawiki('1.39')(test))


MEANING_SEND = ['-page:User:Alice', '-subject:Meaning', '-text:Hello {username}.', '-always']


def refused_with(result: Result, *sentence: str) -> None:
    """*result* is a one-sentence refusal holding each of *sentence*, exit status 1."""
    assert result.returncode == 1, result.output
    for part in sentence:
        assert part in one_line(result.output), result.output
    assert 'Traceback' not in result.output


@pytest.mark.parametrize('victim', ['user-config.py', 'user-password.py', 'scripts.ini'])
@pytest.mark.parametrize('how', ['-check', '-always'])
@e2e
def test_the_report_never_replaces_a_pywikibot_file(sender, mailbox, victim, how):
    ini = sender.config_dir / 'scripts.ini'
    if victim == 'scripts.ini':
        ini.write_text('[emailuser]\nmax = 5\n')
    path = sender.config_dir / victim
    before = path.read_bytes()
    result = sender.run('-page:User:Alice', '-subject:Rep', '-text:Hi.', how, f'-report:{victim}')
    assert result.returncode == 1, result.output
    assert (
        f'{victim} exists and is not a report of emailuser: give another -report: path, or '
        'remove the file.'
    ) in ' '.join(result.output.split())
    assert 'Traceback' not in result.output
    assert path.read_bytes() == before
    assert received(mailbox) == Counter()


@e2e
def test_a_report_replaces_its_own_earlier_report(sender, mailbox, tmp_path):
    rows = tmp_path / 'report.csv'
    rows.write_bytes(b'')  # made empty beforehand: no one's data to lose
    common = ['-subject:Rep', '-text:Hi.', f'-report:{rows}']
    assert sender.run('-page:User:Alice', '-check', *common).returncode == 0
    assert read_report(rows) == {'Alice': ('emailable', '')}
    sent = sender.run('-page:User:Alice', '-page:User:Bob', '-always', *common)
    assert sent.returncode == 0, sent.output
    assert set(read_report(rows)) == {'Alice', 'Bob'}
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_report_path_that_is_a_link_is_refused_and_what_it_leads_to_is_kept(
    sender, mailbox, tmp_path
):
    # Someone who can write the folder leaves report.csv as a link to another
    # campaign's report elsewhere: the user names of this run never go through it.
    elsewhere = tmp_path / 'other-project'
    elsewhere.mkdir()
    kept = elsewhere / 'participants-report.csv'
    kept.write_text('username,status,detail\nSomeone Private,sent,\n', encoding='utf-8')
    link = tmp_path / 'report.csv'
    link.symlink_to(kept)
    for run in ([*MEANING_SEND], ['-page:User:Alice', '-check']):
        refused_with(
            sender.run(*run, f'-report:{link}'),
            f'{link} given with -report: is a symbolic link, and the report, which holds user '
            'names, is never written through one: give the path of the file itself with '
            '-report:.',
        )
    assert link.is_symlink()
    assert kept.read_text(encoding='utf-8') == 'username,status,detail\nSomeone Private,sent,\n'
    assert received(mailbox) == Counter()


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('kind', ['device', 'fifo'])
def test_a_report_or_journal_that_is_no_file_is_refused_before_anything_is_sent(
    sender, mailbox, tmp_path, kind
):
    if kind == 'device':
        link = tmp_path / 'out'
        link.symlink_to('/dev/stdout')
        refused_with(
            sender.run(*MEANING_SEND, f'-report:{link}'),
            f'{link} given with -report: is a device or the stream of a process, not a file',
        )
        assert link.is_symlink()
    else:
        fifo = tmp_path / 'pipe'
        os.mkfifo(fifo)
        refused_with(
            sender.run(*MEANING_SEND, f'-report:{fifo}'),
            f'{fifo} given with -report: is not a plain file',
        )
        refused_with(
            sender.run(*MEANING_SEND, f'-journal:{fifo}'), f'The journal {fifo} is not a file'
        )
        assert fifo.is_fifo()
    assert received(mailbox) == Counter()
