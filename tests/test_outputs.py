"""What the script writes: one journal per campaign however runs meet, whatever the name's
spelling, kept private; and a report that never replaces a file that is not its own."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.core.errors import EmailUserError
from emailuserlib.journal import store as journals
from emailuserlib.journal.schema import State, campaign_key
from emailuserlib.journal.store import Journal
from emailuserlib.report import files as report
from emailuserlib.report.files import check_path, is_report, report_header
from harness.checks import exactly_once, read_report, received

WIKI = '//wiki.example/w wikidb'
STARTED_MEANWHILE = (
    'Another run started this campaign in {} while this one prepared: nothing was sent; run '
    'the same command again to go on from what it did.'
)


def e2e(test):
    """An end-to-end test: what it tests does not depend on the MediaWiki version."""
    return pytest.mark.wiki(pytest.mark.mediawiki('1.39')(test))


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# Two runs that start on a journal that does not exist yet -------------------------------


def held_during_preview(proxy, run) -> list:
    """Run *run* whole while the proxied run shows its plan, after it read the journal.

    The run's second allmessages request is the preview's, after the journal was read.
    """
    outputs = []
    proxy.call('query:allmessages', lambda: outputs.append(run()), at=2)
    return outputs


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
        assert 'emailed in the last 7 days by the campaign "Race"' in again.output
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


# One campaign, however its name is written --------------------------------------------


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


def test_the_campaign_key():
    assert campaign_key(' Meet_up\u00a0 2025\t') == campaign_key('meet UP 2025') == 'meet up 2025'
    # Composed and decomposed forms are one name; other letters are not.
    assert campaign_key('Caf\u00e9') == campaign_key('CAFE\u0301')
    assert campaign_key('Meetup 2025') != campaign_key('Meet up 2025')
    # Lower case, not case folding: a sharp s is not "ss".
    assert campaign_key('Stra\u00dfe') != campaign_key('STRASSE')
    assert campaign_key('Stra\u00dfe') == campaign_key('STRA\u00dfE')


names = st.text(st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=12)


@given(names)
def test_the_campaign_key_of_a_key_is_itself(name):
    assert campaign_key(campaign_key(name)) == campaign_key(name)


@given(name=names, data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_a_name_written_otherwise_opens_the_same_campaign(name, data, tmp_path_factory):
    """Spaces, underscores, case and Unicode form do not make another campaign."""
    words = name.replace('_', ' ').split()
    if not words:
        return
    gaps = st.sampled_from([' ', '  ', '_', '\t', ' _\u00a0'])
    spelt = words[0]
    for word in words[1:]:
        spelt += data.draw(gaps) + word
    spelt = data.draw(st.sampled_from(['', ' ', '__'])) + spelt + data.draw(gaps | st.just(''))
    spelt = data.draw(st.sampled_from([spelt, spelt.lower(), unicodedata.normalize('NFD', spelt)]))
    path = tmp_path_factory.mktemp('key') / 'j.sqlite3'
    j = Journal(path)
    first = j.open_campaign(WIKI, name, 'fp')
    assert j.open_campaign(WIKI, spelt, 'fp', create=False) == first
    assert j.campaign_name == name
    assert j.open_campaign(WIKI, spelt, 'other fp') == first
    j.close()


def old_journal(path, *rows):
    """A journal of an earlier release, which kept one campaign under several names.

    *rows* are (campaign name, user, state); each name gets its campaign and its
    version of one text.
    """
    Journal(path).close()
    fp = journals.fingerprint('Meetup', 'Hi.', False)
    with sqlite3.connect(path) as db:
        for name, user, state in rows:
            now = time.time()
            db.execute(
                'INSERT OR IGNORE INTO campaign (wiki, name, created) VALUES (?, ?, ?)',
                (WIKI, name, now),
            )
            (campaign,) = db.execute('SELECT id FROM campaign WHERE name = ?', (name,)).fetchone()
            version = db.execute(
                'INSERT INTO version (campaign, fingerprint, created) VALUES (?, ?, ?)',
                (campaign, fp, now),
            ).lastrowid
            db.execute(
                'INSERT INTO recipient (campaign, username, state, version, updated)'
                ' VALUES (?, ?, ?, ?, ?)',
                (campaign, user, state.value, version, now),
            )
    return fp


def test_campaigns_an_earlier_release_kept_apart_are_read_as_one_and_then_merged(tmp_path):
    path = tmp_path / 'j.sqlite3'
    fp = old_journal(path, ('Meet up', 'Alice', State.SENT), ('meet_up', 'Bob', State.SENT))
    j = Journal(path)
    # Only looking (-simulate, or before the run goes ahead): both are read as one.
    assert j.open_campaign(WIKI, 'MEET UP', fp, create=False) is not None
    assert j.campaign_name == 'Meet up'
    states = j.states()
    assert {k: e.state for k, e in states.items()} == {'Alice': State.SENT, 'Bob': State.SENT}
    assert all(e.version == j.version for e in states.values())
    assert j.reached_elsewhere(WIKI, ['Alice', 'Bob'], 0) == {}
    # Writing merges them into the first.
    j.open_campaign(WIKI, 'MEET UP', fp)
    j.for_run('Sender', WIKI)
    j.plan(['Alice', 'Bob', 'Carol'])
    assert {k: e.state for k, e in j.states().items()} == {
        'Alice': State.SENT,
        'Bob': State.SENT,
        'Carol': State.PLANNED,
    }
    j.close()
    with sqlite3.connect(path) as db:
        assert db.execute('SELECT name FROM campaign').fetchall() == [('Meet up',)]
        assert db.execute('SELECT count(*) FROM version').fetchone()[0] == 1


def test_resend_of_uncertain_reaches_both_spellings_before_they_are_merged(tmp_path):
    path = tmp_path / 'j.sqlite3'
    fp = old_journal(
        path, ('Meet up', 'Alice', State.UNCERTAIN), ('meet  up', 'Bob', State.UNCERTAIN)
    )
    j = Journal(path)
    j.open_campaign(WIKI, 'Meet up', fp, create=False)
    assert j.resend(uncertain_only=True) == 2
    assert {e.state for e in j.states().values()} == {State.PLANNED}
    j.close()


# The journal stays readable by its owner only ------------------------------------------


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


def test_the_files_beside_the_journal_are_made_private(tmp_path):
    path = tmp_path / 'j.sqlite3'
    first = Journal(path)
    first.open_campaign(WIKI, 'Hi', 'fp')
    first.for_run('Sender', WIKI)
    first.plan(['Alice'])  # while it is open, SQLite keeps -wal and -shm beside the journal
    beside = [path, path.with_name('j.sqlite3-wal'), path.with_name('j.sqlite3-shm')]
    for p in beside:
        os.chmod(p, 0o644)
    second = Journal(path)
    assert [mode(p) for p in beside] == [0o600, 0o600, 0o600]
    second.open_campaign(WIKI, 'Hi', 'fp', create=False)
    assert journals.find(second.states(), 'Alice').state == State.PLANNED
    second.close()
    first.close()


def test_a_link_beside_the_journal_is_not_followed(tmp_path):
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.write_text('not the journal')
    os.chmod(elsewhere, 0o644)
    link = tmp_path / 'j.sqlite3-wal'
    link.symlink_to(elsewhere)
    journals._keep_private(link)
    assert mode(elsewhere) == 0o644


def test_a_journal_its_owner_made_read_only_stays_read_only(tmp_path):
    path = tmp_path / 'j.sqlite3'
    Journal(path).close()
    os.chmod(path, 0o444)
    Journal(path).close()
    assert mode(path) == 0o400


# The report never replaces a file that is not a report --------------------------------


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


def test_is_report(tmp_path):
    path = tmp_path / 'r.csv'
    assert is_report(path)  # nothing there
    path.write_bytes(b'')
    assert is_report(path)
    for header in report.HEADERS:
        path.write_text(','.join(header) + '\r\nAlice,sent,\r\n', encoding='utf-8')
        assert is_report(path)
    for other in (
        b'username,status\n',
        b'# user-config.py\nfamily = "wikipedia"\n',
        b'[emailuser]\nmax = 5\n',
        b'\xff\xfe' + 'username,status,detail\n'.encode('utf-16-le'),
        b'\n' + b'username,status,detail\n',
    ):
        path.write_bytes(other)
        assert not is_report(path), other
    os.mkfifo(tmp_path / 'fifo')
    assert not is_report(tmp_path / 'fifo')


@given(content=st.binary(max_size=64) | st.text(max_size=40).map(str.encode))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_file_at_the_report_path_is_replaced_only_if_it_is_a_report(content, tmp_path):
    path = tmp_path / 'r.csv'
    path.write_bytes(content)
    first = content.split(b'\n', 1)[0].rstrip(b'\r')
    own = not content or first in (b'username,status,detail', b'username,status,detail,edits,pages')
    if own:
        assert check_path(path) == path
    else:
        with pytest.raises(EmailUserError, match='is not a report of emailuser'):
            check_path(path)
    assert path.read_bytes() == content


def test_the_reports_of_every_run_are_reports():
    assert report_header(editors=False) in report.HEADERS
    assert report_header(editors=True) in report.HEADERS


def test_check_path_refuses_a_file_that_is_not_a_report(tmp_path):
    path = tmp_path / 'notes.txt'
    path.write_text('my notes\n')
    with pytest.raises(EmailUserError, match='is not a report of emailuser'):
        check_path(path)
    assert path.read_text() == 'my notes\n'


def test_check_path_refuses_a_file_it_cannot_read(tmp_path):
    if os.geteuid() == 0:
        pytest.skip('root reads any file')
    path = tmp_path / 'r.csv'
    path.write_text('username,status,detail\n')
    os.chmod(path, 0)
    with pytest.raises(EmailUserError, match='cannot be read to tell'):
        check_path(path)
