"""The plan and the preview as the operator reads them, without a wiki."""

from __future__ import annotations

from datetime import datetime, timezone

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.options.settings import RateLimit
from emailuserlib.plan import show as plan
from emailuserlib.plan.show import deadline_lines
from emailuserlib.wiki import mail as wikimail


def test_preview_frames_the_body_line_by_line():
    lines = plan.format_preview('Alice', 'Hi Alice', 'Hello Alice,\n\nbye\n')
    assert lines == [
        'Preview of the email to Alice:',
        '  Subject: Hi Alice',
        '  ' + plan.RULE,
        '  Hello Alice,',
        '',
        '  bye',
        '  ' + plan.RULE,
        'End of the preview.',
    ]


def test_plan_lists_skips_by_reason_and_caps_long_lists():
    people = [Recipient(f'User {i}', Status.EMAILABLE) for i in range(3)]
    people += [Recipient(f'Quiet {i}', Status.NOT_EMAILABLE) for i in range(25)]
    people += [Recipient('Event report', Status.NOT_A_USER, 'not a user page')]
    facts = plan.PlanFacts('Wiki', 'Sender', 10, limits=[(RateLimit(2, 86400), 1)])
    lines = plan.format_plan(people, facts)
    text = '\n'.join(lines)
    assert '3 users will be emailed.' in text
    assert 'not-emailable (25): Quiet 0, ' in text and 'and 5 more' in text
    assert 'not-a-user (1): Event report (not a user page)' in text
    assert 'Rate limit: 2 emails per day (the wiki); 1 of them used in the current window' in text
    assert 'Only 1 more fit into the current window' in text


def test_plan_of_a_test_email_says_who_gets_it_and_counts_its_one_send():
    people = [Recipient(f'User {i}', Status.EMAILABLE) for i in range(4)]
    facts = plan.PlanFacts('Wiki', 'Admin', limits=[(RateLimit(3, 86400), 2)], test='Admin')
    text = '\n'.join(plan.format_plan(people, facts))
    assert 'A test email (the email to User 0) goes to Admin; nobody else (-test).' in text
    assert 'users will be emailed' not in text
    assert '2 of them used in the current window; the test email uses one more.' in text
    assert 'Only' not in text  # one send fits: the third of three


def test_preview_with_what_the_wiki_adds_shows_from_reply_to_and_footer():
    mail = wikimail.WikiMail('Wiki', 'Wiki', 'Sender', 'sender@example.org')
    mail.footer = lambda recipient: f'Sent by Sender to {recipient}.'
    lines = plan.format_preview('Alice', 'Hi', 'Hello Alice,  \n\n', mail)
    assert lines == [
        'Preview of the email to Alice:',
        "  From: Wiki (the wiki's own address)",
        '  Reply-To: Sender <sender@example.org> (every recipient sees this address, and '
        'replies go to it)',
        '  To: Alice',
        '  Subject: Hi',
        '  ' + plan.RULE,
        '  Hello Alice,',
        '',
        '  -- ',
        '  Sent by Sender to Alice.',
        '  ' + plan.RULE,
        'End of the preview.',
    ]


NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc).timestamp()
DEADLINE = datetime(2026, 12, 4, tzinfo=timezone.utc)  # -deadline:2026-12-03
DAY = RateLimit(20, 86400, "Wikimedia's limit per account, on all its wikis")


def test_the_deadline_is_said_and_nothing_more_when_everyone_fits():
    lines = deadline_lines(DEADLINE, 30, [(DAY, 0)], 0, NOW)
    assert lines == [
        (
            'info',
            '  Deadline: the end of 2026-12-03 (UTC), in 2 days 12 h: nothing is sent after it '
            '(-deadline:).',
        )
    ]


def test_a_warning_when_the_limit_cannot_reach_everyone_in_time():
    # 5 left in today's window, then two more whole days of 20 each.
    kind, line = deadline_lines(DEADLINE, 100, [(DAY, 15)], 0, NOW)[1]
    assert kind == 'warning'
    assert line.startswith(
        "The account's email limits let at most 45 of the 100 users be emailed before the deadline"
    )


def test_the_put_throttle_counts_too():
    lines = deadline_lines(DEADLINE, 100_000, [], 10, NOW)
    assert 'at most 21,601 of the 100,000 users' in lines[1][1]
