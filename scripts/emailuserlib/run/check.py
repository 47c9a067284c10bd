"""-check: who can be emailed, one line each; reads only, sends nothing.

The recipients are gathered as for a run (:func:`..recipients.gather.gather`),
and listed with their status instead of being emailed; -report:FILE gets the
same rows. No journal is read or written and no message is needed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pywikibot

from ..core.accounts import Recipient, with_detail
from ..core.errors import EXIT_ERROR, EXIT_OK
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
    for r in recipients:
        detail = describe(r) if search else r.detail
        pywikibot.stdout(with_detail(f'{r.status:<14} {r.name}', detail))
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
