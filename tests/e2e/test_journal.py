"""The journal on the real wiki: a broken journal stops every run before any mail, a file
that is not a journal is left as it is, -simulate leaves the journal as it was, one
journal per campaign however runs meet and whatever the name's spelling, kept private,
and a refused run changes nothing."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import stat
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import JOURNAL, exactly_once, journal_states, read_report, received
from harness.journalfiles import OTHERS, READS, damage, snapshot
from harness.pwbconfig import SCRIPT

WIKI = '//wiki.example/w wikidb'


RUN = ('-page:User:Alice', '-page:User:Bob', '-subject:Hi', '-text:Hello.', '-always')


def broken_journal(sender, mailbox, tmp_path, kind: str) -> Path:
    """A journal of *kind*, after a run that emailed Alice where the kind needs one."""
    path = tmp_path / 'j.sqlite3'
    if kind == 'text':
        path.write_text('username\nAlice\nBob\n' * 300)
    elif kind == 'folder':
        path.mkdir()
    else:
        first = sender.run('-page:User:Alice', *RUN[2:], f'-journal:{path}')
        assert first.returncode == 0, first.output
        assert received(mailbox) == exactly_once(['Alice'])
        mailbox.clear()
        if kind == 'truncated':
            path.write_bytes(path.read_bytes()[:6000])
        else:  # the table of the recipients, or of the sends the rate limit counts
            damage(path, *READS[kind.split('-')[0]][0])
    return path


def refused_naming(result, path: Path) -> None:
    """Exit 1, no traceback, and one error line naming the journal."""
    assert result.returncode == 1, result.output
    assert 'Traceback' not in result.output, result.output
    lines = [line for line in result.output.splitlines() if f'The journal {path} ' in line]
    assert len(lines) == 1, result.output
    assert lines[0].rstrip().endswith('.'), lines[0]


IDENTITY_RUN = ('-page:User:Alice', '-subject:Identity', '-text:Hello.', '-always')


def refused(result, path: Path) -> None:
    """Exit 1, no traceback, one sentence naming the file as not a journal of emailuser."""
    assert result.returncode == 1, result.output
    assert 'Traceback' not in result.output, result.output
    lines = [line for line in result.output.splitlines() if str(path) in line]
    assert len(lines) == 1, result.output
    assert 'is not a journal of emailuser' in lines[0], lines[0]
    assert 'damaged' not in result.output and 'keep a copy' not in result.output


STARTED_MEANWHILE = (
    'Another run started this campaign in {} while this one prepared: nothing was sent; run '
    'the same command again to go on from what it did.'
)


def e2e(test):
    """An end-to-end test: what it tests does not depend on the MediaWiki version."""
    return pytest.mark.wiki(pytest.mark.mediawiki('1.39')(test))


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def held_during_preview(proxy, run) -> list:
    """Run *run* whole while the proxied run shows its plan, after it read the journal.

    The run's second allmessages request is the preview's, after the journal was read.
    """
    outputs = []
    proxy.call('query:allmessages', lambda: outputs.append(run()), at=2)
    return outputs


DOMAIN = 'accounts.test'


def addr(name: str) -> str:
    """A distinct address for each account these tests make."""
    ascii_name = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode()
    return re.sub(r'[^a-z0-9]', '', ascii_name.lower()) + f'@{DOMAIN}'


def make_users(wiki, *names: str, pages=()) -> None:
    wiki.add({'users': [{'name': n, 'email': addr(n)} for n in names], 'pages': list(pages)})


def args(subject: str, *more: str) -> list[str]:
    return [f'-subject:{subject}', '-text:Hello {username}.', '-always', *more]


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')  # a file's damage does not depend on the wiki's version
@pytest.mark.parametrize(
    'kind', ['text', 'folder', 'truncated', 'states-damaged', 'sends_since-damaged']
)
def test_a_broken_journal_stops_every_run_before_any_mail(sender, mailbox, tmp_path, kind):
    path = broken_journal(sender, mailbox, tmp_path, kind)
    before = path.read_bytes() if path.is_file() else None
    simulated = sender.pwb('-simulate', str(SCRIPT), *RUN, f'-journal:{path}')
    refused_naming(simulated, path)
    real = sender.run(*RUN, f'-journal:{path}')
    refused_naming(real, path)
    test = sender.run(*RUN, '-test', f'-journal:{path}')
    refused_naming(test, path)
    assert mailbox.messages() == []
    if before is not None:
        assert path.read_bytes() == before  # kept as it was, for whoever repairs it


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_check_does_not_need_the_journal(sender, mailbox, tmp_path):
    path = broken_journal(sender, mailbox, tmp_path, 'text')
    result = sender.run('-page:User:Alice', '-page:User:Bob', '-check', f'-journal:{path}')
    assert result.returncode == 0, result.output
    assert 'Traceback' not in result.output and str(path) not in result.output
    assert '2 users checked' in result.output
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')  # the file, not the wiki, decides
@pytest.mark.parametrize('simulate', [False, True], ids=['run', 'simulate'])
@pytest.mark.parametrize('kind', ['html', 'bookmarks'])
def test_a_journal_path_at_another_programs_file(sender, mailbox, tmp_path, kind, simulate):
    path = OTHERS[kind](tmp_path)
    before = snapshot(tmp_path)
    if simulate:
        result = sender.pwb('-simulate', str(SCRIPT), *IDENTITY_RUN, f'-journal:{path}')
    else:
        result = sender.run(*IDENTITY_RUN, f'-journal:{path}')
    refused(result, path)
    assert mailbox.messages() == []
    assert snapshot(tmp_path) == before


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_simulate_leaves_the_journal_of_a_campaign_as_it_was(sender, mailbox, tmp_path):
    path = tmp_path / 'j.sqlite3'
    first = sender.run(*IDENTITY_RUN, f'-journal:{path}')
    assert first.returncode == 0, first.output
    assert received(mailbox) == exactly_once(['Alice'])
    mailbox.clear()
    path.chmod(0o644)
    before = snapshot(tmp_path)
    result = sender.pwb(
        '-simulate',
        str(SCRIPT),
        *IDENTITY_RUN[:-1],
        '-page:User:Bob',
        '-always',
        f'-journal:{path}',
    )
    assert result.returncode == 0, result.output
    assert 'already-sent' in result.output or 'already' in result.output, result.output
    assert mailbox.messages() == []
    assert snapshot(tmp_path) == before


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_campaign_that_only_case_folding_makes_equal_is_another_campaign(
    sender, mailbox, tmp_path
):
    path = tmp_path / 'j.sqlite3'
    first = sender.run(
        '-page:User:Alice',
        '-subject:Ma\u00dfe',
        '-text:\u00dcber Ma\u00dfe.',
        '-always',
        f'-journal:{path}',
    )
    assert first.returncode == 0, first.output
    # Another campaign for someone just reached: the overlap check asks to name it,
    # where case folding made it the same campaign and Alice "already-sent".
    second = sender.run(
        '-page:User:Alice', '-subject:Masse', '-text:Die Masse.', '-always', f'-journal:{path}'
    )
    assert second.returncode == 1, second.output
    assert 'by the campaign "Ma\u00dfe"' in second.output
    assert 'already-sent' not in second.output
    third = sender.run(
        '-page:User:Alice',
        '-subject:Masse',
        '-text:Die Masse.',
        '-always',
        '-campaign:Masse',
        f'-journal:{path}',
    )
    assert third.returncode == 0, third.output
    assert received(mailbox) == exactly_once(['Alice']) + exactly_once(['Alice'])


@pytest.mark.parametrize('second_subject', ['Race', 'Other race'], ids=['same', 'other'])
@e2e
def test_a_run_whose_new_journal_another_run_wrote_meanwhile_sends_nothing(
    sender_via_proxy_factory, sender_factory, proxy, mailbox, tmp_path, second_subject
):
    journal = tmp_path / 'shared.sqlite3'
    users = ['-page:User:Alice', '-page:User:Bob', '-text:Hi.', '-always', f'-journal:{journal}']
    direct = sender_factory('Sender')
    outputs = held_during_preview(proxy, lambda: direct.run(*users, '-subject:Race'))
    held = sender_via_proxy_factory('Sender', extra='socket_timeout = (3, 300)\n')
    late = held.run(*users, f'-subject:{second_subject}')
    assert outputs, late.output
    assert outputs[0].returncode == 0, outputs[0].output
    assert late.returncode == 75, late.output
    if second_subject == 'Race':
        assert STARTED_MEANWHILE.format(journal) in ' '.join(late.output.split())
    else:
        assert f'Another run wrote to the journal {journal} (campaign "Race") while' in late.output
    assert 'Traceback' not in late.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    assert {m.subject for m in mailbox.messages()} == {'Race'}
    # Run again, as the sentence says: it now sees what the other run did.
    proxy.disarm()
    again = held.run(*users, f'-subject:{second_subject}')
    if second_subject == 'Race':
        assert again.returncode == 0, again.output
        assert '2 reached by earlier runs' in again.output
    else:
        assert again.returncode == 1, again.output
        assert 'in the last 7 days by the campaign "Race"' in again.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])


@e2e
def test_a_run_on_an_existing_journal_holds_it_before_reading_it(
    sender_via_proxy_factory, sender_factory, proxy, mailbox, tmp_path
):
    journal = tmp_path / 'shared.sqlite3'
    direct = sender_factory('Sender')
    earlier = direct.run(
        '-page:User:Carol', '-subject:Earlier', '-text:Hi.', '-always', f'-journal:{journal}'
    )
    assert earlier.returncode == 0, earlier.output
    users = ['-page:User:Alice', '-page:User:Bob', '-subject:Race', '-text:Hi.', '-always']
    outputs = held_during_preview(proxy, lambda: direct.run(*users, f'-journal:{journal}'))
    held = sender_via_proxy_factory('Sender', extra='socket_timeout = (3, 300)\n')
    first = held.run(*users, f'-journal:{journal}')
    assert outputs, first.output
    assert outputs[0].returncode == 1, outputs[0].output
    assert f'Another run is sending with the journal {journal} right now' in outputs[0].output
    assert first.returncode == 0, first.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob', 'Carol'])


@pytest.mark.parametrize(
    'again', ['Meet up 2025 ', 'Meet  up 2025', 'meet up 2025', 'Meet_up 2025', 'MEET\u00a0UP 2025']
)
@e2e
def test_a_campaign_name_written_otherwise_is_the_same_campaign(sender, mailbox, again):
    common = ['-subject:Meetup', '-text:Hi.', '-always']
    first = sender.run('-page:User:Alice', *common, '-campaign:Meet up 2025')
    assert first.returncode == 0, first.output
    second = sender.run('-page:User:Alice', '-page:User:Bob', *common, f'-campaign:{again}')
    assert second.returncode == 0, second.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    # The plan names the campaign as it was first written.
    assert 'Campaign "Meet up 2025" in ' in second.output
    assert '1 reached by earlier runs' in second.output


@e2e
def test_a_subject_written_otherwise_continues_its_campaign(sender, mailbox, tmp_path):
    rows = tmp_path / 'report.csv'
    first = sender.run('-page:User:Alice', '-subject:Meetup  news', '-text:Hi.', '-always')
    assert first.returncode == 0, first.output
    second = sender.run(
        '-page:User:Alice',
        '-page:User:Bob',
        '-subject:meetup news ',
        '-text:Hi.',
        '-always',
        f'-report:{rows}',
    )
    assert second.returncode == 0, second.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    assert 'Campaign "Meetup  news" in ' in second.output
    assert '1 reached by earlier runs, 1 of them with an earlier version of the text' in (
        second.output
    )
    assert read_report(rows)['Alice'][0] == 'already-sent'


@e2e
def test_a_journal_copied_in_readable_by_all_is_made_private_again(sender, mailbox, tmp_path):
    journal = tmp_path / 'copied.sqlite3'
    common = ['-subject:Perm', '-text:Hi.', '-always', f'-journal:{journal}']
    first = sender.run('-page:User:Alice', *common)
    assert first.returncode == 0, first.output
    os.chmod(journal, 0o644)  # as cp or scp from a backup leaves it
    again = sender.run('-page:User:Alice', '-page:User:Bob', *common)
    assert again.returncode == 0, again.output
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
    files = [p for p in tmp_path.iterdir() if p.name.startswith('copied')]
    assert files
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}


@pytest.mark.wiki
def test_a_journal_of_names_migrates_and_keeps_who_was_reached_through_a_rename(
    sender, mailbox, wiki
):
    make_users(wiki, 'Mig Old', 'Mig Other')
    first = sender.run('-page:User:Mig Old', '-page:User:Mig Other', *args('Migrate'))
    assert first.returncode == 0, first.output
    # Make the journal what schema 2 wrote: rows keyed by name only.
    path = sender.config_dir / JOURNAL
    db = sqlite3.connect(path)
    with db:
        db.execute('DROP INDEX recipient_by_account')
        db.execute('DROP INDEX recipient_by_name')
        db.execute(
            'CREATE TABLE v2 AS SELECT campaign, username, state, status, detail, final,'
            ' version, account, updated FROM recipient'
        )
        db.execute('DROP TABLE recipient')
        db.execute('ALTER TABLE v2 RENAME TO recipient')
        db.execute('PRAGMA user_version=2')
    db.close()
    wiki.rename_user('Mig Old', 'Mig New')
    again = sender.run('-page:User:Mig New', '-page:User:Mig Other', *args('Migrate'))
    assert again.returncode == 0, again.output
    assert received(mailbox) == Counter({addr('Mig Old'): 1, addr('Mig Other'): 1})
    db = sqlite3.connect(path)
    rows = dict(db.execute('SELECT username, userid IS NOT NULL FROM recipient'))
    assert db.execute('PRAGMA user_version').fetchone()[0] == 5
    db.close()
    assert rows == {'Mig New': 1, 'Mig Other': 1}


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_refused_run_changes_nothing(sender_via_proxy, proxy, mailbox, wiki, tmp_path):
    make_users(wiki, 'Ref One')
    proxy.arm('emailuser', '504-after', at=1)
    common = ['-page:User:Ref One', *args('Refused')]
    first = sender_via_proxy.run(*common)
    assert first.returncode == 1, first.output
    proxy.disarm()
    path = sender_via_proxy.config_dir / JOURNAL
    assert journal_states(path) == {'uncertain': 1}
    typo = sender_via_proxy.run(*common, '-resend:uncertain', '-ratelimit:many')
    assert typo.returncode == 1, typo.output
    no_terminal = sender_via_proxy.run(
        '-page:User:Ref One', '-subject:Refused', '-text:Hello {username}.', '-resend:uncertain'
    )
    assert no_terminal.returncode == 1, no_terminal.output
    assert 'add -always' in no_terminal.output
    assert journal_states(path) == {'uncertain': 1}
    plain = sender_via_proxy.run(*common, f'-report:{tmp_path / "r.csv"}')
    assert plain.returncode == 1, plain.output  # uncertain, as before the refused runs
    assert read_report(tmp_path / 'r.csv')['Ref One'][0] == 'uncertain'
    assert received(mailbox) == Counter({addr('Ref One'): 1})


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_a_new_journal_says_it_knows_no_other_journal(sender, mailbox, tmp_path):
    other = tmp_path / 'elsewhere' / 'journal.sqlite3'
    common = ['-page:User:Alice', *args('Another memory', f'-journal:{other}')]
    first = sender.run(*common)
    assert first.returncode == 0, first.output
    assert f'The journal {other} is new: runs recorded in any other journal' in first.output
    second = sender.run(*common)
    assert 'is new' not in second.output
    assert received(mailbox) == Counter({pop.EMAILABLE['Alice']: 1})
    # A refused run creates no journal.
    refused = tmp_path / 'refused.sqlite3'
    result = sender.run('-page:User:Alice', *args('X', f'-journal:{refused}', '-ratelimit:x'))
    assert result.returncode == 1
    assert not refused.exists()


def address(name: str) -> str:
    return name.lower().replace(' ', '.') + '@journal.test'


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_the_command_a_failed_resend_names_retries_only_the_failed_one(
    sender_via_proxy, proxy, mailbox, wiki, tmp_path
):
    """A resend in which one email failed ends with status 1, and the status file's command
    is the same one, -resend included, for a failure is tried again: run as told, it
    goes on with that resend and emails the failed one only."""
    people = ('Journal Resend Ann', 'Journal Resend Ben')
    wiki.add({'users': [{'name': n, 'email': address(n)} for n in people]})
    status = tmp_path / 'status.json'
    common = [
        *(f'-page:User:{n}' for n in people),
        '-subject:Hostile resend',
        '-text:Hello {username}.',
        '-always',
        f'-report:{tmp_path / "r.csv"}',
    ]
    assert sender_via_proxy.run(*common).returncode == 0
    proxy.arm('emailuser', 'apierror-before:hookaborted', at=2)
    resend = sender_via_proxy.run(*common, '-resend', f'-statusfile:{status}')
    proxy.disarm()
    assert resend.returncode == 1, resend.output
    assert read_report(tmp_path / 'r.csv')[people[1]][0] == 'failed'
    told = json.loads(status.read_text())['command']
    assert '-resend' in shlex.split(told)
    again = sender_via_proxy.run(*shlex.split(told)[2:])
    assert again.returncode == 0, again.output
    assert received(mailbox) == Counter({address(n): 2 for n in people})
