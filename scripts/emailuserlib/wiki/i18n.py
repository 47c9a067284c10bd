"""The script's own messages (scripts/i18n/emailuser/), in the wiki's language.

Pywikibot's i18n looks only in its own message package, where a script
installed on its own is not; these are read from the script's folder instead,
in a clone and in the installed package alike.
"""

from __future__ import annotations

import json
from pathlib import Path

from pywikibot import i18n

#: scripts/i18n/emailuser/<language>.json, beside the emailuserlib package.
I18N = Path(__file__).resolve().parents[2] / 'i18n' / 'emailuser'


def translate(site, key: str, params: dict[str, str], english: str) -> str:
    """The script's message *key* in the wiki's language (or a fallback of it), filled in.

    Read from the script's own folder: Pywikibot's i18n looks only in its own
    message package, where a script installed on its own is not.
    """
    lang = getattr(site, 'lang', '') or 'en'
    fallbacks = getattr(i18n, '_altlang', lambda code: [])
    for code in dict.fromkeys([lang, *fallbacks(lang), 'en']):
        try:
            text = json.loads((I18N / f'{code}.json').read_text(encoding='utf-8')).get(key)
        except (OSError, ValueError):
            continue
        if text:
            try:
                return text % params
            except (KeyError, ValueError, TypeError):
                continue  # a broken translation: the next language
    return english % params
