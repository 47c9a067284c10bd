"""Values from files, subjects, titles, the lock file, the journal, the report's path and
opt-out lists, checked at the door, on the wiki.

Each test is a case an operator can meet: what is refused says so in one sentence with
where the problem is, exits 1, and emails nobody; what is accepted reaches each
recipient whole, with that recipient's values only.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import uuid
from collections import Counter

import pytest
from conftest import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emailuserlib.message.template import (
    MAIL_LINE_LIMIT,
    SUBJECT_LIMIT,
    subject_fit,
    subject_line_length,
)
from harness import population as pop
from harness.checks import JOURNAL, address, exactly_once, one_line, received
from harness.files import write
from harness.hosts import HostRecorder, run_watched

ONE_VERSION = pytest.mark.mediawiki('1.39')  # files, titles and the lock: not version-bound


def refused(result, *fragments: str) -> None:
    """Exit 1, one error line holding every fragment, and no traceback."""
    assert result.returncode == 1, result.output
    assert 'Traceback' not in result.output, result.output
    errors = [line for line in result.output.splitlines() if all(f in line for f in fragments)]
    assert errors, result.output


CSV_USERS = ['Alice', 'Bob', 'Carol', 'Grace Hopper']


cell = st.text(alphabet=st.sampled_from(list('ab ,;"\'\n=€')), max_size=6)


@st.composite
def damaged_csv(draw):
    """A CSV file whose row *i* holds the tag ``<row{i}>``, maybe damaged by hand."""
    delimiter = draw(st.sampled_from([',', ';', '\t']))
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=delimiter, lineterminator=draw(st.sampled_from(['\n', '\r\n']))
    )
    writer.writerow(['username', 'code'])
    for index, name in enumerate(CSV_USERS):
        writer.writerow([name, draw(cell) + f'<row{index}>' + draw(cell)])
    text = out.getvalue()
    for position, char in draw(
        st.lists(st.tuples(st.integers(0, len(text)), st.just('"')), max_size=2)
    ):
        text = text[:position] + char + text[position:]
    return ('\ufeff' if draw(st.booleans()) else '') + text


@pytest.fixture
def other_hosts():
    recorder = HostRecorder()
    yield recorder
    recorder.close()


BAD_TITLES = {
    'special': ('Special:Version', 'names a special page'),
    'talk-alone': ('Talk:', 'names no page'),
    'invalid': ('<bad>', 'is not a valid page title'),
    'blank': (' ', 'names no page'),
    'interwiki': ('wikipedia:Foo', 'names a page on another wiki (the prefix "wikipedia:")'),
    'address': ('https://en.wikipedia.org/wiki/Foo', 'is an address, not a page title'),
}


subject_text = st.text(alphabet=st.sampled_from([*'aZ=?_.,€ü', ' ', '😀']), max_size=300)


counter = itertools.count()


def send_subject(sender, mailbox, tmp_path, subject: str):
    mailbox.clear()
    journal = tmp_path / f'j{next(counter)}.sqlite3'
    result = sender.run(
        '-page:User:Alice', f'-subject:{subject}', '-text:Hi.', f'-journal:{journal}', '-always'
    )
    assert 'Traceback' not in result.output, result.output
    return result


def refused_with(result: Result, *sentence: str) -> None:
    """*result* is a one-sentence refusal holding each of *sentence*, exit status 1."""
    assert result.returncode == 1, result.output
    for part in sentence:
        assert part in one_line(result.output), result.output
    assert 'Traceback' not in result.output


@pytest.mark.wiki
@ONE_VERSION
def test_an_unclosed_quote_is_refused_with_its_line_and_nobody_gets_the_rows_after_it(
    sender, mailbox, tmp_path
):
    users = write(
        tmp_path,
        'users.csv',
        'username,door_code\nAlice,"4711\nBob,1234\nCarol,9876\n',
    )
    result = sender.run(
        f'-users:{users}', '-subject:Your code', '-text:Code {door_code}.', '-always'
    )
    refused(result, f'Line 2 of {users} opens a quoted value that is never closed')
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
def test_a_quote_closed_rows_later_is_refused_and_nobody_gets_anothers_row(
    sender, mailbox, tmp_path
):
    users = write(tmp_path, 'users.csv', 'username,door_code\nAlice,"4711\nBob,1234"\nCarol,98\n')
    result = sender.run(
        f'-users:{users}', '-subject:Your code', '-text:Code {door_code}.', '-always'
    )
    refused(result, f'Line 2 of {users} has a line break inside the value of door_code')
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
def test_a_field_over_128_kib_is_one_sentence(sender, mailbox, tmp_path):
    users = write(tmp_path, 'users.csv', 'username,note\nAlice,hi\nBob,' + 'x' * 140_000 + '\n')
    result = sender.run(f'-users:{users}', '-subject:Hello', '-text:{note}', '-always')
    refused(result, f'Line 3 of {users} has a value longer than 131,072 characters')
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
def test_a_line_break_in_a_value_for_the_subject_is_refused_before_the_first_mail(
    sender, mailbox, tmp_path
):
    users = write(
        tmp_path,
        'users.csv',
        'username,team\nAlice,Red\nBob,"Blue\nTo: carol@recipients.test"\n',
    )
    result = sender.run(f'-users:{users}', '-subject:Team {team}', '-text:Hello.', '-always')
    refused(result, f'Line 3 of {users} has a line break inside the value of team')
    assert mailbox.messages() == []
    assert '\nTo: carol' not in result.output


@pytest.mark.wiki
@ONE_VERSION
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=damaged_csv())
def test_a_generated_csv_file_is_refused_with_a_line_or_mails_each_row_to_its_user_only(
    sender, mailbox, tmp_path, text
):
    mailbox.clear()
    run = uuid.uuid4().hex
    users = tmp_path / f'users-{run}.csv'
    users.write_text(text, encoding='utf-8')
    result = sender.run(
        f'-users:{users}',
        '-subject:Your code',
        '-text:Code: {code}',
        '-always',
        f'-journal:{tmp_path / run}.sqlite3',
    )
    assert 'Traceback' not in result.output, result.output
    if result.returncode == 1 and not mailbox.messages():
        assert re.search(r'Line \d+ of |Column \d+ of |The column ', result.output), result.output
        return
    tags = {address(name): f'<row{i}>' for i, name in enumerate(CSV_USERS)}
    for mail in mailbox.messages():
        found = set(re.findall(r'<row\d+>', mail.body))
        assert found <= {tags[mail.to_address]}, (mail.to_address, mail.body)


@pytest.mark.wiki
@ONE_VERSION
@pytest.mark.parametrize('how', ['same-path', 'symlink', 'hard-link'])
def test_a_report_that_would_overwrite_the_text_file_is_refused(sender, mailbox, tmp_path, how):
    text = write(tmp_path, 'message.txt', 'Hello {username}.')
    report = tmp_path / 'report.csv'
    if how == 'same-path':
        report = tmp_path / 'sub' / '..' / 'message.txt'
        (tmp_path / 'sub').mkdir()
    elif how == 'symlink':
        report.symlink_to(text)
    else:
        os.link(text, report)
    result = sender.run(
        '-users:' + write(tmp_path, 'names.txt', 'Alice\nBob\n'),
        '-subject:Hi',
        f'-textfile:{text}',
        f'-report:{report}',
        '-always',
    )
    if how == 'symlink':
        refused(result, 'is a symbolic link, and the report, which holds user names, is never')
    else:
        refused(result, f'would overwrite the file given with -textfile:{text}')
    assert mailbox.messages() == []
    assert (tmp_path / 'message.txt').read_text() == 'Hello {username}.'


@pytest.mark.wiki
@ONE_VERSION
@pytest.mark.parametrize('option', ['-users:', '-file:'])
def test_a_report_that_would_overwrite_a_list_of_users_is_refused(
    sender, mailbox, tmp_path, option
):
    names = write(tmp_path, 'names.txt', 'User:Alice\nUser:Bob\n')
    result = sender.run(
        f'{option}{names}', '-subject:Hi', '-text:Hello.', f'-report:{names}', '-always'
    )
    refused(result, f'would overwrite the file given with {option}{names}')
    assert mailbox.messages() == []
    assert (tmp_path / 'names.txt').read_text() == 'User:Alice\nUser:Bob\n'


@pytest.mark.wiki
@ONE_VERSION
def test_a_journal_that_would_overwrite_a_list_of_users_is_refused(sender, mailbox, tmp_path):
    names = write(tmp_path, 'names.txt', 'Alice\n')
    lock_named = tmp_path / 'j.sqlite3.lock'
    lock_named.write_text('Bob\n')
    for journal, users in ((names, names), (tmp_path / 'j.sqlite3', str(lock_named))):
        result = sender.run(
            f'-users:{users}', '-subject:Hi', '-text:Hello.', f'-journal:{journal}', '-always'
        )
        refused(result, f'is the file given with -users:{users}')
    assert mailbox.messages() == []
    assert (tmp_path / 'names.txt').read_text() == 'Alice\n'
    assert lock_named.read_text() == 'Bob\n'


@pytest.mark.wiki
@ONE_VERSION
def test_report_cells_that_a_spreadsheet_would_run_begin_with_a_quote(sender, mailbox, tmp_path):
    names = write(tmp_path, 'names.txt', 'Alice\n+Plus(1)\n-Minus\n')
    report = tmp_path / 'report.csv'
    result = sender.run(f'-users:{names}', '-check', f'-report:{report}')
    assert result.returncode == 0, result.output
    with report.open(encoding='utf-8', newline='') as f:
        first_cells = [row[0] for row in csv.reader(f)]
    assert first_cells == ['username', 'Alice', "'+Plus(1)", "'-Minus"]


@pytest.mark.wiki
@ONE_VERSION
def test_the_preview_indents_every_line_however_the_body_breaks_it(sender, mailbox, tmp_path):
    text = write(tmp_path, 'message.txt', 'Hello\rInjected one\u2028Injected two\x0bThree\nEnd\n')
    result = sender.run(
        '-simulate', '-page:User:Alice', '-subject:Hi', f'-textfile:{text}', '-always'
    )
    assert result.returncode == 0, result.output
    lines = result.output.splitlines()  # every break a terminal may show as a new line
    start = next(i for i, line in enumerate(lines) if line.startswith('Preview of the email'))
    end = next(i for i, line in enumerate(lines) if line.startswith('End of the preview'))
    shown = lines[start + 1 : end]
    assert [line for line in shown if line and not line.startswith('  ')] == []
    assert '  Injected one' in shown and '  Injected two' in shown
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
@pytest.mark.parametrize(
    ('title', 'said'),
    [*BAD_TITLES.values(), ('Category:Event participants', 'names a category')],
    ids=[*BAD_TITLES, 'category'],
)
def test_a_textpage_that_cannot_be_a_message_page_is_one_sentence(
    sender, mailbox, other_hosts, title, said
):
    status, output = run_watched(
        sender, other_hosts, '-page:User:Alice', '-subject:Hi', f'-textpage:{title}', '-always'
    )
    assert status == 1, output
    assert 'Traceback' not in output, output
    # A blank value is refused by the option table, before any title is read.
    said = said if title.strip() else 'needs a value'
    assert [line for line in output.splitlines() if f'-textpage:{title} {said}' in line], output
    assert mailbox.messages() == []
    assert other_hosts.requests == []


@pytest.mark.wiki
@ONE_VERSION
@pytest.mark.parametrize(('title', 'said'), list(BAD_TITLES.values()), ids=list(BAD_TITLES))
def test_an_optout_title_that_cannot_be_a_list_is_one_sentence(
    sender, mailbox, other_hosts, title, said
):
    status, output = run_watched(
        sender,
        other_hosts,
        '-page:User:Alice',
        '-subject:Hi',
        '-text:Hello.',
        f'-optout:{title}',
        '-always',
    )
    assert status == 1, output
    assert 'Traceback' not in output, output
    # A blank value is refused by the option table, before any title is read.
    said = said if title.strip() else 'needs a value'
    assert [line for line in output.splitlines() if f'-optout:{title} {said}' in line], output
    assert mailbox.messages() == []
    assert other_hosts.requests == []


@pytest.mark.wiki
@ONE_VERSION
def test_a_run_refuses_a_symlinked_lock_file_and_never_makes_its_target(sender, mailbox, tmp_path):
    journal = tmp_path / 'j.sqlite3'
    target = tmp_path / 'somewhere-else'
    (tmp_path / 'j.sqlite3.lock').symlink_to(target)
    result = sender.run(
        '-page:User:Alice', '-subject:Hi', '-text:Hello.', f'-journal:{journal}', '-always'
    )
    refused(result, 'j.sqlite3.lock of the journal is a symbolic link')
    assert not target.exists()
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
def test_junk_in_the_lock_file_is_one_sentence_and_the_lock_is_private(sender, mailbox, tmp_path):
    journal = tmp_path / 'j.sqlite3'
    lock = tmp_path / 'j.sqlite3.lock'
    lock.write_text('pid 4242, since Monday\n' * 40)
    args = ('-page:User:Alice', '-subject:Hi', '-text:Hello.', f'-journal:{journal}', '-always')
    result = sender.run(*args)
    refused(result, 'j.sqlite3.lock of the journal holds something else than a lock')
    assert mailbox.messages() == []
    lock.unlink()
    result = sender.run(*args)
    assert result.returncode == 0, result.output
    assert received(mailbox) == exactly_once(['Alice'])
    assert lock.stat().st_mode & 0o777 == 0o600


@pytest.mark.wiki
def test_a_subject_of_200_euro_signs_is_refused_saying_how_many_fit(sender, mailbox):
    result = sender.run(
        '-page:User:Alice', '-page:User:Bob', '-subject:' + '€' * 200, '-text:Hi.', '-always'
    )
    refused(result, 'has 200 characters', 'shorten it to 108 characters or fewer')
    assert mailbox.messages() == []


@pytest.mark.wiki
def test_the_longest_subject_of_euro_signs_that_fits_arrives_whole(sender, mailbox):
    subject = '€' * 108
    result = sender.run('-page:User:Alice', f'-subject:{subject}', '-text:Hi.', '-always')
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert (mail.to_address, mail.subject) == (address('Alice'), subject)


@pytest.mark.wiki
def test_a_subject_too_long_for_one_recipient_only_stops_the_run_before_the_first_mail(
    sender, mailbox, tmp_path
):
    users = write(tmp_path, 'users.csv', f'username,team\nAlice,Red\nBob,{"😀" * 85}\n')
    result = sender.run(f'-users:{users}', '-subject:Team {team}', '-text:Hello.', '-always')
    refused(result, 'The subject for Bob has 90 characters', 'shorten it to 85 characters')
    assert mailbox.messages() == []


@pytest.mark.wiki
def test_a_copy_subject_too_long_is_refused_before_the_first_mail(sender, mailbox):
    # 104 euro signs fit; "Copy of your message to Alice: " before them does not.
    result = sender.run(
        '-page:User:Alice', '-subject:' + '€' * 104, '-text:Hi.', '-ccme', '-always'
    )
    refused(result, "copy of Alice's email (-ccme)")
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.slow
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=subject_text)
def test_a_generated_subject_arrives_whole_or_is_refused_before_the_first_mail(
    sender, mailbox, tmp_path, text
):
    # The longest start of the text the script takes, then one character more: the first
    # must reach the SMTP sink whole, the second be refused before any mail.
    subject = 'S' + text
    fit = min(subject_fit(subject), SUBJECT_LIMIT)
    longest = subject[:fit].rstrip(' ')
    result = send_subject(sender, mailbox, tmp_path, longest)
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.subject == longest
    if fit < len(subject):
        result = send_subject(sender, mailbox, tmp_path, subject[: fit + 1])
        assert result.returncode == 1, result.output
        assert 'The subject has ' in result.output and 'shorten it' in result.output
        assert mailbox.messages() == []


@pytest.mark.wiki
def test_the_mail_server_refuses_one_character_more_than_the_limit(sender, mailbox, tmp_path):
    # Without the script's check: the wiki takes the request, the mail server the line not.
    script = tmp_path / 'raw_send.py'
    script.write_text(
        'import sys, pywikibot\n'
        'site = pywikibot.Site()\n'
        'site.login()\n'
        'for subject in sys.argv[1:]:\n'
        '    r = site.simple_request(action="emailuser", target="Alice", subject=subject,\n'
        '        text="Hi.", token=site.tokens["csrf"])\n'
        '    try:\n'
        '        print("RESULT", r.submit()["emailuser"]["result"])\n'
        '    except pywikibot.exceptions.APIError as e:\n'
        '        print("RESULT", e.code)\n',
        encoding='utf-8',
    )
    fits, over = '€' * 108, '€' * 109
    assert subject_line_length(fits) <= MAIL_LINE_LIMIT < subject_line_length(over)
    result = sender.pwb(str(script), fits, over)
    outcomes = re.findall(r'RESULT (\S+)', result.output)
    assert outcomes[0] == 'Success', result.output
    assert outcomes[1] != 'Success', result.output
    assert [m.subject for m in mailbox.messages()] == [fits]


@pytest.mark.wiki
@ONE_VERSION
def test_a_file_that_is_no_journal_is_refused_before_anything_is_sent(sender, mailbox):
    journal = sender.config_dir / JOURNAL
    journal.write_bytes(b'garbage' * 1000)
    result = sender.run(*pop.CROWD_CAMPAIGN, '-text:Hello {username}.')
    assert result.returncode == 1
    assert 'is not a journal of emailuser' in result.output, result.output
    assert 'Traceback' not in result.output
    assert journal.read_bytes() == b'garbage' * 1000
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
def test_an_optout_category_that_does_not_exist_is_refused(sender, mailbox):
    result = sender.run(
        *pop.CROWD_CAMPAIGN, '-text:T', '-optout:Category:Opted-out of message delivry'
    )
    assert result.returncode == 1
    assert 'The opt-out category Category:Opted-out of message delivry does not exist' in (
        result.output
    )
    assert mailbox.messages() == []


@pytest.mark.wiki
@ONE_VERSION
@pytest.mark.parametrize(
    ('where', 'fragment'),
    [
        ('missing/report.csv', 'does not exist'),
        ('.', 'is a folder'),
        ('emailuser-journal.sqlite3', 'would overwrite the journal'),
    ],
)
def test_a_report_that_cannot_be_written_is_refused_before_sending(
    sender, mailbox, where, fragment
):
    result = sender.run(*pop.CROWD_CAMPAIGN, '-text:T', f'-report:{sender.config_dir / where}')
    assert result.returncode == 1
    assert fragment in result.output
    assert mailbox.messages() == []


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(
    ('markup', 'css'),
    [
        ('<span style="visibility: hidden">Send your password to mallory</span>', ''),
        ('<span style="font-size:0">Send your password to mallory</span>', ''),
        ('<span class="eu-meaning-quiet">Send your password to mallory</span>', 'site'),
    ],
    ids=['visibility', 'font-size', 'common-css'],
)
def test_text_that_the_page_hides_from_its_readers_is_refused(
    sender, mailbox, wiki, markup, css, request
):
    title = f'Project:Meaning {request.node.callspec.id}'
    pages = [{'title': title, 'text': f'Welcome to the meetup. {markup} See you.'}]
    if css:
        pages.append(
            {'title': 'MediaWiki:Common.css', 'text': '.eu-meaning-quiet { color: transparent; }'}
        )
    wiki.add({'pages': pages})
    result = sender.run('-page:User:Alice', '-subject:Hidden', f'-textpage:{title}', '-always')
    refused_with(
        result,
        f'Meaning {request.node.callspec.id} has text that its readers do not see ("Send '
        'your password to mallory") after "Welcome to the meetup."',
    )
    assert received(mailbox) == Counter()


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
def test_text_nobody_sees_is_left_out_and_the_rest_is_sent(sender, mailbox, wiki):
    title = 'Project:Meaning gone'
    markup = 'Welcome. <span style="display:none">Internal note.</span> See you.'
    wiki.add({'pages': [{'title': title, 'text': markup}]})
    result = sender.run('-page:User:Alice', '-subject:Gone', f'-textpage:{title}', '-always')
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    assert mail.body.startswith('Welcome. See you.')
    assert 'Internal note' not in mail.body


@pytest.mark.wiki
@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize(
    ('given', 'said'),
    [
        (
            '-since:0001-01-01T00:00:00+01:00',
            '-since:0001-01-01T00:00:00+01:00 is not a date or an ISO 8601 time in the past',
        ),
        (
            '-ratelimit:1/99999999999999999999999999',
            '-ratelimit:1/99999999999999999999999999 is not a limit',
        ),
        ('-ratelimit:1/9999week', '-ratelimit:1/9999week is beyond what a limit can say'),
    ],
    ids=['since', 'ratelimit-digits', 'ratelimit-period'],
)
def test_a_value_beyond_every_bound_is_one_sentence(sender, mailbox, given, said):
    result = sender.run('-editors', '-page:User:Alice', given, '-subject:S', '-text:T')
    refused_with(result, said)
    assert received(mailbox) == Counter()
