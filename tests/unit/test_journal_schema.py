"""journal.schema: the key that tells campaigns apart, and journals of earlier releases
migrated keeping who was reached, without a wiki."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from emailuserlib.journal import store as journal
from emailuserlib.journal.schema import State, campaign_key
from emailuserlib.journal.store import Journal
from harness import oldjournals

WIKI = '//wiki.example/w wikidb'


def open_journal(path, body='Body', name='Hi', wiki=WIKI, lock=True, family=''):
    j = Journal(path)
    j.open_campaign(wiki, name, journal.fingerprint(name, body, False), legacy_wiki='localwiki:en')
    j.for_run('Sender', wiki, family)
    if lock:
        j.lock()
    return j


V1 = """
INSERT INTO campaign VALUES (1, 'localwiki:en', 'Sender', 'aaa', 'Hi', 1);
INSERT INTO campaign VALUES (2, 'localwiki:en', 'Other', 'bbb', 'Hi', 2);
INSERT INTO recipient VALUES (1, 'Alice', 'sent', '', 0, 10);
INSERT INTO recipient VALUES (2, 'Alice', 'planned', '', 0, 11);
INSERT INTO recipient VALUES (2, 'Bob', 'sending', '', 0, 12);
INSERT INTO recipient VALUES (1, 'Dave', 'skipped', 'not-emailable:nowikiemail', 1, 13);
"""


#: The rows of a journal of schema 2, which keyed recipients by name.
SCHEMA_2_ROWS = """
INSERT INTO campaign VALUES (1, '//wiki.example/w wikidb', 'Hi', 1.0);
INSERT INTO recipient (campaign, username, state, updated) VALUES (1, 'Alice', 'sent', 2.0),
    (1, 'Old Name', 'sent', 2.0), (1, 'Bob', 'uncertain', 2.0), (1, 'Carol', 'planned', 2.0);
INSERT INTO send VALUES ('//wiki.example/w wikidb', 'Sender', '', 2.0);
"""


class Account:
    def __init__(self, userid, name):
        self.userid, self.centralid, self.name = userid, None, name


FOLDED_OTHERWISE = ['\u00df', '\u1e9e', '\ufb01', '\u017f', '\u03c2', '\u0149']


def lower_form(name: str) -> str:
    """The name as a person compares it: NFC, spaces and underscores collapsed, lower case."""
    text = ' '.join(unicodedata.normalize('NFC', name).replace('_', ' ').split())
    return unicodedata.normalize('NFC', text.lower())


names = st.text(st.characters(blacklist_categories=('Cs',)), max_size=10)


spellings = st.text(st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=12)


def test_a_journal_of_the_first_schema_keeps_who_was_reached(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_1, V1, 1)
    (tmp_path / 'j.sqlite3.campaign-1.lock').touch()
    j = open_journal(path, body='A corrected body')
    states = j.states()
    assert states['Alice'].state == 'sent'  # reached by either account: not again
    assert states['Bob'].state == 'sending'
    assert (states['Dave'].status, states['Dave'].detail) == ('not-emailable', 'nowikiemail')
    assert len(j.sends_since(0, 'Sender', wiki=WIKI)) == 1
    j.close()
    assert not (tmp_path / 'j.sqlite3.campaign-1.lock').exists()


def test_a_journal_of_names_migrates_keeping_who_was_reached(tmp_path):
    path = tmp_path / 'j.sqlite3'
    oldjournals.write(path, oldjournals.SCHEMA_2, SCHEMA_2_ROWS, 2)
    j = open_journal(path)
    states = j.states()
    assert {k: e.state for k, e in states.items()} == {
        'Alice': 'sent',
        'Old Name': 'sent',
        'Bob': 'uncertain',
        'Carol': 'planned',
    }
    assert j.sends_since(0, 'Sender', wiki=WIKI) == [2.0]
    assert sorted(j.unresolved_names(WIKI)) == ['Alice', 'Bob', 'Carol', 'Old Name']
    # Alice and Bob have accounts; Old Name was renamed to New Name (user page redirect);
    # Carol has no account any more.
    j.adopt_ids(
        WIKI, {'Alice': (1, None, 'Alice'), 'Bob': (2, None, 'Bob'), 'Old Name': (3, 7, 'New Name')}
    )
    states = j.states()
    assert states[1].state == 'sent' and states[2].state == 'uncertain'
    assert states[3].state == 'sent' and states[3].username == 'New Name'
    assert journal.find(states, Account(3, 'New Name')).state == 'sent'
    assert journal.find(states, Account(9, 'Carol')).state == 'planned'  # by name, as kept
    assert journal.find(states, Account(10, 'Dave')) is None
    # Recording by account keeps one row per account and its current name.
    j.record(Account(3, 'Newest Name'), State.SENT, 'sent')
    assert j.states()[3].username == 'Newest Name'
    assert j.unresolved_names(WIKI) == ['Carol']
    j.close()


def test_names_that_only_case_folding_makes_equal_are_two_campaigns():
    assert campaign_key('Ma\u00dfe') != campaign_key('Masse')
    assert campaign_key('Ma\u00dfe') == campaign_key('MA\u00dfE')
    assert campaign_key('Meet_up  2025 ') == campaign_key('MEET UP 2025')


@given(names, names)
def test_distinct_lower_case_forms_stay_distinct(a, b):
    if lower_form(a) != lower_form(b):
        assert campaign_key(a) != campaign_key(b)
    else:
        assert campaign_key(a) == campaign_key(b)


@given(names, st.sampled_from(FOLDED_OTHERWISE), names)
def test_a_letter_and_its_case_folding_stay_distinct(before, letter, after):
    name = before + letter + after
    if lower_form(name) != lower_form(name.casefold()):
        assert campaign_key(name) != campaign_key(name.casefold())


def test_the_campaign_key():
    assert campaign_key(' Meet_up\u00a0 2025\t') == campaign_key('meet UP 2025') == 'meet up 2025'
    # Composed and decomposed forms are one name; other letters are not.
    assert campaign_key('Caf\u00e9') == campaign_key('CAFE\u0301')
    assert campaign_key('Meetup 2025') != campaign_key('Meet up 2025')
    # Lower case, not case folding: a sharp s is not "ss".
    assert campaign_key('Stra\u00dfe') != campaign_key('STRASSE')
    assert campaign_key('Stra\u00dfe') == campaign_key('STRA\u00dfE')


@given(spellings)
def test_the_campaign_key_of_a_key_is_itself(name):
    assert campaign_key(campaign_key(name)) == campaign_key(name)
