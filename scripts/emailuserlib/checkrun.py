"""-check: who can be emailed, one line each; reads only, sends nothing.

The recipients are resolved as for a run (:func:`.prepare.resolve`: the pages,
the -users: files, -editors, the opt-out lists and MassMessage's category), and
listed with their status instead of being emailed; -report:FILE gets the same
rows. No journal is read or written and no message is needed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pywikibot
from pywikibot.exceptions import Error as PywikibotError

from . import editors, sentences
from .errors import Refusal
from .outcomes import EXIT_ERROR, EXIT_OK, EXIT_PENDING, with_detail
from .preflight import UNREACHABLE
from .prepare import check_outputs, resolve, user_lists
from .report import save_report


def check(
    site, opt, pages: Iterable | None = None, settings: str = '', files: Iterable[str] = ()
) -> int:
    """List who can be emailed and why not, and return the exit status.

    *settings* says where options came from besides the command line; *files*
    are the -file: lists of the generators, which the report may not overwrite.

    :raises EmailUserError: an input cannot be used or the login failed
    """
    check_outputs(opt, files)
    if settings:
        pywikibot.info(f'Checking with the {settings}.')
    try:
        if site.username():
            try:
                site.login()
            except UNREACHABLE:
                raise
            except PywikibotError as e:
                raise Refusal(sentences.login_failed(site, e, anonymous_hint=True)) from None
        lists = user_lists(site, opt)
        names = lists.names
        pages, accounts, values, found = editors.gather(site, opt, pages, lists.values)
        recipients = resolve(site, opt, pages, names, values, accounts)
        recipients += editors.left_out(found, recipients)
    except UNREACHABLE as e:
        raise Refusal(sentences.wiki_unreachable(site, e), EXIT_PENDING) from None
    if found:
        pywikibot.info(found.summary().strip())
    for r in recipients:
        detail = editors.describe(r) if found else r.detail
        pywikibot.stdout(with_detail(f'{r.status:<14} {r.name}', detail))
    totals = Counter(r.status for r in recipients)
    pywikibot.info(
        f'{len(recipients)} users checked: '
        + ', '.join(f'{n} {status}' for status, n in totals.most_common())
        + '.'
    )
    if opt.report and not save_report(
        opt.report, editors.report_rows(recipients, opt), editors.report_header(opt)
    ):
        return EXIT_ERROR
    return EXIT_OK
