"""-help works anywhere (no configuration, no network, no traceback, no deprecation), and
its example is the README's."""

from __future__ import annotations

import os
import re

import pytest
from pywikibot import pagegenerators

from harness.pwbconfig import SCRIPT, run_pwb

#: Nothing listens on the discard port: any request the help made would fail.
NOWHERE = 'http://127.0.0.1:9'


def test_help_needs_no_user_config_and_no_network(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYWIKIBOT')}
    env.update(
        PYWIKIBOT_DIR=str(tmp_path),  # an empty folder: no user-config.py, no family
        PYWIKIBOT_NO_USER_CONFIG='1',
        PYTHONWARNINGS='always',  # show every DeprecationWarning there is
        HTTP_PROXY=NOWHERE,
        HTTPS_PROXY=NOWHERE,
        http_proxy=NOWHERE,
        https_proxy=NOWHERE,
    )
    result = run_pwb(tmp_path, str(SCRIPT), '-help', env=env, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert result.stdout.startswith('Email many wiki users at once'), output
    assert '-fallback:talk' in result.stdout
    assert 'Traceback' not in output
    # Pywikibot's generator help (&params;) documents its own deprecated arguments.
    assert pagegenerators.parameterHelp.strip() in result.stdout
    ours = output.replace(pagegenerators.parameterHelp.strip(), '')
    assert 'deprecat' not in ours.lower(), ours
    # No warning is printed (the help text itself may use the word).
    warnings = [line for line in ours.splitlines() if re.match(r'\w*warning\b', line, re.I)]
    assert warnings == [], ours


@pytest.mark.wiki
def test_the_help_example_is_the_readme_s_and_points_to_pwb_emailuser(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYWIKIBOT')}
    env.update(PYWIKIBOT_DIR=str(tmp_path), PYWIKIBOT_NO_USER_CONFIG='1')
    result = run_pwb(tmp_path, str(SCRIPT), '-help', env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'pwb emailuser -simulate -cat:"Event participants"' in result.stdout
    assert 'pwb -simulate' not in result.stdout
    assert 'pwb.py' not in result.stdout
    assert 'pwb emailuser -help:global' in result.stdout
