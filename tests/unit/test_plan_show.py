"""The plan and the preview as the operator reads them, without a wiki."""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timezone

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.message.template import Message, PageSource
from emailuserlib.options.settings import RateLimit
from emailuserlib.plan import show as plan_show
from emailuserlib.plan.show import (
    PlanFacts,
    deadline_lines,
    format_plan,
    format_preview,
    page_warnings,
)
from emailuserlib.wiki import mail as wikimail
from emailuserlib.wiki.mail import WikiMail


def test_preview_frames_the_body_line_by_line():
    lines = plan_show.format_preview('Alice', 'Hi Alice', 'Hello Alice,\n\nbye\n')
    assert lines == [
        'Preview of the email to Alice:',
        '  Subject: Hi Alice',
        '  ' + plan_show.RULE,
        '  Hello Alice,',
        '',
        '  bye',
        '  ' + plan_show.RULE,
        'End of the preview.',
    ]


def test_plan_lists_skips_by_reason_and_caps_long_lists():
    people = [Recipient(f'User {i}', Status.EMAILABLE) for i in range(3)]
    people += [Recipient(f'Quiet {i}', Status.NOT_EMAILABLE) for i in range(25)]
    people += [Recipient('Event report', Status.NOT_A_USER, 'not a user page')]
    facts = plan_show.PlanFacts('Wiki', 'Sender', 10, limits=[(RateLimit(2, 86400), 1)])
    lines = plan_show.format_plan(people, facts)
    text = '\n'.join(lines)
    assert (
        "3 users will be emailed: 1 by this run, which stops at the account's email limit, "
        'the other 2 by later runs (or by this one with -wait).'
    ) in text
    assert 'not-emailable (25): Quiet 0, ' in text and 'and 5 more' in text
    assert 'not-a-user (1): Event report (not a user page)' in text
    assert 'Rate limit: 2 emails per day (the wiki); 1 of them used in the current window' in text


def test_plan_of_a_test_email_says_who_gets_it_and_counts_its_one_send():
    people = [Recipient(f'User {i}', Status.EMAILABLE) for i in range(4)]
    facts = plan_show.PlanFacts('Wiki', 'Admin', limits=[(RateLimit(3, 86400), 2)], test='Admin')
    text = '\n'.join(plan_show.format_plan(people, facts))
    assert 'A test email (the email to User 0) goes to Admin; nobody else (-test).' in text
    assert 'users will be emailed' not in text
    assert '2 of them used in the current window; the test email uses one more.' in text
    assert 'Only' not in text  # one send fits: the third of three


def test_preview_with_what_the_wiki_adds_shows_from_reply_to_and_footer():
    # On a Wikimedia wiki, where the wiki's own address is known to be the From:.
    mail = wikimail.WikiMail('Wiki', 'Wiki', 'Sender', 'sender@example.org', from_wiki=True)
    mail.footer = lambda recipient: f'Sent by Sender to {recipient}.'
    lines = plan_show.format_preview('Alice', 'Hi', 'Hello Alice,  \n\n', mail)
    assert lines == [
        'Preview of the email to Alice:',
        "  From: Wiki (the wiki's own address)",
        '  Reply-To: Sender <sender@example.org> (every recipient sees this address, and '
        'replies go to it)',
        '  To: Alice',
        '  Subject: Hi',
        '  ' + plan_show.RULE,
        '  Hello Alice,',
        '',
        '  -- ',
        '  Sent by Sender to Alice.',
        '  ' + plan_show.RULE,
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


THREE_A_DAY = RateLimit(3, 86400)


def people(count: int) -> list[Recipient]:
    return [Recipient(f'U{i}', Status.EMAILABLE) for i in range(count)]


def plan(count: int, **facts) -> list[str]:
    return format_plan(people(count), PlanFacts('Wiki', 'Sender', **facts))


def test_the_limit_says_how_many_now_and_how_many_later():
    lines = plan(6, limits=[(THREE_A_DAY, 1)])
    assert (
        "  6 users will be emailed: 2 by this run, which stops at the account's email limit, "
        'the other 4 by later runs (or by this one with -wait).'
    ) in lines
    # This run's time, and the campaign's, apart.
    assert (
        '  Estimated time: about 0 s for this run (put throttle 0 s); about 2 days until all '
        '6 are emailed (rate limit).'
    ) in lines


def test_nobody_now_is_said_so():
    assert (
        "  3 users will be emailed, none by this run: the account's email limit is reached."
    ) in plan(3, limits=[(THREE_A_DAY, 3)])


def test_max_and_the_simulation_say_what_a_real_run_does():
    assert '  8 users will be emailed: 5 by this run (-max:5), the other 3 by later runs.' in (
        plan(8, max_count=5, put_throttle=10)
    )
    assert (
        '  6 users would be emailed (simulation); a real run would email 3 and stop at the '
        "account's email limit, the other 3 by later runs."
    ) in plan(6, limits=[(THREE_A_DAY, 0)], simulate=True)


def test_with_wait_the_run_emails_everyone_and_its_time_has_the_windows():
    lines = plan(6, limits=[(THREE_A_DAY, 0)], wait=True, put_throttle=10)
    assert '  6 users will be emailed.' in lines
    assert '  Estimated time: about 1 day (put throttle 10 s, rate limit).' in lines


@pytest.mark.parametrize(
    ('reached', 'earlier', 'line'),
    [
        (2, 0, '    2 reached by earlier runs, with this text.'),
        (
            2,
            1,
            '    2 reached by earlier runs, 1 of them with an earlier version of the text; this '
            'run sends the text as it is now to the others.',
        ),
    ],
)
def test_text_changed_only_when_it_did(reached, earlier, line):
    lines = plan(1, campaign='C', reached=reached, reached_earlier_text=earlier)
    assert line in lines


def mail(from_wiki: bool) -> WikiMail:
    return WikiMail('Wiki', 'Wiki', 'Sender', 'sender@example.org', from_wiki=from_wiki)


def test_the_preview_says_only_what_it_knows():
    known = format_preview('Alice', 'Hi', 'Hello.', mail(from_wiki=True))
    assert known[1:3] == [
        "  From: Wiki (the wiki's own address)",
        '  Reply-To: Sender <sender@example.org> (every recipient sees this address, and '
        'replies go to it)',
    ]
    unknown = format_preview('Alice', 'Hi', 'Hello.', mail(from_wiki=False))
    assert unknown[1:3] == [
        "  From: Wiki (the wiki's own address), or Sender <sender@example.org> where the wiki "
        "sends from its users' own addresses",
        "  Reply-To: Sender <sender@example.org>, when the email is from the wiki's address "
        '(either way every recipient sees this address, and replies go to it)',
    ]


def stamp(seconds: float) -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(seconds))


MAY_NOW = calendar.timegm((2026, 5, 10, 12, 0, 0))


def message(*sources: PageSource, base: PageSource | None = None) -> Message:
    pages = {s.title: (s.title, 'Hello.', False) for s in sources}
    return Message(
        'S',
        'Hello.',
        ('lang',),
        page_template='P/{lang}',
        pages={f'P/{i}': pages[s.title] for i, s in enumerate(sources)},
        sources={s.title: s for s in sources},
        base=base,
    )


def test_a_page_another_account_edited_lately_or_after_the_base_page_is_warned_about():
    base = PageSource('P', 'P', 1, 'Sender', stamp(MAY_NOW - 30 * 86400))
    recent = PageSource('P/0', 'User:Mallory/P', 2, 'Mallory', stamp(MAY_NOW - 3600))
    after_base = PageSource('P/1', 'P/1', 3, 'Mallory', stamp(MAY_NOW - 10 * 86400))
    own = PageSource('P/2', 'P/2', 4, 'Sender', stamp(MAY_NOW - 60))
    old = PageSource('P/3', 'P/3', 5, 'Mallory', stamp(MAY_NOW - 40 * 86400))
    msg = message(recent, after_base, own, old, base=base)
    readers = [Recipient(f'U{i}', Status.EMAILABLE, values={'lang': str(i)}) for i in range(4)]
    warnings = page_warnings(msg, readers, 'Sender', now=MAY_NOW)
    assert warnings == [
        'The text of the page User:Mallory/P goes to 1 user under your name, and Mallory '
        'edited it last, on 2026-05-10 11:00 UTC, after the base page P and within the last '
        'day: read the page before you send.',
        'The text of the page P/1 goes to 1 user under your name, and Mallory edited it last, '
        'on 2026-04-30 12:00 UTC, after the base page P: read the page before you send.',
    ]
    # A page nobody gets is no one's concern.
    assert page_warnings(msg, readers[2:], 'Sender', now=MAY_NOW) == []
