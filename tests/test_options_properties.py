"""Any string for any option, at either door: a value or one sentence, never a traceback.

And nothing reached is ever forgotten by accident: only ``-resend`` alone, on the
command line, makes the journal forget who got the message.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip('hypothesis')

from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from emailuserlib.core.errors import OptionError  # noqa: E402
from emailuserlib.options import ini  # noqa: E402
from emailuserlib.options.load import command_line, load  # noqa: E402
from emailuserlib.options.settings import (  # noqa: E402
    CcMe,
    Fallback,
    RateLimit,
    Resend,
    Settings,
)
from emailuserlib.options.settings import TestMail as MailToSender  # noqa: E402
from emailuserlib.options.table import OPTIONS, RULES, Door, check_rules, from_caller  # noqa: E402

NAMES = [o.name for o in OPTIONS]
#: The type of each option's value once a door took it (None: the option is not given).
TYPES = {
    'subject': str,
    'text': str,
    'textfile': Path,
    'textpage': str,
    'users': tuple,
    'check': bool,
    'report': Path,
    'fallback': Fallback,
    'editors': bool,
    'since': datetime,
    'minedits': int,
    'optout': tuple,
    'optoutnote': str,
    'ignoremassoptout': bool,
    'max': int,
    'ccme': CcMe,
    'test': MailToSender,
    'wait': bool,
    'ratelimit': RateLimit,
    'campaign': str,
    'always': bool,
    'journal': Path,
    'resend': Resend,
}
#: Any text a file or a shell can hold (no lone surrogates, which no file holds).
TEXT = st.text(st.characters(blacklist_categories=('Cs',)), max_size=40)
#: Values that look like what operators write, and are likely to pass a check.
LIKELY = st.sampled_from(
    ['', 'yes', 'no', 'true', 'false', '0', '1', '-3', '20', 'first', 'talk', 'uncertain',
     'all', '20/day', '5/hour', 'a.csv', 'Project:No mail', '50% off', ' 7 ', 'uncertian',
     '²', '１２', '1_000', '1e3', '%(x)s', ' ; comment', '\n', '\x00', '[emailuser]']
)  # fmt: skip
VALUES = st.one_of(TEXT, LIKELY, st.builds(str.__add__, LIKELY, LIKELY))
OPTION_NAMES = st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=10))
SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def typed_as_its_option(settings: Settings) -> bool:
    """Whether every value of *settings* is of its option's type, or None."""
    return all(
        value is None or isinstance(value, TYPES[name]) for name, value in vars(settings).items()
    )


def arg(name: str, value: str | None) -> str:
    return f'-{name}' if value is None else f'-{name}:{value}'


ARGS = st.lists(
    st.builds(arg, OPTION_NAMES, st.one_of(st.none(), VALUES)), max_size=6
)  # fmt: skip


@pytest.mark.slow
@SLOW
@given(ARGS)
def test_any_command_line_gives_values_or_one_sentence(args):
    try:
        found = command_line(args)
    except OptionError as e:
        assert str(e) and '\n' not in str(e)
        return
    values, unknown = found.values, found.unknown
    if any(rule.broken(values) for rule in RULES):
        # One option lacks another, which scripts.ini may still give: load() decides.
        with pytest.raises(OptionError):
            check_rules(values, found.texts, lambda name: Door())
        return
    # The values are the settings' own, of their types: they make Settings unchanged.
    settings = Settings(**values)
    assert {name: getattr(settings, name) for name in values} == values
    assert typed_as_its_option(settings)
    if 'resend' in values:
        assert values['resend'] in (Resend.ALL, Resend.UNCERTAIN)
    if values.get('resend') == Resend.ALL:
        assert '-resend' in args
    assert all(a in args for a in unknown)


def ini_line(name: str, value: str) -> str:
    return f'{name} = {value}'


INI_TEXT = st.one_of(
    st.lists(st.builds(ini_line, OPTION_NAMES, VALUES), max_size=6).map(
        lambda lines: '[emailuser]\n' + '\n'.join(lines) + '\n'
    ),
    TEXT.map(lambda t: '[emailuser]\n' + t),
    TEXT,
)


@SLOW
@given(INI_TEXT, ARGS)
def test_any_scripts_ini_with_any_command_line_gives_values_or_one_sentence(
    tmp_path_factory, text, args
):
    here = tmp_path_factory.mktemp('run')
    (here / 'scripts.ini').write_text(text, encoding='utf-8')
    try:
        loaded = load(args, here, here / 'config')
    except OptionError as e:
        assert str(e) and '\n' not in str(e)
        return
    settings = loaded.settings
    assert typed_as_its_option(settings)
    assert not any(rule.broken(vars(settings)) for rule in RULES)
    # Nothing in scripts.ini forgets anyone; only -resend alone on the command line does.
    if settings.resend == Resend.ALL:
        assert '-resend' in args


@SLOW
@given(st.binary(max_size=200))
def test_any_bytes_as_scripts_ini_give_values_or_one_sentence(tmp_path_factory, data):
    path = tmp_path_factory.mktemp('run') / 'scripts.ini'
    path.write_bytes(data)
    try:
        ini.read(path)
    except OptionError as e:
        assert str(e) and '\n' not in str(e)


@SLOW
@given(st.sampled_from(NAMES), st.one_of(VALUES, st.integers(), st.booleans(), st.none()))
def test_any_value_from_a_library_caller_gives_a_value_or_one_sentence(name, value):
    try:
        checked, others = from_caller({name: value})
    except OptionError as e:
        assert str(e) and '\n' not in str(e)
        return
    assert others == {}
    assert typed_as_its_option(checked)
    # What the door gave, given back to it, is taken unchanged.
    again, _ = from_caller({name: getattr(checked, name)})
    assert again == checked
