"""Secrets never reach a log: what redact hides."""

from __future__ import annotations

from emailuserlib.wiki import redact


def test_passwords_and_tokens_are_hidden_in_every_shape():
    text = (
        'lgpassword=hunter2&lgtoken=abc%2B%5C&action=login '
        "{'password': 'hunter2', 'token': 'abc+\\\\'} retype=hunter2"
    )
    hidden = redact.redact(text)
    assert 'hunter2' not in hidden and 'abc' not in hidden
    assert 'action=login' in hidden
