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

from ..core import sentences
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
    counts = ', '.join(f'{n} {status}' for status, n in totals.most_common())
    users = f'{len(recipients)} user{"s" if len(recipients) != 1 else ""} checked'
    pywikibot.info(f'{users}: {counts}.' if counts else f'{users}.')
    columns = (settings.editors, False, bool(settings.inactive))
    if settings.report and not save_report(
        settings.report, report_rows(recipients, *columns), report_header(*columns)
    ):
        return EXIT_ERROR
    return EXIT_OK


def stopped_check(settings: Settings, recipients: list[Recipient], cause: str) -> int:
    """The check was stopped by *cause* (Ctrl-C, a signal, the output closed) once its
    names were counted: report what was known, say so, exit 75.

    *recipients* are those the check knew, the names not checked yet ``pending``.
    """
    pending = sum(1 for r in recipients if r.status == Status.PENDING)
    checked = len(recipients) - pending
    columns = (settings.editors, False, bool(settings.inactive))
    written = settings.report and save_report(
        settings.report, report_rows(recipients, *columns), report_header(*columns)
    )
    kept = ', the others pending in the report' if written else ''
    doing = (
        f'checking who can be emailed, with {checked:,} of {len(recipients):,} names checked{kept}'
    )
    pywikibot.info(sentences.stopped(cause, doing, sending=False))
    return EXIT_PENDING
