"""Requests and time per recipient: emailuser against the raw floor and the naive loop.

Starts the local wiki of the test harness with N recipients (every tenth without an
address), then runs, alternating their order, each of:

- floor: a bare ``requests`` session that logs in, fetches one csrf token and POSTs
  ``action=emailuser`` to the emailable users only: the work the server must do anyway;
- pywikibot-floor: the same POSTs through Pywikibot's request machinery, nothing else:
  what Pywikibot itself costs;
- naive: the obvious Pywikibot loop, ``User.isEmailable()`` then ``User.send_email()``;
- emailuser: ``pwb emailuser -file:... -always -pt:0`` with a fresh journal;
- check: ``pwb emailuser -file:... -check``.

Besides, ``-inactive:365`` for the N recipients (``pwb emailuser -file:... -inactive:365
-alsotalk -check``: with -alsotalk those without an address are candidates too, so every
recipient is one): its time and its requests by kind. ``--only inactive`` runs that alone.

Besides, the plan of ``-editors`` for a set of pages (300 by default, each with ten
revisions by accounts and one by an IP, imported with importDump.php): ``pwb emailuser
-editors -file:... -simulate``, its time and its requests by kind. ``--only editors``
runs that alone.

And a long list of names, as old participant lists are (``--names``, 100,000 by default):
40 of them accounts (some under an old name the rename log knows, one through two renames
whose middle name was registered again, and one name that two accounts gave up), the rest
names without an account. ``pwb emailuser -users:... -check`` and ``-simulate`` of it, as
a bot-flagged sender, beside ``-check`` of 10,000 accounts; the report of the check must
say what each renamed name is. ``--only names`` runs these alone; ``--log N`` puts N older
renames of other accounts into the wiki's rename log first, as a wiki with a history has.

Each client is its own process: wall time, API requests by kind (from the wiki's API
log), client CPU (user+sys) and peak RSS (from wait4), and the mails that reached the
SMTP sink, which must equal the emailable count. Pywikibot's ``put_throttle`` and
``minthrottle`` are 0 for every client, so the comparison is with the server.

Run it with ``bash tests/benchmark.sh [N]``; it writes a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'scripts'))

from harness import population as pop
from harness.histories import import_histories
from harness.pwbconfig import SCRIPT, env_for, generate_family, make_config, pwb_command
from harness.wiki import MEDIAWIKIS, LocalWiki, mediawiki_version

SENDER = 'BotSender'  # bot flag: apihighlimits and, on this wiki, noratelimit
SUBJECT = 'Benchmark for {username}'
TEXT = 'Hello {username}, this is a benchmark.'
CHECK_USERS = 10_000
LOOKUP_SAMPLE = 500
NAMES = 100_000

FLOOR = r"""
import sys, requests
api, user, password, names_file = sys.argv[1:5]
names = open(names_file, encoding='utf-8').read().split('\n')
s = requests.Session()
def call(method, **p):
    p.update(format='json', formatversion='2')
    r = s.post(api, data=p) if method == 'post' else s.get(api, params=p)
    return r.json()
token = call('get', action='query', meta='tokens', type='login')['query']['tokens']['logintoken']
assert call('post', action='login', lgname=user, lgpassword=password,
            lgtoken=token)['login']['result'] == 'Success'
csrf = call('get', action='query', meta='tokens')['query']['tokens']['csrftoken']
sent = 0
for name in names:
    r = call('post', action='emailuser', target=name, subject='Benchmark for ' + name,
             text='Hello ' + name + ', this is a benchmark.', token=csrf)
    sent += r.get('emailuser', {}).get('result') == 'Success'
print(sent)
"""

NAIVE = r"""
import sys, pywikibot
names = open(sys.argv[1], encoding='utf-8').read().split('\n')
site = pywikibot.Site()
site.login()
sent = 0
for name in names:
    user = pywikibot.User(site, name)
    if user.isEmailable():
        sent += user.send_email('Benchmark for ' + name,
                                'Hello ' + name + ', this is a benchmark.')
print(sent)
"""

PYWIKIBOT_FLOOR = r"""
import sys, pywikibot
from pywikibot.data.api import Request
names = open(sys.argv[1], encoding='utf-8').read().split('\n')
site = pywikibot.Site()
site.login()
sent = 0
for name in names:
    r = Request(site=site, parameters={
        'action': 'emailuser', 'target': name, 'subject': 'Benchmark for ' + name,
        'text': 'Hello ' + name + ', this is a benchmark.', 'token': site.tokens['csrf']})
    sent += r.submit()['emailuser']['result'] == 'Success'
print(sent)
"""

LOOKUP = r"""
import sys, pywikibot
names = open(sys.argv[1], encoding='utf-8').read().split('\n')
site = pywikibot.Site()
site.login()
print(sum(pywikibot.User(site, name).isEmailable() for name in names))
"""


class Popen(subprocess.Popen):
    """A Popen that keeps the child's resource usage (CPU time, peak RSS)."""

    rusage = None

    def _try_wait(self, wait_flags):
        try:
            pid, status, self.rusage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            pid, status = self.pid, 0
        return pid, status


def run_client(argv, cwd, env, wiki) -> dict:
    """Run one client process; measure it and what the wiki saw."""
    wiki.mailbox.clear()
    before = len(wiki.api_requests())
    start = time.perf_counter()
    proc = Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    usage = proc.rusage
    if proc.returncode != 0:
        raise RuntimeError(f'{argv[:3]} failed ({proc.returncode}): {err[-3000:]}')
    requests_made = wiki.api_requests()[before:]
    kinds = Counter(kind(r) for r in requests_made)
    return {
        'wall': wall,
        'requests': len(requests_made),
        'kinds': kinds,
        'mails': len(wiki.mailbox.messages()),
        'usage': usage,
        'out': out,
    }


def kind(request: dict) -> str:
    """A request's kind, as in "emailuser" or "query list=users"."""
    action = request.get('action', '?')
    if action != 'query':
        return action
    # Pywikibot adds meta=userinfo to its queries; name the module that did the work.
    for key in ('list', 'prop', 'generator', 'meta'):
        if key in request:
            return f'query {key}={request[key]}'
    return action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('n', nargs='?', type=int, default=1000, help='recipients (1000)')
    parser.add_argument('--repeat', type=int, default=2, help='runs of each client (2)')
    parser.add_argument('--out', default='benchmark-results.md', help='Markdown output file')
    parser.add_argument(
        '--mw', choices=list(MEDIAWIKIS), default='1.39', help='MediaWiki version (1.39)'
    )
    parser.add_argument('--pages', type=int, default=300, help='pages for -editors (300)')
    parser.add_argument(
        '--only',
        choices=['all', 'send', 'editors', 'inactive', 'names'],
        default='all',
        help='run only these (all)',
    )
    parser.add_argument(
        '--names', type=int, default=NAMES, help=f'names of the long list ({NAMES:,})'
    )
    parser.add_argument(
        '--log', type=int, default=0, help='older renames in the rename log first (0)'
    )
    parser.add_argument(
        '--before',
        type=Path,
        help="another checkout's scripts/emailuser.py, run beside this one as "
        '"emailuser (before)" and "check (before)"',
    )
    args = parser.parse_args()
    mediawiki = MEDIAWIKIS[args.mw]
    n = args.n
    with tempfile.TemporaryDirectory(prefix='emailuser-bench-') as tmp:
        root = Path(tmp)
        spec = {
            'users': [
                {
                    'name': SENDER,
                    'password': pop.PASSWORD,
                    'groups': ['bot'],
                    'email': 'botsender@senders.test',
                }
            ],
            'bulk': {
                'prefix': pop.BULK_PREFIX,
                'count': max(n, CHECK_USERS),
                'domain': pop.DOMAIN,
                'every_nth_without_email': 10,
            },
        }
        print(f'Starting the local wiki with {max(n, CHECK_USERS)} users...', flush=True)
        with LocalWiki(root / 'wiki', spec, mediawiki=mediawiki) as wiki:
            families = generate_family(wiki, root / 'family')
            config = make_config(
                root / 'pwb',
                families,
                SENDER,
                pop.PASSWORD,
                extra='minthrottle = 0\nmaxthrottle = 0\n',
            )
            env = env_for(config)
            names = pop.bulk_names(n)
            emailable = [x for i, x in enumerate(names, 1) if i % 10]
            files = {}
            for label, items in (
                ('all', names),
                ('emailable', emailable),
                ('check', pop.bulk_names(CHECK_USERS)),
                ('sample', names[:LOOKUP_SAMPLE]),
            ):
                files[label] = root / f'{label}.txt'
                files[label].write_text('\n'.join(items), encoding='utf-8')
            titles = root / 'titles.txt'
            titles.write_text(''.join(f'[[User:{x}]]\n' for x in names), encoding='utf-8')
            check_titles = root / 'check-titles.txt'
            check_titles.write_text(
                ''.join(f'[[User:{x}]]\n' for x in pop.bulk_names(CHECK_USERS)), encoding='utf-8'
            )
            python = sys.executable
            clients = {
                'floor': lambda i: [
                    python,
                    '-c',
                    FLOOR,
                    wiki.api_url,
                    SENDER,
                    pop.PASSWORD,
                    str(files['emailable']),
                ],
                'pywikibot-floor': lambda i: [
                    python,
                    '-c',
                    PYWIKIBOT_FLOOR,
                    str(files['emailable']),
                ],
                'naive': lambda i: [python, '-c', NAIVE, str(files['all'])],
                'emailuser': lambda i: [
                    *pwb_command(),
                    str(SCRIPT),
                    f'-file:{titles}',
                    f'-subject:{SUBJECT}',
                    f'-text:{TEXT}',
                    '-always',
                    '-pt:0',
                    f'-journal:{root}/journal-{i}.sqlite3',
                ],
                'check': lambda i: [*pwb_command(), str(SCRIPT), f'-file:{titles}', '-check'],
            }
            if args.only == 'send':  # the reference and the script alone
                del clients['pywikibot-floor'], clients['naive']
            if args.before:
                before = str(args.before.resolve())
                clients['emailuser (before)'] = lambda i: [
                    *pwb_command(),
                    before,
                    f'-file:{titles}',
                    f'-subject:{SUBJECT}',
                    f'-text:{TEXT}',
                    '-always',
                    '-pt:0',
                    f'-journal:{root}/journal-before-{i}.sqlite3',
                ]
                clients['check (before)'] = lambda i: [
                    *pwb_command(),
                    before,
                    f'-file:{titles}',
                    '-check',
                ]
            # Warm up: log in once and fill Pywikibot's caches (the API's description, the
            # site info) with one email, as an operator's setup has: the first client
            # measured would pay for them otherwise.
            run_client(
                [
                    *pwb_command(),
                    str(SCRIPT),
                    '-page:User:Bulk 00001',
                    f'-subject:{SUBJECT}',
                    f'-text:{TEXT}',
                    '-always',
                    f'-journal:{root}/journal-warm-up.sqlite3',
                ],
                config,
                env,
                wiki,
            )
            if args.only == 'names':
                lines = long_list_runs(wiki, root, config, env, check_titles, args.names, args.log)
                table = long_list_table(lines, mediawiki, args.log)
                Path(args.out).write_text(table, encoding='utf-8')
                print(table)
                return
            if args.only == 'send':
                results = {k: [] for k in clients}
                run_rounds(clients, results, args.repeat, config, env, wiki)
                table = send_table(n, len(emailable), results, mediawiki)
                Path(args.out).write_text(table, encoding='utf-8')
                print(table)
                return
            inactive = inactive_check(wiki, config, env, titles, n)
            if args.only == 'inactive':
                table = inactive_line(inactive, mediawiki)
                Path(args.out).write_text(table, encoding='utf-8')
                print(table)
                return
            editors = editors_plan(wiki, root, config, env, names, args.pages)
            if args.only == 'editors':
                table = editors_line(editors, mediawiki)
                Path(args.out).write_text(table, encoding='utf-8')
                print(table)
                return
            results: dict[str, list[dict]] = {k: [] for k in clients}
            run_rounds(clients, results, args.repeat, config, env, wiki)
            print('check of 10,000 users and a sample of per-user lookups...', flush=True)
            big_check = run_client(
                [*pwb_command(), str(SCRIPT), f'-file:{check_titles}', '-check'], config, env, wiki
            )
            lookup = run_client([python, '-c', LOOKUP, str(files['sample'])], config, env, wiki)
            journal_ms = journal_cost(root / 'journal-cost.sqlite3')
            budget_us = budget_cost()
            lines = long_list_runs(wiki, root, config, env, check_titles, args.names, args.log)
        table = report(
            n, len(emailable), results, big_check, lookup, journal_ms, mediawiki, budget_us
        )
        table += editors_line(editors, None) + inactive_line(inactive, None)
        table += '\n' + long_list_table(lines, None, args.log)
    Path(args.out).write_text(table, encoding='utf-8')
    print(table)
    print(f'Written to {args.out}.')


def run_rounds(clients: dict, results: dict, repeat: int, config, env, wiki) -> None:
    """Run each client *repeat* times, in alternating order, into *results*."""
    for i in range(repeat):
        order = list(clients) if i % 2 == 0 else list(reversed(clients))
        for name in order:
            print(f'round {i + 1}: {name}...', flush=True)
            results[name].append(run_client(clients[name](i), config, env, wiki))


def send_table(n: int, emailable: int, results: dict, mediawiki: Path) -> str:
    """The first table of :func:`report` alone, for ``--only send``."""
    return report(n, emailable, results, None, None, None, mediawiki)


def inactive_check(wiki, config, env, titles: Path, n: int) -> dict:
    """-inactive:365 for the *n* recipients of *titles*, each a candidate (-alsotalk)."""
    print(f'-inactive:365 for {n} candidates...', flush=True)
    result = run_client(
        [
            *pwb_command(),
            str(SCRIPT),
            f'-file:{titles}',
            '-inactive:365',
            '-alsotalk',
            '-check',
        ],
        config,
        env,
        wiki,
    )
    result['candidates'] = n
    return result


def inactive_line(r: dict, mediawiki: Path | None) -> str:
    """The benchmark's line about -inactive:."""
    version = f' (MediaWiki {mediawiki_version(mediawiki)})' if mediawiki else ''
    kinds = ', '.join(f'{k}: {v}' for k, v in r['kinds'].most_common())
    cpu = r['usage'].ru_utime + r['usage'].ru_stime
    per = r['wall'] / max(r['candidates'], 1) * 1000
    return (
        f'- `-inactive:365 -alsotalk -check` for {r["candidates"]:,} candidates{version}: '
        f'{r["wall"]:.1f} s ({per:.0f} ms a candidate), {r["requests"]} requests ({kinds}), '
        f'client CPU {cpu:.1f} s.\n'
    )


#: Revisions by accounts on each page of the -editors benchmark, and one by an IP.
EDITS_PER_PAGE = 10


def editors_plan(wiki, root: Path, config, env, names: list[str], pages: int) -> dict:
    """Import *pages* pages with their histories, then time the plan of -editors for them."""
    titles = [f'Bench page {p:04d}' for p in range(1, pages + 1)]
    # Overlapping authors, as on a wiki: each page's ten from a window over the users.
    histories = {
        title: [names[(p * 7 + r * 13) % len(names)] for r in range(EDITS_PER_PAGE)]
        + [f'192.0.2.{p % 250 + 1}']
        for p, title in enumerate(titles)
    }
    print(f'Importing {pages} pages with {EDITS_PER_PAGE + 1} revisions each...', flush=True)
    import_histories(wiki, histories, root)
    listing = root / 'editors-pages.txt'
    listing.write_text(''.join(f'[[{t}]]\n' for t in titles), encoding='utf-8')
    authors = {a for history in histories.values() for a in history}
    print(f'-editors plan for {pages} pages...', flush=True)
    result = run_client(
        [
            *pwb_command(),
            str(SCRIPT),
            '-editors',
            f'-file:{listing}',
            '-subject:Thanks, {username}',
            '-text:You made {edits} edits to {pages}.',
            '-simulate',
            '-always',
            '-pt:0',
            f'-journal:{root}/journal-editors.sqlite3',
        ],
        config,
        env,
        wiki,
    )
    result.update(pages=pages, revisions=sum(map(len, histories.values())), authors=len(authors))
    return result


def editors_line(r: dict, mediawiki: Path | None) -> str:
    """The benchmark's line about -editors."""
    version = f' (MediaWiki {mediawiki_version(mediawiki)})' if mediawiki else ''
    kinds = ', '.join(f'{k}: {v}' for k, v in r['kinds'].most_common())
    cpu = r['usage'].ru_utime + r['usage'].ru_stime
    return (
        f'- `-editors -simulate` for {r["pages"]} pages{version} ({r["revisions"]:,} '
        f'revisions by {r["authors"]} editors, one of them an IP per page): '
        f'{r["wall"]:.1f} s, {r["requests"]} requests ({kinds}), client CPU {cpu:.1f} s, '
        f'{r["mails"]} mails.\n'
    )


#: The long list's accounts: each name as the list writes it -> the account's name now.
#: Renames, in order: five plain ones, a chain whose middle name is registered again,
#: and a name that two accounts gave up, one after the other.
LONG_LIST_RENAMES = [
    *((f'Nl Was {k:02d}', f'Nl Real {k:02d}') for k in range(1, 6)),
    ('Nl Chain A', 'Nl Chain B'),
    ('Nl Chain B', 'Nl Real 06'),
    ('Nl Twice', 'Nl Real 07'),
    ('Nl Twice', 'Nl Real 08'),
]
LONG_LIST_ACCOUNTS = {
    **{f'Nl Was {k:02d}': f'Nl Real {k:02d}' for k in range(1, 6)},
    'Nl Chain A': 'Nl Real 06',  # not to whoever took its middle name
    'Nl Chain B': 'Nl Chain B',  # registered again after the rename
    'Nl Real 07': 'Nl Real 07',
    'Nl Real 08': 'Nl Real 08',
    **{f'Nl Real {k:02d}': f'Nl Real {k:02d}' for k in range(9, 40)},
}
#: Given up by two accounts: nobody to guess.
LONG_LIST_TWICE = 'Nl Twice'


#: Older renames for the rename log (``--log``), logged as Renameuser logs them.
OLDER_RENAMES = r"""<?php
require_once getenv( 'MW_INSTALL_PATH' ) . '/maintenance/Maintenance.php';

class OlderRenames extends Maintenance {
    public function execute() {
        $count = (int)$this->getArg( 0 );
        $performer = User::newSystemUser( 'Fixture setup', [ 'steal' => true ] );
        $dbw = $this->getDB( DB_PRIMARY );
        for ( $i = 1; $i <= $count; $i++ ) {
            if ( $i % 1000 === 1 ) {
                $this->beginTransaction( $dbw, __METHOD__ );
            }
            $entry = new ManualLogEntry( 'renameuser', 'renameuser' );
            $entry->setPerformer( $performer );
            $entry->setTarget( Title::makeTitle( NS_USER, sprintf( 'Nl Older %06d', $i ) ) );
            $entry->setParameters( [
                '4::olduser' => sprintf( 'Nl Older %06d', $i ),
                '5::newuser' => sprintf( 'Nl Older renamed %06d', $i ),
                '6::edits' => 0,
            ] );
            $entry->insert( $dbw );
            if ( $i % 1000 === 0 || $i === $count ) {
                $this->commitTransaction( $dbw, __METHOD__ );
            }
        }
    }
}

$maintClass = OlderRenames::class;
require_once RUN_MAINTENANCE_IF_MAIN;
"""


def long_list(wiki, root: Path, count: int, log: int = 0) -> tuple[Path, dict[str, str]]:
    """Make the long list's accounts and renames, after *log* older renames of other
    accounts; write the list of *count* names.

    Returns the list and what the check must say of each name that is not plain
    no-such-user: name as written -> the account's name (or ``LONG_LIST_TWICE``).
    """
    if log:
        print(f'Logging {log:,} older renames...', flush=True)
        script = root / 'older-renames.php'
        script.write_text(OLDER_RENAMES, encoding='utf-8')
        wiki._php_script(script, str(log))
    address = 'nl{}@names.test'.format
    first = [old for old, _ in LONG_LIST_RENAMES[:5]] + ['Nl Chain A', LONG_LIST_TWICE]
    first += [f'Nl Real {k:02d}' for k in range(9, 40)]
    wiki.add({'users': [{'name': n, 'email': address(i)} for i, n in enumerate(first)]})
    print(f'Renaming {len(LONG_LIST_RENAMES)} accounts...', flush=True)
    for i, (old, new) in enumerate(LONG_LIST_RENAMES):
        wiki.rename_user(old, new)
        if old in ('Nl Chain B', LONG_LIST_TWICE) and i + 1 < len(LONG_LIST_RENAMES):
            # The name is free again: someone else registers it.
            wiki.add({'users': [{'name': old, 'email': address(f'again{i}')}]})
    special = [*LONG_LIST_ACCOUNTS, LONG_LIST_TWICE]
    plain = count - len(special)
    names = [f'Nl Nobody {i:06d}' for i in range(1, plain + 1)]
    # Spread over the list, so that they fall into different batches.
    step = max(len(names) // len(special), 1)
    for k, name in enumerate(special):
        names.insert(min(k * (step + 1), len(names)), name)
    path = root / f'long-list-{count}.txt'
    path.write_text('\n'.join(names) + '\n', encoding='utf-8')
    return path, {**LONG_LIST_ACCOUNTS, LONG_LIST_TWICE: LONG_LIST_TWICE}


def long_list_runs(
    wiki, root: Path, config, env, check_titles: Path, count: int, log: int = 0
) -> list[dict]:
    """-check of 10,000 accounts, and -check and -simulate of the long list; checked."""
    from harness.checks import report_rows

    path, expected = long_list(wiki, root, count, log)
    runs = []
    print(f'-check of {CHECK_USERS:,} accounts...', flush=True)
    result = run_client(
        [*pwb_command(), str(SCRIPT), f'-file:{check_titles}', '-check'], config, env, wiki
    )
    runs.append({**result, 'run': '-check', 'names': CHECK_USERS, 'accounts': CHECK_USERS})
    report = root / 'long-list-check.csv'
    print(f'-check of {count:,} names...', flush=True)
    result = run_client(
        [*pwb_command(), str(SCRIPT), f'-users:{path}', '-check', f'-report:{report}'],
        config,
        env,
        wiki,
    )
    runs.append({**result, 'run': '-check', 'names': count, 'accounts': 40})
    rows = report_rows(report)
    wrong = []
    if len(rows) != count:
        wrong.append(f'{len(rows)} rows, not {count}')
    by_name = {r['username']: r for r in rows}
    for written, account in expected.items():
        row = by_name.get(account)
        if account == LONG_LIST_TWICE:
            ok = row and row['status'] == 'no-such-user' and 'Nl Real 07' in row['detail']
            ok = ok and 'Nl Real 08' in row['detail']
        else:
            ok = row and row['status'] == 'emailable'
            if ok and written != account:
                ok = f'renamed from {written}' in row['detail']
        if not ok:
            wrong.append(f'{written}: {row}')
    statuses = Counter(r['status'] for r in rows)
    if statuses != {'emailable': 40, 'no-such-user': count - 40}:
        wrong.append(f'statuses {dict(statuses)}')
    print(f'-simulate of {count:,} names...', flush=True)
    result = run_client(
        [
            *pwb_command(),
            str(SCRIPT),
            '-simulate',
            f'-users:{path}',
            f'-subject:{SUBJECT}',
            f'-text:{TEXT}',
            '-always',
            '-pt:0',
            f'-journal:{root}/journal-long-list.sqlite3',
        ],
        config,
        env,
        wiki,
    )
    runs.append({**result, 'run': '-simulate', 'names': count, 'accounts': 40})
    if wrong:
        runs[1]['wrong'] = wrong
    return runs


def long_list_table(runs: list[dict], mediawiki: Path | None, log: int = 0) -> str:
    """The table of -check and -simulate of long lists."""
    version = f' (MediaWiki {mediawiki_version(mediawiki)})' if mediawiki else ''
    older = f', {log:,} older renames in the rename log' if log else ''
    lines = [
        f'Long lists of names{version}{older}, as a bot-flagged sender (500 names a request):',
        '',
        '| run | names | accounts | wall s | requests | list=users | list=logevents '
        '| client CPU s | peak RSS MB |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ]
    for r in runs:
        cpu = r['usage'].ru_utime + r['usage'].ru_stime
        lines.append(
            f'| {r["run"]} | {r["names"]:,} | {r["accounts"]:,} | {r["wall"]:.1f} '
            f'| {r["requests"]} | {r["kinds"].get("query list=users", 0)} '
            f'| {r["kinds"].get("query list=logevents", 0)} | {cpu:.1f} '
            f'| {r["usage"].ru_maxrss / 1024:.0f} |'
        )
    lines += ['', 'Requests by kind:', '']
    for r in runs:
        kinds = ', '.join(f'{k}: {v}' for k, v in r['kinds'].most_common())
        lines.append(f'- {r["run"]} of {r["names"]:,} names: {kinds}')
    wrong = [w for r in runs for w in r.get('wrong', ())]
    if wrong:
        lines += ['', 'WRONG: ' + '; '.join(wrong)]
    return '\n'.join(lines) + '\n'


def journal_cost(path: Path, count: int = 1000) -> float:
    """Milliseconds per recipient for the journal's two commits around a send."""
    from emailuserlib.journal.schema import State
    from emailuserlib.journal.store import Journal

    j = Journal(path)
    j.open_campaign('bench', 'bench', 'fingerprint')
    j.for_run('bench', 'bench')
    names = [f'U{i}' for i in range(count)]
    j.plan(names)
    start = time.perf_counter()
    for name in names:
        j.record(name, State.SENDING)
        j.record(name, State.SENT, 'sent')
    elapsed = time.perf_counter() - start
    j.close()
    return elapsed / count * 1000


def budget_cost(full: int = 10_000, count: int = 1000) -> dict[int, float]:
    """Microseconds per send for the rate-limit budget's question and count, by window size.

    The window holds 0 or *full* earlier sends, in a real journal; a cost that grows
    with the window would make a long run quadratic.
    """
    from emailuserlib.journal.schema import State
    from emailuserlib.journal.store import Journal
    from emailuserlib.options.settings import RateLimit
    from emailuserlib.plan.budget import Budget

    costs = {}
    with tempfile.TemporaryDirectory() as folder:
        for earlier in (0, full):
            j = Journal(Path(folder) / f'budget-{earlier}.sqlite3', synchronous='OFF')
            j.open_campaign('bench', 'bench', 'fingerprint')
            j.for_run('bench', 'bench')
            names = [f'U{i}' for i in range(earlier)]
            j.plan(names)
            for name in names:
                j.record(name, State.SENT, 'sent')
            limit = RateLimit(full + 2 * count, 86400)
            budget = Budget([limit], partial(_sends, j))
            assert budget.used(limit) == earlier  # the one read of the journal
            start = time.perf_counter()
            for _ in range(count):
                assert budget.wait() == 0
                budget.spend()
            costs[earlier] = (time.perf_counter() - start) / count * 1e6
            j.close()
    return costs


def _sends(journal, since: float, across_family: bool) -> list[float]:
    return journal.sends_since(since, 'bench', wiki='bench')


def report(n, emailable, results, big_check, lookup, journal_ms, mediawiki, budget_us=None) -> str:
    def med(name, key):
        return statistics.median(key(r) for r in results[name])

    def cpu(r):
        return r['usage'].ru_utime + r['usage'].ru_stime

    def rss(r):
        return r['usage'].ru_maxrss / 1024

    floor_wall = med('floor', lambda r: r['wall'])
    floor_cpu = med('floor', cpu)
    lines = [
        f'Benchmark of {date.today().isoformat()}: N = {n} recipients, {emailable} emailable; '
        f'median of {len(results["floor"])} runs each, alternating order.',
        f'Machine: {os.cpu_count()} cores, {platform.machine()}, Python '
        f'{platform.python_version()}; Pywikibot {pywikibot_version()}; MediaWiki '
        f"{mediawiki_version(mediawiki)} on PHP's built-in server with SQLite; put_throttle and "
        'minthrottle 0.',
        '',
        '| client | wall s | × floor | API requests | per mail | client CPU s | × floor '
        '| peak RSS MB | mails |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ]
    wrong = []
    for name in results:
        wall = med(name, lambda r: r['wall'])
        reqs = med(name, lambda r: r['requests'])
        mails = [r['mails'] for r in results[name]]
        expected = 0 if name.startswith('check') else emailable
        if any(m != expected for m in mails):
            wrong.append(f'{name} delivered {mails}, expected {expected} each run')
        per_mail = f'{reqs / emailable:.3f}' if not name.startswith('check') else '–'
        c = med(name, cpu)
        lines.append(
            f'| {name} | {wall:.1f} | {wall / floor_wall:.2f} | {reqs:.0f} | {per_mail} '
            f'| {c:.1f} | {c / floor_cpu:.2f} | {med(name, rss):.0f} | {mails[0]} |'
        )
    lines += ['', 'Requests by kind (first run of each):', '']
    for name in results:
        kinds = ', '.join(f'{k}: {v}' for k, v in results[name][0]['kinds'].most_common())
        lines.append(f'- {name}: {kinds}')
    if big_check is None:  # --only send
        return '\n'.join(lines + (['', 'WRONG: ' + '; '.join(wrong)] if wrong else [])) + '\n'
    per_lookup = lookup['wall'] / LOOKUP_SAMPLE
    big_lookups = big_check['kinds'].get('query list=users', 0)
    lines += [
        '',
        f'- `-check` of {CHECK_USERS:,} users: {big_check["wall"]:.1f} s, '
        f'{big_lookups} `list=users` requests, {big_check["requests"]} requests in all, '
        f'client CPU {cpu(big_check):.1f} s, peak RSS {rss(big_check):.0f} MB; one lookup per '
        f'user (`User.isEmailable()`, {per_lookup * 1000:.1f} ms each over a sample of '
        f'{LOOKUP_SAMPLE}) would take about {per_lookup * CHECK_USERS:.0f} s: '
        f'{big_check["wall"] / (per_lookup * CHECK_USERS):.1%} of that.',
        f'- The journal (two commits with synchronous=FULL around each send) costs '
        f'{journal_ms:.2f} ms per recipient.',
    ]
    if budget_us:
        empty, full = sorted(budget_us)
        lines.append(
            f'- The rate-limit budget costs {budget_us[empty]:.1f} µs per send with an empty '
            f'window and {budget_us[full]:.1f} µs with {full:,} sends in it: the journal is '
            'read once per run, before the first send.'
        )
    if wrong:
        lines += ['', 'WRONG: ' + '; '.join(wrong)]
    return '\n'.join(lines) + '\n'


def pywikibot_version() -> str:
    import pywikibot

    return pywikibot.__version__


if __name__ == '__main__':
    main()
