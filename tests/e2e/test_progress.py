"""The progress line with -max and -fallback:talk, and the report's writing when it fails."""

from __future__ import annotations

import re

import pytest

from harness import population as pop
from harness.checks import received

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

BODY = '-text:Hello {username}.'


def progress_lines(output: str) -> list[str]:
    return re.findall(r'^\[\d+/\d+\] .*$', output, flags=re.M)


def test_max_with_the_talk_page_fallback_counts_the_posts_in_the_progress(sender, mailbox, wiki):
    pages = [f'-page:User:{n}' for n in ('Alice', pop.NO_ADDRESS_POSTABLE, 'Grace Hopper')]
    result = sender.run(*pages, '-subject:S', BODY, '-always', '-fallback:talk', '-max:1')
    assert result.returncode == 75, result.output
    # -max counts emails; the post to Frank is no email, so Grace Hopper is the one left.
    assert received(mailbox) == {pop.EMAILABLE['Alice']: 1}
    lines = progress_lines(result.output)
    assert [line.split(':')[0] for line in lines] == [
        '[1/2] Alice',
        f'[2/2] {pop.NO_ADDRESS_POSTABLE}',
    ]
    assert 'Stopped after 1 email as -max:1 asks' in result.output


def test_a_report_that_cannot_be_written_is_one_sentence_for_the_run_and_check(
    sender, mailbox, tmp_path
):
    # The name fits the file system, but not the temporary file the report is written
    # through: the door cannot tell, the writing fails.
    folder = tmp_path / 'reports'
    folder.mkdir()
    report = folder / ('r' * 250 + '.csv')
    said = f'The report {report} could not be written (File name too long): check the path'
    check = sender.run('-page:User:Alice', '-check', f'-report:{report}')
    assert check.returncode == 1, check.output
    assert said in check.output
    assert 'Traceback' not in check.output
    assert check.stdout.split() == ['emailable', 'Alice']  # the check itself was done and shown

    run = sender.run('-page:User:Alice', '-subject:S', BODY, '-always', f'-report:{report}')
    assert said in run.output
    assert 'Traceback' not in run.output
    assert received(mailbox) == {pop.EMAILABLE['Alice']: 1}
    assert run.returncode == 0, run.output  # what was asked is done; only the report is missing
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ('name', 'said'),
    [
        ('missing/report.csv', 'does not exist: create it, or give another path with -report:.'),
        ('r' * 300 + '.csv', 'cannot be used (File name too long): give another path'),
    ],
)
def test_check_refuses_a_report_path_it_cannot_use_before_asking_the_wiki(
    sender, mailbox, tmp_path, name, said
):
    folder = tmp_path / 'reports'
    folder.mkdir()
    report = folder / name
    result = sender.run('-page:User:Alice', '-check', f'-report:{report}')
    assert result.returncode == 1, result.output
    assert said in result.output
    assert 'Traceback' not in result.output
    assert 'users checked' not in result.output
    assert list(folder.iterdir()) == []
