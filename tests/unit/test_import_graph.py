"""The layout shows the pipeline: no module of scripts/ imports one that imports it back,
and the imports stack at most 6 levels, counting every import (also those inside
functions and under TYPE_CHECKING)."""

from __future__ import annotations

import ast
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / 'scripts'
MOST_LEVELS = 6


def modules() -> dict[str, Path]:
    found = {}
    for path in SCRIPTS.rglob('*.py'):
        parts = list(path.relative_to(SCRIPTS).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts = parts[:-1]
        if parts:
            found['.'.join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of *known* that the module *name* at *path* imports, anywhere in it."""
    package = name.split('.') if path.name == '__init__.py' else name.split('.')[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                base = '.'.join(package[: len(package) - node.level + 1] + ([base] if base else []))
            targets = [base, *(f'{base}.{alias.name}' for alias in node.names)]
        found |= {t for t in targets if t in known and t != name}
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def levels(edges: dict[str, set[str]]) -> dict[str, int]:
    """Each module's level: 1 when it imports none of the others, else one more than the
    highest it imports. A circle never ends, so it is asserted away first."""
    found: dict[str, int] = {}

    def level(name: str, path: tuple[str, ...] = ()) -> int:
        assert name not in path, 'import circle: ' + ' → '.join([*path, name])
        if name not in found:
            found[name] = 1 + max((level(n, (*path, name)) for n in edges[name]), default=0)
        return found[name]

    for name in edges:
        level(name)
    return found


def test_the_imports_of_scripts_have_no_circle_and_at_most_six_levels():
    edges = graph()
    assert len(edges) > 40, 'the modules of scripts/ were not found'
    found = levels(edges)
    deepest = max(found.values())
    chain = sorted(found, key=found.get)[-1]
    assert deepest <= MOST_LEVELS, f'{deepest} levels, down from {chain}'


def test_the_check_sees_a_circle_and_counts_levels():
    assert levels({'a': {'b'}, 'b': {'c'}, 'c': set()}) == {'a': 3, 'b': 2, 'c': 1}
    try:
        levels({'a': {'b'}, 'b': {'a'}})
    except AssertionError as e:
        assert 'a → b → a' in str(e)
    else:
        raise AssertionError('the circle was not seen')
