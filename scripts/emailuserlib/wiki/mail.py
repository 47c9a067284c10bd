"""What the wiki adds to every email: its own From, the sender's Reply-To, its footer.

MediaWiki's "Email this user" (``SpecialEmailUser::submit`` in 1.39,
``EmailUser::sendEmailUnsafe`` in 1.43) sends the text with its trailing
whitespace removed, then ``"\\n\\n-- \\n"`` and the message ``emailuserfooter``
(sender and recipient as its parameters), and, where Special:Mute is enabled,
a line with ``specialmute-email-footer`` (the address of Special:Mute/SENDER and
the sender). With ``$wgUserEmailUseReplyTo`` (the default, and Wikimedia's) the
``From:`` is the wiki's own address, named by the message ``emailsender``, and
the sender's address is the ``Reply-To:`` that every recipient sees; without
it, the ``From:`` is the sender's own address. The API does not say which a wiki
does: only on Wikimedia's wikis, whose setting is public, is it known
(:attr:`WikiMail.from_wiki`). Every message is in the wiki's content language,
read here with ``meta=allmessages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    #: The From: is known to be the wiki's own address, the sender's the Reply-To:
    #: ($wgUserEmailUseReplyTo, which the API does not report: known on Wikimedia's wikis).
    from_wiki: bool = False
    #: The wiki's emailuserfooter by recipient, as read so far.
    footers: dict = field(default_factory=dict)
    mute_footer: str | None = None

    def footer(self, recipient: str) -> str:
        """The footer the wiki appends to the email to *recipient*, or '' if unknown."""
        if recipient not in self.footers and self.site is not None:
            found = _messages(self.site, ['emailuserfooter'], [self.sender, recipient])
            self.footers[recipient] = found.get('emailuserfooter', '')
        text = self.footers.get(recipient, '')
        if text and self.mute_url:
            if self.mute_footer is None:
                name = 'specialmute-email-footer'
                found = _messages(self.site, [name], [self.mute_url, self.sender])
                self.mute_footer = found.get(name, '')
            if self.mute_footer:
                text += '\n' + self.mute_footer
        return text

    def as_received(self, body: str, recipient: str) -> str:
        """*body* as *recipient* reads it: trimmed, the separator, the wiki's footer."""
        footer = self.footer(recipient)
        if not footer:
            return body
        return f'{body.rstrip()}\n\n{SIGNATURE_SEPARATOR}\n{footer}'


def _messages(site, names: list[str], args: list[str]) -> dict[str, str]:
    """The wiki's messages *names* with *args*, parsed, in the wiki's content language."""
    try:
        data = site.simple_request(
            action='query',
            meta='allmessages',
            ammessages='|'.join(names),
            amargs='|'.join(args),
            amenableparser=True,
            amlang=site.siteinfo.get('lang') or site.lang,
            formatversion=2,
        ).submit()
    except PywikibotError:
        return {}
    return {
        str(message.get('name')): str(message.get('content', message.get('*', '')))
        for message in data.get('query', {}).get('allmessages', [])
        if 'missing' not in message
    }


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


def wiki_mail(
    site, sender: str, sender_address: str | None, recipient: str, from_wiki: bool = False
) -> WikiMail:
    """What the wiki adds to this account's emails; the footer to *recipient* read too.

    *from_wiki*: the wiki is known to send from its own address with the sender's
    as Reply-To (Wikimedia's wikis).

    One request reads the wiki's name and the footer (emailsender has no
    parameters, so the footer's do not change it); one more reads which
    special pages the wiki has, and a third the Special:Mute line where it has one.
    """
    sitename = str(site.siteinfo['sitename'])
    found = _messages(site, ['emailsender', 'emailuserfooter'], [sender, recipient])
    try:
        mute = _mute_url(site, sender)
    except (PywikibotError, KeyError, TypeError):
        mute = ''
    mail = WikiMail(
        sitename,
        found.get('emailsender') or sitename,
        sender,
        sender_address or '',
        mute,
        site,
        from_wiki=from_wiki,
    )
    if 'emailuserfooter' in found:
        mail.footers[recipient] = found['emailuserfooter']
    return mail
