"""A journal on a network filesystem: found from the mount table, opened without WAL, locked
before it is opened."""

from __future__ import annotations

import sqlite3

import pytest

from emailuserlib.core.errors import JournalError
from emailuserlib.journal.filesystem import filesystem, mounts, network_filesystem
from emailuserlib.journal.store import Journal


def table(tmp_path, *lines: str):
    path = tmp_path / 'mounts'
    path.write_text(''.join(f'{line}\n' for line in lines))
    return str(path)


def test_the_longest_mount_point_that_holds_a_path_says_its_filesystem(tmp_path):
    home = tmp_path / 'tool home'
    (home / 'sub').mkdir(parents=True)
    found = table(
        tmp_path,
        '/dev/vda1 / ext4 rw 0 0',
        f'nfs:/srv {str(home).replace(" ", chr(92) + "040")} nfs4 rw 0 0',
        f'tmpfs {home}/sub/shm tmpfs rw 0 0',
    )
    assert mounts(found)[1] == (str(home), 'nfs4')  # \040 is a space
    assert network_filesystem(home / 'sub' / 'journal.sqlite3', found) == 'nfs4'
    # A folder not made yet is where its nearest existing folder is.
    assert network_filesystem(home / 'new' / 'deeper', found) == 'nfs4'
    assert filesystem(tmp_path, found) == 'ext4'
    assert network_filesystem(tmp_path, found) == ''
    # A point that only begins like the path's folder does not hold it.
    assert network_filesystem(tmp_path / 'tool homework', found) == ''


def test_without_a_mount_table_a_folder_is_local(tmp_path):
    assert network_filesystem(tmp_path, str(tmp_path / 'no such table')) == ''


@pytest.mark.parametrize('kind', ['nfs', 'nfs4', 'cifs', 'smb3', 'ceph', 'fuse.sshfs', '9p'])
def test_network_filesystems(tmp_path, kind):
    assert network_filesystem(tmp_path, table(tmp_path, f'x {tmp_path} {kind} rw 0 0')) == kind


@pytest.fixture
def on_nfs(tmp_path, monkeypatch):
    monkeypatch.setenv('EMAILUSER_MOUNT_TABLE', table(tmp_path, f'nfs:/srv {tmp_path} nfs4 rw 0 0'))
    return tmp_path


def test_a_journal_on_nfs_uses_the_rollback_journal(on_nfs):
    path = on_nfs / 'journal.sqlite3'
    journal = Journal(path, lock=True)
    try:
        assert journal.network == 'nfs4'
        assert journal.db.execute('PRAGMA journal_mode').fetchone()[0] == 'delete'
    finally:
        journal.close()
    assert not path.with_name('journal.sqlite3-wal').exists()


def test_on_nfs_the_lock_comes_before_the_journal_is_opened(on_nfs):
    path = on_nfs / 'journal.sqlite3'
    holder = sqlite3.connect(path.with_name('journal.sqlite3.lock'), isolation_level=None)
    holder.execute('PRAGMA locking_mode=EXCLUSIVE')
    holder.execute('BEGIN EXCLUSIVE')
    try:
        with pytest.raises(JournalError) as e:
            Journal(path, lock=True)
        assert 'Another run is sending with the journal' in str(e.value)
        assert not path.exists()  # refused before the journal was opened (or created)
    finally:
        holder.close()


def journal_mode(path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute('PRAGMA journal_mode').fetchone()[0]
    finally:
        db.close()


def test_a_wal_journal_found_on_nfs_is_turned_into_a_rollback_journal(tmp_path, monkeypatch):
    path = tmp_path / 'journal.sqlite3'
    Journal(path, lock=True).close()
    assert journal_mode(path) == 'wal'
    monkeypatch.setenv('EMAILUSER_MOUNT_TABLE', table(tmp_path, f'n:/s {tmp_path} nfs rw 0 0'))
    Journal(path, lock=True).close()
    assert journal_mode(path) == 'delete'
