"""Who gets mail: from generator pages to accounts, and the batched emailable check.

A recipient is an account of the wiki, not a spelling of its name: the names
and pages given are sent to ``list=users`` as written, and the wiki's answer
says which account each one is (its user id and canonical name) or that there
is none. Each page maps to at most one user (a user page, user talk page or a
subpage of either means its user, whatever the wiki calls those namespaces).
A name without an account is asked of the wiki's rename log, which only
administrators write: the account it was renamed to is that name's account,
whatever its user page says. Only when the log says nothing does a user page
that redirects to another user page (which anyone can edit) lead anywhere, and
only for names read from pages (a generator's user pages, the editors of pages,
opt-out lists): a name the operator typed is never sent on to someone else. A
live account is its own recipient whatever its user page says. Each account is
considered once, in the order the generator first led to it. The wiki is asked
50 names per request (500 with ``apihighlimits``), together with their user
pages, so a run costs one lookup request per batch; the names without an
account are asked of the rename log together (:mod:`.renamelog`: a few
requests however many they are, on a wiki whose log is not longer than the
list), and the accounts they lead to in batches again.

The check can take long for a long list: it is told to a *progress* object
(:class:`~..run.progress.CheckProgress`) as it goes, and when it is stopped
(Ctrl-C), what was known by then is handed to it, the others ``pending``.

A temporary account (in the group ``temp``, or named by the wiki's pattern
for them) is ``temporary-account``: nobody to email or to write to.

Where the wiki's central-id provider has global accounts (CentralAuth on
Wikimedia), each account's central id comes in the same request, and counts
only where the wiki says the account is attached to that global account: a
local account that merely has the name of someone's global account is someone
else. Where the wiki answers ``list=globalusers``, the same request also asks
whether each global account is locked (``locked``: it cannot log in to read a
reply or to opt out).

Opt-out lists name users the same way: through the renames of their users
and the redirects of their pages, they become accounts. While a run sends,
:meth:`Resolver.recheck` asks again, by user id, who still takes email.
MassMessage's opt-out category is applied by :mod:`.respect`, and the page
histories of -editors are read by :mod:`.editors`.
"""

from __future__ import annotations

import contextlib
import itertools
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import partial

import pywikibot

from ..core.accounts import Recipient, Status, WikiUser
from ..core.errors import EXIT_PENDING, EmailUserError, Interrupted
from ..wiki.site import (
    SEPARATOR,
    USER_NS,
    batch_size,
    batches,
    capitalises_users,
    central_provider,
    is_temporary_name,
    name_problem,
    normalize_username,
    offers_globalusers,
    several,
    temp_account_patterns,
    user_from_title,
)
from .renamelog import RenameLog

#: The detail of a name the check did not reach before it was stopped.
STOPPED = 'not checked yet: the check was stopped'


def account_status(user: WikiUser, optout: Mapping[int, str]) -> tuple[Status, str]:
    """The status of an existing account, and why, from the wiki's answer.

    *optout* gives, for each opted-out account's user id, the list it is on and how.
    A temporary account has its own status whatever else the wiki says: it is
    nobody to email or to write to.
    """
    if user.temporary:
        return Status.TEMPORARY_ACCOUNT, ''
    if user.locked:
        return Status.LOCKED, 'the global account is locked'
    if user.userid in optout:
        return Status.OPTED_OUT, optout[user.userid]
    if user.emailable:
        return Status.EMAILABLE, ''
    return Status.NOT_EMAILABLE, 'opted out of email or has no confirmed address'


def rename_log_error(name: str, error: Exception) -> EmailUserError:
    """The wiki's rename log could not be read: whose account *name* is now is unknown."""
    return EmailUserError(
        f"The wiki's rename log could not be read ({error}), so it is not known whose "
        f'account {name} is now: nothing more was sent; run the same command again later.',
        EXIT_PENDING,
    )


class Resolver:
    """Turns generator pages or user names into checked :class:`Recipient` objects.

    :param site: the pywikibot site
    :param optout: names that are never emailed (their accounts, through renames); a
        mapping gives where each name is (``linked from Project:No mail``), for the reason
    :param values: placeholder values of users from a -users: CSV file, by name
    """

    def __init__(
        self,
        site,
        optout: Iterable[str] = (),
        values: dict[str, dict[str, str]] | None = None,
        progress=None,
    ) -> None:
        self.site = site
        self.first_letter = capitalises_users(site)
        self.optout_names = list(optout)
        self.optout_where: dict[str, str] = dict(optout) if isinstance(optout, Mapping) else {}
        self._optout_ids: dict[int, str] | None = None
        #: Each opt-out name's accounts, with how the name leads to each ('' or a rename).
        self._optout_known: dict[str, dict[int, str]] = {}
        self._renames: dict[str, tuple[WikiUser, ...]] = {}
        self.values = values or {}
        self.temp_patterns = temp_account_patterns(site)
        self.batch = batch_size(site)
        #: The wiki's central-id provider, '' where accounts are local to the wiki.
        self.provider = central_provider(site)
        #: Whether locked global accounts are asked for, with the accounts themselves.
        self.locks = bool(self.provider) and offers_globalusers(site)
        self.progress = progress or _Silent()
        self.log = RenameLog(site, site.namespaces[USER_NS].custom_name, rename_log_error)

    def normalize(self, name: str) -> str:
        return normalize_username(name, self.first_letter)

    @property
    def optout(self) -> dict[int, str]:
        """User ids of the accounts the opt-out lists name, each with the list it is on and
        how (looked up once)."""
        if self._optout_ids is None:
            self._optout_ids = self.optout_accounts(self.optout_names)
        return self._optout_ids

    def optout_accounts(self, names: Iterable[str], where: str | None = None) -> dict[int, str]:
        """User ids of the accounts that *names*, read from an opt-out list, stand for,
        each with why: *where* the name is (or where the lists said), and through which
        rename or user page redirect it leads to the account.

        A name the rename log resolves opts out the account it was renamed to. When
        the log says nothing, a user page redirect is followed too: it can only opt
        out one account more, which is safe, never let someone be emailed. An
        account found once stays found for this run (a user id never changes hands),
        so reading the lists again costs requests only for names not found yet.
        """
        names = list(dict.fromkeys(names))
        found = self.accounts([n for n in names if n not in self._optout_known])
        for name, user in found.items():
            # A name the log gives to several accounts opts out every one of them.
            known = {user.userid: _led(name, user)} if user.userid is not None else {}
            if user.renamed_to:
                known = {
                    u.userid: f'as {name}, renamed to {u.name}'
                    for u in self.renames(user.name)
                    if u.userid is not None
                }
            if known:
                self._optout_known[name] = known
        ids: dict[int, str] = {}
        for name in names:
            place = where if where is not None else self.optout_where.get(name, '')
            for userid, how in self._optout_known.get(name, {}).items():
                ids.setdefault(userid, ', '.join(filter(None, [place, how])))
        return ids

    def from_names_and_pages(
        self, names: Iterable[str], pages: Iterable, accounts: Iterable[str] = ()
    ) -> list[Recipient]:
        """Resolve user names, then pages, then *accounts*; an account they lead to is
        considered once.

        *names* are typed by the operator (-users: files, :func:`.bot.email_users`):
        they name an account themselves, or one the rename log renamed them to, never
        whoever their user page redirects to. *pages* come from generators and
        *accounts* are names as the wiki gave them for accounts (the editors of
        pages): those follow a user page's redirect when the rename log is silent.
        A name with an account is that account whatever its user page says, so
        they are asked about like any name. Placeholder values go with *names* and
        *accounts* only, by their own name.
        """
        # One item at a time: a list of names is long.
        items = itertools.chain(
            self._name_items(names, typed=True),
            self._page_items(pages),
            self._name_items(accounts, typed=False),
        )
        return self._resolve(items)

    def _values(self, name: str, key: str) -> dict[str, str]:
        """The placeholder values given for *name* (as written), or for *key* (its usual
        spelling); a row's own, even empty, rather than a new one: a list is long."""
        given = [v for v in (self.values.get(name), self.values.get(key)) if v is not None]
        return next((v for v in given if v), given[0] if given else {})

    def _page_items(self, pages: Iterable):
        for page in pages:
            name = user_from_title(page.namespace(), page.title(with_ns=False))
            if name is None:
                yield None, page.title(), 'not a user page', None
            else:
                yield name, page.title(), '', None

    def _name_items(self, names: Iterable[str], typed: bool):
        user_ns = self.site.namespaces[USER_NS].custom_name
        kind = 'typed' if typed else 'account'
        return ((name, f'{user_ns}:{self.normalize(name)}', '', kind) for name in names)

    def _resolve(self, items) -> list[Recipient]:
        """Check *items*: (user name as written, source page, '', kind), or (None,
        source page, why it is no user, None) for pages that map to nobody.

        *kind* is ``typed`` for a name the operator typed (it never follows an
        unconfirmed redirect), ``account`` for a name the wiki gave (an editor),
        None for a generator's page. A page takes no placeholder values: values
        belong to the row (or editor) of that very name, which comes first.
        """
        result: list[Recipient] = []
        seen: set[str] = set()
        typed = bytearray()  # typed[i]: whether result[i] is a typed name (a list is long)
        for name, source, why, kind in items:
            if name is None:
                result.append(Recipient(source, Status.NOT_A_USER, why, source))
                typed.append(False)
                continue
            key = self.normalize(name)
            if key in seen:
                continue
            seen.add(key)
            values = self._values(name, key) if kind else {}
            status, detail = None, ''
            problem = name_problem(key)
            if is_temporary_name(key, self.temp_patterns):
                status = Status.TEMPORARY_ACCOUNT
            elif problem:
                status, detail = Status.NOT_A_USER, problem
            recipient = Recipient(
                key, status, detail, source=source, values=values, written=name.strip()
            )
            typed.append(kind == 'typed')
            result.append(recipient)

        del seen  # a list is long: what is not needed any more goes
        unchecked = array('q', (i for i, r in enumerate(result) if r.status is None))
        names = [result[i].written for i in unchecked]
        # Whichever lookup reads the rename log first, it keeps what the log says of these.
        self.log.expect(result[i].name for i in unchecked)
        self.log.expect(self.normalize(n) for n in self.optout_names)
        self.progress.begin(len(unchecked), self.batch)
        lookup = _Lookup()
        optout = None
        try:
            # First, so that no account is said to be emailable before the lists are known.
            optout = self.optout if self.optout_names else {}
            self._accounts(names, lookup)
        except (KeyboardInterrupt, Interrupted):
            self.progress.end()
            known = self._known(lookup) if optout is not None else {}
            with contextlib.suppress(EmailUserError):  # two rows of one account: refused anyway
                self.progress.stopped(
                    self._settle(result, unchecked, known, optout or {}, typed, False)
                )
            raise
        self.progress.end()
        return self._settle(result, unchecked, lookup.found, optout, typed)

    def _settle(
        self,
        result: list[Recipient],
        unchecked: Iterable[int],
        found: dict[str, WikiUser],
        optout: Mapping[int, str],
        typed: bytearray,
        complete: bool = True,
    ) -> list[Recipient]:
        """The recipients of *result*, those at *unchecked* settled by the wiki's answers
        (in place: a long list is not kept twice).

        Unless *complete*, a name without an answer in *found* was not checked
        yet: it is ``pending``.
        """
        user_ns = self.site.namespaces[USER_NS].custom_name
        accounts: dict[int, int] = {}  # user id: where its recipient is in result
        duplicates = set()
        for i in unchecked:
            r = result[i]
            user = found.get(r.written)
            if user is None and not complete and _askable(r.written):
                result[i] = replace(r, status=Status.PENDING, detail=STOPPED)
                continue
            if user is None or user.invalid:
                result[i] = replace(
                    r, status=Status.NOT_A_USER, detail='the wiki says this is no valid user name'
                )
                continue
            if user.via and typed[i]:
                # Anyone can edit a user page: a typed name is never sent on to someone else.
                result[i] = replace(
                    r,
                    name=user.via,
                    status=Status.NO_SUCH_USER,
                    detail=f'its user page redirects to {user_ns}:{user.name}, which the '
                    "wiki's rename log does not confirm",
                )
                continue
            if user.userid is None:
                detail = ''
                if user.renamed_to:
                    detail = (
                        f'the rename log gives the name to {len(user.renamed_to)} accounts '
                        f'since ({", ".join(user.renamed_to)}): name the account it is for'
                    )
                result[i] = replace(r, name=user.name, status=Status.NO_SUCH_USER, detail=detail)
                continue
            if user.userid in accounts:  # another name of an account already considered
                duplicates.add(i)
                first = accounts[user.userid]
                result[first] = _merge_values(result[first], r, user.name)
                continue
            accounts[user.userid] = i
            detail = ''
            if user.via:
                detail = f'user page of {user.via} redirects here'
            elif user.renamed_from:
                detail = f'renamed from {user.renamed_from}'
            status, why = account_status(user, optout)
            result[i] = replace(
                r,
                name=user.name,
                userid=user.userid,
                centralid=user.centralid,
                registered=user.registered,
                status=status,
                detail=why or detail,
            )
        return [r for i, r in enumerate(result) if i not in duplicates]

    def accounts(self, names: Iterable[str]) -> dict[str, WikiUser]:
        """The wiki's answer for each of *names* as written, renames followed.

        A name without an account is asked of the wiki's rename log first, which
        only administrators write: the account it names is the answer
        (``renamed_from`` set), whatever the name's user page says. Only when the
        log says nothing is a user page that redirects to another user's page
        followed (``via`` set), to that user when that user has an account: anyone
        can edit a user page, so callers decide whether such an answer counts.

        :raises EmailUserError: the rename log cannot be read
        """
        names = list(names)
        # Whichever of them the rename log is read for first, the read keeps them all.
        self.log.expect(self.normalize(n) for n in names)
        lookup = _Lookup()
        self._accounts(names, lookup, shown=False)
        return lookup.found

    def _accounts(self, names: Iterable[str], lookup: _Lookup, shown: bool = True) -> None:
        """:meth:`accounts`, into *lookup*, batch after batch.

        After each batch of names (asked with their user pages), the rename log
        is asked about those without an account; the accounts it leads to, and
        the pages user pages redirect to, wait until they fill a batch of their
        own. What a stop leaves is what each batch had learnt (:meth:`_known`).
        """
        wanted = list(dict.fromkeys(n for n in names if _askable(n)))
        found, looked, without = lookup.found, 0, 0
        for chunk in batches(wanted, self.batch):
            answers = self._ask(chunk, with_pages=True)
            found.update(answers)
            looked += len(chunk)
            missing = {n: u for n, u in answers.items() if _unsettled(u)}
            if missing:
                without += len(missing)
                # The names to ask about in all, as far as the list so far tells.
                still = len(missing) + (len(wanted) - looked) * without // looked
                finals = self.log.finals(
                    [u.name for u in missing.values()],
                    still,
                    pages=partial(self.progress.step, 'log'),
                    asked=partial(self.progress.step, 'renames', expected=still),
                )
                for name, user in missing.items():
                    if user.name in finals:
                        lookup.renamed[name] = user
                    elif user.moved_to:
                        lookup.moved[name] = user.moved_to
            if len(lookup.renamed) >= self.batch:
                self._settle_renamed(lookup)
            if len(lookup.moved) >= self.batch:
                self._follow_moved(lookup)
            if shown:
                self.progress.step('users', looked, len(wanted))
        self._settle_renamed(lookup)
        self._follow_moved(lookup)

    def _settle_renamed(self, lookup: _Lookup) -> None:
        """The accounts the renamed names waiting in *lookup* lead to, in batches."""
        waiting = lookup.renamed
        self._lookup_renames([u.name for u in waiting.values()])
        for name, user in waiting.items():
            renamed = self._renamed(user.name)
            if renamed:
                lookup.found[name] = renamed
            elif user.moved_to:  # renamed to accounts that are gone: as if never renamed
                lookup.moved[name] = user.moved_to
        lookup.renamed = {}

    def _follow_moved(self, lookup: _Lookup) -> None:
        """Where the user pages of the names waiting in *lookup* redirect, in batches:
        to an account, the answer (``via``); to nobody, no answer more."""
        targets = list(dict.fromkeys(lookup.moved.values()))
        answers: dict[str, WikiUser] = {}
        for chunk in batches(targets, self.batch):
            answers.update(self._ask(chunk, with_pages=False))
        for name, target in lookup.moved.items():
            user = answers.get(target)
            if user is not None and user.userid is not None:
                lookup.found[name] = replace(user, via=lookup.found[name].name)
            lookup.followed.add(name)
        lookup.moved = {}

    def _known(self, lookup: _Lookup) -> dict[str, WikiUser]:
        """The final answers of *lookup*, when a stop interrupted :meth:`_accounts`.

        An account's answer is final at once; that of a name without one once the
        rename log said nothing of it (or the accounts it leads to were asked),
        and its user page, if it redirects, was followed.
        """
        known = {}
        for name, user in lookup.found.items():
            if not _unsettled(user) or (
                name not in lookup.renamed
                and name not in lookup.moved
                and (not user.moved_to or name in lookup.followed)
                and (user.name in self._renames or self.log.known(user.name) == ())
            ):
                known[name] = user
        return known

    def _ask(self, names: list[str], with_pages: bool) -> dict[str, WikiUser]:
        """One request: the accounts of *names* as written, and where their pages redirect."""
        params = {
            'action': 'query',
            'list': 'users',
            'usprop': 'emailable|centralids|groups|registration',
            'ususers': several(names),
            'formatversion': 2,
        }
        user_ns = self.site.namespaces[USER_NS].custom_name
        if with_pages:
            params.update(titles=several([f'{user_ns}:{n}' for n in names]), redirects=True)
        if self.locks:  # in the same request: one list module more
            params.update(list='users|globalusers', gususers=several(names), gusprop='locked')
        data = self.site.simple_request(**params).submit()
        query = data.get('query', {})
        users = {u.get('name'): u for u in query.get('users', [])}
        locked = {
            g.get('centralid') for g in query.get('globalusers', []) if g.get('locked') is True
        }
        # The API folds its input to NFC, and names the titles it changed.
        normalized = {n.get('from'): n.get('to') for n in query.get('normalized', [])}
        redirects = {}
        for r in query.get('redirects', []):
            target = self._user_page(r.get('to', ''))
            if target and 'tofragment' not in r:
                redirects[r.get('from')] = target
        answers = {}
        for name in names:
            nfc = unicodedata.normalize('NFC', name)
            entry = users.get(nfc) or users.get(name)
            if entry is not None and entry.get('invalid'):
                answers[name] = WikiUser(name, invalid=True)
                continue
            title = f'{user_ns}:{nfc}'
            title = normalized.get(title, normalized.get(f'{user_ns}:{name}', title))
            canonical = title.partition(':')[2] if with_pages else nfc
            entry = users.get(canonical) or entry or users.get(self.normalize(name))
            if entry is None:
                answers[name] = WikiUser(canonical or name, invalid=not canonical)
            elif entry.get('invalid'):
                answers[name] = WikiUser(name, invalid=True)
            elif entry.get('missing') or 'userid' not in entry:
                # The name as written, when the wiki spells it so: a list is long.
                same = name if entry['name'] == name else entry['name']
                answers[name] = WikiUser(same, moved_to=redirects.get(title, ''))
            else:
                central = self._central_id(entry)
                answers[name] = WikiUser(
                    entry['name'],
                    entry['userid'],
                    central,
                    bool(entry.get('emailable')),
                    temporary='temp' in entry.get('groups', ()),
                    locked=central is not None and central in locked,
                    registered=entry.get('registration') or '',
                )
        return answers

    def _central_id(self, entry: dict) -> int | None:
        """The central id of the global account that the account of *entry* (of
        ``list=users``) is attached to, under the wiki's provider; None without one.

        The provider gives a name's global account whether or not this wiki's
        account of that name is attached to it: only ``attachedlocal`` says that
        the account is that person's.
        """
        if not self.provider or not (entry.get('attachedlocal') or {}).get(self.provider):
            return None
        return int((entry.get('centralids') or {}).get(self.provider) or 0) or None

    def recheck(self, recipients: list[Recipient], optout: Iterable[str]) -> dict[int, Recipient]:
        """Ask again, by user id, whether *recipients* still take email, and read the
        opt-out lists (*optout*, names as :func:`.optout.optout_names` gives them) again.

        Who opted out meanwhile becomes ``opted-out``, who no longer takes email
        ``not-emailable``; a renamed account gets its new name. Returns the
        recipients that changed, by their place in *recipients*.
        """
        self.optout_names = list(optout)
        if isinstance(optout, Mapping):
            self.optout_where = dict(optout)
        self._optout_ids = None
        optout_ids = self.optout
        changed: dict[int, Recipient] = {}
        known = [(i, r) for i, r in enumerate(recipients) if r.userid is not None]
        for chunk in batches(known, self.batch):
            data = self.site.simple_request(
                action='query',
                list='users',
                usprop='emailable',
                ususerids=[r.userid for _, r in chunk],
                formatversion=2,
            ).submit()
            users = {u.get('userid'): u for u in data.get('query', {}).get('users', [])}
            for i, r in chunk:
                entry = users.get(r.userid)
                now = r
                if entry is None or entry.get('missing'):
                    now = replace(r, status=Status.NO_SUCH_USER, detail='the account is gone')
                else:
                    now = replace(r, name=entry.get('name', r.name))
                    if r.userid in optout_ids:
                        why = optout_ids[r.userid]
                        now = replace(
                            now,
                            status=Status.OPTED_OUT,
                            detail=f'{why}, since the run began'
                            if why
                            else 'joined an opt-out list during the run',
                        )
                    elif not entry.get('emailable') and r.status == Status.EMAILABLE:
                        now = replace(
                            now,
                            status=Status.NOT_EMAILABLE,
                            detail='turned email off during the run',
                        )
                if (now.name, now.status) != (r.name, r.status):
                    changed[i] = now
        return changed

    def owners(self, names: list[str]) -> dict[str, tuple[int, str]]:
        """Whose account each of *names* is now: {name: (user id, registration)}, batched.

        A name that no account has is left out of the answer.
        """
        found: dict[str, tuple[int, str]] = {}
        for chunk in batches(list(dict.fromkeys(names)), self.batch):
            data = self.site.simple_request(
                action='query',
                list='users',
                usprop='registration',
                ususers=several(chunk),
                formatversion=2,
            ).submit()
            for entry in data.get('query', {}).get('users', []):
                if entry.get('userid') and 'missing' not in entry and 'invalid' not in entry:
                    found[entry['name']] = (entry['userid'], entry.get('registration') or '')
        return found

    def renamed(self, name: str) -> WikiUser | None:
        """The account that *name*, which no account has, was renamed to, by the wiki's
        rename log; None when it says nothing. When the log gives the name to several
        accounts, the answer has no account and names them (``renamed_to``).

        :raises EmailUserError: the log cannot be read
        """
        self._lookup_renames([name])
        return self._renamed(name)

    def _renamed(self, name: str) -> WikiUser | None:
        """:meth:`renamed`, once :meth:`_lookup_renames` asked about *name*."""
        found = self._renames.get(name, ())
        if len(found) > 1:
            return WikiUser(name, renamed_to=tuple(u.name for u in found))
        return found[0] if found else None

    def renames(self, name: str) -> tuple[WikiUser, ...]:
        """Every account that *name* was renamed to, by the wiki's rename log.

        Each rename of *name* is followed forward in time, through the later renames
        of the name it gave, to the name that account has now: a name that was freed
        by a rename and registered again belongs to someone else. Usually one
        account; several when the name was renamed, registered again and renamed
        again. Asked once per name and run.

        :raises EmailUserError: the log cannot be read
        """
        self._lookup_renames([name])
        return self._renames.get(name, ())

    def _lookup_renames(self, names: list[str]) -> None:
        """Ask the rename log about *names* together, and the accounts it leads to in
        batches; the answers are kept for the run.

        :raises EmailUserError: the log cannot be read
        """
        todo = [n for n in names if n not in self._renames]
        if not todo:
            return
        finals = self.log.finals(todo)
        # Only the renamed are kept: a name the log knows no rename of costs nothing more.
        wanted = list(dict.fromkeys(f for each in finals.values() for f in each))
        answers: dict[str, WikiUser] = {}
        for chunk in batches(wanted, self.batch):
            answers.update(self._ask(chunk, with_pages=False))
        for name in finals:
            found: dict[int, WikiUser] = {}
            for final in finals[name]:
                user = answers.get(final)
                if user is not None and user.userid is not None:
                    found.setdefault(user.userid, replace(user, renamed_from=name))
            self._renames[name] = tuple(found.values())

    def _user_page(self, title: str) -> str | None:
        """The user whose root user page *title* is, in any of the wiki's names for it."""
        try:
            page = pywikibot.Page(self.site, title)
        except (ValueError, pywikibot.exceptions.Error):
            return None
        if page.namespace() != USER_NS or '/' in page.title(with_ns=False):
            return None
        return page.title(with_ns=False)


def _led(name: str, user: WikiUser) -> str:
    """How the name *name* of an opt-out list leads to *user*'s account: '' when it is
    the account's own name."""
    if user.renamed_from:
        return f'as {name}, renamed to {user.name}'
    if user.via:
        return f'as {name}, whose user page redirects to {user.name}'
    return ''


def _unsettled(user: WikiUser) -> bool:
    """Whether the wiki's answer for a name leaves its account to be found."""
    return user.userid is None and not user.invalid and not user.renamed_to


def _askable(name: str) -> bool:
    """Whether *name* can be asked about in a list parameter at all."""
    return bool(name.strip()) and SEPARATOR not in name


class _Lookup:
    """What a lookup of names has learnt so far (:meth:`Resolver._accounts`)."""

    def __init__(self) -> None:
        #: The wiki's answer for each name as written.
        self.found: dict[str, WikiUser] = {}
        #: Names the rename log renamed, waiting for the accounts it leads to.
        self.renamed: dict[str, WikiUser] = {}
        #: Names the log did not rename, waiting for where their user page redirects.
        self.moved: dict[str, str] = {}
        #: Names whose user page's redirect was followed.
        self.followed: set[str] = set()


class _Silent:
    """Progress that nobody sees: for callers that do not show the check's progress."""

    def begin(self, names: int, batch: int) -> None:
        pass

    def step(self, stage: str, done: int, total: int, expected: int = 0) -> None:
        pass

    def end(self) -> None:
        pass

    def stopped(self, recipients: list[Recipient]) -> None:
        pass


def _merge_values(kept: Recipient, other: Recipient, account: str) -> Recipient:
    """*kept* with the values of *other*, another name of the same account, added.

    Two rows that say different things for one account (an old name the rename
    log confirms and the new one) cannot both be right, and either could be
    someone else's data: the run is refused.

    :raises EmailUserError: with the names and what to do
    """
    clash = sorted(
        c for c in kept.values.keys() & other.values.keys() if kept.values[c] != other.values[c]
    )
    if clash:
        raise EmailUserError(
            f'{kept.written or kept.name} and {other.written or other.name} are both the '
            f'account {account}, with different values for {{{clash[0]}}}: keep one row for '
            'this account in the -users: files.'
        )
    return replace(kept, values={**other.values, **kept.values})
