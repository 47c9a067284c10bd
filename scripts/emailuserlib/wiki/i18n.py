"""The script's own messages (scripts/i18n/emailuser/), in the wiki's language.

Pywikibot's i18n looks only in its own message package, where a script
installed on its own is not; these are read from the script's folder instead,
in a clone and in the installed package alike.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pywikibot import i18n
from pywikibot.plural import plural_rule

#: scripts/i18n/emailuser/<language>.json, beside the emailuserlib package.
I18N = Path(__file__).resolve().parents[2] / 'i18n' / 'emailuser'
#: ``{{PLURAL:%(count)s|edit|edits}}``: the form for the number the parameter holds.
PLURAL = re.compile(r'\{\{PLURAL:%\((\w+)\)[sd]\|(.*?)\}\}')


def plural(lang: str, text: str, params: dict[str, str]) -> str:
    """*text* with each ``{{PLURAL:%(name)s|form|forms}}`` replaced by the form that
    *lang*'s plural rule gives for the number *params* holds, as MediaWiki's messages
    write it (the last form where a language has more than the text gives)."""

    def form(match: re.Match) -> str:
        forms = match.group(2).split('|')
        rule = plural_rule(lang)['plural']
        count = int(params[match.group(1)])
        index = rule(count) if callable(rule) else rule
        return forms[min(int(index), len(forms) - 1)]

    return PLURAL.sub(form, text)


def translate(site, key: str, params: dict[str, str], english: str) -> str:
    """The script's message *key* in the wiki's language (or a fallback of it), filled in.

    Read from the script's own folder: Pywikibot's i18n looks only in its own
    message package, where a script installed on its own is not.
    """
    lang = getattr(site, 'lang', '') or 'en'
    # The wiki languages' fallbacks (bar: de); newer Pywikibot calls the function altlang.
    fallbacks = getattr(i18n, 'altlang', None) or getattr(i18n, '_altlang', lambda code: [])
    for code in dict.fromkeys([lang, *fallbacks(lang), 'en']):
        try:
            text = json.loads((I18N / f'{code}.json').read_text(encoding='utf-8')).get(key)
        except (OSError, ValueError):
            continue
        if text:
            try:
                return plural(code, text, params) % params
            except (KeyError, ValueError, TypeError, IndexError):
                continue  # a broken translation: the next language
    return plural('en', english, params) % params
