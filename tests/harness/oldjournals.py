"""Journals as earlier releases of the script wrote them, for the migration tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: The tables of schema 1, which kept one campaign per wiki, account and text.
SCHEMA_1 = """
CREATE TABLE campaign (id INTEGER PRIMARY KEY, wiki TEXT NOT NULL, account TEXT NOT NULL,
    fingerprint TEXT NOT NULL, subject TEXT NOT NULL, created REAL NOT NULL,
    UNIQUE (wiki, account, fingerprint));
CREATE TABLE recipient (campaign INTEGER NOT NULL, username TEXT NOT NULL, state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '', final INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL,
    PRIMARY KEY (campaign, username)) WITHOUT ROWID;
"""

#: The tables of schema 2, which keyed recipients by name.
SCHEMA_2 = """
CREATE TABLE campaign (id INTEGER PRIMARY KEY, wiki TEXT NOT NULL, name TEXT NOT NULL,
    created REAL NOT NULL, UNIQUE (wiki, name));
CREATE TABLE version (id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL,
    fingerprint TEXT NOT NULL, created REAL NOT NULL, UNIQUE (campaign, fingerprint));
CREATE TABLE recipient (campaign INTEGER NOT NULL, username TEXT NOT NULL, state TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',
    final INTEGER NOT NULL DEFAULT 0, version INTEGER, account TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL, PRIMARY KEY (campaign, username)) WITHOUT ROWID;
CREATE TABLE send (wiki TEXT NOT NULL, account TEXT NOT NULL, family TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL);
CREATE INDEX send_by_account ON send (account, at);
CREATE TABLE holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL,
    since REAL NOT NULL);
"""

#: The tables of schema 3, which keyed recipients by user id alone and kept the
#: ``CentralAuth`` central id of a name whether or not its account was attached.
SCHEMA_3 = """
CREATE TABLE campaign (id INTEGER PRIMARY KEY, wiki TEXT NOT NULL, name TEXT NOT NULL,
    created REAL NOT NULL, UNIQUE (wiki, name));
CREATE TABLE version (id INTEGER PRIMARY KEY, campaign INTEGER NOT NULL,
    fingerprint TEXT NOT NULL, created REAL NOT NULL, UNIQUE (campaign, fingerprint));
CREATE TABLE recipient (campaign INTEGER NOT NULL, userid INTEGER, centralid INTEGER,
    username TEXT NOT NULL, state TEXT NOT NULL, status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '', final INTEGER NOT NULL DEFAULT 0, version INTEGER,
    account TEXT NOT NULL DEFAULT '', updated REAL NOT NULL);
CREATE UNIQUE INDEX recipient_by_account ON recipient (campaign, userid)
    WHERE userid IS NOT NULL;
CREATE UNIQUE INDEX recipient_by_name ON recipient (campaign, username)
    WHERE userid IS NULL;
CREATE TABLE send (wiki TEXT NOT NULL, account TEXT NOT NULL, family TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL);
CREATE INDEX send_by_account ON send (account, at);
CREATE TABLE holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL,
    since REAL NOT NULL);
"""


def write(path: Path, tables: str, rows: str, version: int) -> Path:
    """A journal at *path* with *tables*, the rows of the SQL *rows*, and *version*."""
    db = sqlite3.connect(path)
    db.executescript(f'{tables}{rows}\nPRAGMA user_version={version};')
    db.close()
    return path
