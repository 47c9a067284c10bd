"""The plan's lines (plan/show.py): how many now and later, the time, the pages, the preview."""

from __future__ import annotations

import calendar
import time

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.message.template import Message, PageSource
from emailuserlib.options.settings import RateLimit
from emailuserlib.plan.show import PlanFacts, format_plan, format_preview, page_warnings
from emailuserlib.wiki.mail import WikiMail

DAY = RateLimit(3, 86400)


def people(count: int) -> list[Recipient]:
    return [Recipient(f'U{i}', Status.EMAILABLE) for i in range(count)]


def plan(count: int, **facts) -> list[str]:
    return format_plan(people(count), PlanFacts('Wiki', 'Sender', **facts))


def test_the_limit_says_how_many_now_and_how_many_later():
    lines = plan(6, limits=[(DAY, 1)])
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
    ) in plan(3, limits=[(DAY, 3)])


def test_max_and_the_simulation_say_what_a_real_run_does():
    assert '  8 users will be emailed: 5 by this run (-max:5), the other 3 by later runs.' in (
        plan(8, max_count=5, put_throttle=10)
    )
    assert (
        '  6 users would be emailed (simulation); a real run would email 3 and stop at the '
        "account's email limit, the other 3 by later runs."
    ) in plan(6, limits=[(DAY, 0)], simulate=True)


def test_with_wait_the_run_emails_everyone_and_its_time_has_the_windows():
    lines = plan(6, limits=[(DAY, 0)], wait=True, put_throttle=10)
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


NOW = calendar.timegm((2026, 5, 10, 12, 0, 0))


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
    base = PageSource('P', 'P', 1, 'Sender', stamp(NOW - 30 * 86400))
    recent = PageSource('P/0', 'User:Mallory/P', 2, 'Mallory', stamp(NOW - 3600))
    after_base = PageSource('P/1', 'P/1', 3, 'Mallory', stamp(NOW - 10 * 86400))
    own = PageSource('P/2', 'P/2', 4, 'Sender', stamp(NOW - 60))
    old = PageSource('P/3', 'P/3', 5, 'Mallory', stamp(NOW - 40 * 86400))
    msg = message(recent, after_base, own, old, base=base)
    readers = [Recipient(f'U{i}', Status.EMAILABLE, values={'lang': str(i)}) for i in range(4)]
    warnings = page_warnings(msg, readers, 'Sender', now=NOW)
    assert warnings == [
        'The text of the page User:Mallory/P goes to 1 user under your name, and Mallory '
        'edited it last, on 2026-05-10 11:00 UTC, after the base page P and within the last '
        'day: read the page before you send.',
        'The text of the page P/1 goes to 1 user under your name, and Mallory edited it last, '
        'on 2026-04-30 12:00 UTC, after the base page P: read the page before you send.',
    ]
    # A page nobody gets is no one's concern.
    assert page_warnings(msg, readers[2:], 'Sender', now=NOW) == []
