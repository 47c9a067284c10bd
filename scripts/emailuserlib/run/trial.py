"""-test: the email of the first recipient, sent once to the sending account instead.

The test email goes through the same single POST as every email
(:meth:`~.delivery.Sender.send`, never repeated blindly), without a copy to the
sender. It reaches nobody of the campaign, so no recipient row of the journal
is written: a following real run still emails everyone. It is an email of the
account all the same, so the journal counts it for the account's rate limit.
"""

from __future__ import annotations

import pywikibot
from pywikibot import config

from ..core.accounts import Status, with_detail
from ..core.errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, NotSent, RateLimited, SenderRefused
from ..core.words import duration
from ..journal.store import Journal
from ..plan.campaign import Campaign
from ..wiki.post import Sender
from .progress import throttle_wait


def send_test(campaign: Campaign, journal: Journal | None, budget) -> int:
    """Send the first recipient's email to the test target once; return the exit status.

    *journal* counts the test email for the account's limit (with *budget*,
    the account's :class:`~..plan.budget.Budget`); the run closes it.

    :raises JournalError: the journal cannot count the test email
    """
    account = campaign.account.name
    target = campaign.settings.test.target(account)
    whom = f'{target} (this account)' if target == account else target
    first = next((r for r in campaign.recipients if r.status == Status.EMAILABLE), None)
    try:
        if first is None:
            pywikibot.error(
                'Nobody would be emailed, so there is no email to test: check the recipients '
                'with -check.'
            )
            return EXIT_ERROR
        if budget.wait() > 0:
            limit = budget.blocking()
            pywikibot.error(
                f"The account's email limit of {limit.said()} is "
                f'reached: send the test email in {duration(budget.wait())}.'
            )
            return EXIT_PENDING
        subject, body = campaign.email_for(first)
        if not config.simulate:  # in the script's words, not Pywikibot's "Sleeping for"
            throttle_wait(campaign.site, f'sending the test email to {whom}')
        sender = Sender(campaign.site, account)
        sender.ready()
        try:
            outcome = sender.send(target, subject, body, ccme=False)
        except RateLimited:
            pywikibot.error(
                "The wiki's email rate limit for this account is reached, so the test email "
                f'to {whom} was not sent: try again later.'
            )
            return EXIT_PENDING
        except SenderRefused as e:
            pywikibot.error(str(e))
            return e.status
        except NotSent as e:
            pywikibot.error(
                f'The wiki could not be asked to send the test email to {whom} ({e}): try '
                'again when the wiki is back.'
            )
            return EXIT_PENDING
        if outcome.status in (Status.SENT, Status.UNCERTAIN) and journal and not config.simulate:
            journal.for_run(account, campaign.wiki, campaign.family).count_send()
        return _say(outcome, first.name, whom, target == account)
    finally:
        if journal is not None:
            journal.close()


def _say(outcome, first: str, whom: str, itself: bool) -> int:
    if outcome.status in (Status.SENT, Status.SIMULATED):
        verb = 'would be sent (simulation)' if config.simulate else 'was sent'
        pywikibot.info(
            f'The test email (the email to {first}) {verb} to {whom}; nobody else was '
            'emailed, and a run without -test still emails everyone.'
        )
        return EXIT_OK
    if outcome.status in (Status.NOT_EMAILABLE, Status.NO_SUCH_USER):
        other = (
            ', as some wikis refuse an email to yourself: name another account of yours '
            'with -test:NAME'
            if itself
            else ': check the name given with -test:NAME'
        )
        pywikibot.error(
            with_detail(f'The wiki refuses to send the test email to {whom}', outcome.detail)
            + other
            + '.'
        )
        return EXIT_ERROR
    if outcome.status == Status.UNCERTAIN:
        pywikibot.error(
            f'The wiki gave no clear answer to the test email to {whom} ({outcome.detail}): '
            f'look in the mailbox of {whom} before you send the campaign.'
        )
        return EXIT_ERROR
    pywikibot.error(
        with_detail(f'The test email to {whom} failed', outcome.detail)
        + ': try again, or send the campaign without a test.'
    )
    return EXIT_ERROR
