#!/usr/bin/env python3
r"""Email many wiki users at once through the wiki's "Email this user" feature.

The users come from any page generator, or from files given with
-users:FILE. Of the pages, a user page, user talk page or user subpage means
its user; a user page that redirects to another user page means
the user it redirects to; with -editors, any other page means the people who
edited it. Each account gets at most one email per campaign, however often the
command runs (unless -resend asks): a journal remembers who was emailed. Users
who opted out of email, have no address, appear on an opt-out list or in
MassMessage's opt-out category, and temporary accounts are skipped and
reported. Before anything is sent the script checks that the account may send
email and prints the plan: who will get the mail, who will not and why, the
account's rate limit and how long the run will take.

Usage:

    pwb emailuser [generator options] [-users:FILE] -subject:TEXT
        (-text:TEXT | -textfile:FILE | -textpage:TITLE) [options] [global options]
    pwb emailuser [generator options] [-users:FILE] -check [-report:FILE]

Example (-simulate after emailuser: before it, Pywikibot warns that the site
was created before the arguments were read):

    pwb emailuser -simulate -cat:"Event participants" -subject:"Hello {username}"
        -textfile:invitation.txt

In the subject and the body, {username} is replaced by the recipient's user
name and {sitename} by the name of the wiki, and {column} by the value of that
column in the recipient's row of a -users: CSV file, and with -editors {edits}
and {pages} by what the recipient did; write {{ and }} for literal doubled
braces. Any other {word} is refused as a likely typo.

A category, page or -file: list given to a generator must exist: a missing one
is refused before anything is sent, an empty category is a warning.

Options (also read from the [emailuser] section of scripts.ini, as in max = 20
or always = yes, except -test and -resend, which act on one run only; the
scripts.ini of the current folder is read when it has an [emailuser] section,
else the one in the Pywikibot config directory; the optout of the other one's
[emailuser] section applies as well, as opt-out lists only add; a relative FILE
in it is beside that scripts.ini):

&options;

Before sending, the plan shows the email of the first recipient exactly as
the wiki gets it. Use the global option -simulate to see the plan and that
preview without sending anything.

Exit status: 0 when every recipient was emailed or skipped for a reason of
their own; 1 when the input, the account, its password (also when it stops
working during the run) or the journal is wrong, a send failed or a recipient
is uncertain; 75 when the run stopped with recipients
left (rate limit, -max, quit, Ctrl-C, SIGTERM or SIGHUP, the wiki went away or
cannot send mail now): run the same command again later.

&params;
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pywikibot
from pywikibot import config, pagegenerators
from pywikibot.bot import suggest_help

# pwb puts this script's folder first on sys.path.
from emailuserlib.core import sentences
from emailuserlib.core.errors import EXIT_ERROR, EXIT_PENDING, EmailUserError, OptionError
from emailuserlib.options.load import Loaded, check_utf8, command_line, load
from emailuserlib.options.table import help_text
from emailuserlib.run import pipeline
from emailuserlib.wiki import redact
from emailuserlib.wiki.site import UNREACHABLE
from emailuserlib.wiki.titles import check_sources, generator_files

docuReplacements = {'&params;': pagegenerators.parameterHelp, '&options;': help_text()}

# Pywikibot ends the help with "run pwb.py -help", which a pip install does not have.
if hasattr(pywikibot.bot, '_GLOBAL_HELP_NOTE'):
    pywikibot.bot._GLOBAL_HELP_NOTE = (
        '\nGLOBAL OPTIONS\n==============\nFor the global options (-simulate, -user:, '
        '-lang:, -family:, -pt: ...) run: pwb emailuser -help:global\n\n'
    )


def parse(args: list[str]) -> tuple[dict, list[str]]:
    """The script's own arguments as typed values, and the arguments it does not know.

    :raises OptionError: an option's value is wrong; the text says how
    """
    found = command_line(args)
    return found.values, found.unknown


def settings(args: list[str]) -> Loaded:
    """The command line merged over scripts.ini, every value parsed into its type.

    :raises OptionError: a value is wrong; the text says where and how
    """
    return load(args, Path.cwd(), Path(config.base_dir), simulate=bool(config.simulate))


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def main(*args: str) -> int:
    """Run the script; return the exit status.

    An :class:`~emailuserlib.core.errors.EmailUserError` from any door or check is
    its one sentence and its exit status.
    """
    try:
        check_utf8(args or sys.argv[1:])
        return _main(*args)
    except EmailUserError as e:
        if isinstance(e, OptionError) and e.door == 'command line':
            suggest_help(additional_text=str(e))
        else:
            pywikibot.error(str(e))
        return e.status
    except UNREACHABLE as e:
        pywikibot.error(sentences.wiki_unreachable('The wiki', e))
        return EXIT_PENDING
    except KeyboardInterrupt:
        pywikibot.error('Stopped before anything was sent: run the same command again.')
        return EXIT_PENDING


def _main(*args: str) -> int:
    redact.install()  # Pywikibot may log a failed login while it handles the arguments
    local_args = pywikibot.handle_args(args)
    redact.install()
    gen_factory = pagegenerators.GeneratorFactory()
    # Before Pywikibot builds the generators, which take any source as given.
    for warning in check_sources(gen_factory.site, local_args):
        pywikibot.warning(warning)
    files = generator_files(local_args)  # no output may overwrite them
    local_args = gen_factory.handle_args(local_args)
    loaded = settings(local_args)
    for warning in loaded.warnings:
        pywikibot.warning(warning)
    given = loaded.settings
    generator = gen_factory.getCombinedGenerator()
    site = gen_factory.site
    # -users: may come from scripts.ini too.
    missing = not generator and not given.users
    if suggest_help(missing_generator=missing, unknown_parameters=list(loaded.unknown)):
        return EXIT_ERROR
    # Until the bot takes over, SIGTERM and SIGHUP stop like Ctrl-C.
    for name in ('SIGTERM', 'SIGHUP'):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_on_signal)
    if given.check:
        return pipeline.check(site, given, generator, loaded.origin, files)
    run = pipeline.send(site, given, generator, origin=loaded.origin, files=files)
    return run if isinstance(run, int) else run.exit_status()


if __name__ == '__main__':
    sys.exit(main())
