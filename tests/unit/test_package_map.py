"""Each package's docstring lists every module of the package, and the library's lists
every package, in the order a run goes through them."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import emailuserlib

HERE = Path(emailuserlib.__file__).parent


PACKAGES = sorted(p.parent.name for p in HERE.glob('*/__init__.py'))


#: The stages in the order a run goes through them, after what every stage uses.
PIPELINE = ['core', 'wiki', 'options', 'recipients', 'message', 'journal', 'plan', 'run', 'report']


def listed(doc: str) -> list[str]:
    return re.findall(r'^- :mod:`\.(\w+)`', doc or '', re.MULTILINE)


def test_every_package_is_in_the_library_map_in_pipeline_order():
    names = listed(emailuserlib.__doc__)
    assert len(names) == len(set(names)), 'a package is listed twice'
    assert sorted(names) == PACKAGES
    assert names == PIPELINE


@pytest.mark.parametrize('package', PACKAGES)
def test_every_module_is_in_the_package_map(package):
    module = importlib.import_module(f'emailuserlib.{package}')
    modules = {p.stem for p in (HERE / package).glob('*.py')} - {'__init__'}
    names = listed(module.__doc__)
    assert len(names) == len(set(names)), 'a module is listed twice'
    assert sorted(modules - set(names)) == []
    assert sorted(set(names) - modules) == [], 'a module listed is not in the package'


def test_the_library_has_no_module_outside_a_package():
    assert sorted(p.stem for p in HERE.glob('*.py')) == ['__init__']
