"""The wiki's rename log: which accounts a name that no account has was renamed to.

Only administrators write the log. Each rename of a name is followed forward in
time, through the later renames of the name it gave, to the name that account
has now: a name that was freed by a rename and registered again belongs to
someone else, and a name can lead to several accounts.

The log can be asked two ways: one request per name (``letitle``), or the log
itself, page by page from its oldest entry (``lenamespace``; 500 entries a page,
5,000 with ``apihighlimits``), which answers every name at once. The log is
read on while the pages read are fewer than the names still to ask (as far as
the caller can tell: a long list is asked about in batches), and the names of
the moment are asked one request each when it turns out longer; a later batch
reads on from there. So a run costs at most about twice the cheaper of the two
ways. What the log said is kept for the run: a read keeps the renames of every
name :meth:`RenameLog.expect` announced, so the names that come later in the
run (the rest of a long list, opt-out lists) cost nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pywikibot.exceptions import APIError
from pywikibot.exceptions import Error as PywikibotError

#: The user namespace, where the log keeps its entries (the renamed name's user page).
USER_NS = 2
#: What a wiki without renames answers (no such log type): nobody was renamed there.
NO_RENAMES = ('badvalue', 'unknown_letype')

#: (new name, log id) of one rename.
Event = tuple[str, int]


def _no_progress(done: int, total: int) -> None:
    pass


class RenameLog:
    """What the wiki's rename log says about names, asked as cheaply as the log allows.

    :param site: the pywikibot site
    :param user_ns: the wiki's name for the user namespace, for ``letitle``
    :param error: makes the exception to raise when the log cannot be read, from
        the name that could not be looked up and the wiki's error
    :param hops: how many later renames of a renamed account are followed
    """

    def __init__(
        self,
        site,
        user_ns: str,
        error: Callable[[str, Exception], Exception],
        hops: int = 5,
    ) -> None:
        self.site = site
        self.user_ns = user_ns
        self.error = error
        self.hops = hops
        #: Names whose renames a read of the whole log keeps, besides those asked.
        self._expected: set[str] = set()
        #: Names announced while a read is under way: the next read keeps them.
        self._late: set[str] = set()
        #: Names whose renames ``_events`` holds in full, from the last read of the log.
        self._covered: set[str] = set()
        #: Renames of the covered names, and of the names they gave from then on.
        self._events: dict[str, list[Event]] = {}
        #: A read of the log under way: (names it keeps, renames so far, where it
        #: goes on, pages read); None when none is.
        self._reading: tuple[set[str], dict[str, list[Event]], dict, int] | None = None
        #: How many pages the whole log took, once it was read to its end.
        self._pages: int | None = None
        #: What the log said of the names asked one request each.
        self._asked: dict[str, tuple[str, ...]] = {}
        #: Requests made, by way: ``pages`` of the whole log, ``names`` one name each.
        self.requests = {'pages': 0, 'names': 0}

    def expect(self, names: Iterable[str]) -> None:
        """Announce *names* (as the wiki spells user names) that may be asked about later
        in this run: a read of the whole log keeps their renames too."""
        (self._expected if self._reading is None else self._late).update(names)

    def finals(
        self,
        names: Iterable[str],
        still: int = 0,
        pages: Callable[[int, int], None] = _no_progress,
        asked: Callable[[int, int], None] = _no_progress,
    ) -> dict[str, tuple[str, ...]]:
        """For each of *names* that was renamed, the names its renames lead to now,
        oldest rename first; the others are left out (a list is long).

        *names* are as the wiki spells user names, of names without an account;
        *still* is how many names the caller expects to ask about in all, these
        included (at least these). *pages* is told each page of the log read
        (pages read, names still to ask), *asked* each name asked on its own
        (names asked, names to ask). Each name costs a request at most once a run.

        :raises Exception: what *error* makes, when the log cannot be read
        """
        names = names if isinstance(names, list) else list(names)
        uncovered = [n for n in names if n not in self._covered and n not in self._asked]
        if uncovered:
            self._read(uncovered, max(still, len(uncovered)), pages)
        alone = list(dict.fromkeys(n for n in uncovered if n not in self._covered))
        if alone:
            asked(0, len(alone))
        for done, name in enumerate(alone, 1):
            self._asked[name] = self._follow(name, self._ask)
            asked(done, len(alone))
        return {n: found for n in names if (found := self.known(n))}

    def known(self, name: str) -> tuple[str, ...] | None:
        """What the log says of *name*, as far as this run asked it; None before."""
        if name in self._asked:
            return self._asked[name]
        if name in self._covered:
            return self._follow(name, self._stored)
        return None

    def _follow(self, name: str, events: Callable[[str, int], list[Event]]) -> tuple[str, ...]:
        """The names the renames of *name* lead to, each followed up to ``hops`` times."""
        finals = []
        for new, logid in events(name, 0):
            for _ in range(self.hops):
                later = events(new, logid)
                if not later:
                    finals.append(new)
                    break
                new, logid = later[0]
        return tuple(finals)  # most are the one empty tuple

    def _stored(self, name: str, after: int) -> list[Event]:
        return [(new, logid) for new, logid in self._events.get(name, ()) if logid > after]

    def _read(self, names: list[str], still: int, progress: Callable[[int, int], None]) -> None:
        """Read the log on while its pages read are fewer than *still*, the names still to
        ask; once at its end, it covers *names* (those it was started for) and the
        expected and covered names.

        :raises Exception: what ``error`` makes, when the log cannot be read
        """
        if self._reading is None:
            if self._pages is not None and self._pages >= still:
                return  # read once already: asking these on their own costs less
            # Most names were announced: only the others are kept apart.
            extra = {n for n in names if n not in self._expected and n not in self._covered}
            self._reading = (extra, {}, {}, 0)
        extra, events, more, read = self._reading
        params = {
            'action': 'query',
            'list': 'logevents',
            'letype': 'renameuser',
            'lenamespace': USER_NS,
            'leprop': 'ids|title|details',
            'ledir': 'newer',
            'lelimit': 'max',
            'formatversion': 2,
        }
        while read < still:
            data = self._submit(names[0], {**params, **more})
            read += 1
            self.requests['pages'] += 1
            for event in (data or {}).get('query', {}).get('logevents', []):
                new = (event.get('params') or {}).get('newuser')
                title = event.get('title')
                if not new or not title:  # an entry hidden from this account
                    continue
                old = title.partition(':')[2]
                # Forward in time: a name matters from the rename that gave it on.
                if old in events or old in extra or old in self._expected or old in self._covered:
                    events.setdefault(old, []).append((new, int(event.get('logid') or 0)))
                    events.setdefault(new, [])
            progress(read, still)
            more = (data or {}).get('continue') or {}
            if not more:  # the end of the log (None: a wiki without renames)
                self._reading = None
                self._pages = read
                self._events = events
                # Kept in the larger set of the two: a long list is not copied.
                covered, other = self._covered, self._expected
                if len(other) > len(covered):
                    covered, other = other, covered
                covered.update(other)
                covered.update(extra)
                self._covered, self._expected, self._late = covered, self._late, set()
                return
            self._reading = (extra, events, more, read)

    def _ask(self, name: str, after: int) -> list[Event]:
        """(new name, log id) of each rename of *name* logged after the entry *after*,
        oldest first: one request.

        :raises Exception: what ``error`` makes, when the log cannot be read
        """
        self.requests['names'] += 1
        data = self._submit(
            name,
            {
                'action': 'query',
                'list': 'logevents',
                'letype': 'renameuser',
                'letitle': f'{self.user_ns}:{name}',
                'leprop': 'ids|details',
                'ledir': 'newer',
                'lelimit': 'max',
                'formatversion': 2,
            },
        )
        events = []
        for event in (data or {}).get('query', {}).get('logevents', []):
            new = (event.get('params') or {}).get('newuser')
            logid = int(event.get('logid') or 0)
            if new and logid > after:
                events.append((new, logid))
        return events

    def _submit(self, name: str, params: dict) -> dict | None:
        """The wiki's answer, or None on a wiki without renames.

        :raises Exception: what ``error`` makes for *name*, when the log cannot be read
        """
        try:
            return self.site.simple_request(**params).submit()
        except APIError as e:
            if e.code in NO_RENAMES:
                return None
            raise self.error(name, e) from None
        except PywikibotError as e:
            raise self.error(name, e) from None
