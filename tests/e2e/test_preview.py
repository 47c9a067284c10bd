"""See it before it goes: the preview, -test, -ccme:first, -textpage as readers see it."""

from __future__ import annotations

from collections import Counter

import pytest

from harness import population as pop
from harness.checks import address, exactly_once, received

# Preview, -test and -ccme do not depend on the MediaWiki version: 1.39 only. The
# rendering of -textpage does (the parser's HTML changes), so those tests run on both.
pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

SENDER_ADDRESS = pop.SENDERS['Sender'][0]
RULE = '  ' + '-' * 72
MEETUP = [f'-cat:{pop.CATEGORY}', '-subject:Meetup for {username}']
BODY = '-text:Hello {username},\\nwelcome to {sitename}.'


def preview(output: str) -> list[str]:
    """The preview's lines, from its first line to its end line."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('Preview of the email to'))
    end = lines.index('End of the preview.', start)
    return lines[start : end + 1]


def test_the_plan_shows_the_first_email_exactly_as_it_is_sent(sender, mailbox):
    simulated = sender.run('-simulate', *MEETUP, BODY, '-always')
    assert simulated.returncode == 0, simulated.output
    assert mailbox.messages() == []
    assert preview(simulated.output) == [
        'Preview of the email to Alice:',
        # The API does not say whether the wiki sends from its own address
        # ($wgUserEmailUseReplyTo): said so that it is true either way.
        "  From: Emailuser Test Wiki (the wiki's own address), or Sender "
        f"<{SENDER_ADDRESS}> where the wiki sends from its users' own addresses",
        f"  Reply-To: Sender <{SENDER_ADDRESS}>, when the email is from the wiki's address "
        '(either way every recipient sees this address, and replies go to it)',
        '  To: Alice',
        '  Subject: Meetup for Alice',
        RULE,
        '  Hello Alice,',
        '  welcome to Emailuser Test Wiki.',
        '',
        '  -- ',
        '  This email was sent by Sender to Alice by the "Email this user" function at '
        'Emailuser Test Wiki. If you reply to this email, your email will be sent directly '
        'to the original sender, revealing your email address to them.',
        RULE,
        'End of the preview.',
    ]
    out = simulated.output
    assert out.index('6 users would be emailed') < out.index('Preview of the email to Alice:')

    real = sender.run(*MEETUP, BODY, '-always')
    assert real.returncode == 0, real.output
    assert preview(real.output) == preview(simulated.output)
    assert real.output.index('End of the preview.') < real.output.index('Alice: sent')
    [mail] = [m for m in mailbox.messages() if m.to_address == address('Alice')]
    assert mail.subject == 'Meetup for Alice'
    assert mail.body.startswith('Hello Alice,\nwelcome to Emailuser Test Wiki.\n')
    assert preview(real.output)[6:-2] == [
        f'  {line}' if line else '' for line in mail.body.rstrip('\n').split('\n')
    ]

    # Everyone reached: nobody will be emailed, so there is nothing to preview.
    again = sender.run(*MEETUP, BODY, '-always')
    assert again.returncode == 0, again.output
    assert 'Nobody to email.' in again.output
    assert 'Preview of the email' not in again.output


def test_a_test_email_reaches_the_sender_once_and_the_campaign_still_reaches_everyone(
    sender, mailbox
):
    limit = '-ratelimit:50/day'
    tested = sender.run(*MEETUP, BODY, '-test', limit)
    assert tested.returncode == 0, tested.output
    assert 'was sent to Sender (this account); nobody else was emailed' in tested.output
    [mail] = mailbox.messages()
    assert mail.to_address == SENDER_ADDRESS
    assert mail.subject == 'Meetup for Alice'
    assert mail.body.startswith('Hello Alice,\nwelcome to Emailuser Test Wiki.\n')

    to_bob = sender.run(*MEETUP, BODY, '-test:Bob', limit)
    assert to_bob.returncode == 0, to_bob.output
    assert 'was sent to Bob; nobody else was emailed' in to_bob.output
    assert received(mailbox) == Counter({SENDER_ADDRESS: 1, address('Bob'): 1})

    real = sender.run(*MEETUP, BODY, '-always', limit)
    assert real.returncode == 0, real.output
    assert 'nobody reached yet.' in real.output
    # The two test emails count against the account's limit, not as campaign progress.
    assert '50 emails per day (set with -ratelimit); 2 of them used in the current window' in (
        real.output
    )
    everyone = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']
    assert received(mailbox) == exactly_once(everyone) + Counter(
        {SENDER_ADDRESS: 1, address('Bob'): 1}
    )


def test_a_test_email_the_wiki_refuses_is_one_sentence(sender, mailbox):
    result = sender.run(*MEETUP, BODY, f'-test:{pop.OPTED_OUT}')
    assert result.returncode == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith('ERROR:')]
    assert errors == [
        f'ERROR: The wiki refuses to send the test email to {pop.OPTED_OUT} (nowikiemail: '
        'the user takes no email from other users, from new accounts, or from this account): '
        'check the name given with -test:NAME.'
    ]
    assert mailbox.messages() == []


def test_ccme_first_copies_only_the_first_email_to_the_sender(sender, mailbox):
    result = sender.run(*MEETUP, BODY, '-ccme:first', '-always')
    assert result.returncode == 0, result.output
    everyone = ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller', 'Heidi']
    assert received(mailbox) == exactly_once(everyone) + Counter({SENDER_ADDRESS: 1})
    [copy] = [m for m in mailbox.messages() if m.to_address == SENDER_ADDRESS]
    assert 'Meetup for Alice' in copy.subject


@pytest.mark.mediawiki('1.39', '1.43')
def test_textpage_through_a_redirect_is_sent_as_readers_see_it(sender, mailbox, wiki):
    result = sender.run(
        '-page:User:Alice', '-subject:Meetup', f'-textpage:{pop.REGISTRATION_REDIRECT}', '-always'
    )
    assert result.returncode == 0, result.output
    body = (
        'Hello Alice,\n\n'
        'the meetup on Emailuser Test Wiki is open: Register here '
        f'({pop.REGISTRATION_URL}) and read the report ({wiki.url}/index.php/Event_report).\n\n'
        'Organised by the events team.\n'
    )
    [mail] = mailbox.messages()
    assert mail.body.startswith(body)
    # The body, then the wiki's footer: as the recipient reads it.
    assert preview(result.output)[6:-2] == [
        f'  {line}' if line else '' for line in mail.body.rstrip('\n').split('\n')
    ]


@pytest.mark.mediawiki('1.39', '1.43')
def test_textpage_with_a_table_is_refused_before_sending(sender, mailbox):
    result = sender.run('-page:User:Alice', '-subject:Schedule', f'-textpage:{pop.TABLE_PAGE}')
    assert result.returncode == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith('ERROR:')]
    assert len(errors) == 1
    assert 'Schedule has a table after "Hello {username}, the schedule:"' in errors[0]
    assert 'Preview of the email' not in result.output
    assert mailbox.messages() == []
