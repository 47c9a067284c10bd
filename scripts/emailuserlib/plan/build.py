"""The campaign and what must hold before it is built.

:func:`build_campaign` makes the :class:`~.campaign.Campaign` of a run from the
settings, the recipients (as the journal left them), the message, the account
and the journal's answer. Before it is built, :func:`check_rows` and
:func:`check_recipients` refuse a message that cannot reach its recipients
whole: a value missing or empty, a value that would be published on a talk
page, a subject that a mail cannot carry.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.accounts import Central, Recipient, Status
from ..core.errors import EmailUserError
from ..core.words import braces, name_list
from ..journal.answer import Answer
from ..message.template import Message, check_subject_length
from ..options.settings import RateLimit, Settings
from ..recipients.editors import EditorSearch, check_values
from ..recipients.namelist import NameList
from ..recipients.resolve import Resolver
from ..wiki.account import Account
from ..wiki.site import capitalises_users, normalize_username
from .campaign import Campaign, delivers


def build_campaign(
    site,
    settings: Settings,
    message: Message,
    account: Account,
    answer: Answer,
    limits: Iterable[RateLimit],
    wiki: str,
    family: str = '',
    resolver: Resolver | None = None,
    search: EditorSearch | None = None,
    origin: str = '',
    central: Central | None = None,
    notes: Iterable[str] = (),
) -> Campaign:
    """The campaign of this run, from its parts: the only place one is made."""
    return Campaign(
        site,
        settings,
        message,
        account,
        tuple(answer.recipients),
        answer,
        tuple(limits),
        wiki,
        family,
        resolver,
        search,
        origin,
        central or Central(),
        tuple(notes),
    )


def _used_columns(message: Message, lists: NameList) -> list[str]:
    return [c for c in message.used_columns if c in lists.columns]


def check_rows(settings: Settings, message: Message, lists: NameList) -> None:
    """Refuse a message whose columns the -users: files cannot fill, or would publish.

    An empty value would make a sentence like "your team is ." reach the user;
    a talk page (-fallback:talk) is public, and would publish the value that the
    file gives one recipient (a code, an address) for everyone to read.
    {username}, {sitename} and what -editors fills in are public already.

    :raises EmailUserError: one sentence per row, or the columns and what to do
    """
    used = _used_columns(message, lists)
    problems = lists.empty_values(used) if used else []
    if problems:
        raise EmailUserError('\n'.join(problems))
    if settings.talk and used:
        which = braces(used)
        option = '-alsotalk' if settings.alsotalk else '-fallback:talk'
        raise EmailUserError(
            f'{option} posts the message on public talk pages, where {which} from the '
            f"-users: files would publish each row's value: leave out {option}, or "
            f'{which} from the message.'
        )


def check_published(settings: Settings, files: Iterable[str] = ()) -> None:
    """Refuse -logpage: when the recipients come from files, which may be private lists.

    *files* are the -file: lists of the generators.

    :raises EmailUserError: the files, and what to do
    """
    given = [f'-users:{p}' for p in settings.users] + [f'-file:{p}' for p in files]
    if settings.logpage and given:
        raise EmailUserError(
            f'-logpage:{settings.logpage} publishes who was reached, and the recipients come '
            f'from files ({name_list(given, 3)}), which may be private lists: leave out '
            '-logpage:, or give the recipients another way (a category, -group:).'
        )


def check_test_target(site, settings: Settings, message: Message, lists: NameList, account: str):
    """Refuse -test:USER when the test email would carry a row of the -users: files to
    someone else than the sending account.

    The test email is the first recipient's, with that recipient's values (a code,
    an address) filled in: only the operator, who has the files, may read them.

    :raises EmailUserError: the columns, and what to do
    """
    test = settings.test
    used = _used_columns(message, lists)
    if test is None or not test.to or not used:
        return
    first_letter = capitalises_users(site)
    if normalize_username(test.to, first_letter) == normalize_username(account, first_letter):
        return
    raise EmailUserError(
        f"-test:{test.to} sends the first recipient's email, with {braces(used)} from that "
        f"recipient's row of the -users: files, to {test.to}, who may not read it: send "
        'the test email to this account with -test alone.'
    )


def check_recipients(
    site,
    settings: Settings,
    message: Message,
    lists: NameList,
    recipients: Iterable[Recipient],
) -> None:
    """Refuse, before the first mail, a message that some recipient cannot get whole.

    A used column must have a value for everyone the run delivers to; each
    recipient's subject, and the subject of the sender's copy with -ccme (the
    wiki's "Copy of your message to ..." around it), must be one line that fits
    into one line of mail once the wiki encodes it.

    :raises EmailUserError: the recipients and what to do
    """
    wanted = delivers(settings)
    recipients = list(recipients)
    if settings.editors:
        check_values(message.used_columns, recipients, wanted)
    used = _used_columns(message, lists)
    if used:
        missing = [
            r.name for r in recipients if r.status in wanted and not set(used) <= set(r.values)
        ]
        if missing:
            are = 'recipients are' if len(missing) > 1 else 'recipient is'
            raise EmailUserError(
                f'{len(missing)} {are} not in the -users: files, so {braces(used)} has no '
                f'value for them ({name_list(missing, 5)}): add them to a file, or remove the '
                'placeholder.'
            )
    ccme = settings.ccme
    copy_subject = site.mediawiki_message('emailccsubject') if ccme else ''
    sitename = site.siteinfo['sitename']
    first = True
    for r in recipients:
        if r.status != Status.EMAILABLE:
            continue
        subject, _ = message.for_user(r.name, sitename, r.values)
        check_subject_length(subject, r.name)
        if copy_subject and (first or ccme != 'first'):
            copied = copy_subject.replace('$1', r.name).replace('$2', subject)
            check_subject_length(copied, f"the copy of {r.name}'s email (-ccme)")
        first = False
