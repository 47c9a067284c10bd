"""A wiki in German: pages named with its own namespace names lead to the same users.

The German wiki (``install.php --lang de``) holds the people and pages of the English
one; MediaWiki files ``User:`` titles under ``Benutzer:``, categories under
``Kategorie:``. Every generator here is written the way a German operator writes it.
"""

from __future__ import annotations

import pytest

from harness import population as pop
from harness.checks import exactly_once, read_report, received

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

SEND = ['-subject:Treffen am Samstag', '-text:Hallo {username}, bis Samstag.', '-always']
CATEGORY = '-cat:Kategorie:Event participants'


def test_user_pages_talk_pages_subpages_and_a_renamed_account(sender_de, mailbox_de, tmp_path):
    report = tmp_path / 'report.csv'
    # Benutzer:Old Heidi redirects to Benutzer:Heidi: the mail goes to Heidi.
    result = sender_de.run(
        '-page:Benutzer:Alice',
        '-page:Benutzer Diskussion:Bob',
        '-page:Benutzer:Carol/Notes',
        f'-page:Benutzer:{pop.RENAMED_FROM}',
        *SEND,
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    assert received(mailbox_de) == exactly_once(['Alice', 'Bob', 'Carol', 'Heidi'])
    heidi = next(m for m in mailbox_de.messages() if m.to_address == pop.EMAILABLE['Heidi'])
    assert (heidi.subject, heidi.body.split('\n')[0]) == (
        'Treffen am Samstag',
        'Hallo Heidi, bis Samstag.',
    )
    assert read_report(report) == {
        name: ('sent', '') for name in ['Alice', 'Bob', 'Carol', 'Heidi']
    }


def test_a_category_with_an_optout_category_named_in_german(sender_de, mailbox_de, tmp_path):
    report = tmp_path / 'report.csv'
    result = sender_de.run(
        CATEGORY, f'-optout:{pop.GERMAN_OPTOUT_CATEGORY}', *SEND, f'-report:{report}'
    )
    assert result.returncode == 0, result.output
    assert received(mailbox_de) == exactly_once(['Alice', 'Bob', 'Carol', 'Jürgen Müller', 'Heidi'])
    statuses = {name: status for name, (status, _) in read_report(report).items()}
    assert statuses == {
        'Alice': 'sent',
        'Bob': 'sent',
        'Carol': 'sent',
        'Jürgen Müller': 'sent',
        'Heidi': 'sent',
        pop.GERMAN_OPTED_OUT: 'opted-out',
        pop.OPTED_OUT: 'not-emailable',
        pop.NO_ADDRESS: 'not-emailable',
        pop.GHOST: 'no-such-user',
        pop.ARTICLE: 'not-a-user',
    }


def test_check_lists_the_category_in_german_and_sends_nothing(sender_de, mailbox_de):
    result = sender_de.run(CATEGORY, '-check')
    assert result.returncode == 0, result.output
    lines = {' '.join(line.split()) for line in result.stdout.splitlines()}
    for name in ['Alice', 'Bob', 'Carol', 'Grace Hopper', 'Jürgen Müller']:
        assert f'emailable {name}' in lines, result.output
    assert f'emailable Heidi (user page of {pop.RENAMED_FROM} redirects here)' in lines
    assert f'not-emailable {pop.OPTED_OUT} (opted out of email or has no confirmed address)' in (
        lines
    )
    assert f'no-such-user {pop.GHOST}' in lines
    assert f'not-a-user {pop.ARTICLE} (not a user page)' in lines
    assert '10 users checked: 6 emailable, 2 not-emailable, 1 not-a-user, 1 no-such-user.' in (
        result.output
    )
    assert mailbox_de.messages() == []


def test_fallback_posts_on_the_benutzer_diskussion_page_unless_it_opted_out(
    wiki_de, sender_de, mailbox_de, tmp_path
):
    frank = f'Benutzer Diskussion:{pop.NO_ADDRESS_POSTABLE}'
    dave = f'Benutzer Diskussion:{pop.OPTED_OUT}'
    dave_before = wiki_de.page_text(dave)
    report = tmp_path / 'report.csv'
    result = sender_de.run(
        f'-page:{frank}',
        f'-page:Benutzer:{pop.OPTED_OUT}',
        '-fallback:talk',
        *SEND,
        f'-report:{report}',
    )
    assert result.returncode == 0, result.output
    assert mailbox_de.messages() == []
    posted = wiki_de.page_text(frank)
    assert '== Treffen am Samstag ==' in posted
    assert f'Hallo {pop.NO_ADDRESS_POSTABLE}, bis Samstag. [[Benutzer:Sender' in posted
    # This wiki calls MassMessage's opt-out category by a German name of its own.
    assert wiki_de.page_text(dave) == dave_before
    assert read_report(report) == {
        pop.NO_ADDRESS_POSTABLE: ('posted', frank),
        pop.OPTED_OUT: (
            'not-emailable',
            'opted out of email or has no confirmed address; '
            f'talk page is in Kategorie:{pop.GERMAN_MASSMESSAGE_OPTOUT}',
        ),
    }


def test_a_talk_page_post_is_summarised_in_the_wikis_language(sender_de, mailbox_de, wiki_de):
    talk = f'Benutzer Diskussion:{pop.NO_ADDRESS_POSTABLE}'
    result = sender_de.run(f'-page:Benutzer:{pop.NO_ADDRESS_POSTABLE}', *SEND, '-fallback:talk')
    assert result.returncode == 0, result.output
    assert received(mailbox_de) == {}
    revision = wiki_de.api(
        action='query', prop='revisions', rvprop='comment|content', rvslots='main', titles=talk
    )['query']['pages'][0]['revisions'][0]
    assert '== Treffen am Samstag ==' in revision['slots']['main']['content']
    assert (
        'Zustellung einer Nachricht, die nicht per E-Mail gesendet werden konnte'
        in (revision['comment'])
    )
