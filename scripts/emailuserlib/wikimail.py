"""What the wiki adds to every email: its own From, the sender's Reply-To, its footer.

MediaWiki's "Email this user" (``SpecialEmailUser::submit`` in 1.39,
``EmailUser::sendEmailUnsafe`` in 1.43) sends the text with its trailing
whitespace removed, then ``"\\n\\n-- \\n"`` and the message ``emailuserfooter``
(sender and recipient as its parameters), and, where Special:Mute is enabled,
a line with ``specialmute-email-footer`` (the address of Special:Mute/SENDER and
the sender). With ``$wgUserEmailUseReplyTo`` (the default, and Wikimedia's) the
``From:`` is the wiki's own address, named by the message ``emailsender``, and
the sender's address is the ``Reply-To:`` that every recipient sees. Every
message is in the wiki's content language, read here with ``meta=allmessages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from pywikibot.exceptions import Error as PywikibotError

#: The line MediaWiki puts between the text and its footer.
SIGNATURE_SEPARATOR = '-- '


@dataclass
class WikiMail:
    """How the wiki frames each email of this account."""

    sitename: str
    wiki_name: str  # the From's name: the message emailsender
    sender: str
    sender_address: str  # '' when the wiki does not show it to the account
    mute_url: str = ''  # Special:Mute/SENDER, where the wiki has it
    site: object = None

    def footer(self, recipient: str) -> str:
        """The footer the wiki appends to the email to *recipient*, or '' if unknown."""
        if self.site is None:
            return ''
        text = _message(self.site, 'emailuserfooter', [self.sender, recipient])
        if text and self.mute_url:
            mute = _message(self.site, 'specialmute-email-footer', [self.mute_url, self.sender])
            if mute:
                text += '\n' + mute
        return text

    def as_received(self, body: str, recipient: str) -> str:
        """*body* as *recipient* reads it: trimmed, the separator, the wiki's footer."""
        footer = self.footer(recipient)
        if not footer:
            return body
        return f'{body.rstrip()}\n\n{SIGNATURE_SEPARATOR}\n{footer}'


def _message(site, name: str, args: list[str]) -> str:
    """The wiki's message *name* with *args*, parsed, in the wiki's content language."""
    try:
        data = site.simple_request(
            action='query',
            meta='allmessages',
            ammessages=name,
            amargs='|'.join(args),
            amenableparser=True,
            amlang=site.siteinfo.get('lang') or site.lang,
            formatversion=2,
        ).submit()
    except PywikibotError:
        return ''
    for message in data.get('query', {}).get('allmessages', []):
        if message.get('name') == name and 'missing' not in message:
            return str(message.get('content', message.get('*', '')))
    return ''


def _mute_url(site, sender: str) -> str:
    """The canonical address of Special:Mute/SENDER, or '' where the wiki has no Special:Mute."""
    aliases = site.siteinfo.get('specialpagealiases', expiry=False) or []
    names = {a.get('realname'): a.get('aliases') or [] for a in aliases if isinstance(a, dict)}
    if 'Mute' not in names:
        return ''
    local = (names['Mute'] or ['Mute'])[0]
    special = site.namespace(-1)
    title = f'{special}:{local}/{sender}'.replace(' ', '_')
    info = site.siteinfo
    server = str(info.get('server', ''))
    if server.startswith('//'):
        server = 'https:' + server
    path = str(info.get('articlepath', '/index.php/$1'))
    return server + path.replace('$1', quote(title, safe=':/!$()*,;@'))


def wiki_mail(site, sender: str, sender_address: str | None) -> WikiMail:
    """What the wiki adds to this account's emails (messages read when needed)."""
    sitename = str(site.siteinfo['sitename'])
    wiki_name = _message(site, 'emailsender', []) or sitename
    try:
        mute = _mute_url(site, sender)
    except (PywikibotError, KeyError, TypeError):
        mute = ''
    return WikiMail(sitename, wiki_name, sender, sender_address or '', mute, site)
