"""-logpage: who a run reached, appended to a wiki page in one edit, as a notice bot's log.

One line per person: when, who (a link to their user page) and by which
channels, and the campaign; never an address or a value of the -users: files.
The edit is one POST (``appendtext``) that is never repeated blindly: a log
line twice is a small harm, but the run says when it cannot tell whether the
edit was saved.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from pywikibot import config

from ..core.words import plural
from .post import api_error, edit_params, post_once


def nowiki(text: str) -> str:
    """*text* shown as it is on the wiki, whatever wikitext it holds."""
    return '<nowiki>' + text.replace('<', '&lt;') + '</nowiki>'


def log_lines(reached: Iterable[tuple[str, tuple[str, ...], float]], campaign: str) -> str:
    """The text to append: a line per (name, channels, when) reached."""
    lines = []
    for name, channels, at in reached:
        when = time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(at))
        link = f'[[User:{name}|{nowiki(name)}]]'
        lines.append(f'* {when}: {link}: {" and ".join(channels)} ({nowiki(campaign)})')
    return '\n'.join(lines)


def append(site, title: str, reached: list, campaign: str) -> str:
    """Append who *reached* lists to the page *title* in one edit; '' when saved, or
    the sentence that says what became of it."""
    if config.simulate or not reached:
        return ''
    params = edit_params(
        site,
        title,
        f'emailuser: {plural(len(reached), "person", "people")} reached by "{campaign}"',
        appendtext='\n' + log_lines(reached, campaign),
    )
    site.throttle(write=True)
    try:
        answer = post_once(site, params)
    except Exception as e:
        return f'the wiki could not be asked ({e})'
    if not isinstance(answer, dict):
        return f'its answer was lost ({answer.detail}): look at the page before adding it by hand'
    error = api_error(answer)
    if error is not None:
        return f'the wiki refused the edit ({error[0]}: {error[1]})'
    if answer.get('edit', {}).get('result') != 'Success':
        return f'the wiki did not save the edit ({answer.get("edit")})'
    return ''
