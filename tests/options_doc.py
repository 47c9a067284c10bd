"""The table of docs/options.md, written from the option table in code.

    .venv/bin/python tests/options_doc.py

replaces the table in docs/options.md with ``options.table.reference()``, one row per
option of ``OPTIONS``; the rest of the file is written by hand.
tests/unit/test_options_table.py fails while the file's table is not the code's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / 'docs' / 'options.md'
#: The first line of the table; it ends at the first empty line after it.
HEADER = '| option | meaning |'


def rows() -> list[str]:
    """The table as the code has it, one Markdown line per row."""
    from emailuserlib.options import table

    return table.reference().splitlines()


def table(text: str) -> list[str]:
    """The lines of the table in *text*, the Markdown of docs/options.md."""
    start = text.index(HEADER)
    return text[start:].split('\n\n', 1)[0].splitlines()


def rewritten(text: str) -> str:
    """*text* with its table replaced by the code's."""
    start = text.index(HEADER)
    end = start + len('\n'.join(table(text)))
    return text[:start] + '\n'.join(rows()) + text[end:]


def main() -> None:
    sys.path.insert(0, str(ROOT / 'scripts'))
    os.environ.setdefault('PYWIKIBOT_NO_USER_CONFIG', '2')  # options imports no config
    text = DOC.read_text(encoding='utf-8')
    new = rewritten(text)
    if new != text:
        DOC.write_text(new, encoding='utf-8')
        print(f'{DOC}: table written from the option table in code.')
    else:
        print(f'{DOC}: table already up to date.')


if __name__ == '__main__':
    main()
