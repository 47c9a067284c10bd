"""The message: where its subject and body come from, and how they are personalised.

Subject and body are templates: ``{username}``, ``{sitename}`` and the columns
of a -users: CSV file are replaced per recipient. Any other single-braced
``{word}`` is refused before anything is sent, because it is almost always a
typo; doubled braces such as ``{{tl}}`` pass through untouched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..core.errors import EmailUserError
from ..core.words import LINE_BREAK, PLACEHOLDER, braces

PLACEHOLDERS = ('username', 'sitename')

_BRACES = PLACEHOLDER


#: The longest subject Special:EmailUser's form takes.
SUBJECT_LIMIT = 200
#: The longest line RFC 5322 allows in a mail, without its CR LF. MediaWiki writes the
#: subject as one header line, never folded, so a longer one is refused by the mail
#: server (aiosmtpd, Postfix, Exim) after the wiki has taken the request.
MAIL_LINE_LIMIT = 998
_HEADER = 'Subject: '
# MediaWiki's UserMailer::quotedPrintable(): a subject with one of these bytes is written
# as one =?UTF-8?Q?...?= word, where these and '.,\t ?_' take three characters each.
_ILLEGAL = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0x100)])
_ILLEGAL |= {ord('=')}
_ESCAPED = _ILLEGAL | {ord(c) for c in '.,\t ?_'}
_ENCODED_WORD = len('=?UTF-8?Q?') + len('?=')


def subject_line_length(subject: str) -> int:
    """The length of the ``Subject:`` line that MediaWiki writes for *subject*."""
    data = subject.encode('utf-8')
    if not any(b in _ILLEGAL for b in data):
        return len(_HEADER) + len(data)
    return len(_HEADER) + _ENCODED_WORD + sum(3 if b in _ESCAPED else 1 for b in data)


def subject_fit(subject: str) -> int:
    """How many of the first characters of *subject* fit into one mail line once encoded."""
    low, high = 0, len(subject)
    while low < high:  # the length only grows with each character
        middle = (low + high + 1) // 2
        if subject_line_length(subject[:middle]) <= MAIL_LINE_LIMIT:
            low = middle
        else:
            high = middle - 1
    return low


def check_subject_length(subject: str, who: str = '') -> None:
    """Raise :class:`EmailUserError` when *subject* cannot go out as the subject of one mail.

    It must be one line, no longer than :data:`SUBJECT_LIMIT` characters, and fit into
    one line of mail as MediaWiki encodes it (:data:`MAIL_LINE_LIMIT`).
    """
    whose = f' for {who}' if who else ''
    if LINE_BREAK.search(subject):
        raise EmailUserError(
            f'The subject{whose} has a line break, which would end the mail header: '
            'give it on one line.'
        )
    if len(subject) > SUBJECT_LIMIT:
        raise EmailUserError(
            f'The subject{whose} has {len(subject)} characters, more than the '
            f"{SUBJECT_LIMIT} that the wiki's own email form takes: shorten it."
        )
    if subject_line_length(subject) > MAIL_LINE_LIMIT:
        fit = subject_fit(subject)
        raise EmailUserError(
            f'The subject{whose} has {len(subject)} characters, and a mail server takes '
            f'only the first {fit} of them once the wiki encodes the subject for mail '
            f'(three places for each UTF-8 byte of a character outside ASCII, in a line of at most '
            f'{MAIL_LINE_LIMIT}): shorten it to {fit} characters or fewer.'
        )


def check_template(template: str, what: str, columns: tuple[str, ...] = ()) -> None:
    """Raise :class:`EmailUserError` when *template* has an unknown placeholder.

    *columns* are the placeholders a -users: CSV file adds.
    """
    for name in placeholders(template):
        if name not in PLACEHOLDERS + columns:
            raise EmailUserError(
                f'The {what} has an unknown placeholder {{{name}}}: use '
                f'{braces(PLACEHOLDERS + columns)}, '
                'or double the braces to keep them as they are.'
            )


def placeholders(template: str) -> list[str]:
    """The single-braced placeholders of *template*, in order."""
    return [m.group(1) for m in _BRACES.finditer(template) if m.group(1) is not None]


def render(template: str, **values: str) -> str:
    """Replace the placeholders of *template* with *values*."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return match.group(0) if name is None else values[name]

    return _BRACES.sub(replace, template)


@dataclass(frozen=True)
class PageSource:
    """A page whose text is sent: as the run names it, as the wiki rendered it, and who
    made the revision that was rendered."""

    #: The title the run asked for (-textpage:, or the page of a row), as the wiki writes it.
    title: str
    #: The page the wiki rendered: *title*, or where its redirect leads.
    shown: str
    revid: int = 0
    #: Who made that revision; '' when the wiki hides it.
    user: str = ''
    #: When, as the API gives it (ISO 8601, UTC); '' when not known.
    timestamp: str = ''


@dataclass(frozen=True)
class Message:
    """A subject and body template pair, checked when created."""

    subject: str
    body: str
    #: Placeholders from the columns of a -users: CSV file, filled in per recipient.
    columns: tuple[str, ...] = ()
    #: -textpage: with columns in its title (a page per language): the title's template,
    #: and for each title it gives, the page used (the base page where it does not
    #: exist), that page's body and whether it is the base page. *body* is then the
    #: first of them.
    page_template: str = ''
    pages: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    #: The pages whose text is sent, by the title the run asked for (the page used, for
    #: a page per language): -textpage:'s one page, or the pages of *pages*.
    sources: dict[str, PageSource] = field(default_factory=dict)
    #: With a page per language, the base page's last edit, where it exists.
    base: PageSource | None = None

    def __post_init__(self) -> None:
        if not self.subject.strip():
            raise EmailUserError('The subject is empty: give one with -subject:TEXT.')
        check_subject_length(self.subject)
        if not self.body.strip():
            raise EmailUserError(
                'The message body is empty: give it with -text:, -textfile: or -textpage:.'
            )
        check_template(self.subject, 'subject', self.columns)
        check_template(self.body, 'message body', self.columns)
        for page, body, _ in self.pages.values():
            check_template(body, f'page {page}', self.columns)

    @property
    def used_columns(self) -> list[str]:
        """The CSV columns that the subject, body or page title uses, each once."""
        used = placeholders(self.subject) + placeholders(self.page_template)
        for body in [self.body, *(page[1] for page in self.pages.values())]:
            used += placeholders(body)
        return [c for c in self.columns if c in used]

    @property
    def text(self) -> str:
        """The body, or every page's body with its title: what tells two texts apart."""
        if not self.pages:
            return self.body
        return json.dumps(sorted({p[:2] for p in self.pages.values()}), ensure_ascii=False)

    def page_for(self, values: dict[str, str] | None = None) -> str:
        """The page whose body a recipient with *values* gets ('' without pages)."""
        if not self.pages:
            return ''
        return self.pages[render(self.page_template, **(values or {}))][0]

    def for_user(
        self, username: str, sitename: str, values: dict[str, str] | None = None
    ) -> tuple[str, str]:
        """The subject and body that *username* receives; *values* fill the CSV columns."""
        body = self.body
        if self.pages:
            body = self.pages[render(self.page_template, **(values or {}))][1]
        values = {**(values or {}), 'username': username, 'sitename': sitename}
        return render(self.subject, **values), render(body, **values)
