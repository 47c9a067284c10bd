#!/usr/bin/env python3
r"""Email many wiki users at once through the wiki's "Email this user" feature.

The users come from page generators (a user page or user talk page means its
user; with -editors, any other page means the people who edited it) and from
files given with -users:. Each account gets at most one email per campaign,
however often the command runs: a journal remembers who was emailed. Before
anything is sent, the script checks the account and prints the plan: who gets
the mail and what it says, who does not and why, the rate limit, how long.

Usage:

    pwb emailuser [generators] [-users:FILE] -subject:TEXT
        (-text:TEXT | -textfile:FILE | -textpage:TITLE) [options]
    pwb emailuser [generators] [-users:FILE] -check [-report:FILE]

Example (put -simulate after emailuser):

    pwb emailuser -simulate -cat:"Event participants" -subject:"Hello {username}"
        -textfile:invitation.txt

Placeholders in the subject and body: {username}, {sitename}, the columns of a
-users: CSV file, and with -editors {edits} and {pages}; {{ and }} stay as they
are. Options can also be set in the [emailuser] section of scripts.ini
(max = 20, always = yes), except -test, -resend and -ignoremassoptout. Every
option is explained in docs/options.md.

&options;

Exit status: 0 done; 1 something is wrong (input, account, journal, a failed
or uncertain send); 75 stopped with recipients left (rate limit, -max, Ctrl-C,
a signal, the wiki away): run the same command again later.

&params;
"""

from __future__ import annotations

import sys
from pathlib import Path

import pywikibot
from pywikibot import config, pagegenerators
from pywikibot.bot import suggest_help

# pwb puts this script's folder first on sys.path.
from emailuserlib.core import sentences
from emailuserlib.core.errors import (
    EXIT_ERROR,
    EXIT_PENDING,
    EmailUserError,
    Interrupted,
    OptionError,
)
from emailuserlib.options.load import Loaded, check_utf8, command_line, load
from emailuserlib.options.table import help_text
from emailuserlib.run import pipeline
from emailuserlib.run.interrupts import Interrupts, guard_output
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


def main(*args: str) -> int:
    """Run the script; return the exit status.

    An :class:`~emailuserlib.core.errors.EmailUserError` from any door or check is
    its one sentence and its exit status. A reader of the output that goes away
    (``| head``) ends the run as a signal does, never with a traceback.
    """
    guard_output()
    interrupts = Interrupts()
    try:
        check_utf8(args or sys.argv[1:])
        return _main(interrupts, *args)
    except EmailUserError as e:
        if isinstance(e, OptionError) and e.door == 'command line':
            suggest_help(additional_text=str(e))
        else:
            pywikibot.error(str(e))
        return e.status
    except UNREACHABLE as e:
        pywikibot.error(sentences.wiki_unreachable('The wiki', e))
        return EXIT_PENDING
    except Interrupted as e:
        pywikibot.info(sentences.stopped(e.cause, 'reading the options'))
        return EXIT_PENDING
    except KeyboardInterrupt:  # before the signals are the script's
        pywikibot.info(sentences.stopped('Ctrl-C', 'starting'))
        return EXIT_PENDING
    finally:
        # Whatever comes now (the end lines, Pywikibot's exit handlers) ends in peace.
        interrupts.end()


def _main(interrupts: Interrupts, *args: str) -> int:
    redact.install()  # Pywikibot may log a failed login while it handles the arguments
    local_args = pywikibot.handle_args(args)
    redact.install()
    # From now on Ctrl-C, SIGTERM, SIGHUP and a closed output stop the run alike.
    interrupts.install()
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
    if given.check:
        return pipeline.check(site, given, generator, loaded.origin, files, interrupts)
    run = pipeline.send(
        site, given, generator, origin=loaded.origin, files=files, interrupts=interrupts
    )
    return run if isinstance(run, int) else run.exit_status()


if __name__ == '__main__':
    sys.exit(main())
