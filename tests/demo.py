"""Demo: a throwaway wiki, one run of pwb emailuser over a category, the mail that arrived.

Run it with tests/demo.sh, which installs what is needed first.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import population
from harness.pwbconfig import SCRIPT, env_for, generate_family, make_config, pwb_command
from harness.wiki import LocalWiki

ARGS = [
    f'-cat:{population.CATEGORY}',
    '-subject:Invitation for {username}',
    '-text:Hello {username},\\n\\nyou are invited to the meetup of {sitename}.\\n\\nSee you there!',
]


def run(config: Path, *args: str) -> None:
    shown = ' '.join(a if ' ' not in a else f'"{a}"' for a in args)
    print(f'\n$ pwb emailuser {shown}', flush=True)
    subprocess.run(
        [*pwb_command(), str(SCRIPT), *args],
        cwd=config,
        env=env_for(config),
        stdin=subprocess.DEVNULL,
        check=False,
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix='emailuser-demo-') as tmp:
        root = Path(tmp)
        print('Starting a local MediaWiki with sample users and an SMTP sink...', flush=True)
        with LocalWiki(root / 'wiki', population.spec()) as wiki:
            print(f'Wiki at {wiki.url}, mail to 127.0.0.1:{wiki.smtp_port}.')
            families = generate_family(wiki, root / 'family')
            config = make_config(root / 'pwb', families, 'Sender', population.PASSWORD)
            run(config, '-simulate', *ARGS, '-always')
            run(config, *ARGS, '-always')
            mails = wiki.mailbox.messages()
            print(f'\n{len(mails)} emails arrived at the SMTP sink:')
            for mail in mails:
                print(f'\nTo: {mail.to}\nReply-To: {mail.reply_to}\nSubject: {mail.subject}\n')
                print(mail.body.rstrip())
        print('\nThe wiki and the SMTP sink are stopped.')


if __name__ == '__main__':
    main()
