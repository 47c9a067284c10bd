"""What the operator is shown is true: after a stop, and in the preview.

Each test reads what the operator reads (the output, the report, the exit status) on
the real wiki. What the rate-limited operator is shown is in test_rate_limits.py, the help in
test_help.py.
"""

from __future__ import annotations

import email.utils
import signal

import pytest

from harness import population as pop
from harness.checks import (
    address,
    assert_true_end_lines,
    exactly_once,
    read_report,
    received,
    wait_for_mail,
)
from harness.terminal import Terminal

pytestmark = pytest.mark.wiki

CATEGORY = [f'-cat:{pop.CATEGORY}', '-subject:Meetup', '-text:Hello {username}.']


#: What the plan settles for the category's members who are not emailed.
PLAN_SETTLED = {n: s for n, s in pop.CATEGORY_STATUS.items() if s != 'emailable'}


def preview_lines(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('Preview of the email'))
    return lines[start : lines.index('End of the preview.', start) + 1]


@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('how', ['q', 'ctrl-c'])
def test_a_stop_at_the_first_question_keeps_what_the_plan_settled(sender, mailbox, tmp_path, how):
    report = tmp_path / 'stop.csv'
    term = Terminal(sender.config_dir, *CATEGORY, f'-report:{report}')
    term.expect('Email Alice?')
    if how == 'q':
        term.answer('q')
    else:
        term.interrupt()
    status = term.finish()
    assert status == 75, term.screen
    assert mailbox.messages() == []
    rows = read_report(report)
    assert {n: s for n, (s, _) in rows.items() if n in PLAN_SETTLED} == PLAN_SETTLED
    assert {n: s for n, (s, _) in rows.items() if n not in PLAN_SETTLED} == dict.fromkeys(
        pop.CATEGORY_RECIPIENTS, 'pending'
    )
    assert not any('talk page' in detail for _, detail in rows.values())
    screen = term.screen.replace('\r', '')
    assert '6 pending operations' in screen
    assert '2 not-emailable operations' in screen and '1 no-such-user operation' in screen
    if how == 'q':
        assert '6 recipients were not reached yet' in screen
    assert_true_end_lines(screen, status)


@pytest.mark.mediawiki('1.39')
@pytest.mark.parametrize('how', ['sigterm', 'max'])
def test_a_stop_during_the_run_keeps_what_the_plan_settled(sender, mailbox, tmp_path, how):
    report = tmp_path / 'stop.csv'
    args = [*CATEGORY, '-always', f'-report:{report}']
    if how == 'max':
        result = sender.run(*args, '-max:2')
        status, output = result.returncode, result.output
    else:
        proc = sender.start(*args, '-pt:1')
        wait_for_mail(mailbox, 2, proc)
        proc.send_signal(signal.SIGTERM)
        status, output = proc.wait(120), sender.log()
    assert status == 75, output
    rows = read_report(report)
    assert {n: s for n, (s, _) in rows.items() if n in PLAN_SETTLED} == PLAN_SETTLED
    sent = [n for n, (s, _) in rows.items() if s == 'sent']
    pending = [n for n, (s, _) in rows.items() if s == 'pending']
    assert sorted(sent + pending) == sorted(pop.CATEGORY_RECIPIENTS)
    assert received(mailbox) == exactly_once(sent)
    assert f'{len(pending)} pending operation' in output
    assert '2 not-emailable operations' in output
    assert_true_end_lines(output, status)


@pytest.mark.mediawiki('1.39', '1.43')
@pytest.mark.parametrize('mute', [False, True], ids=['plain', 'special-mute'])
def test_the_preview_is_the_email_as_the_recipient_receives_it(sender, mailbox, wiki, mute):
    with wiki.extra_settings('$wgEnableSpecialMute = true;' if mute else ''):
        result = sender.run(
            '-page:User:Alice', '-subject:Hi {username}', '-text:Hello.\\n\\n', '-always'
        )
    assert result.returncode == 0, result.output
    [mail] = mailbox.messages()
    shown = preview_lines(result.output)
    assert shown[0] == 'Preview of the email to Alice:'
    name, wiki_address = email.utils.parseaddr(mail.sender)
    reply_name, reply_address = email.utils.parseaddr(mail.reply_to)
    sender = f'{reply_name} <{reply_address}>'
    # True whichever way the wiki is set up ($wgUserEmailUseReplyTo, not in the API).
    assert shown[1] == (
        f"  From: {name} (the wiki's own address), or {sender} where the wiki sends from "
        "its users' own addresses"
    )
    assert wiki_address == 'wiki@localhost' and name == 'Emailuser Test Wiki'
    assert shown[2] == (
        f"  Reply-To: {sender}, when the email is from the wiki's address (either way every "
        'recipient sees this address, and replies go to it)'
    )
    assert reply_address == pop.SENDERS['Sender'][0]
    assert shown[3] == '  To: Alice'
    assert shown[4] == f'  Subject: {mail.subject}'
    body = [line[2:] if line else '' for line in shown[6:-2]]
    assert body == mail.body.rstrip('\n').split('\n')
    assert 'This email was sent by Sender to Alice' in mail.body
    assert ('Special:Mute/Sender' in mail.body) == mute
    assert mail.to_address == address('Alice')


@pytest.mark.mediawiki('1.39')
def test_the_preview_shows_the_footer_in_the_wiki_s_language(sender_de, mailbox_de):
    result = sender_de.run('-page:Benutzer:Alice', '-subject:Hallo', '-text:Guten Tag.', '-always')
    assert result.returncode == 0, result.output
    [mail] = mailbox_de.messages()
    shown = preview_lines(result.output)
    body = [line[2:] if line else '' for line in shown[6:-2]]
    assert body == mail.body.rstrip('\n').split('\n')
    assert 'Diese E-Mail wurde von „Sender“ an „Alice“' in mail.body
