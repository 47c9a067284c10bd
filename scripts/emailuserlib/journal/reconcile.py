"""What earlier runs of the campaign did, applied to this run's recipients; and its commit.

:func:`reconcile` reads the journal (locked, unless -simulate only reads it) and
returns a typed :class:`~.store.Answer`: each recipient with what earlier runs
did (``already-sent``, ``posted``, ``uncertain``, a final refusal), how many
were reached and with which text, the ids to adopt for rows that an older
journal kept by name, and the refusals that the journal alone can tell
(another campaign reached these people days ago; a -users: row whose name was
another account). Nothing of the campaign is written there: whatever may still
refuse the run is decided first, and :func:`commit` writes once the run goes
ahead, creating a new journal only then. With -test the journal is read and
locked, and only the test email's send is written.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pywikibot
from pywikibot import config

from ..core.accounts import Recipient, Status
from ..core.errors import EXIT_PENDING, EmailUserError, JournalError
from ..core.words import name_list
from ..options.settings import Resend, Settings
from ..recipients.resolve import Resolver
from . import schema
from .answer import Answer
from .schema import State
from .store import DEFAULT_NAME, Journal, find, fingerprint

#: How far back another campaign's mail to the same people makes a run ask.
OVERLAP_DAYS = 7


def journal_path(settings: Settings) -> Path:
    """-journal:, or the journal among Pywikibot's data files (in config.base_dir)."""
    if settings.journal:
        return settings.journal
    return Path(config.datafilepath(DEFAULT_NAME, create=False))


def reconcile(
    site,
    settings: Settings,
    wiki: str,
    recipients: Iterable[Recipient],
    subject: str,
    text: str,
    used_columns: Iterable[str] = (),
    resolver: Resolver | None = None,
    delivers: tuple[Status, ...] = (Status.EMAILABLE,),
) -> tuple[Answer, Journal | None]:
    """Read what earlier runs of the campaign did, and apply it to *recipients*.

    *subject* and *text* are the message's templates (they tell two texts of a
    campaign apart); *used_columns* the columns of the -users: files that the
    message uses. *resolver* finds the accounts of rows that an older journal
    kept by name; *delivers* are the statuses the run delivers to. Returns the
    answer, and the journal as read (locked, unless -simulate), or None while it
    is new.

    :raises EmailUserError: the journal tells that the run must not go on as given
    :raises JournalError: the journal cannot be read or locked
    """
    simulate, trial = bool(config.simulate), settings.test is not None
    name = settings.campaign or subject
    path = journal_path(settings)
    recipients = tuple(recipients)
    fp = fingerprint(subject, text, bool(settings.ccme))
    answer = Answer(path=path, name=name, fingerprint=fp, legacy=str(site), new=not path.exists())
    if answer.new and not trial:
        if settings.resend == Resend.ALL and not simulate:
            _confirm_resend(settings)
        return replace(answer, recipients=recipients), None
    journal = Journal(path, read_only=simulate)
    try:
        if not simulate:
            # Before anything is read: another run may not write between the read and the lock.
            journal.lock()
        journal.open_campaign(wiki, name, fp, legacy_wiki=str(site), create=False)
        states = journal.states()
        adopt = _adopt_ids(journal, wiki, states, resolver)
        if settings.resend != Resend.NONE and not (simulate or trial):
            states = _forget(states, settings)
        recipients = tuple(_applied(r, find(states, r)) for r in recipients)
        _refuse_values_of_another_account(site, recipients, states, used_columns, delivers)
        reached = [e for e in states.values() if e.state in (State.SENT, State.POSTED)]
        if not settings.campaign:
            _refuse_overlap(journal, wiki, recipients, journal.campaign_name)
    except BaseException:
        journal.close()
        raise
    answer = replace(
        answer,
        # The name as first written, should this run write it otherwise.
        name=journal.campaign_name,
        recipients=recipients,
        reached=len(reached),
        reached_earlier_text=sum(1 for e in reached if e.version != journal.version),
        earlier_text=_earlier_text(recipients, states, journal.version),
        adopt=adopt,
    )
    return answer, journal


def _earlier_text(recipients, states: dict, version) -> tuple[str, ...]:
    """The names of *recipients* whom earlier runs reached with a text other than *version*."""
    found = []
    for r in recipients:
        entry = find(states, r) if r.status in (Status.ALREADY_SENT, Status.POSTED) else None
        if entry is not None and entry.version != version:
            found.append(r.name)
    return tuple(found)


def _applied(r: Recipient, entry) -> Recipient:
    """*r* as the journal's *entry* for it leaves it."""
    if entry is None or r.status not in (Status.EMAILABLE, Status.NOT_EMAILABLE):
        return r
    if entry.state == State.SENT:
        return replace(r, status=Status.ALREADY_SENT, detail='emailed by an earlier run')
    if entry.state == State.POSTED:
        return replace(r, status=Status.POSTED, detail='posted on the talk page by an earlier run')
    if entry.state in (State.SENDING, State.UNCERTAIN):
        detail = entry.detail or 'an earlier run stopped while delivering to this user'
        return replace(r, status=Status.UNCERTAIN, detail=detail)
    if entry.state == State.SKIPPED and entry.final and r.status == Status.EMAILABLE:
        return replace(r, status=Status(entry.status or Status.NOT_EMAILABLE), detail=entry.detail)
    return r


def _refuse_values_of_another_account(
    site, recipients: tuple[Recipient, ...], states: dict, used_columns: Iterable[str], delivers
) -> None:
    """Refuse a -users: row whose name this campaign knew as another account.

    After a rename, or a name taken over by someone else, the name of a row is a
    new account: the row's values were written for the account the journal knows
    under that name, and may be that person's data.

    :raises EmailUserError: naming the row's name and the account it was
    """
    used = set(used_columns)
    if not used:
        return
    known = {e.username: e.userid for e in states.values() if e.userid is not None}
    for r in recipients:
        was = known.get(r.name)
        if (
            r.status not in delivers
            or r.userid is None
            or was is None
            or was == r.userid
            or not used & set(r.values)
        ):
            continue
        data = site.simple_request(
            action='query', list='users', ususerids=[was], formatversion=2
        ).submit()
        now = [u.get('name') for u in data.get('query', {}).get('users', []) if 'name' in u]
        now_named = f', now named {now[0]}' if now else ''
        raise EmailUserError(
            f'{r.name} of the -users: files was another account when this campaign knew '
            f"it (user id {was}{now_named}), so its row may hold that user's data: write the "
            'row under the name of the account it is for, or leave it out (a row meant for '
            'the account that has the name now goes in a new -campaign:).'
        )


def _adopt_ids(journal: Journal, wiki: str, states: dict, resolver: Resolver | None) -> dict:
    """Find the accounts of rows an older journal kept by name, in *states* and for later.

    A name that no account has any more is followed through the wiki's rename
    log, or, when the log says nothing, its user page's redirect (taking another
    account as reached can only keep a mail from going twice). The ids are
    written by :func:`commit`; a name whose account cannot be found stays the
    row's key, so whoever it reached stays reached. Returns {name: (userid,
    centralid, name)} for :meth:`.Journal.adopt_ids`.
    """
    names = journal.unresolved_names(wiki)
    if not names or resolver is None:
        return {}
    found = {}
    for name, user in resolver.accounts(names).items():
        if user.userid is not None:
            found[name] = (user.userid, user.centralid, user.name)
    for name, (userid, _central, _canonical) in found.items():
        entry = states.get(name)
        if entry is None or entry.userid is not None:
            continue
        del states[name]
        old = states.get(userid)
        if old is None or schema.RANK[old.state] < schema.RANK[entry.state]:
            states[userid] = entry
    return found


def _forget(states: dict, settings: Settings) -> dict:
    """*states* as -resend leaves them: without the uncertain rows, or without any."""
    if settings.resend == Resend.UNCERTAIN:
        kept = {k: e for k, e in states.items() if e.state not in (State.SENDING, State.UNCERTAIN)}
        pywikibot.info(
            f'{len(states) - len(kept)} uncertain recipients will be emailed again '
            '(-resend:uncertain).'
        )
        return kept
    _confirm_resend(settings)
    pywikibot.info(f'The journal forgets {len(states)} recipients of this campaign (-resend).')
    return {}


def _confirm_resend(settings: Settings) -> None:
    """-resend (all): the operator confirms, or the run is refused."""
    if settings.always:
        return
    if not sys.stdin.isatty():
        raise EmailUserError(
            '-resend emails everyone of this campaign again: confirm it on a terminal, '
            'or add -always to the command line (always = yes in scripts.ini does not '
            'confirm it).'
        )
    if not pywikibot.input_yn(
        '-resend: forget who already got this message and email everyone again?',
        default=False,
        automatic_quit=False,
    ):
        raise EmailUserError('Nothing was sent: -resend was not confirmed.')


def _refuse_overlap(journal: Journal, wiki: str, recipients, name: str) -> None:
    """Refuse a new subject for people another campaign just reached, unless named."""
    to_send = [r for r in recipients if r.status == Status.EMAILABLE]
    since = time.time() - OVERLAP_DAYS * 86400
    others = journal.reached_elsewhere(wiki, to_send, since)
    if not others:
        return
    other, users = max(others.items(), key=lambda item: len(item[1]))
    who = users[0] if len(users) == 1 else f'{len(users)} of these users'
    who += f' {"was" if len(users) == 1 else "were"} emailed'
    if len(users) > 1:
        who += f' ({name_list(users, 5)})'
    raise EmailUserError(
        f'{who} in the last {OVERLAP_DAYS} days by the campaign "{other}": if this run '
        'corrects that mailing, add '
        f'-campaign:"{other}" to continue it without emailing them again; if it is a new '
        f'mailing to them on purpose, add -campaign:"{name}".'
    )


def commit(
    answer: Answer,
    journal: Journal | None,
    settings: Settings,
    wiki: str,
    account: str,
    family: str,
    planned: Iterable[Recipient],
) -> Journal:
    """The run goes ahead: create the journal if need be, then write -resend and the plan.

    *journal* is the journal as :func:`reconcile` read it (None while new);
    *planned* are the recipients this run delivers to. Returns the journal the
    run records in.

    :raises JournalError: the journal cannot be created, locked or written, or
        another run wrote it while this one prepared
    """
    if journal is None:
        journal = Journal(answer.path)
        try:
            journal.lock()
            _refuse_journal_written_meanwhile(journal, answer, wiki)
        except BaseException:
            journal.close()
            raise
    journal.open_campaign(wiki, answer.name, answer.fingerprint, legacy_wiki=answer.legacy)
    journal.for_run(account, wiki, family)
    journal.adopt_ids(wiki, answer.adopt)
    if settings.resend != Resend.NONE:
        journal.resend(uncertain_only=settings.resend == Resend.UNCERTAIN)
    journal.plan(planned)
    return journal


def _refuse_journal_written_meanwhile(journal: Journal, answer: Answer, wiki: str) -> None:
    """Refuse when the journal, which did not exist when this run read it, holds anything now.

    Another run created it while this one prepared, and may have emailed the
    same people: this run's plan, its overlap check and its rate limit did not
    see that. Now that this run holds the lock, that run is over, and running
    the same command again reads what it did.
    """
    journal.open_campaign(
        wiki, answer.name, answer.fingerprint, legacy_wiki=answer.legacy, create=False
    )
    if journal.campaign is not None:
        raise JournalError(
            f'Another run started this campaign in {journal.path} while this one prepared: '
            'nothing was sent; run the same command again to go on from what it did.',
            EXIT_PENDING,
        )
    other = journal.written()
    if other is not None:
        which = f' (campaign "{other}")' if other else ''
        raise JournalError(
            f'Another run wrote to the journal {journal.path}{which} while this one '
            'prepared, which this plan could not take into account: nothing was sent; run '
            'the same command again.',
            EXIT_PENDING,
        )
