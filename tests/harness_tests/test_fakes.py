"""The in-memory wiki (tests/fakes) answers as MediaWiki 1.43 does, through Pywikibot's
own pages, categories and requests and through the script's own code: no wiki, no PHP."""

from __future__ import annotations

from datetime import datetime

import pytest
import pywikibot
from pywikibot.exceptions import APIError

from emailuserlib.core.accounts import Status
from emailuserlib.core.errors import EmailUserError, RateLimited
from emailuserlib.message import read as pagetext
from emailuserlib.recipients import editors
from emailuserlib.recipients import optout as respect
from emailuserlib.recipients.resolve import Resolver
from emailuserlib.run.pipeline import email_users
from emailuserlib.wiki import account as preflight
from emailuserlib.wiki import post as delivery
from emailuserlib.wiki import talk as fallback
from emailuserlib.wiki import titles as sources
from emailuserlib.wiki.mail import wiki_mail
from fakes.site import FakeSite
from fakes.wiki import FakeWiki


@pytest.fixture
def people(fake_wiki):
    """A few users in known states, and pages that name them."""
    wiki = fake_wiki
    wiki.add_user('Alice')
    wiki.add_user('Dave', emailable=False)
    wiki.add_user('Erin', email=None)
    wiki.add_user('BotSender', groups=['bot'])
    wiki.add_page('User:Alice', 'Hello. [[Category:Event participants]]')
    wiki.add_page('User talk:Erin', '{{nobots}} [[Category:Event participants]]')
    wiki.add_page('Project:List', '* [[User:Alice]]\n* [[User:Ghost]]\n* [[Event report]]')
    wiki.add_page('Project:Register', '#REDIRECT [[Project:List]]')
    return wiki


def ask(site, **params):
    return site.simple_request(formatversion=2, **params).submit()


def test_pages_exist_redirect_and_forbid_bots_as_on_the_wiki(fake_site, people):
    alice = pywikibot.Page(fake_site, 'User:Alice')
    assert alice.exists() and not alice.isRedirectPage() and alice.botMayEdit()
    assert [c.title() for c in alice.categories()] == ['Category:Event participants']
    assert not pywikibot.Page(fake_site, 'User:Ghost').exists()
    register = pywikibot.Page(fake_site, 'Project:Register')
    assert register.isRedirectPage()
    assert register.getRedirectTarget().title() == 'Fake Wiki:List'
    assert not pywikibot.Page(fake_site, 'User talk:Erin').botMayEdit()
    linked = pywikibot.Page(fake_site, 'Project:List').linkedPages()
    assert sorted(p.title() for p in linked) == ['Event report', 'User:Alice', 'User:Ghost']


def test_a_category_lists_its_members_and_the_script_checks_it(fake_site, people):
    members = pywikibot.Category(fake_site, 'Event participants').members(namespaces=[2, 3])
    assert [p.title() for p in members] == ['User:Alice', 'User talk:Erin']
    warnings = sources.check_sources(fake_site, ['-cat:Event participants'])
    assert warnings == []
    with pytest.raises(EmailUserError, match='Category:Nope given with -cat: does not'):
        sources.check_sources(fake_site, ['-cat:Nope'])


def test_site_information_is_the_wiki_s(fake_site, fake_wiki):
    info = fake_site.siteinfo
    assert info['sitename'] == 'Fake Wiki'
    assert info['server'] + info['scriptpath'] == 'https://fake.wiki.test/w'
    assert info['articlepath'] == '/wiki/$1'
    assert info['wikiid'] and info['lang'] == 'en'
    assert info['centralidlookupprovider'] == 'local'
    assert info.get('autocreatetempuser', expiry=False)['matchPatterns'] == ['~$1']
    assert info.get('interwikimap', expiry=False) == []
    assert fake_site.namespaces[2].custom_name == 'User'
    assert fake_site.namespaces[4].custom_name == 'Fake Wiki'
    assert fake_site.mw_version == '1.43.1'


def test_a_user_batch_is_answered_as_mediawiki_1_43_answers_it(fake_site, people):
    people.rename('Alice', 'Alice B')
    query = ask(
        fake_site,
        action='query',
        list='users',
        ususers='\x1falice\x1fNobody\x1fa/b\x1fDave\x1f127.0.0.1\x1fAlice B',
        usprop='emailable|centralids|groups',
        titles='\x1fUser:alice\x1fUser:Nobody',
        redirects=True,
    )['query']
    # MediaWiki lists invalid names first, then the others as asked.
    assert [(u['name'], u.get('invalid'), u.get('missing')) for u in query['users']] == [
        ('a/b', True, None),
        ('127.0.0.1', True, None),
        ('Alice', None, True),
        ('Nobody', None, True),
        ('Dave', None, None),
        ('Alice B', None, None),
    ]
    dave, alice = query['users'][4:]
    assert dave == {
        'userid': dave['userid'],
        'name': 'Dave',
        'groups': ['*', 'user', 'autoconfirmed'],
        'emailable': False,
        'centralids': {'local': dave['userid']},
        'attachedlocal': {'local': True},
    }
    assert alice['emailable'] is True
    assert query['normalized'] == [{'fromencoded': False, 'from': 'User:alice', 'to': 'User:Alice'}]
    assert query['redirects'] == [{'from': 'User:Alice', 'to': 'User:Alice B'}]
    assert [p['title'] for p in query['pages']] == ['User:Nobody', 'User:Alice B']


def test_central_ids_are_given_where_the_wiki_has_a_central_provider():
    wiki = FakeWiki(central='CentralAuth')
    wiki.add_user('Sender')
    alice = wiki.add_user('Alice')
    site = FakeSite(wiki)
    users = ask(site, action='query', list='users', ususers='Alice', usprop='centralids')
    entry = users['query']['users'][0]
    assert entry['centralids'] == {'CentralAuth': alice.centralid, 'local': alice.userid}
    assert entry['attachedlocal'] == {'CentralAuth': True, 'local': True}
    assert site.siteinfo['centralidlookupprovider'] == 'CentralAuth'


def test_the_resolver_finds_accounts_renames_and_who_takes_email(fake_site, people):
    people.add_user('Heidi')
    people.rename('Heidi', 'Heidi New')
    people.add_page('User:Old Grace', '#REDIRECT [[User:Alice]]')
    found = Resolver(fake_site).from_names_and_pages(
        ['heidi', 'Dave', 'Erin', 'Nobody', 'a/b'], [pywikibot.Page(fake_site, 'User:Old Grace')]
    )
    assert [(r.name, r.status) for r in found] == [
        ('Heidi New', Status.EMAILABLE),
        ('Dave', Status.NOT_EMAILABLE),
        ('Erin', Status.NOT_EMAILABLE),
        ('Nobody', Status.NO_SUCH_USER),
        ('A/b', Status.NOT_A_USER),
        ('Alice', Status.EMAILABLE),
    ]
    assert found[0].detail == 'renamed from Heidi'


def test_the_rename_log_reads_page_by_page(fake_site, fake_wiki):
    fake_wiki.add_user('Carol')
    fake_wiki.rename('Carol', 'Carol Two')
    fake_wiki.rename('Carol Two', 'Carol Three')
    first = ask(fake_site, action='query', list='logevents', letype='renameuser', lelimit=1)
    assert first['query']['logevents'][0]['params']['newuser'] == 'Carol Three'
    # Pywikibot adds meta=userinfo to every query: done, it is left out of the next part.
    assert first['continue']['continue'] == '-||userinfo'
    second = ask(fake_site, action='query', list='logevents', letype='renameuser', lelimit=1,
                 **first['continue'])  # fmt: skip
    event = second['query']['logevents'][0]
    assert {k: event[k] for k in ('ns', 'title', 'type', 'action', 'user')} == {
        'ns': 2, 'title': 'User:Carol', 'type': 'renameuser', 'action': 'renameuser',
        'user': 'Admin',
    }  # fmt: skip
    assert 'continue' not in second
    by_title = ask(fake_site, action='query', list='logevents', letype='renameuser',
                   letitle='User:Carol Two', leprop='ids|details')  # fmt: skip
    assert [e['params']['olduser'] for e in by_title['query']['logevents']] == ['Carol Two']
    assert set(by_title['query']['logevents'][0]) == {'logid', 'pageid', 'logpage', 'params'}


def test_an_email_is_sent_once_and_refusals_carry_the_wiki_s_codes(fake_site, people):
    sender = delivery.Sender(fake_site, 'Sender')
    assert sender.send('Alice', 'Hi', 'Hello Alice') == delivery.Outcome(Status.SENT)
    assert [(m.sender, m.target, m.subject, m.text, m.ccme) for m in people.mails] == [
        ('Sender', 'Alice', 'Hi', 'Hello Alice', False)
    ]
    assert sender.send('Dave', 'Hi', 'x').status == Status.NOT_EMAILABLE
    assert sender.send('Erin', 'Hi', 'x').status == Status.NOT_EMAILABLE
    assert sender.send('Nobody', 'Hi', 'x').status == Status.NO_SUCH_USER
    assert len(people.mails) == 1
    assert people.requests['emailuser'] == 4


def test_a_lost_answer_leaves_the_mail_sent_and_the_outcome_uncertain(fake_site, people):
    people.lose_answer('Alice')
    outcome = delivery.Sender(fake_site, 'Sender').send('Alice', 'Hi', 'x', ccme=True)
    assert outcome.status == Status.UNCERTAIN
    assert [m.ccme for m in people.mails_to('Alice')] == [True]


def test_faults_stale_tokens_lost_sessions_and_rate_limits(fake_site, people):
    sender = delivery.Sender(fake_site, 'Sender', relogin=fake_site._relogin)
    people.fail('Alice', 'internal_api_error_DBQueryError', times=1)
    assert sender.send('Alice', 'Hi', 'x').status == Status.UNCERTAIN
    people.expire_tokens()
    people.end_sessions()
    assert sender.send('Alice', 'Hi', 'x').status == Status.SENT
    people.user('Sender').email_limit = (1, 86400)
    with pytest.raises(RateLimited):
        sender.send('Alice', 'Hi', 'x')
    people.advance(86400)
    assert sender.send('Alice', 'Hi', 'x').status == Status.SENT
    assert len(people.mails) == 2


def test_the_preflight_reads_the_account_and_its_block(fake_site, fake_wiki):
    account = preflight.check_account(fake_site)
    assert (account.name, account.email) == ('Sender', 'sender@users.test')
    assert 'sendemail' in account.rights and 'massmailer' in account.groups
    fake_wiki.block('Sender', email=True)
    fake_site._userinfo = None
    del fake_site.userinfo
    with pytest.raises(EmailUserError, match='blocked'):
        preflight.check_account(fake_site)


def test_a_talk_page_section_is_posted_once_unless_the_page_refuses(fake_site, people):
    people.opt_out('Dave')
    outcome = fallback.post(fake_site, 'Frank', 'News', 'Hello Frank.', 'Sender')
    assert outcome == delivery.Outcome(Status.POSTED, 'User talk:Frank')
    assert [(p.title, p.heading, p.user) for p in people.posts] == [
        ('User talk:Frank', 'News', 'Sender')
    ]
    assert people.page('User talk:Frank').text.startswith(
        '== News ==\n\nHello Frank. [[User:Sender'
    )
    refusal = fallback.refusal(pywikibot.Page(fake_site, 'User talk:Dave'))
    assert refusal == 'talk page is in Category:Opted-out of message delivery'
    people.lose_answer('User talk:Frank')
    assert fallback.post(fake_site, 'Frank', 'Again', 'Hi.', 'Sender').status == Status.POSTED
    assert len(people.posts) == 2


def test_massmessage_s_category_follows_the_wiki_s_name_for_it(fake_site, people):
    people.messages['massmessage-optout-category'] = 'No mass messages'
    people.opt_out('Alice')
    assert respect.massmessage_optout(fake_site) == ('Category:No mass messages', {'Alice'})


def test_editors_come_from_histories_without_reverted_edits(fake_site, people):
    temp = people.add_temp_user()
    for user, tags in [('Alice', ()), ('Dave', ('mw-reverted',)), ('192.0.2.1', ()),
                       (temp.name, ()), ('BotSender', ()), ('Alice', ())]:  # fmt: skip
        people.edit('Event report', f'by {user}', user=user, tags=tags)
    people.max_limit = 2  # so that the history takes three requests
    search = editors.find(fake_site, [pywikibot.Page(fake_site, 'Event report')])
    assert search.names == ['Alice']
    assert {r.name: r.detail for r in search.left_out} == {
        '192.0.2.1': editors.IP_EDITOR,
        temp.name: editors.TEMPORARY,
        'BotSender': editors.BOT,
    }
    assert search.reverted == 1 and search.requests == 4
    # rvstart: only the edits since then are read.
    since = people.page('Event report').revisions[3].timestamp.replace('Z', '+00:00')
    page = pywikibot.Page(fake_site, 'Event report')
    later = editors.find(fake_site, [page], datetime.fromisoformat(since))
    assert later.names == ['Alice'] and later.requests == 3
    assert sorted(r.name for r in later.left_out) == ['BotSender', temp.name]


def test_the_message_page_and_the_wiki_s_footer(fake_site, people):
    people.add_page('Project:Invitation', html='<p>Hello <b>all</b>.</p>')
    assert pagetext.text_from_page(fake_site, 'Project:Invitation').strip() == 'Hello all.'
    with pytest.raises(EmailUserError, match='does not exist'):
        pagetext.text_from_page(fake_site, 'Project:Nope')
    mail = wiki_mail(fake_site, 'Sender', 'sender@users.test', 'Alice')
    assert mail.wiki_name == 'Fake Wiki'
    assert mail.footer('Alice').startswith('This email was sent by Sender to Alice by the')
    assert fake_site.mediawiki_message('emailccsubject') == 'Copy of your message to $1: $2'


def test_contributions_users_by_group_and_log_events_by_user(fake_site, people):
    people.edit('Event report', 'x', user='Alice')
    people.edit('User:Alice', 'Hi.', user='Alice')
    contribs = ask(fake_site, action='query', list='usercontribs', ucuser='Alice')
    assert [c['title'] for c in contribs['query']['usercontribs']] == ['User:Alice', 'Event report']
    bots = ask(fake_site, action='query', list='allusers', augroup='bot')['query']['allusers']
    assert [u['name'] for u in bots] == ['BotSender']
    people.block('Dave')
    events = ask(fake_site, action='query', list='logevents', leuser='Admin')['query']
    assert [e['type'] for e in events['logevents']] == ['block']


def test_pywikibot_s_own_requests_get_formatversion_1(fake_site, people):
    data = fake_site.simple_request(
        action='query', titles='User:Alice|User:Ghost', prop='info', indexpageids=True
    ).submit()['query']
    assert data['pageids'] == ['-1', str(people.page('User:Alice').pageid)]
    assert data['pages']['-1']['missing'] == ''
    assert 'redirect' not in data['pages'][data['pageids'][1]]


def test_errors_are_api_errors_and_requests_are_counted(fake_site, people):
    with pytest.raises(APIError, match='badvalue'):
        ask(fake_site, action='query', list='nosuchmodule')
    before = people.requests['users']
    Resolver(fake_site).accounts([f'Crowd {i}' for i in range(60)])
    # 50 names a request; the names without an account ask the rename log together.
    assert people.requests['users'] - before == 2
    assert people.requests['logevents'] == 1


def test_the_bot_runs_in_process_journal_and_report_included(fake_site, people, tmp_path):
    people.add_user('Bob')
    people.opt_out('Bob')
    people.lose_answer('Alice')
    files = {'journal': str(tmp_path / 'journal.sqlite'), 'report': str(tmp_path / 'report.csv')}
    counts = email_users(fake_site, ['Alice', 'Bob', 'Dave', 'Nobody'], 'Hi', 'Hello.', **files)
    assert counts == {'uncertain': 1, 'opted-out': 1, 'not-emailable': 1, 'no-such-user': 1}
    rows = (tmp_path / 'report.csv').read_text().splitlines()
    assert rows[1] == 'Alice,uncertain,no answer within the socket timeout'
    # The journal keeps the uncertain recipient from a second mail.
    email_users(fake_site, ['Alice'], 'Hi', 'Hello.', **files)
    assert [m.target for m in people.mails] == ['Alice']
