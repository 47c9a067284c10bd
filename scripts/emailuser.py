#!/usr/bin/env python3
r"""Email many wiki users at once through the wiki's "Email this user" feature.

The users come from page generators (a user page or user talk page means its
user; with -editors, any other page means the people who edited it), from
files given with -users: and from user groups (-group:). Each account gets at
most one email per campaign, however often the command runs: a journal
remembers who was emailed. Before anything is sent, the script checks the
account and prints the plan: who gets the mail and what it says, who does not
and why, the rate limit, how long.

Usage:

    pwb emailuser [generators] [-users:FILE] [-group:NAME] -subject:TEXT
        (-text:TEXT | -textfile:FILE | -textpage:TITLE) [options]
    pwb emailuser [generators] [-users:FILE] [-group:NAME] -check [-report:FILE]

Example (put -simulate after emailuser):

    pwb emailuser -simulate -cat:"Event participants" -subject:"Hello {username}"
        -textfile:invitation.txt

Placeholders in the subject and body: {username}, {sitename}, the columns of a
-users: CSV file, with -editors {edits} and {pages}, and with -inactive:
{lastactive}; {{ and }} stay as they are. Options can also be set in the
[emailuser] section of scripts.ini (max = 20, always = yes), except -test,
-resend and -ignoremassoptout. Every option is explained in docs/options.md.

&options;

Exit status: 0 done (or the -deadline: passed); 1 something is wrong (input,
account, journal, a failed or uncertain send); 75 stopped with recipients left
(rate limit, -max, Ctrl-C, a signal, the wiki away): run the same command again
later. -deferredexit:N gives a run deferred by a limit or -max the status N.

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
    EXIT_OK,
    EXIT_PENDING,
    EmailUserError,
    Interrupted,
    OptionError,
)
from emailuserlib.journal.reconcile import journal_path
from emailuserlib.options.load import Loaded, check_utf8, command_line, load
from emailuserlib.options.table import help_text
from emailuserlib.plan.show import rerun_command
from emailuserlib.report.status import (
    DONE,
    FAILED,
    REFUSED,
    STOPPED,
    RunRecord,
    check_status_path,
    save_status,
)
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
    (``| head``) ends the run as a signal does, never with a traceback. Every run
    whose options could be read ends by writing its -statusfile:, whatever ended it.
    """
    guard_output()
    interrupts = Interrupts()
    record = RunRecord()
    try:
        status = _run(record, interrupts, *args)
        save_status(record, status, rerun_command())
        return status
    finally:
        # Whatever comes now (the end lines, Pywikibot's exit handlers) ends in peace.
        interrupts.end()


def _run(record: RunRecord, interrupts: Interrupts, *args: str) -> int:
    try:
        check_utf8(args or sys.argv[1:])
        return _main(record, interrupts, *args)
    except EmailUserError as e:
        if isinstance(e, OptionError) and e.door == 'command line':
            suggest_help(additional_text=str(e))
        else:
            pywikibot.error(str(e))
        record.sentence = str(e)
        if e.status == EXIT_PENDING:
            record.outcome = STOPPED
        elif not record.outcome:  # before anything was sent
            record.outcome = REFUSED
        return e.status
    except UNREACHABLE as e:
        record.sentence = sentences.wiki_unreachable('The wiki', e)
        record.outcome = STOPPED
        pywikibot.error(record.sentence)
        return EXIT_PENDING
    except Interrupted as e:
        record.sentence, record.outcome = sentences.stopped(e.cause, 'reading the options'), STOPPED
        pywikibot.info(record.sentence)
        return EXIT_PENDING
    except KeyboardInterrupt:  # before the signals are the script's
        record.sentence, record.outcome = sentences.stopped('Ctrl-C', 'starting'), STOPPED
        pywikibot.info(record.sentence)
        return EXIT_PENDING


def _status_file(given, files: list[str], record: RunRecord) -> None:
    """Check -statusfile: before anything else can refuse the run, which it then records."""
    if given.statusfile is None:
        return
    taken = [(f'the file given with {option.rstrip(":")}', p) for option, p in given.inputs()]
    taken += [('the file given with -file', Path(path)) for path in files]
    taken += [('the report (-report:)', given.report), ('the journal', journal_path(given))]
    taken += [('the journal', Path(f'{journal_path(given)}{end}')) for end in ('-wal', '.lock')]
    record.path = check_status_path(given.statusfile, taken)


def _main(record: RunRecord, interrupts: Interrupts, *args: str) -> int:
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
    record.settings = given
    _status_file(given, files, record)
    generator = gen_factory.getCombinedGenerator()
    site = gen_factory.site
    # -users: and -group: may come from scripts.ini too.
    missing = not generator and not given.users and not given.group
    if suggest_help(missing_generator=missing, unknown_parameters=list(loaded.unknown)):
        record.outcome = REFUSED
        return EXIT_ERROR
    if given.check:
        status = pipeline.check(site, given, generator, loaded.origin, files, interrupts, record)
        if not record.outcome:
            record.outcome = DONE if status == EXIT_OK else FAILED
        return status
    run = pipeline.send(
        site,
        given,
        generator,
        origin=loaded.origin,
        files=files,
        interrupts=interrupts,
        record=record,
    )
    if not isinstance(run, int):
        return run.exit_status()
    if not record.outcome:  # -test, or a stop before sending
        record.outcome = {EXIT_OK: DONE, EXIT_PENDING: STOPPED}.get(run, FAILED)
    return run


if __name__ == '__main__':
    sys.exit(main())
