#!/usr/bin/env python3
r"""Email many wiki users at once through the wiki's "Email this user" feature.

The users come from any page generator, or from files given with
-users:FILE. Of the pages, a user page, user talk page or user subpage means
its user; a user page that redirects to another user page means
the user it redirects to. Each user gets at most one email per run; users who
opted out of email, have no address, or appear on an opt-out list are skipped
and reported. Before anything is sent the script checks that the account may
send email and prints the plan: who will get the mail, who will not and why,
the account's rate limit and how long the run will take.

Usage:

    pwb [global options] emailuser [generator options] [-users:FILE] -subject:TEXT
        (-text:TEXT | -textfile:FILE | -textpage:TITLE) [options]
    pwb [global options] emailuser [generator options] [-users:FILE] -check
        [-report:FILE]

Example:

    pwb -simulate emailuser -cat:"Event participants" -subject:"Hello {username}"
        -textfile:invitation.txt

In the subject and the body, {username} is replaced by the recipient's user
name and {sitename} by the name of the wiki, and {column} by the value of that
column in the recipient's row of a -users: CSV file, and with -editors {edits}
and {pages} by what the recipient did; write {{ and }} for literal doubled
braces. Any other {word} is refused as a likely typo.

A category, page or -file: list given to a generator must exist: a missing one
is refused before anything is sent, an empty category is a warning.

Options (also read from the [emailuser] section of scripts.ini):

-subject:TEXT     Subject of the email. Asked for when not given and the
                  script runs on a terminal.

-text:TEXT        Body of the email; \n starts a new line.

-textfile:FILE    Body of the email, read from a UTF-8 text file.

-textpage:TITLE   Body of the email, taken from a wiki page as its readers see
                  it: a redirect is followed, templates and magic words are
                  expanded by the wiki, and every link becomes "label (URL)".
                  A page with a table, an image, a link to a missing page or
                  an error of the wiki is refused before anything is sent.

-users:FILE       Email the users named in FILE (UTF-8; may be given more than
                  once; combines with generators, each user emailed once). A
                  plain list has one name per line, with or without the user
                  namespace prefix; blank lines and lines starting with # are
                  ignored. A CSV file (first line: a header with a username
                  column, separated by commas, semicolons or tabs) adds its
                  other columns as placeholders, e.g. {team}. A bad name, an
                  unusable column name or an empty value of a used column is
                  refused with its line number before anything is sent; a user
                  named twice keeps the first row.

-check            Only check who can be emailed: one line per user with its
                  status, then the totals. Needs no subject or text, sends
                  nothing, writes no journal, and works for any account.

-report:FILE      Write a CSV (username,status,detail) with one row per user
                  the run considered, also when it stops early.

-fallback:talk    Post the message on the user talk page of users who cannot
                  be emailed, as a new section headed by the subject and
                  signed; not where {{bots}}/{{nobots}} forbids it or the page
                  is in MassMessage's opt-out category (by the wiki's name for
                  it; Category:Opted-out of message delivery in English).

-editors          Email the people who edited the pages of the generators
                  (user pages still mean their users): registered accounts
                  only; IP editors, temporary accounts, bots, accounts blocked
                  sitewide and the sending account are left out, and so are
                  edits tagged as reverted. {edits} (their number of edits to
                  these pages) and {pages} (the titles, as in "Blue jay and
                  Cardinal") can be used in the subject and body.

-since:DATE       With -editors, count only edits at or after DATE, a date
                  (2026-05-01, in UTC) or an ISO 8601 time
                  (2026-05-01T12:00:00Z).

-minedits:N       With -editors, email only those with at least N counted
                  edits to the pages together (default 1).

-optout:TITLE     Never email users linked from this page or listed in this
                  category, e.g. -optout:"Category:Opted-out of message
                  delivery". May be given more than once.

-max:N            Send at most N emails in this run; run again to go on.

-ccme             Send a copy of every email to yourself.

-ccme:first       Send a copy of the first email of the run to yourself only.

-test             Send the email of the first recipient to this account
                  itself, as a test, and nothing else; -test:NAME sends it to
                  the user NAME instead. The campaign is not touched: a run
                  without -test still emails everyone.

-wait             At the account's email rate limit, wait and go on instead of
                  stopping.

-always           Send without asking for each recipient.

-journal:FILE     Where delivery state is kept (default:
                  emailuser-journal.sqlite3 in the Pywikibot config directory).
                  Running the same command again emails only those not emailed
                  yet, also from another account or with a corrected text.

-campaign:NAME    Name of this mailing in the journal (default: the subject as
                  written). Give the name of an earlier campaign to continue it
                  with a corrected subject; give a new name to email people
                  whom another campaign reached in the last 7 days on purpose.

-ratelimit:N/PERIOD
                  Never send more than N emails per PERIOD (s, min, hour, day
                  or a number of seconds), e.g. -ratelimit:20/day, besides the
                  limits the wiki reports (and Wikimedia's 20 a day per account
                  on its wikis), counted from the journal.

-resend:uncertain Email again the recipients whose state is uncertain because
                  a run stopped while emailing them.

-resend           Forget who already got this message and email everyone
                  again (asks first unless -always is given).

Before sending, the plan shows the email of the first recipient exactly as
the wiki gets it. Use the global option -simulate to see the plan and that
preview without sending anything.

Exit status: 0 when every recipient was emailed or skipped for a reason of
their own; 1 when the input, the account or the journal is wrong, a send
failed or a recipient is uncertain; 75 when the run stopped with recipients
left (rate limit, -max, quit, Ctrl-C, SIGTERM or SIGHUP, the wiki went away or
cannot send mail now): run the same command again later.

&params;
"""

from __future__ import annotations

import contextlib
import signal
import sys

import pywikibot
from pywikibot import pagegenerators
from pywikibot.bot import suggest_help

# pwb puts this script's folder first on sys.path.
from emailuserlib import editors, prepare, redact, sentences, sources, testmail
from emailuserlib.bot import EmailUserBot
from emailuserlib.outcomes import EXIT_ERROR, EXIT_PENDING
from emailuserlib.preflight import UNREACHABLE

docuReplacements = {'&params;': pagegenerators.parameterHelp}

_VALUE_OPTIONS = (
    'subject',
    'text',
    'textfile',
    'textpage',
    'max',
    'optout',
    'journal',
    'report',
    'fallback',
    'campaign',
    'ratelimit',
    'users',
    'since',
    'minedits',
)
_FLAG_OPTIONS = ('always', 'ccme', 'wait', 'check', 'editors')


def parse(args: list[str]) -> tuple[dict, list[str]]:
    """Parse the script's own arguments into bot options and unknown arguments.

    :raises ValueError: an option's value is wrong; the text says how
    """
    options: dict = {}
    unknown = []
    optout = []
    users = []
    for arg in args:
        name, sep, value = arg[1:].partition(':') if arg.startswith('-') else ('', '', '')
        if name in _FLAG_OPTIONS and not sep:
            options[name] = True
        elif name == 'ccme' and sep:
            if value != 'first':
                raise ValueError(
                    f'-ccme:{value} is not known: use -ccme for a copy of every email, or '
                    '-ccme:first for a copy of the first one only.'
                )
            options[name] = value
        elif name == 'test':
            options[name] = value or True
        elif name == 'resend':
            if value not in ('', 'uncertain'):
                raise ValueError(
                    f'-resend:{value} is not known: use -resend:uncertain, or '
                    '-resend alone to email everyone again.'
                )
            options[name] = value or 'all'
        elif name in _VALUE_OPTIONS and sep:
            if not value:
                raise ValueError(f'-{name}: needs a value, as in -{name}:VALUE.')
            if name == 'optout':
                optout.append(value)
            elif name == 'users':
                users.append(value)
            elif name == 'max':
                if not value.isdigit() or int(value) < 1:
                    raise ValueError(
                        f'-max:{value} is not a positive whole number: give '
                        'the most emails to send in this run, as in -max:20.'
                    )
                options[name] = int(value)
            elif name == 'minedits':
                options[name] = editors.parse_minedits(value)
            elif name == 'since' and name not in options:
                editors.parse_since(value)
                options[name] = value
            elif name in options:
                raise ValueError(f'-{name}: is given twice: give it once.')
            else:
                options[name] = value
        else:
            unknown.append(arg)
    if optout:
        options['optout'] = '|'.join(optout)
    if users:
        options['users'] = '|'.join(users)
    return options, unknown


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def main(*args: str) -> int:
    """Run the script; return the exit status."""
    try:
        return _main(*args)
    except UNREACHABLE as e:
        pywikibot.error(sentences.wiki_unreachable('The wiki', e))
        return EXIT_PENDING


def _main(*args: str) -> int:
    redact.install()  # Pywikibot may log a failed login while it handles the arguments
    local_args = pywikibot.handle_args(args)
    redact.install()
    gen_factory = pagegenerators.GeneratorFactory()
    # Before Pywikibot builds the generators, which take any source as given.
    try:
        for warning in sources.check_sources(gen_factory.site, local_args):
            pywikibot.warning(warning)
    except sources.SourceError as e:
        pywikibot.error(str(e))
        return EXIT_ERROR
    local_args = gen_factory.handle_args(local_args)
    try:
        options, unknown = parse(local_args)
    except ValueError as e:
        suggest_help(additional_text=str(e))
        return EXIT_ERROR
    generator = gen_factory.getCombinedGenerator()
    site = gen_factory.site
    bot = EmailUserBot(generator=generator, site=site, **options)
    # -users: may come from scripts.ini too.
    missing = not generator and not bot.opt.users
    if suggest_help(missing_generator=missing, unknown_parameters=unknown):
        return EXIT_ERROR
    # Until the bot takes over, SIGTERM and SIGHUP stop like Ctrl-C.
    for name in ('SIGTERM', 'SIGHUP'):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_on_signal)
    try:
        if bot.opt.check:
            return prepare.check(site, bot.opt, pages=generator)
        bot.campaign = prepare.prepare(site, bot.opt, pages=generator)
        if bot.opt.test:
            return testmail.send_test(bot.campaign, bot.opt.test)
    except prepare.Refusal as e:
        pywikibot.error(str(e))
        return e.status
    except KeyboardInterrupt:
        pywikibot.error('Stopped before anything was sent: run the same command again.')
        return EXIT_PENDING
    # Pywikibot passes Ctrl-C on with -v, after the teardown.
    with contextlib.suppress(KeyboardInterrupt):
        bot.run()
    return bot.exit_status()


if __name__ == '__main__':
    sys.exit(main())
