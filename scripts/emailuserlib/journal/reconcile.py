"""What earlier runs of the campaign did, applied to this run's recipients; and its commit.

:func:`reconcile` reads the journal (locked, unless -simulate only reads it) and
returns a typed :class:`~.store.Answer`: each recipient with what earlier runs
did (``already-sent``, ``posted``, ``uncertain``, a final refusal), how many
were reached and with which text, the ids to adopt for rows that an older
journal kept by name, and the refusals that the journal alone can tell
(another campaign reached these people days ago; a -users: row whose name was
another account; a campaign whose central ids belong to another domain).
Nothing of the campaign is written there: whatever may still refuse the run is
decided first, and :func:`commit` writes once the run goes ahead, creating a
new journal only then. With -test the journal is read and locked, and only the
test email's send is written.

One campaign may run on many wikis: a campaign of the same name on another
wiki whose central-id domain is this run's (the same provider, seen by the same
global account: :class:`~..core.accounts.Central`) has reached, or seen opt
out, the people of the same central ids. A wiki without global accounts, or a
sender attached to none, matches only its own rows. :func:`known` applies the
journal to the listing of ``-check``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pywikibot
from pywikibot import config

from ..core.accounts import Central, Recipient, Status
from ..core.errors import EXIT_PENDING, EmailUserError, JournalError
from ..core.words import name_list, plural
from ..options.settings import Resend, Settings
from ..recipients.resolve import Resolver
from ..wiki.site import wiki_name
from . import schema
from .answer import Answer
from .filesystem import network_filesystem
from .schema import State
from .store import DEFAULT_NAME, TALK_OUTCOME, Elsewhere, Entry, Journal, finder, fingerprint

#: How far back another campaign's mail to the same people makes a run ask.
OVERLAP_DAYS = 7


def journal_path(settings: Settings) -> Path:
    """-journal:, or the journal among Pywikibot's data files (in config.base_dir)."""
    if settings.journal:
        return settings.journal
    return Path(config.datafilepath(DEFAULT_NAME, create=False))


def campaign_reached(settings: Settings, wiki: str, name: str) -> int | None:
    """How many the campaign *name* on *wiki* reached, as its journal says, reading only;
    None when the journal or the campaign does not exist.

    :raises JournalError: the journal cannot be read
    """
    path = journal_path(settings)
    if not path.exists():
        return None
    journal = Journal(path, read_only=True)
    try:
        if journal.open_campaign(wiki, name, '', create=False) is None:
            return None
        return sum(1 for e in journal.states().values() if _reached(e) or e.reached)
    finally:
        journal.close()


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
    central: Central | None = None,
    narrow=None,
) -> tuple[Answer, Journal | None]:
    """Read what earlier runs of the campaign did, and apply it to *recipients*.

    *subject* and *text* are the message's templates (they tell two texts of a
    campaign apart); *used_columns* the columns of the -users: files that the
    message uses. *resolver* finds the accounts of rows that an older journal
    kept by name; *delivers* are the statuses the run delivers to; *central*
    says whether people are matched with the campaign's rows on other wikis.
    *narrow*, when given, takes the recipients as the journal leaves them and
    returns those the run keeps (-inactive:), before the guard between campaigns
    looks at them.
    Returns the answer, and the journal as read (locked, unless -simulate), or
    None while it is new.

    :raises EmailUserError: the journal tells that the run must not go on as given
    :raises JournalError: the journal cannot be read or locked
    """
    simulate, trial = bool(config.simulate), settings.test is not None
    central = central or Central()
    name = settings.campaign or subject
    path = journal_path(settings)
    recipients = tuple(recipients)
    fp = fingerprint(subject, text, bool(settings.ccme))
    answer = Answer(
        path=path,
        name=name,
        fingerprint=fp,
        legacy=str(site),
        new=not path.exists(),
        opted_out=tuple(r for r in recipients if r.status == Status.OPTED_OUT),
        filesystem=network_filesystem(path.parent),
    )
    if answer.new and (not trial or settings.after):  # -test creates the journal
        return _without_journal(answer, settings, recipients, narrow), None
    # Locked before anything is read: another run may not write between the read and the
    # lock (on a network filesystem, before the file is opened at all).
    journal = Journal(path, read_only=simulate, lock=not simulate)
    try:
        journal.open_campaign(wiki, name, fp, legacy_wiki=str(site), create=False)
        _refuse_another_domain(journal, wiki, central)
        states = journal.states()
        adopt = _adopt_ids(journal, wiki, states, resolver)
        elsewhere = _elsewhere(journal, wiki, central, recipients)
        # -simulate shows what the resend would send; -test sends to the sender alone.
        resend = settings.resend != Resend.NONE and not trial
        since = _resend_from(journal, wiki, central) if settings.resend == Resend.ALL else None
        known = states
        recipients, states, entry_of = _apply_all(
            wiki, settings if resend else None, since, recipients, states, elsewhere
        )
        if resend and settings.resend == Resend.UNCERTAIN:
            _say_uncertain_again(recipients, finder(known), elsewhere, delivers)
        # Whatever a resend forgets, a row's values stay its account's.
        _refuse_values_of_another_account(site, recipients, known, used_columns, delivers)
        after, besides = '', ()
        if settings.after:
            recipients, after, besides = _after(journal, wiki, recipients, settings, delivers)
        if narrow is not None:
            recipients = tuple(narrow(recipients))
        reached = [e for e in known.values() if _reached(e)]
        if not settings.campaign:
            # -after: makes a second mailing to the named campaign's people deliberate.
            _refuse_overlap(
                journal, wiki, recipients, journal.campaign_name, central.domain, besides
            )
        reached_elsewhere = (
            journal.reached_on_other_wikis(wiki, central.domain) if central.domain else {}
        )
    except BaseException:
        journal.close()
        raise
    answer = replace(
        answer,
        # The name as first written, should this run write it otherwise.
        name=journal.campaign_name,
        reached_elsewhere=tuple(
            (where(other, wiki), count) for other, count in reached_elsewhere.items()
        ),
        recipients=recipients,
        reached=len(reached),
        reached_earlier_text=sum(1 for e in reached if e.version != journal.version),
        earlier_text=_earlier_text(recipients, entry_of, journal.version),
        adopt=adopt,
        after=after,
        resend_from=since,
    )
    return answer, journal


def day(when: float) -> str:
    """The day (UTC) of the time *when*, as the plan and the report write it."""
    return time.strftime('%Y-%m-%d', time.gmtime(when))


def where(other: str, wiki: str) -> str:
    """The wiki *other* (as it names itself) for a sentence on the wiki *wiki*: its
    database id, and its address too where this wiki has the same id."""
    name = wiki_name(other)
    if name == wiki_name(wiki):  # two installs of one name: which one
        return f'{name} at {other.rpartition(" ")[0] or other}'
    return name


def _after(
    journal: Journal, wiki: str, recipients: tuple[Recipient, ...], settings: Settings, delivers
) -> tuple[tuple[Recipient, ...], str, tuple[int, ...]]:
    """-after:CAMPAIGN -afterdays:N: of those this run would deliver to, only the ones
    CAMPAIGN reached at least N days ago; the others ``left-out`` with the reason.

    Returns the recipients, the plan's line about it, and the ids of CAMPAIGN.

    :raises EmailUserError: the journal holds no such campaign on this wiki, or it is
        this very campaign
    """
    named = settings.after
    found = journal.reached_by(wiki, named)
    if found is None:
        held = journal.campaigns(wiki)
        which = f'holds {name_list([f"{n!r}" for n in held], 10)}' if held else 'holds none'
        raise EmailUserError(
            f'-after:{named} is no campaign of the journal {journal.path} on this wiki (it '
            f'{which}): give the name of the first notice as its -campaign: or subject was '
            'written.'
        )
    written, reached = found
    by_id: dict[int, list[tuple[str, float]]] = {}
    for key, when in reached.items():
        if isinstance(key, tuple):
            by_id.setdefault(key[0], []).append((key[1], when))

    def at(r: Recipient) -> float | None:
        """When CAMPAIGN reached *r*'s account (its user id, unless another person's
        registration time says the wiki was installed again), else its name."""
        ids = by_id.get(r.userid, ()) if r.userid is not None else ()
        times = [
            when
            for registered, when in ids
            if not (registered and r.registered and registered != r.registered)
        ]
        return min(times) if times else reached.get(r.name)

    if journal.campaign is not None and journal.ids_of(wiki, named)[:1] == (journal.campaign,):
        raise EmailUserError(
            f'-after:{named} names this campaign itself: give the campaign of the first '
            'notice, and a -campaign: name of its own to this one.'
        )
    days = settings.afterdays
    cutoff = time.time() - days * 86400
    since = f' at least {days} days ago' if days else ''
    kept = []
    result = []
    for r in recipients:
        if r.status not in delivers:
            result.append(r)
            continue
        when = at(r)
        if when is None:
            r = replace(r, status=Status.LEFT_OUT, detail=f'not reached by "{written}"')
        elif when > cutoff:
            day = time.strftime('%Y-%m-%d', time.gmtime(when))
            r = replace(
                r,
                status=Status.LEFT_OUT,
                detail=f'reached by "{written}" on {day}, less than {days} days ago',
            )
        else:
            kept.append(r.name)
        result.append(r)
    old_enough = sum(1 for when in reached.values() if when <= cutoff)
    line = (
        f'  After the campaign "{written}" (-after:): it reached {len(reached)}, '
        f'{old_enough} of them{since}; {len(kept)} of those are recipients of this run.'
    )
    return tuple(result), line, journal.ids_of(wiki, named)


def _earlier_text(recipients, entry_of, version) -> tuple[str, ...]:
    """The names of *recipients* whom earlier runs reached with a text other than *version*."""
    found = []
    for r in recipients:
        entry = entry_of(r) if r.status in (Status.ALREADY_SENT, Status.POSTED) else None
        if entry is not None and entry.version != version:
            found.append(r.name)
    return tuple(found)


def _applied(
    r: Recipient, entry: Entry | None, other: Elsewhere | None = None, wiki: str = ''
) -> Recipient:
    """*r* as the journal's *entry* for it, and what the campaign did to the same
    person on another wiki (*other*), leave it.

    Reached anywhere counts first, then a delivery that may have reached them
    anywhere, then a final refusal here, then an opt-out on another wiki. The talk
    page post of -alsotalk is a channel of its own.
    """
    if entry is not None and entry.talk in TALK_OUTCOME:
        outcome = TALK_OUTCOME[entry.talk]
        detail = (
            'posted on the talk page by an earlier run'
            if outcome == Status.POSTED
            else entry.talk_detail or 'an earlier run stopped while posting on the talk page'
        )
        r = replace(r, talk=outcome, talkdetail=detail)
    if r.status not in (Status.EMAILABLE, Status.NOT_EMAILABLE):
        return r
    state = entry.state if entry else None
    if state == State.SENT:
        detail = f'emailed by an earlier run on {day(entry.updated)}'
        return replace(r, status=Status.ALREADY_SENT, detail=detail)
    if state == State.POSTED:
        detail = f'posted on the talk page by an earlier run on {day(entry.updated)}'
        return replace(r, status=Status.POSTED, detail=detail)
    there = where(other.wiki, wiki) if other else ''
    if other and other.state in (State.SENT, State.POSTED):
        how = 'talk page post ' if other.state == State.POSTED else ''
        detail = f'{how}on {there}, {day(other.updated)}'
        return replace(r, status=Status.ALREADY_SENT, detail=detail)
    if state in (State.SENDING, State.UNCERTAIN):
        detail = entry.detail or 'an earlier run stopped while delivering to this user'
        return replace(r, status=Status.UNCERTAIN, detail=detail)
    if other and other.state in (State.SENDING, State.UNCERTAIN):
        detail = f'on {there}, {day(other.updated)}: a run stopped while delivering to this user'
        return replace(r, status=Status.UNCERTAIN, detail=detail)
    if state == State.SKIPPED and entry.final and r.status == Status.EMAILABLE:
        return replace(r, status=Status(entry.status or Status.NOT_EMAILABLE), detail=entry.detail)
    if other and other.status == Status.OPTED_OUT:
        detail = f'on {there}' + (f', {other.detail}' if other.detail else '')
        return replace(r, status=Status.OPTED_OUT, detail=detail)
    if r.status == Status.NOT_EMAILABLE and r.talk is not None:
        # Reached (or maybe reached) on the talk page by -alsotalk: -fallback:talk,
        # whose delivery to them is that same post, does not make it again.
        return replace(r, status=r.talk, detail=r.talkdetail)
    return r


def _without_journal(answer: Answer, settings: Settings, recipients, narrow) -> Answer:
    """The answer of a journal that does not exist yet: nobody reached, nothing to forget.

    :raises EmailUserError: -after: names a campaign of a journal that is not there
    """
    if settings.after:
        raise EmailUserError(
            f'-after:{settings.after} names a campaign of the journal, and the journal '
            f'{answer.path} does not exist yet: give the journal of that campaign with '
            '-journal:, or run from its configuration folder.'
        )
    if settings.resend == Resend.ALL and not config.simulate:
        _confirm_resend(settings)
    return replace(answer, recipients=tuple(narrow(recipients)) if narrow else recipients)


def _apply_all(
    wiki: str,
    resend: Settings | None,
    since: float | None,
    recipients: tuple[Recipient, ...],
    states: dict,
    elsewhere: dict,
):
    """*recipients* as the journal's rows (*states*) and the campaign's rows on other
    wikis (*elsewhere*) leave them, once -resend (the settings of a run that resends,
    or None) forgot what it forgets of the time before *since* (when the resend it goes
    on with began); with the rows so left and their finder."""
    if resend is not None:
        states = _forget(states, resend, since)
        elsewhere = _forget_elsewhere(elsewhere, resend, since)
    entry_of = finder(states)
    recipients = tuple(
        _applied(r, entry_of(r), elsewhere.get(r.centralid), wiki) for r in recipients
    )
    return recipients, states, entry_of


def _resend_from(journal: Journal, wiki: str, central: Central) -> float | None:
    """-resend: when the resend this run goes on with began; None for a new one.

    A resend of this campaign goes on until it reached everyone it was to reach; on
    another wiki of the campaign's central-id domain, a run joins the resend that goes
    on there (or ended in the last 7 days), so that nobody is emailed again on each wiki.

    :raises EmailUserError: a resend of this campaign on this wiki ended in the last
        7 days: the same command run again would email everyone once more
    """
    going_on, ended = journal.resend_state()
    if going_on is not None:
        return going_on
    if ended is not None and time.time() - ended < OVERLAP_DAYS * 86400:
        raise EmailUserError(
            f'A resend of the campaign "{journal.campaign_name}" reached everyone on this '
            f'wiki on {day(ended)}, so another -resend would email them all once more: to '
            'send this mailing again on purpose, give it a name of its own with '
            '-campaign:"NEW NAME".'
        )
    if central.domain is None:
        return None
    return journal.domain_resend(wiki, central.domain, OVERLAP_DAYS * 86400)


def _reached(entry: Entry) -> bool:
    """Whether the campaign reached the recipient of *entry*: by email, by a talk page
    post instead (-fallback:talk), or by a talk page post besides (-alsotalk)."""
    return entry.state in (State.SENT, State.POSTED) or entry.talk == 'posted'


def _elsewhere(
    journal: Journal, wiki: str, central: Central, recipients: Iterable[Recipient]
) -> dict[int, Elsewhere]:
    """What the campaign did on the other wikis of this run's central-id domain to
    the people among *recipients*, by central id."""
    if central.domain is None:
        return {}
    ids = [r.centralid for r in recipients if r.centralid is not None]
    return journal.elsewhere(wiki, central.domain, ids)


def _refuse_another_domain(journal: Journal, wiki: str, central: Central) -> None:
    """Refuse a run whose central ids may name other people than the campaign's.

    The campaign on this wiki keeps the domain it began with; a wiki that joins
    the campaign joins its domain. A campaign that held rows on this wiki before
    it had a domain (of an earlier release, or run while this wiki had no global
    accounts) takes this run's: its rows were matched on this wiki alone, and
    rows of another domain are never matched with them.

    A run on a wiki with global accounts as an account attached to none cannot
    tell who the campaign reached elsewhere, and is refused where it has a domain.

    :raises EmailUserError: naming the campaign's domain and what to do
    """
    domain = central.domain
    if domain is None and not central.provider:
        return  # a wiki without global accounts: its own accounts only
    found = journal.domains()
    name = f'The campaign "{journal.campaign_name}" in {journal.path}'
    if domain is None:
        other = next((d for d in found if d.provider), None)
        if other is not None:
            raise EmailUserError(
                f"{name} matches people across wikis by {other.provider}'s central ids, and "
                f"this run's account {central.account} is attached to no {central.provider} "
                f'account, so it cannot tell whom the campaign reached on other wikis: run it '
                f'as {other.sender}.'
            )
        return
    here = [d for d in found if d.wiki == wiki]
    mine = [d for d in here if d.provider]
    if mine:
        others = mine
    elif any(d.rows for d in here):
        return
    else:
        others = [d for d in found if d.provider]
    other = next((d for d in others if (d.provider, d.central) != domain), None)
    if other is None:
        return
    on = wiki_name(other.wiki)
    if other.provider != central.provider:
        raise EmailUserError(
            f"{name} matches people across wikis by {other.provider}'s central ids (on {on}), "
            f"and this wiki's are {central.provider}'s, which may number other people: give "
            'this mailing a -campaign: name of its own.'
        )
    raise EmailUserError(
        f"{name} matches people across wikis by {other.provider}'s central ids as the "
        f'account {other.sender} (central id {other.central}) sees them on {on}, and this '
        f"run's account {central.account} has central id {central.sender}, which may be of "
        f'another wiki farm, whose ids number other people: run it as {other.sender}, or '
        'give this mailing a -campaign: name of its own.'
    )


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
    registered, centralid, name)} for :meth:`.Journal.adopt_ids`.
    """
    names = journal.unresolved_names(wiki)
    if not names or resolver is None:
        return {}
    found = {}
    for name, user in resolver.accounts(names).items():
        if user.userid is not None:
            found[name] = (user.userid, user.registered, user.centralid, user.name)
    for name, (userid, registered, _central, _canonical) in found.items():
        entry = states.get(name)
        if entry is None or entry.userid is not None:
            continue
        del states[name]
        old = states.get((userid, registered))
        if old is None or schema.RANK[old.state] < schema.RANK[entry.state]:
            states[(userid, registered)] = replace(entry, userid=userid, registered=registered)
    return found


def _uncertain(entry: Entry | Elsewhere | None) -> bool:
    """Whether a delivery of *entry* may or may not have reached its recipient."""
    if entry is None:
        return False
    post = isinstance(entry, Entry) and TALK_OUTCOME.get(entry.talk) == Status.UNCERTAIN
    return entry.state in (State.SENDING, State.UNCERTAIN) or post


def _forget_elsewhere(elsewhere: dict, settings: Settings, since: float | None) -> dict:
    """*elsewhere* as -resend leaves it: without the uncertain; or with those reached
    since the resend that goes on began; or without anyone."""
    if settings.resend == Resend.UNCERTAIN:
        return {k: e for k, e in elsewhere.items() if not _uncertain(e)}
    # An opt-out is for good: a resend never takes it back.
    return {
        k: e
        for k, e in elsewhere.items()
        if e.status == Status.OPTED_OUT or (since is not None and e.updated >= since)
    }


def _forget(states: dict, settings: Settings, since: float | None) -> dict:
    """*states* as -resend leaves them, the journal unchanged: without the uncertain
    deliveries; or with only the rows written since the resend that goes on began;
    or without any row."""
    if settings.resend == Resend.UNCERTAIN:
        # Only the uncertain channel is forgotten: a talk page post that was made stays
        # made when the email was uncertain, and the other way round.
        kept = {}
        for key, e in states.items():
            email = e.state in (State.SENDING, State.UNCERTAIN)
            post = TALK_OUTCOME.get(e.talk) == Status.UNCERTAIN
            kept[key] = replace(
                e,
                state=State.PLANNED if email else e.state,
                detail='' if email else e.detail,
                talk='' if post else e.talk,
                talk_detail='' if post else e.talk_detail,
            )
        return kept
    if not config.simulate:  # which changes nothing
        _confirm_resend(settings)
    # An opt-out is for good: a resend never takes it back.
    optouts = {k: e for k, e in states.items() if e.status == Status.OPTED_OUT}
    if since is None:
        forgets = 'A real run would forget' if config.simulate else 'The journal forgets'
        said = plural(len(states) - len(optouts), 'recipient', 'recipients')
        pywikibot.info(f'{forgets} {said} of this campaign (-resend).')
        return optouts
    ours = {k: e for k, e in states.items() if e.updated >= since}
    kept = ours | optouts
    pywikibot.info(
        f'The resend of this campaign that began on {day(since)} goes on (-resend): the '
        f'journal forgets {plural(len(states) - len(kept), "recipient", "recipients")} '
        f'reached before it began, and keeps the {len(ours)} it reached already.'
    )
    return kept


def _say_uncertain_again(recipients, before, elsewhere: dict, delivers) -> None:
    """-resend:uncertain: how many of this run's recipients it delivers to again: those
    whose delivery was uncertain here (*before* finds their rows) or on another wiki."""
    again = sum(
        1
        for r in recipients
        if r.status in delivers
        and (_uncertain(before(r)) or _uncertain(elsewhere.get(r.centralid)))
    )
    many = 'recipients' if again != 1 else 'recipient'
    pywikibot.info(
        f'{again} uncertain {many} of this run will be reached again (-resend:uncertain).'
    )


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


def _refuse_overlap(
    journal: Journal,
    wiki: str,
    recipients,
    name: str,
    domain: tuple[str, int] | None = None,
    besides: Iterable[int] = (),
) -> None:
    """Refuse a new subject for people another campaign just reached, unless named.

    Another campaign reached them on this wiki, or on another wiki of the run's
    central-id *domain*; the campaigns whose ids are *besides* (-after:) do not count.
    """
    to_send = [r for r in recipients if r.status == Status.EMAILABLE]
    since = time.time() - OVERLAP_DAYS * 86400
    others = journal.reached_elsewhere(wiki, to_send, since, domain, besides)
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
    central: Central | None = None,
) -> Journal:
    """The run goes ahead: create the journal if need be, then write -resend and the plan.

    *journal* is the journal as :func:`reconcile` read it (None while new);
    *planned* are the recipients this run delivers to. The campaign on this wiki
    takes the central-id domain of *central*, if it has none; the rows of the
    accounts the run met take what the wiki now says of them (their central ids,
    a registration time a row lacked), and those who opted out here are recorded
    for the campaign's runs on other wikis. Returns the journal the run records in.

    :raises JournalError: the journal cannot be created, locked or written, or
        another run wrote it while this one prepared
    """
    if journal is None:
        journal = Journal(answer.path, lock=True)
        try:
            _refuse_journal_written_meanwhile(journal, answer, wiki)
        except BaseException:
            journal.close()
            raise
    journal.open_campaign(wiki, answer.name, answer.fingerprint, legacy_wiki=answer.legacy)
    journal.for_run(account, wiki, family)
    if central is not None and central.domain is not None:
        journal.claim_domain(central.provider, central.sender, central.account)
    journal.adopt_ids(wiki, answer.adopt)
    if settings.resend == Resend.ALL:
        journal.begin_resend(answer.resend_from)
    journal.remember(answer.recipients)
    journal.plan(planned)
    journal.note_optouts(answer.opted_out)
    return journal


def known(
    settings: Settings, wiki: str, recipients: Iterable[Recipient], central: Central
) -> tuple[Recipient, ...]:
    """*recipients* as the journal says the campaign -campaign: (or -subject:) names
    left them, on this wiki and the others of *central*'s domain, for ``-check``.

    The journal is only read (a copy in memory, as -simulate reads it); without a
    campaign's name, or a journal, the recipients are as the wiki says.

    :raises JournalError: the journal cannot be read
    """
    recipients = tuple(recipients)
    name = settings.campaign or settings.subject
    path = journal_path(settings)
    if not name or not path.exists():
        return recipients
    journal = Journal(path, read_only=True)
    try:
        journal.open_campaign(wiki, name, '', create=False)
        entry_of = finder(journal.states())
        elsewhere = _elsewhere(journal, wiki, central, recipients)
    finally:
        journal.close()
    return tuple(_applied(r, entry_of(r), elsewhere.get(r.centralid), wiki) for r in recipients)


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
