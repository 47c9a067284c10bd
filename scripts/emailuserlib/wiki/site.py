"""What the script asks of the wiki everywhere: its names for things, its limits, its identity.

Names come from the wiki, not from English: namespace names, first-letter case,
the pattern of temporary account names, MassMessage's opt-out category. The wiki
is known by the identity it gives itself (:func:`wiki_identity`), however it is
reached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

import pywikibot
import requests
from pywikibot.exceptions import ServerError
from pywikibot.tools import first_upper, is_ip_address, is_ip_network

try:  # Pywikibot 11.5 renamed it
    from pywikibot.exceptions import ApiTimeoutError
except ImportError:  # pragma: no cover
    from pywikibot.exceptions import TimeoutError as ApiTimeoutError

#: What Pywikibot raises when the wiki cannot be reached, after its retries.
UNREACHABLE = (ServerError, ApiTimeoutError, ConnectionError, requests.RequestException)

USER_NS, USER_TALK_NS, CATEGORY_NS = 2, 3, 14

# The spaces MediaWiki folds into one in titles and user names.
_SPACES = re.compile('[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+')
#: The API's separator of the values of a list parameter given with it.
SEPARATOR = '\x1f'

#: MassMessage's opt-out category: the wiki's name for it is this message's text.
OPTOUT_MESSAGE = 'massmessage-optout-category'
#: Its name where the wiki does not define the message (MassMessage's English default).
OPTOUT_CATEGORY = 'Opted-out of message delivery'
#: The family of Wikimedia's wikis, which share an account's email limit.
WIKIMEDIA = 'wikimedia'
#: The name core MediaWiki gives its own central-id provider, whose ids are local user ids.
LOCAL_PROVIDER = 'local'


def wiki_identity(site) -> str:
    """The wiki as it names itself: server, script path and database id.

    Independent of how the wiki is reached (Pywikibot's family name, a proxy,
    http or https), and different for two wikis that share a family name.
    """
    info = site.siteinfo
    server = re.sub(r'^[a-z]+:', '', str(info.get('server', '')))
    return f'{server}{info.get("scriptpath", "")} {info.get("wikiid", "")}'


def wiki_name(identity: str) -> str:
    """The short name of the wiki *identity* (:func:`wiki_identity`) names: its
    database id (``dewiki``), else its address."""
    address, _, wikiid = identity.rpartition(' ')
    return wikiid or address or identity


def central_provider(site) -> str:
    """The name of the wiki's central-id provider (``CentralAuth`` on Wikimedia), or ''
    where it is core's ``local`` one, whose ids are the wiki's own user ids."""
    try:
        provider = str(site.siteinfo.get('centralidlookupprovider', expiry=False) or '')
    except KeyError:  # a wiki too old to say
        provider = ''
    return '' if provider == LOCAL_PROVIDER else provider


def offers_globalusers(site) -> bool:
    """Whether the wiki answers ``list=globalusers`` (CentralAuth's, which says who is
    locked): from the API's description of itself, which Pywikibot has read already."""
    try:
        return 'globalusers' in site._paraminfo.query_modules
    except Exception:  # no description: the locks are not asked for, and the plan says so
        return False


def family_of(site) -> str:
    """``wikimedia`` for a wiki of one of Pywikibot's Wikimedia families, else ''."""
    from pywikibot.family import WikimediaFamily

    return WIKIMEDIA if isinstance(site.family, WikimediaFamily) else ''


def normalize_username(name: str, first_letter: bool = True) -> str:
    """*name* as MediaWiki would likely spell it: NFC, one kind of space, and, where
    the wiki capitalises titles, the first letter (by MediaWiki's own table).

    For display and for telling repeats apart only: the wiki's answer decides.
    """
    name = unicodedata.normalize('NFC', name.replace('\u200e', '').replace('\u200f', ''))
    name = _SPACES.sub(' ', name).strip()
    return first_upper(name) if first_letter else name


def name_problem(name: str, temp_patterns: Iterable[tuple[str, str]] = ()) -> str | None:
    """Why *name* cannot be a registered account, or None when the wiki may say.

    *temp_patterns* are the wiki's patterns of temporary account names
    (:func:`temp_account_patterns`). Which characters a user name may hold is
    the wiki's to say: it is asked.
    """
    if not name:
        return 'empty user name'
    # An address or a network has a dot (IPv4) or a colon (IPv6); parsing a name that
    # has neither costs a raised exception, 100,000 times for a long list.
    if ('.' in name or ':' in name) and (is_ip_address(name) or is_ip_network(name)):
        return 'IP address'
    if is_temporary_name(name, temp_patterns):
        return 'temporary account'
    if SEPARATOR in name:
        return 'invalid user name'
    return None


def user_from_title(namespace: int, title: str) -> str | None:
    """The user a page in *namespace* titled *title* (without prefix) is about."""
    if namespace not in (USER_NS, USER_TALK_NS):
        return None
    return title.split('/', 1)[0]


def batches(items: list, size: int) -> Iterator[list]:
    """*items* in consecutive lists of at most *size*."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def several(values: list[str]) -> str:
    """A list parameter whose values may hold ``|``: MediaWiki's other separator."""
    return SEPARATOR + SEPARATOR.join(values)


def temp_account_patterns(site) -> list[tuple[str, str]]:
    """The (prefix, suffix) of each pattern of the wiki's temporary account names.

    MediaWiki 1.43 reports them as ``matchPatterns`` once temporary accounts are
    known to the wiki (also after they are switched off again); earlier
    versions as ``matchPattern`` or ``genPattern``; a wiki without them, nothing.
    """
    info = site.siteinfo.get('autocreatetempuser', expiry=False) or {}
    patterns = info.get('matchPatterns') or info.get('matchPattern')
    if not patterns and info.get('enabled'):
        patterns = info.get('genPattern')
    if isinstance(patterns, str):
        patterns = [patterns]
    return [tuple(str(p).split('$1', 1)) for p in patterns or () if '$1' in str(p)]


def is_temporary_name(name: str, patterns: Iterable[tuple[str, str]]) -> bool:
    """Whether *name* matches one of the (prefix, suffix) *patterns*, as MediaWiki's
    ``Pattern::isMatch`` does."""
    return any(
        name.startswith(prefix) and name.endswith(suffix) and len(name) >= len(prefix) + len(suffix)
        for prefix, suffix in patterns
        if prefix or suffix
    )


def batch_size(site) -> int:
    """How many names one ``list=users`` request may carry for this account."""
    try:
        high = site.logged_in() and site.has_right('apihighlimits')
    except Exception:  # anonymous or no user info: the low limit is always safe
        high = False
    return 500 if high else 50


def capitalises_users(site) -> bool:
    """Whether the wiki upper-cases the first letter of user names ($wgCapitalLinks)."""
    return site.namespaces[USER_NS].case == 'first-letter'


def user_prefixes(site) -> list[str]:
    """Every name the wiki has for its user namespace: local, canonical and aliases."""
    ns = site.namespaces[USER_NS]
    return [ns.custom_name, ns.canonical_name, *ns.aliases]


_optout_categories: dict[object, pywikibot.Category] = {}


def optout_category(site) -> pywikibot.Category:
    """MassMessage's opt-out category on *site*, named as the wiki names it.

    Asked of the wiki once per site: Pywikibot keeps no answer for a missing message.
    """
    if site not in _optout_categories:
        try:
            name = site.mediawiki_message(OPTOUT_MESSAGE).strip() or OPTOUT_CATEGORY
        except KeyError:  # MassMessage is not installed and the page is not defined
            name = OPTOUT_CATEGORY
        _optout_categories[site] = pywikibot.Category(site, name)
    return _optout_categories[site]
