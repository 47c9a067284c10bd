"""-textpage: with a column of the -users: files in its title: a page per language,
on the real wiki."""

from __future__ import annotations

import re

import pytest

from harness import population as pop
from harness.checks import exactly_once, received

pytestmark = pytest.mark.wiki


def plan_lines(output: str) -> set[str]:
    return {' '.join(line.split()) for line in output.splitlines()}


@pytest.mark.mediawiki('1.39')
def test_a_page_per_language_reaches_each_reader_in_theirs(sender, mailbox, tmp_path):
    readers = tmp_path / 'readers.csv'
    readers.write_text(
        'username,lang\nAlice,de\nBob,fr\nCarol,nl\nGrace Hopper,sv\nJürgen Müller,de\n',
        encoding='utf-8',
    )
    result = sender.run(
        f'-users:{readers}', '-subject:Welcome', f'-textpage:{pop.WELCOME_PAGE}/{{lang}}', '-always'
    )
    assert result.returncode == 0, result.output
    texts = pop.WELCOME_TEXTS
    expected = {
        'Alice': texts['de'],
        'Bob': texts['fr'],
        'Carol': texts['nl'],
        'Grace Hopper': texts[''],  # no Swedish page: the page itself
        'Jürgen Müller': texts['de'],
    }
    assert received(mailbox) == exactly_once(expected)
    bodies = {m.to_address: m.body.split('\n')[0] for m in mailbox.messages()}
    assert bodies == {
        pop.EMAILABLE[name]: text.replace('{username}', name) for name, text in expected.items()
    }
    out = plan_lines(result.output)
    project = 'Emailuser Test Wiki:Welcome'  # the wiki's name for the project namespace
    assert f'Pages of -textpage:{pop.WELCOME_PAGE}/{{lang}}:' in out, result.output
    # Each page is named with who edited it last: the fixtures' account, not the sender.
    edited = r', last edited by Fixture setup on \S+ \S+ UTC: '
    for page, users in (
        (f'{project}/de', '2 users (Alice, Jürgen Müller)'),
        (f'{project}/fr', '1 user (Bob)'),
        (f'{project}/nl', '1 user (Carol)'),
        (f'{project} ({pop.WELCOME_PAGE}/sv does not exist)', '1 user (Grace Hopper)'),
    ):
        line = re.escape(page) + edited + re.escape(users)
        assert any(re.fullmatch(line, each) for each in out), (line, result.output)
    # One preview per page: four, each before anything was sent.
    previews = [line for line in out if line.startswith('Preview of the email to')]
    assert sorted(previews) == [
        f'Preview of the email to Alice (the page {project}/de):',
        f'Preview of the email to Bob (the page {project}/fr):',
        f'Preview of the email to Carol (the page {project}/nl):',
        f'Preview of the email to Grace Hopper (the page {project}):',
    ]
    assert result.output.rindex('End of the preview.') < result.output.index('Alice: sent')


@pytest.mark.mediawiki('1.39')
def test_a_page_per_language_names_a_column_of_the_users_files(sender, mailbox, tmp_path):
    readers = tmp_path / 'readers.csv'
    readers.write_text('username,lang\nAlice,de\n', encoding='utf-8')
    result = sender.run(
        f'-users:{readers}', '-subject:Welcome', f'-textpage:{pop.WELCOME_PAGE}/{{lng}}', '-always'
    )
    assert result.returncode == 1, result.output
    assert (
        f'-textpage:{pop.WELCOME_PAGE}/{{lng}} has the placeholder {{lng}}, which is no column '
        'of the -users: files (columns: {lang}): name a column, or give one page.'
    ) in ' '.join(result.output.split())
    assert mailbox.messages() == []


@pytest.mark.mediawiki('1.39')
def test_every_page_of_a_page_per_language_is_checked_before_the_first_email(
    sender, mailbox, tmp_path
):
    readers = tmp_path / 'readers.csv'
    # Alice's page is fine; Bob's, further down, has a table that plain text cannot show.
    readers.write_text('username,page\nAlice,Registration\nBob,Schedule\n', encoding='utf-8')
    result = sender.run(f'-users:{readers}', '-subject:S', '-textpage:Project:{page}', '-always')
    assert result.returncode == 1, result.output
    assert 'Emailuser Test Wiki:Schedule has a table after' in result.output
    assert 'Traceback' not in result.output
    assert mailbox.messages() == []
