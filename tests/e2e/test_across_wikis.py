"""One campaign on several wikis: each person once, by their global account.

Two real wikis with user tables of their own share global accounts through the test
harness's central-id provider (``TestCentral``, harness.central): the same people have
other local user ids on each. A campaign runs on wiki a, then with the same journal and
``-campaign:`` (and a subject translated) on wiki b: whoever a reached is
``already-sent`` on b with where and when, whoever opted out on a stays out on b, and
a local account that only has the name of someone's global account is someone else.
Locked global accounts are ``locked`` (``list=globalusers``). The same journal on a
wiki without global accounts goes on by that wiki's own accounts.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from harness import population
from harness.checks import read_report
from harness.pwbconfig import SCRIPT, generate_family, make_config, run_pwb

pytestmark = pytest.mark.wiki

DOMAIN = 'across.test'
CAMPAIGN = 'Across wikis'


def addr(name: str) -> str:
    return name.lower().replace(' ', '') + f'@{DOMAIN}'


def person(name: str, email: str = '') -> dict:
    return {'name': name, 'email': email or addr(name)}


@pytest.fixture(scope='session')
def pair_config(central_pair, tmp_path_factory) -> Path:
    """A Pywikibot directory that knows both wikis of the pair (families ``acrossa`` and
    ``acrossb``) and logs in to each as Sender, or with ``-user:`` as BotSender."""
    root = tmp_path_factory.mktemp('across')
    families = root / 'families'
    for wiki, family in ((central_pair.a, 'acrossa'), (central_pair.b, 'acrossb')):
        made = generate_family(wiki, root / family, family=family)
        shutil.copytree(made, families, dirs_exist_ok=True)
    config = make_config(
        root / 'pwb',
        families,
        'Sender',
        population.PASSWORD,
        "usernames['acrossb']['en'] = 'Sender'\n",
        family='acrossa',
    )
    with (config / 'user-password.py').open('a') as f:
        f.write(f"('BotSender', {population.PASSWORD!r})\n")
    return config


def run(config: Path, family: str, *args: str):
    """``pwb emailuser -family:FAMILY ...`` with *config*; the finished process."""
    return run_pwb(config, str(SCRIPT), '-family:' + family, '-lang:en', *args)


def names_file(folder: Path, name: str, *users: str) -> Path:
    path = folder / name
    path.write_text(''.join(f'{u}\n' for u in users), encoding='utf-8')
    return path


def received(*mailboxes) -> Counter:
    """Mails by address, of this file's people, in all *mailboxes* together."""
    found = Counter()
    for mailbox in mailboxes:
        found.update({a: n for a, n in mailbox.count_by_address().items() if DOMAIN in a})
    return found


def plan_line(output: str, start: str) -> str:
    return next(line.strip() for line in output.splitlines() if line.strip().startswith(start))


def test_a_campaign_on_two_wikis_mails_each_person_once(
    central_pair, pair_config, sender, mailbox, wiki, tmp_path
):
    pair = central_pair
    a, b = pair.a, pair.b
    ann, ben, cleo, dora, finn, gus = (
        f'Across {n}' for n in ('Ann', 'Ben', 'Cleo', 'Dora', 'Finn', 'Gus')
    )
    pair.create_people(*(person(n) for n in (ann, ben, cleo, gus)))
    pair.create_people(person(dora), on=[b])
    pair.create_people(person(finn), on=[a])
    # On b, another person registered the name of Finn's global account.
    pair.create_local(b, person(finn, f'another.finn@{DOMAIN}'))
    pair.lock(gus)
    optout = 'Category:Across no mail'
    a.add({'pages': [{'title': f'User:{cleo}', 'text': f'[[{optout}]]'}]})
    journal = tmp_path / 'journal.sqlite3'
    common = [f'-campaign:{CAMPAIGN}', '-text:Hello {username}.', '-always', f'-journal:{journal}']
    users_a = names_file(tmp_path, 'a.txt', ann, ben, cleo, finn, gus)
    on_a = [f'-users:{users_a}', f'-optout:{optout}']
    on_b = [f'-users:{names_file(tmp_path, "b.txt", ann, ben, cleo, dora, finn, gus)}']
    before = {w: received(w.mailbox) for w in (a, b)}

    first = run(
        pair_config, 'acrossa', *on_a, '-subject:Meetup', f'-report:{tmp_path / "a.csv"}', *common
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert (
        "Accounts are matched across wikis by TestCentral's central ids; locked global "
        'accounts are left out.'
    ) in first.stdout + first.stderr
    report = read_report(tmp_path / 'a.csv')
    assert {n: s for n, (s, _) in report.items()} == {
        ann: 'sent',
        ben: 'sent',
        cleo: 'opted-out',
        finn: 'sent',
        gus: 'locked',
    }

    # The subject translated: the campaign is found by its -campaign: name.
    second = run(
        pair_config, 'acrossb', *on_b, '-subject:Treffen', f'-report:{tmp_path / "b.csv"}', *common
    )
    output = second.stdout + second.stderr
    assert second.returncode == 0, output
    today = time.strftime('%Y-%m-%d', time.gmtime())
    assert read_report(tmp_path / 'b.csv') == {
        ann: ('already-sent', f'on awiki, {today}'),
        ben: ('already-sent', f'on awiki, {today}'),
        cleo: ('opted-out', 'on awiki, in Category:Across no mail'),
        dora: ('sent', ''),
        finn: ('sent', ''),
        gus: ('locked', 'the global account is locked'),
    }, output
    assert 'nobody reached on this wiki yet; on other wikis: 3 on awiki.' in output
    assert f'already-sent (2): {ann} (on awiki, {today}), {ben} (on awiki, {today})' in output
    assert f'opted-out (1): {cleo} (on awiki, in Category:Across no mail)' in output
    mails = {w: received(w.mailbox) - before[w] for w in (a, b)}
    assert mails[a] == Counter({addr(ann): 1, addr(ben): 1, addr(finn): 1})
    assert mails[b] == Counter({addr(dora): 1, f'another.finn@{DOMAIN}': 1})

    # A rerun on either wiki, as it ran there, sends nothing.
    for family, given, subject in (('acrossa', on_a, 'Meetup'), ('acrossb', on_b, 'Treffen')):
        again = run(pair_config, family, *given, f'-subject:{subject}', *common)
        assert again.returncode == 0, again.stdout + again.stderr
        assert '0 users will be emailed.' in again.stdout + again.stderr, again.stderr
    assert {w: received(w.mailbox) - before[w] for w in (a, b)} == mails

    # -check with the campaign's name says the same, reading the journal only.
    check = run(pair_config, 'acrossb', *on_b, '-check', *common[:1], f'-journal:{journal}')
    assert check.returncode == 0, check.stdout + check.stderr
    assert f'already-sent   {ann} (on awiki, {today})' in check.stdout
    assert f'locked         {gus} (the global account is locked)' in check.stdout

    # Another account's central ids may be of another wiki farm: refused before sending.
    other = run(pair_config, 'acrossb', '-user:BotSender', *on_b, '-subject:Treffen', *common)
    text = ' '.join((other.stdout + other.stderr).split())
    assert other.returncode == 1, text
    assert (
        f'The campaign "{CAMPAIGN}" in {journal} matches people across wikis by '
        "TestCentral's central ids as the account Sender (central id "
        f'{pair.central_id("Sender")}) sees them on bwiki'
    ) in text
    assert 'run it as Sender, or give this mailing a -campaign: name of its own.' in text
    assert {w: received(w.mailbox) - before[w] for w in (a, b)} == mails

    # A wiki without global accounts joins the campaign by its own accounts: its Ann is
    # someone else, never matched with the rows of the wikis that have global accounts.
    wiki.add({'users': [person(ann, f'local.ann@{DOMAIN}')]})
    local = sender.run(*on_b, '-subject:Meetup', *common)
    assert local.returncode == 0, local.output
    assert 'Accounts are local to this wiki (it has no global accounts).' in local.output
    assert received(mailbox) == Counter({f'local.ann@{DOMAIN}': 1})
