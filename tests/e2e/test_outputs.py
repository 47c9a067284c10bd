"""The report on the real wiki: it replaces only its own earlier report, never another file."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.checks import exactly_once, read_report, received


def e2e(test):
    """An end-to-end test: what it tests does not depend on the MediaWiki version."""
    return pytest.mark.wiki(pytest.mark.mediawiki('1.39')(test))


@pytest.mark.parametrize('victim', ['user-config.py', 'user-password.py', 'scripts.ini'])
@pytest.mark.parametrize('how', ['-check', '-always'])
@e2e
def test_the_report_never_replaces_a_pywikibot_file(sender, mailbox, victim, how):
    ini = sender.config_dir / 'scripts.ini'
    if victim == 'scripts.ini':
        ini.write_text('[emailuser]\nmax = 5\n')
    path = sender.config_dir / victim
    before = path.read_bytes()
    result = sender.run('-page:User:Alice', '-subject:Rep', '-text:Hi.', how, f'-report:{victim}')
    assert result.returncode == 1, result.output
    assert (
        f'{victim} exists and is not a report of emailuser: give another -report: path, or '
        'remove the file.'
    ) in ' '.join(result.output.split())
    assert 'Traceback' not in result.output
    assert path.read_bytes() == before
    assert received(mailbox) == Counter()


@e2e
def test_a_report_replaces_its_own_earlier_report(sender, mailbox, tmp_path):
    rows = tmp_path / 'report.csv'
    rows.write_bytes(b'')  # made empty beforehand: no one's data to lose
    common = ['-subject:Rep', '-text:Hi.', f'-report:{rows}']
    assert sender.run('-page:User:Alice', '-check', *common).returncode == 0
    assert read_report(rows) == {'Alice': ('emailable', '')}
    sent = sender.run('-page:User:Alice', '-page:User:Bob', '-always', *common)
    assert sent.returncode == 0, sent.output
    assert set(read_report(rows)) == {'Alice', 'Bob'}
    assert received(mailbox) == exactly_once(['Alice', 'Bob'])
