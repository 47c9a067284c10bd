"""-logpage: what the log says of a run: who, when, by which channels; nothing else."""

from __future__ import annotations

import calendar

from emailuserlib.wiki.logpage import log_lines


def test_a_line_per_person_reached_with_the_channels_and_the_campaign():
    at = calendar.timegm((2026, 12, 7, 19, 30, 0))
    text = log_lines(
        [('Olga', ('email', 'talk page'), at), ("It's ''me''", ('talk page',), at + 60)],
        'Inactive administrators {{x}}',
    )
    assert text.splitlines() == [
        '* 2026-12-07 19:30 UTC: [[User:Olga|<nowiki>Olga</nowiki>]]: email and talk page '
        '(<nowiki>Inactive administrators {{x}}</nowiki>)',
        "* 2026-12-07 19:31 UTC: [[User:It's ''me''|<nowiki>It's ''me''</nowiki>]]: talk page "
        '(<nowiki>Inactive administrators {{x}}</nowiki>)',
    ]


def test_wikitext_cannot_close_the_nowiki():
    assert '</nowiki>x' not in log_lines([('A', ('email',), 0)], '</nowiki>x')
