"""The progress line (progress.ProgressLine): what the run treats, and the time left."""

from __future__ import annotations

from dataclasses import replace

import pytest

from emailuserlib.core.accounts import Recipient, Status
from emailuserlib.options.settings import RateLimit
from emailuserlib.plan.budget import Budget
from emailuserlib.run.progress import ProgressLine

E, N, OUT = Status.EMAILABLE, Status.NOT_EMAILABLE, Status.OPTED_OUT


def people(*statuses: Status) -> list[Recipient]:
    return [Recipient(f'U{i}', status) for i, status in enumerate(statuses)]


def with_talk(r: Recipient) -> bool:
    return r.status in (E, N)


def email_only(r: Recipient) -> bool:
    return r.status == E


class Run:
    """Treats recipients as the bot does and keeps the progress lines it shows.

    As the bot, it replaces a treated recipient in the list the line reads (they are
    frozen) and shows the line by the recipient's position.
    """

    def __init__(self, recipients, deliverable=with_talk, most=0, budget=None) -> None:
        self.recipients = recipients
        self.now = 0.0
        self.lines: list[str] = []
        self.emails = 0
        self.line = ProgressLine(
            recipients,
            deliverable,
            most,
            budget,
            put_throttle=10.0,
            clock=lambda: self.now,
            say=self.lines.append,
        )

    def treat(self, r: Recipient, outcome: Status, seconds: float = 10.0) -> None:
        self.now += seconds
        self.line.step()
        if outcome == Status.SENT:
            self.emails += 1
        at = next(i for i, other in enumerate(self.recipients) if other is r)
        self.recipients[at] = replace(r, status=outcome)
        self.line.show(at, self.emails)

    def run(self, recipients, deliverable=with_talk, most=0):
        """Every recipient the bot would treat, each email sent and each post made."""
        for r in recipients:
            if not deliverable(r):
                continue
            if most and self.emails >= most and r.status == E:
                break
            self.treat(r, Status.SENT if r.status == E else Status.POSTED)
        return [line.split(':')[0] for line in self.lines]


def test_posts_count_in_the_total_but_not_against_max():
    rs = people(E, N, E, N, E)
    assert Run(rs, most=2).run(rs, most=2) == ['[1/4] U0', '[2/4] U1', '[3/4] U2', '[4/4] U3']


def test_without_max_every_delivery_counts_and_the_others_do_not():
    rs = people(N, OUT, E, Status.NO_SUCH_USER, E)
    assert Run(rs).run(rs) == ['[1/3] U0', '[2/3] U2', '[3/3] U4']
    rs = people(N, E, E)
    run = Run(rs, deliverable=email_only)
    assert run.run(rs, deliverable=email_only) == ['[1/2] U1', '[2/2] U2']


@pytest.mark.parametrize('most', [1, 2, 3, 5, 8])
def test_the_total_is_what_the_run_treats_for_any_order_and_max(most):
    for statuses in [(E, N, E, E, N, E), (N, N, E, N, E, E), (E, E, E, N, N, N)]:
        rs = people(*statuses)
        lines = Run(rs, most=most).run(rs, most=most)
        assert {line.split(' ')[0].split('/')[1] for line in lines} == {f'{len(lines)}]'}


def test_an_email_that_did_not_go_moves_the_end_of_max_one_further():
    rs = people(E, E, N, E)
    sent = Run(rs, most=1)
    sent.treat(rs[0], Status.SENT)
    assert sent.lines == ['[1/1] U0: sent']  # -max stops the run at U1
    rs = people(E, E, N, E)
    run = Run(rs, most=1)
    run.treat(rs[0], Status.FAILED)  # not an email sent: -max still allows one
    run.treat(rs[1], Status.SENT)
    run.treat(rs[2], Status.POSTED)
    assert [line.split(':')[0] for line in run.lines] == ['[1/3] U0', '[2/3] U1', '[3/3] U2']


def test_statuses_changed_meanwhile_count_after_a_recount():
    rs = people(E, E, E, E)
    run = Run(rs)
    run.treat(rs[0], Status.SENT)
    rs[2] = replace(rs[2], status=OUT)  # opted out while the run went on
    run.line.recount()
    run.treat(rs[1], Status.SENT)
    run.treat(rs[3], Status.SENT)
    assert [line.split(':')[0] for line in run.lines] == ['[1/4] U0', '[2/3] U1', '[3/3] U3']


def test_the_time_left_follows_the_pace_and_the_limit_and_the_last_line_has_none():
    rs = people(E, E, E)
    limit = RateLimit(2, 3600)
    run = Run(rs, budget=Budget([limit], lambda since, _: [], lambda: 0.0))
    run.treat(rs[0], Status.SENT, seconds=30)
    assert run.lines[-1] == '[1/3] U0: sent, about 1 min left'  # 2 more at 30 s each
    run.line.budget.spend()
    run.line.budget.spend()  # the window is full: the next waits for it
    run.treat(rs[1], Status.SENT, seconds=30)
    assert run.lines[-1] == '[2/3] U1: sent, about 1 h left'
    run.treat(rs[2], Status.SENT)
    assert run.lines[-1] == '[3/3] U2: sent'


def test_the_pace_is_never_faster_than_the_put_throttle():
    rs = people(E, E)
    run = Run(rs)
    run.treat(rs[0], Status.SENT, seconds=0.5)
    assert run.lines[-1] == '[1/2] U0: sent, about 10 s left'
