"""-check: who can be emailed, one line each; reads only, sends nothing.

The recipients are gathered as for a run (:func:`..recipients.gather.gather`),
and listed with their status instead of being emailed; -report:FILE gets the
same rows. No journal is read or written and no message is needed. A check
stopped by Ctrl-C or a signal writes what it knew to the report, the names it
had not checked yet as ``pending``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pywikibot

from ..core.accounts import Recipient, Status, with_detail
from ..core.errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING
from ..options.settings import Settings
from ..recipients.editors import EditorSearch, describe
from ..report.files import report_header, report_rows, save_report


def show_check(
    settings: Settings, recipients: Iterable[Recipient], search: EditorSearch | None = None
) -> int:
    """List who can be emailed and why not, write the report, and return the exit status."""
    recipients = list(recipients)
    if search:
        pywikibot.info(search.summary().strip())
    # A thousand lines a write: Pywikibot's output costs as much per call as per line.
    for start in range(0, len(recipients), 1000):
        pywikibot.stdout(
            '\n'.join(
                with_detail(f'{r.status:<14} {r.name}', describe(r) if search else r.detail)
                for r in recipients[start : start + 1000]
            )
        )
    totals = Counter(r.status for r in recipients)
    pywikibot.info(
        f'{len(recipients)} users checked: '
        + ', '.join(f'{n} {status}' for status, n in totals.most_common())
        + '.'
    )
    editors = settings.editors
    if settings.report and not save_report(
        settings.report, report_rows(recipients, editors), report_header(editors)
    ):
        return EXIT_ERROR
    return EXIT_OK


def stopped_check(settings: Settings, recipients: list[Recipient] | None) -> int:
    """The check was stopped (Ctrl-C, a signal): report what was known, say so, exit 75.

    *recipients* are those the check knew, the names not checked yet ``pending``;
    None when it was stopped before the names were counted.
    """
    if recipients is None:
        pywikibot.error(
            'The check was stopped before any name was looked up: run the same command again.'
        )
        return EXIT_PENDING
    pending = sum(1 for r in recipients if r.status == Status.PENDING)
    checked = len(recipients) - pending
    written = settings.report and save_report(
        settings.report, report_rows(recipients, settings.editors), report_header(settings.editors)
    )
    kept = ', the others pending in the report' if written else ''
    pywikibot.error(
        f'The check was stopped with {checked:,} of {len(recipients):,} names checked{kept}: '
        'run the same command again to check them all.'
    )
    return EXIT_PENDING
