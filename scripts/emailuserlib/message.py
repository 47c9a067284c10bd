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
from pathlib import Path

PLACEHOLDERS = ('username', 'sitename')

# A doubled-brace run is matched first so that it is skipped as a whole.
_BRACES = re.compile(r'\{\{.*?\}\}|\{([^{}\s]*)\}', re.DOTALL)


class MessageError(ValueError):
    """The message cannot be sent as given; the text says what to fix."""


#: The longest subject Special:EmailUser's form takes; longer ones may not fit into one
#: header line at a mail server, which then refuses the mail for every recipient.
SUBJECT_LIMIT = 200


def check_subject_length(subject: str, who: str = '') -> None:
    """Raise :class:`MessageError` when *subject* is longer than :data:`SUBJECT_LIMIT`."""
    if len(subject) > SUBJECT_LIMIT:
        whose = f' for {who}' if who else ''
        raise MessageError(
            f'The subject{whose} has {len(subject)} characters, more than the '
            f"{SUBJECT_LIMIT} that the wiki's own email form takes: shorten it."
        )


def check_template(template: str, what: str, columns: tuple[str, ...] = ()) -> None:
    """Raise :class:`MessageError` when *template* has an unknown placeholder.

    *columns* are the placeholders a -users: CSV file adds.
    """
    for name in placeholders(template):
        if name not in PLACEHOLDERS + columns:
            known = ', '.join('{%s}' % p for p in PLACEHOLDERS + columns)  # noqa: UP031
            raise MessageError(
                f'The {what} has an unknown placeholder {{{name}}}: use {known}, '
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

    def __post_init__(self) -> None:
        if not self.subject.strip():
            raise MessageError('The subject is empty: give one with -subject:TEXT.')
        if '\r' in self.subject or '\n' in self.subject:
            raise MessageError('The subject has a line break: give it on one line.')
        check_subject_length(self.subject)
        if not self.body.strip():
            raise MessageError(
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


def text_from_option(value: str) -> str:
    r"""The body given with -text:, where a literal ``\n`` is a line break."""
    return value.replace('\\n', '\n')


def text_from_file(path: str) -> str:
    """The body read from a UTF-8 file given with -textfile:."""
    try:
        return Path(path).read_text(encoding='utf-8')
    except FileNotFoundError:
        raise MessageError(
            f'The text file {path} does not exist: check the path given with -textfile:.'
        ) from None
    except UnicodeDecodeError as e:
        raise MessageError(
            f'The text file {path} is not valid UTF-8 (byte {e.start}): save it as UTF-8.'
        ) from None
    except OSError as e:
        raise MessageError(
            f'The text file {path} cannot be read ({e.strerror}): check its permissions.'
        ) from None
