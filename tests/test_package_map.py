"""The package's docstring lists every module of the package."""

from __future__ import annotations

import re
from pathlib import Path

import emailuserlib


def test_every_module_is_in_the_package_map():
    here = Path(emailuserlib.__file__).parent
    modules = {p.stem for p in here.glob('*.py')} - {'__init__'}
    listed = re.findall(r'^- :mod:`\.(\w+)`', emailuserlib.__doc__, re.MULTILINE)
    assert len(listed) == len(set(listed)), 'a module is listed twice'
    assert sorted(modules - set(listed)) == []
