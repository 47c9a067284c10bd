"""Who lives on the test wiki: users in known states and the pages that list them."""

from __future__ import annotations

DOMAIN = 'recipients.test'
PASSWORD = 'Sender-pass-93jd8s7q'

#: Recipients who take email, by user name.
EMAILABLE = {
    'Alice': f'alice@{DOMAIN}',
    'Bob': f'bob@{DOMAIN}',
    'Carol': f'carol@{DOMAIN}',
    'Grace Hopper': f'grace@{DOMAIN}',  # a name with a space
    'Jürgen Müller': f'juergen@{DOMAIN}',  # a non-ASCII name
    'Heidi': f'heidi@{DOMAIN}',  # the renamed account; User:Old Heidi redirects here
    # Their talk pages are in MassMessage's opt-out category: Mia's by its English name,
    # Nina's (on the German wiki only) by the German wiki's own name for it.
    'Mia': f'mia@{DOMAIN}',
    'Nina': f'nina@{DOMAIN}',
}
MASSMESSAGE_OPTED_OUT = 'Mia'
MASSMESSAGE_OPTED_OUT_DE = 'Nina'
OPTED_OUT = 'Dave'  # has an address, but disabled email from other users
NO_ADDRESS = 'Erin'  # never gave an address; her talk page says {{nobots}}
NO_ADDRESS_POSTABLE = 'Frank'  # never gave an address; a talk page message may reach him
GHOST = 'Ghost'  # has a user page but no account
MUTES_SENDER = 'Ivan'  # takes email, but muted Sender (email-blacklist)
REFUSES_NEWCOMERS = 'Judy'  # takes email, but not from new users (email-allow-new-users)
RENAMED_FROM = 'Old Heidi'
CROWD = [f'Crowd {i:02d}' for i in range(1, 61)]  # more than one batch of 50

#: Many plain recipients, created in one transaction: every tenth has no address.
BULK_PREFIX = 'Bulk'
BULK_COUNT = 10_000
BULK_NO_EMAIL_EVERY = 10


def bulk_names(count: int = BULK_COUNT) -> list[str]:
    return [f'{BULK_PREFIX} {i:05d}' for i in range(1, count + 1)]


#: Senders: name -> (email or None, groups).
SENDERS = {
    'Sender': ('sender@senders.test', ['massmailer']),
    'BotSender': ('botsender@senders.test', ['bot']),
    'LimitedSender': ('limited@senders.test', []),  # 3 emails a day, like any plain user
    'BurstSender': ('burst@senders.test', ['burstmailer']),  # 2 emails per 6 seconds
    'BlockedSender': ('blocked@senders.test', []),
    'NoAddressSender': (None, []),
    'NoRightSender': ('noright@senders.test', ['nomailer']),  # lacks the sendemail right
    'NewSender': ('new@senders.test', ['newcomer']),  # never autoconfirmed: a new user
    'ThrottledSender': ('throttled@senders.test', []),  # like LimitedSender, for the probe
}

#: Bot passwords of Sender, by app id: the grants of each. MediaWiki takes a login
#: password for a bot password only when it has at least 32 characters from [0-9a-w],
#: as Special:BotPasswords makes them; anything else is tried as the main account's
#: password, and refused.
BOT_PASSWORDS = {
    'mail': ['basic', 'sendemail'],
    'nomail': ['basic'],
    'emailuser': ['basic', 'sendemail'],  # the README's quick start names it so
}
BOT_PASSWORD = '5k2m9q4r7t1v3w8n6p0c5h2j9g4d7f1b'
#: A bot password stored as it is, but too short to be taken for one (31 characters).
MISSHAPEN_BOT_PASSWORD = ('short', 'botpasswordsecret1234567890abcd')

CATEGORY = 'Category:Event participants'
EMPTY_CATEGORY = 'Category:Empty event'  # a category page without members
OPTOUT_CATEGORY = 'Category:Opted-out of message delivery'
INVITATION_PAGE = 'Project:Invitation'
CROWD_PAGE = 'Project:Crowd'
#: A campaign to everyone on CROWD_PAGE, without its body (-text:), sent without asking.
CROWD_CAMPAIGN = [f'-links:{CROWD_PAGE}', '-subject:Crowd news for {username}', '-always']
MIXED_PAGE = 'Project:Mixed list'
ARTICLE = 'Event report'
#: A message page as readers see it: a template, a magic word, an external and an
#: internal link; REGISTRATION_REDIRECT redirects to it.
REGISTRATION_PAGE = 'Project:Registration'
REGISTRATION_REDIRECT = 'Project:Register'
REGISTRATION_TEMPLATE = 'Template:Event footer'
REGISTRATION_URL = 'https://example.org/register'
#: A message page with a table, which plain text cannot show.
TABLE_PAGE = 'Project:Schedule'

#: A message page per language, as Translate lays them out: WELCOME_PAGE/<code>; there
#: is no Swedish one, so Swedish readers get WELCOME_PAGE itself.
WELCOME_PAGE = 'Project:Welcome'
WELCOME_TEXTS = {
    '': 'Welcome, {username}!',
    'de': 'Willkommen, {username}!',
    'fr': 'Bienvenue, {username}.',
    'nl': 'Welkom, {username}!',
}

#: What -check says of each member of CATEGORY, in the order the category lists them.
CATEGORY_STATUS = {
    'Alice': 'emailable',
    'Bob': 'emailable',
    'Carol': 'emailable',
    'Grace Hopper': 'emailable',
    'Jürgen Müller': 'emailable',
    'Heidi': 'emailable',  # through the redirect of User:Old Heidi
    'Dave': 'not-emailable',
    'Erin': 'not-emailable',
    'Ghost': 'no-such-user',
    'Event report': 'not-a-user',
}
#: The members of CATEGORY who are emailed.
CATEGORY_RECIPIENTS = [n for n, s in CATEGORY_STATUS.items() if s == 'emailable']

_cat = f'[[{CATEGORY}]]'


def crowd_address(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


def spec() -> dict:
    """The fixture specification that tests/harness/fixtures.php applies."""
    users = [{'name': n, 'email': e} for n, e in EMAILABLE.items()]
    users += [
        {'name': OPTED_OUT, 'email': f'dave@{DOMAIN}', 'options': {'disablemail': 1}},
        {'name': NO_ADDRESS},
        {'name': NO_ADDRESS_POSTABLE},
        {'name': MUTES_SENDER, 'email': f'ivan@{DOMAIN}', 'mute': ['Sender']},
        {
            'name': REFUSES_NEWCOMERS,
            'email': f'judy@{DOMAIN}',
            'options': {'email-allow-new-users': 0},
        },
    ]
    users += [{'name': n, 'email': crowd_address(n)} for n in CROWD]
    for name, (address, groups) in SENDERS.items():
        user = {'name': name, 'password': PASSWORD, 'groups': groups}
        if address:
            user['email'] = address
        users.append(user)
    pages = [
        # The category mixes every kind of page a generator can yield.
        {'title': 'User:Alice', 'text': f'Hello, I am Alice. {_cat}'},
        {'title': 'User talk:Alice', 'text': f'Talk to Alice. {_cat}'},
        {'title': 'User talk:Bob', 'text': f'Bob talk. {_cat}'},
        {'title': 'User:Carol/Notes', 'text': f'Carol notes. {_cat}'},
        {'title': 'User:Grace Hopper', 'text': f'Grace. {_cat}'},
        {'title': 'User:Jürgen Müller', 'text': f'Jürgen. {_cat}'},
        {'title': f'User:{OPTED_OUT}', 'text': f'Dave. {_cat}'},
        {'title': f'User:{NO_ADDRESS}', 'text': f'Erin. {_cat}'},
        {'title': f'User:{GHOST}', 'text': f'Nobody here. {_cat}'},
        {'title': 'User:Heidi', 'text': 'Heidi, formerly Old Heidi.'},
        {'title': f'User:{RENAMED_FROM}', 'text': f'#REDIRECT [[User:Heidi]]\n{_cat}'},
        {'title': ARTICLE, 'text': f'An article about the event. {_cat}'},
        {'title': 'User:Carol/No mail', 'text': f'[[{OPTOUT_CATEGORY}]]'},
        {'title': f'User talk:{NO_ADDRESS}', 'text': '{{nobots}}\nPlease no bot messages.'},
        {'title': f'User talk:{OPTED_OUT}', 'text': f'No mass messages. [[{OPTOUT_CATEGORY}]]'},
        {'title': f'User talk:{MASSMESSAGE_OPTED_OUT}', 'text': f'No. [[{OPTOUT_CATEGORY}]]'},
        # Templates before the pages that use them: a page's rendering is cached.
        {'title': 'Template:Some template', 'text': 'See you there!'},
        {
            'title': INVITATION_PAGE,
            'text': "Hello '''{username}''',\n\nread "
            f'[[{ARTICLE}|the report]]'
            ' on {sitename}.\n{{Some template}}',
        },
        {'title': EMPTY_CATEGORY, 'text': 'Nobody has signed up yet.'},
        {'title': REGISTRATION_TEMPLATE, 'text': "''Organised by the events team.''"},
        {
            'title': REGISTRATION_PAGE,
            'text': 'Hello {username},\n\nthe meetup on {{SITENAME}} is open: '
            f'[{REGISTRATION_URL} Register here] and read [[{ARTICLE}|the report]].\n\n'
            '{{Event footer}}',
        },
        {'title': REGISTRATION_REDIRECT, 'text': f'#REDIRECT [[{REGISTRATION_PAGE}]]'},
        {
            'title': TABLE_PAGE,
            'text': 'Hello {username}, the schedule:\n{|\n|-\n| Saturday || Meetup\n|}',
        },
        {'title': CROWD_PAGE, 'text': '\n'.join(f'* [[User:{n}]]' for n in CROWD)},
        *(
            {'title': f'{WELCOME_PAGE}/{code}' if code else WELCOME_PAGE, 'text': text}
            for code, text in WELCOME_TEXTS.items()
        ),
        {
            'title': MIXED_PAGE,
            'text': '\n'.join(
                [
                    '* [[User:Alice]]',
                    '* [[User talk:Alice]]',
                    '* [[User:Bob/Sandbox]]',
                    f'* [[User:{OPTED_OUT}]]',
                    f'* [[User:{GHOST}]]',
                    f'* [[{ARTICLE}]]',
                ]
            ),
        },
    ]
    return {
        'users': users,
        'blocks': [{'target': 'BlockedSender', 'email': True}],
        'bot_passwords': [
            *(
                {'user': 'Sender', 'appid': appid, 'grants': grants, 'password': BOT_PASSWORD}
                for appid, grants in BOT_PASSWORDS.items()
            ),
            {
                'user': 'Sender',
                'appid': MISSHAPEN_BOT_PASSWORD[0],
                'grants': BOT_PASSWORDS['mail'],
                'password': MISSHAPEN_BOT_PASSWORD[1],
            },
        ],
        'bulk': {
            'prefix': BULK_PREFIX,
            'count': BULK_COUNT,
            'domain': DOMAIN,
            'every_nth_without_email': BULK_NO_EMAIL_EVERY,
        },
        'pages': pages,
    }


#: The German wiki (tests/e2e/test_other_language.py): the same people and pages, whose
#: titles MediaWiki files under its German namespace names, plus the pages below.
GERMAN_FAMILY = 'localwikide'
#: An opt-out list named in German, for -optout:.
GERMAN_OPTOUT_CATEGORY = 'Kategorie:Keine Rundmails'
GERMAN_OPTED_OUT = 'Grace Hopper'
#: This wiki's own name for MassMessage's opt-out category (the MediaWiki message
#: massmessage-optout-category), which Dave's talk page is in instead of the English one.
GERMAN_MASSMESSAGE_OPTOUT = 'Keine Nachrichtenzustellung'


def spec_de() -> dict:
    """:func:`spec` for the German wiki, with the pages its checks need.

    Without the bulk users: only an English test (the check of ten thousand) uses them.
    """
    german = spec()
    del german['bulk']
    german['pages'] += [
        {
            'title': f'Benutzer:{GERMAN_OPTED_OUT}/Keine Post',
            'text': f'[[{GERMAN_OPTOUT_CATEGORY}]]',
        },
        {'title': 'MediaWiki:Massmessage-optout-category', 'text': GERMAN_MASSMESSAGE_OPTOUT},
        {
            'title': f'Benutzer Diskussion:{OPTED_OUT}',
            'text': f'Keine Rundschreiben. [[Kategorie:{GERMAN_MASSMESSAGE_OPTOUT}]]',
        },
        {
            'title': f'Benutzer Diskussion:{MASSMESSAGE_OPTED_OUT_DE}',
            'text': f'Bitte nicht. [[Kategorie:{GERMAN_MASSMESSAGE_OPTOUT}]]',
        },
    ]
    return german
