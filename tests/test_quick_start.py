"""The README's quick start, command by command, as a new operator on a rate-limited account.

The account may send 3 emails a day (as any plain user of the test wiki; Wikimedia's
accounts may send 20), Pywikibot's put throttle is its default (10 s between emails),
and the bot password is made on Special:BotPasswords, as the README says. Each step
asserts what the operator reads there.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import exactly_once, received
from harness.pwbconfig import env_for, run_pwb
from harness.sessions import login

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

README = Path(__file__).resolve().parents[1] / 'README.md'
OPERATOR = 'LimitedSender'


def quick_start_blocks() -> list[list[str]]:
    """The indented code blocks of the README's quick start, in order."""
    text = README.read_text(encoding='utf-8')
    section = text.split('## Quick start', 1)[1].split('\n### ', 1)[0]
    blocks, current = [], []
    for line in section.splitlines():
        if line.startswith('       ') and line.strip():
            current.append(line.strip())
        elif current and not line.strip():
            continue
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


class _Form(HTMLParser):
    """The fields of the first form with *form_id*, with their default values."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.textarea = form_id, False, None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'form' and attrs.get('id') == self.form_id:
            self.inside = True
        elif self.inside and tag == 'input' and attrs.get('name'):
            kind = attrs.get('type', 'text')
            if kind in ('hidden', 'text') or (kind == 'checkbox' and 'checked' in attrs):
                self.fields.append((attrs['name'], attrs.get('value', '')))
        elif self.inside and tag == 'textarea':
            self.textarea = [attrs['name'], '']

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == 'textarea' and self.textarea is not None:
            self.fields.append((self.textarea[0], self.textarea[1].lstrip('\n')))
            self.textarea = None
        elif tag == 'form':
            self.inside = False


def make_bot_password(wiki, user: str, app: str, grants: list[str]) -> str:
    """Create a bot password on Special:BotPasswords as a person does; the password shown."""
    session = login(wiki, user)
    page = f'{wiki.url}/index.php'
    html = session.get(page, params={'title': f'Special:BotPasswords/{app}'}).text
    form = _Form('mw-botpasswords-form')
    form.feed(html)
    data = [(n, v) for n, v in form.fields if not n.startswith('wpgrants')]
    data += [('wpgrants[]', f'grant-{g}') for g in grants] + [('op', 'create')]
    answer = session.post(page, params={'title': f'Special:BotPasswords/{app}'}, data=data).text
    shown = re.search(r'<(?:b|strong)>([0-9a-w]{32})</(?:b|strong)>', answer)
    assert shown, answer[-2000:]
    return shown.group(1)


@pytest.mark.slow
def test_the_quick_start_works_as_written(wiki, mailbox, tmp_path, fresh_limits):
    blocks = quick_start_blocks()
    # Install (block 1) is what tests/test_install.py does; this test uses this venv.
    install, mkdir, family, config, password, *runs = blocks
    assert install[1].endswith('pip install .')
    assert mkdir[0].startswith('mkdir ') and mkdir[1].startswith('cd ')
    directory = tmp_path / 'emailuser-bot'
    directory.mkdir()
    env = env_for(directory)

    # Step 4: Special:BotPasswords, "emailuser", Basic rights and Send email to other users.
    secret = make_bot_password(wiki, OPERATOR, 'emailuser', ['basic', 'sendemail'])

    def substitute(text: str) -> str:
        return (
            text.replace('https://wiki.example.org/wiki/Main_Page', f'{wiki.url}/index.php')
            .replace('YourName', OPERATOR)
            .replace('PASSWORD-THE-WIKI-SHOWED', secret)
        )

    def pwb(command: str, status: int = 0) -> str:
        argv = shlex.split(substitute(command))
        assert argv[0] == 'pwb', command
        result = run_pwb(directory, *argv[1:], env=env)
        output = result.stdout + result.stderr
        print(f'$ {command}\n{output}')  # what the operator reads, for -s
        assert result.returncode == status, f'{command}\n{output}'
        assert 'not found' not in output, f'{command}\n{output}'
        assert 'Traceback' not in output, command
        assert 'Sleeping for' not in output, output  # waits are said in the script's words
        if status:
            assert 'Script terminated successfully.' not in output, output
        return output

    (family_command,) = family
    pwb(family_command)
    assert (directory / 'families' / 'mywiki_family.py').exists()
    # Step 1 (pip install .) is tested by tests/test_install.py; here pwb finds this
    # working tree's script the way a clone does, through user_script_paths. The put
    # throttle is Pywikibot's default: the operator's 10 s between emails.
    # A copy, as pwb splits user_script_paths entries on dots and a clone's own folder
    # may have one (mktemp -d gives /tmp/tmp.XXXXXXXXXX).
    scripts = shutil.copytree(
        Path(__file__).resolve().parents[1] / 'scripts',
        tmp_path / 'scripts',
        ignore=shutil.ignore_patterns('__pycache__'),
    )
    assert '.' not in str(scripts), 'pwb splits user_script_paths entries on dots'
    (directory / 'user-config.py').write_text(
        substitute('\n'.join(config)) + f'\nuser_script_paths = [{str(scripts)!r}]\n'
    )
    secret_file = directory / 'user-password.py'
    secret_file.write_text(substitute('\n'.join(password)) + '\n')
    os.chmod(secret_file, 0o600)
    (directory / 'invitation.txt').write_text('Hello {username},\n\ncome to the meetup.\n')

    commands = [command for block in runs for command in block]
    login_command, help_command, check_command, simulate, test, send = commands

    # Step 5.
    assert 'Logged in' in pwb(login_command)
    help_text = pwb(help_command)
    assert '-textfile:FILE' in help_text and 'pwb emailuser -simulate' in help_text
    assert 'pwb.py' not in help_text

    # Step 6: who can be emailed.
    check = pwb(check_command)
    assert re.search(r'^emailable +Alice$', check, re.M)
    assert '10 users checked: 6 emailable, 2 not-emailable' in check

    # Step 7: the dry run is dry, shows the whole email, and says where the limit stops.
    dry = pwb(simulate)
    assert '6 users would be emailed (simulation).' in dry
    assert 'Rate limit: 3 emails per day (the wiki).' in dry
    assert 'Preview of the email to Alice:' in dry and '  Hello Alice,' in dry
    assert "  From: Emailuser Test Wiki (the wiki's own address)" in dry
    # A bot password without "View your private information" cannot read the address.
    assert f"  Reply-To: {OPERATOR}'s email address (every recipient sees this address" in dry
    assert f'  This email was sent by {OPERATOR} to Alice' in dry
    assert "A real run would stop here, after 3 emails, at the account's email limit" in dry
    assert 'Put throttle' not in dry
    assert mailbox.messages() == []

    # Step 8: one test email to the operator, counted against the limit.
    trial = pwb(test)
    assert f'A test email (the email to Alice) goes to {OPERATOR}; nobody else (-test).' in trial
    assert 'the test email uses one more' in trial
    assert f'was sent to {OPERATOR} (this account); nobody else was emailed' in trial

    # Step 9: two emails fit today; the run says so and when to go on.
    sent = pwb(send, status=75)
    assert 'Rate limit: 3 emails per day (the wiki); 1 of them used in the current window.' in sent
    assert 'Only 2 more fit into the current window' in sent
    assert (
        "Stopped at the account's email limit of 3 emails per day (the wiki) after 2 emails" in sent
    )
    # "Run the same command again after any stop": said at the plan, before any preview.
    again = pwb(send, status=75)
    assert 'allows no email now, so nothing was sent' in again
    assert 'Preview of the email' not in again

    counts = received(mailbox)
    assert counts.pop(pop.SENDERS[OPERATOR][0]) == 1  # the test email, once
    reached = [n for n in pop.CATEGORY_RECIPIENTS if pop.EMAILABLE[n] in counts]
    assert len(reached) == 2 and counts == exactly_once(reached)
