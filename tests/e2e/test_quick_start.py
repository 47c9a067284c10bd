"""The README's quick start, command by command, as operators follow it in a shell of their own.

Each operator has a home of their own (``HOME``) with the venv of this suite as
``~/emailuser-venv``, and runs the README's shell lines in bash, as written: its ``cd``
and ``export`` lines carry over to every later command, as in one terminal. Three
operators follow it. A new one, with no Pywikibot settings, goes all the way on a
rate-limited account: 3 emails a day (as any plain user of the test wiki; Wikimedia's
accounts may send 20), Pywikibot's default put throttle (10 s between emails), and a bot
password made on Special:BotPasswords, as the README says; each step asserts what the
operator reads there. Two who already run Pywikibot for another bot, from
``~/.pywikibot`` or from the folder their ``PYWIKIBOT_DIR`` names, follow it up to
``-check``: where the settings of the other bot could take over (the family file, the
login, the script).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness import population as pop
from harness.checks import exactly_once, received
from harness.sessions import login

pytestmark = [pytest.mark.wiki, pytest.mark.mediawiki('1.39')]

README = Path(__file__).resolve().parents[2] / 'README.md'
OPERATOR = 'LimitedSender'
#: The settings of another bot of the operator, on another wiki.
OTHER_BOT = "family = 'wikipedia'\nmylang = 'en'\nusernames['wikipedia']['en'] = 'OtherBot'\n"


def quick_start() -> list[tuple[str, list[str]]]:
    """The code blocks of the README's quick start, in order, each with what it is:
    the file ``user-config.py`` or ``user-password.py``, or ``shell`` lines."""
    text = README.read_text(encoding='utf-8')
    section = re.split(r'\n#{2,3} ', text.split('\n## Quick start', 1)[1], maxsplit=1)[0]
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
    return [(_kind(block), block) for block in blocks]


def _kind(block: list[str]) -> str:
    if any(line.startswith('family =') for line in block):
        return 'user-config.py'
    if any('BotPassword(' in line for line in block):
        return 'user-password.py'
    return 'shell'


class Operator:
    """An operator in a home of their own, following the quick start in one shell.

    *user* and *secret* stand for the README's ``YourName`` and the bot password the
    wiki showed; *env* is what the operator's shell has set besides (``PYWIKIBOT_DIR``).
    """

    def __init__(
        self, tmp_path: Path, wiki, user: str, secret: str, env: dict[str, str] | None = None
    ) -> None:
        self.home = tmp_path / 'home'
        self.home.mkdir(exist_ok=True)
        # Step 1's venv is this suite's (tests/e2e/test_install.py tests pip install .).
        (self.home / 'emailuser-venv').symlink_to(Path(sys.executable).parent.parent)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith('PYWIKIBOT')}
        self.env.update(HOME=str(self.home), PYTHONIOENCODING='utf-8', **(env or {}))
        self.carried: list[str] = []  # the cd and export lines run so far
        self.wiki, self.user, self.secret = wiki, user, secret
        # pwb finds this working tree's script the way a clone does, through
        # user_script_paths. A copy, as pwb splits user_script_paths entries on dots and
        # a clone's own folder may have one (mktemp -d gives /tmp/tmp.XXXXXXXXXX).
        self.scripts = shutil.copytree(
            Path(__file__).resolve().parents[2] / 'scripts',
            tmp_path / 'scripts',
            ignore=shutil.ignore_patterns('__pycache__'),
        )
        assert '.' not in str(self.scripts), 'pwb splits user_script_paths entries on dots'

    def substitute(self, text: str) -> str:
        return (
            text.replace('https://wiki.example.org/wiki/Main_Page', f'{self.wiki.url}/index.php')
            .replace('YourName', self.user)
            .replace('PASSWORD-THE-WIKI-SHOWED', self.secret)
        )

    def shell(self, command: str) -> subprocess.CompletedProcess:
        """Run *command* in bash after the cd and export lines run so far."""
        command = self.substitute(command)
        result = subprocess.run(
            ['bash', '-c', '\n'.join(['set -e', *self.carried, command])],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        if result.returncode == 0 and command.split()[0] in ('cd', 'export'):
            self.carried.append(command)
        return result

    @property
    def folder(self) -> Path:
        """The shell's current folder."""
        return Path(self.shell('pwd').stdout.strip())

    def pwb(self, command: str, status: int = 0) -> str:
        """Run a ``pwb`` line of the README; what the operator reads."""
        assert command.startswith('pwb '), command
        result = self.shell(command)
        output = result.stdout + result.stderr
        print(f'$ {command}\n{output}')  # what the operator reads, for -s
        assert result.returncode == status, f'{command}\n{output}'
        assert 'not found' not in output, f'{command}\n{output}'
        assert 'Traceback' not in output, command
        assert 'Sleeping for' not in output, output  # waits are said in the script's words
        if status:
            assert 'Script terminated successfully.' not in output, output
        return output

    def family_files(self) -> list[str]:
        """Where the quick start's family file is, in this home."""
        found = []
        for folder, subfolders, files in os.walk(self.home):
            subfolders[:] = [s for s in subfolders if s != 'emailuser-venv']
            found += [os.path.join(folder, f) for f in files if f == 'mywiki_family.py']
        return found

    def follow(self, until: str) -> list[str]:
        """Follow the quick start up to its first line that starts with *until*: run its
        shell lines, write its files where the shell is; the lines from there on."""
        lines: list[str] = []
        for kind, block in quick_start():
            if lines:
                assert kind == 'shell', (kind, block)
                lines += block
                continue
            if kind != 'shell':
                self.write(kind, block)
                continue
            for i, line in enumerate(block):
                if line.startswith(until):
                    lines = block[i:]
                    break
                self.run(line)
        assert lines, f'the quick start has no line starting with {until}'
        return lines

    def write(self, name: str, block: list[str]) -> None:
        path = self.folder / name
        text = self.substitute('\n'.join(block)) + '\n'
        if name == 'user-config.py':
            text += f'user_script_paths = [{str(self.scripts)!r}]\n'
        path.write_text(text)
        if name == 'user-password.py':
            os.chmod(path, 0o600)  # chmod 600 user-password.py

    def run(self, line: str) -> None:
        if 'venv' in line.split()[:3] or line.endswith('pip install .'):
            return  # the venv is this suite's
        if line.startswith('pwb '):
            self.pwb(line)
        else:
            result = self.shell(line)
            assert result.returncode == 0, f'{line}\n{result.stdout}{result.stderr}'
        if 'generate_family_file' in line:
            # Pywikibot writes the family into its base directory, which the steps
            # before must make the operator's new configuration directory.
            written = self.family_files()
            assert written == [str(self.folder / 'families' / 'mywiki_family.py')], written


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
    # Step 4: Special:BotPasswords, "emailuser", Basic rights and Send email to other users.
    secret = make_bot_password(wiki, OPERATOR, 'emailuser', ['basic', 'sendemail'])
    operator = Operator(tmp_path, wiki, OPERATOR, secret)
    login_command, help_command, check_command, simulate, test, send, _reminder = operator.follow(
        'pwb login'
    )
    (operator.folder / 'invitation.txt').write_text('Hello {username},\n\ncome to the meetup.\n')

    # Step 5.
    assert f'Logged in on mywiki:en as {OPERATOR}' in operator.pwb(login_command)
    help_text = operator.pwb(help_command)
    assert '-textfile:FILE' in help_text and 'pwb emailuser -simulate' in help_text
    assert 'pwb.py' not in help_text

    # Step 6: who can be emailed.
    check = operator.pwb(check_command)
    assert re.search(r'^emailable +Alice$', check, re.M)
    assert '10 users checked: 6 emailable, 2 not-emailable' in check

    # Step 7: the dry run is dry, shows the whole email, and says where the limit stops.
    dry = operator.pwb(simulate)
    assert (
        '6 users would be emailed (simulation); a real run would email 3 and stop at the '
        "account's email limit, the other 3 by later runs."
    ) in dry
    assert 'Rate limit: 3 emails per day (the wiki).' in dry
    assert 'Preview of the email to Alice:' in dry and '  Hello Alice,' in dry
    # A bot password without "View your private information" cannot read the address.
    assert (
        f"  From: Emailuser Test Wiki (the wiki's own address), or {OPERATOR}'s email address "
        "where the wiki sends from its users' own addresses"
    ) in dry
    assert f"  Reply-To: {OPERATOR}'s email address, when the email is from the wiki's" in dry
    assert f'  This email was sent by {OPERATOR} to Alice' in dry
    assert "A real run would stop here, after 3 emails, at the account's email limit" in dry
    assert 'Put throttle' not in dry
    assert mailbox.messages() == []

    # Step 8: one test email to the operator, counted against the limit.
    trial = operator.pwb(test)
    assert f'A test email (the email to Alice) goes to {OPERATOR}; nobody else (-test).' in trial
    assert 'the test email uses one more' in trial
    assert f'was sent to {OPERATOR} (this account); nobody else was emailed' in trial

    # Step 9: two emails fit today; the run says so and when to go on.
    sent = operator.pwb(send, status=75)
    assert 'Rate limit: 3 emails per day (the wiki); 1 of them used in the current window.' in sent
    assert (
        "6 users will be emailed: 2 by this run, which stops at the account's email limit"
    ) in sent
    assert (
        "Stopped at the account's email limit of 3 emails per day (the wiki) after 2 emails" in sent
    )
    # "Run the same command then": said at the plan, before any preview.
    again = operator.pwb(send, status=75)
    assert 'allows no email now, so nothing was sent' in again
    assert 'Preview of the email' not in again

    counts = received(mailbox)
    assert counts.pop(pop.SENDERS[OPERATOR][0]) == 1  # the test email, once
    reached = [n for n in pop.CATEGORY_RECIPIENTS if pop.EMAILABLE[n] in counts]
    assert len(reached) == 2 and counts == exactly_once(reached)
    # The journal is in the configuration directory, where the next run looks.
    assert (operator.folder / 'emailuser-journal.sqlite3').exists()


@pytest.mark.parametrize('other_bot', ['~/.pywikibot', 'PYWIKIBOT_DIR'])
def test_the_quick_start_works_beside_the_settings_of_another_bot(wiki, tmp_path, other_bot):
    """An operator who runs Pywikibot for another bot, from ~/.pywikibot or from the
    folder of PYWIKIBOT_DIR: the quick start's steps, as written, still use the new
    configuration directory, and leave the other bot's alone."""
    home = tmp_path / 'home'
    other = home / ('.pywikibot' if other_bot == '~/.pywikibot' else 'other-bot')
    other.mkdir(parents=True)
    (other / 'user-config.py').write_text(OTHER_BOT)
    env = {'PYWIKIBOT_DIR': str(other)} if other_bot == 'PYWIKIBOT_DIR' else {}
    # Sender's bot password "emailuser" has the grants of step 4 (harness.population).
    operator = Operator(tmp_path, wiki, 'Sender', pop.BOT_PASSWORD, env)
    login_command, help_command, check_command, *_ = operator.follow('pwb login')

    assert 'Logged in on mywiki:en as Sender' in operator.pwb(login_command)
    assert '-textfile:FILE' in operator.pwb(help_command)
    check = operator.pwb(check_command)
    assert re.search(r'^emailable +Alice$', check, re.M)
    assert sorted(p.name for p in other.iterdir()) == ['user-config.py']
    assert (other / 'user-config.py').read_text() == OTHER_BOT
