"""Whether a journal's folder is on a network filesystem, read from the mount table.

SQLite's WAL mode needs memory shared by every process that opens the
database, which processes on different hosts do not have: on a network
filesystem (NFS, SMB, CephFS ...), as Toolforge's jobs have over the tool's
home, the journal uses SQLite's rollback journal instead, and a run takes the
journal's lock before it opens the database (:class:`.store.Journal`).

The mount table is Linux's ``/proc/self/mounts``: the filesystem of a path is
the one mounted at the longest mount point that holds it. Where there is no
such table (another system), a folder is taken to be local. The environment
variable ``EMAILUSER_MOUNT_TABLE`` names another table in that format, so that
the tests can put a folder on a network filesystem.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Where Linux lists what is mounted where, in the format of fstab.
MOUNT_TABLE = '/proc/self/mounts'
#: The environment variable that names another mount table (for the tests).
MOUNT_TABLE_VARIABLE = 'EMAILUSER_MOUNT_TABLE'
#: Filesystems whose files processes on other hosts (or a host and its virtual
#: machines) open too, where SQLite's WAL mode is unsafe.
NETWORK = frozenset(
    {
        '9p',
        'afs',
        'beegfs',
        'ceph',
        'cifs',
        'coda',
        'davfs',
        'fuse.cephfs',
        'fuse.glusterfs',
        'fuse.s3fs',
        'fuse.sshfs',
        'gfs2',
        'glusterfs',
        'gpfs',
        'lustre',
        'ncpfs',
        'nfs',
        'nfs4',
        'ocfs2',
        'orangefs',
        'smb3',
        'smbfs',
    }
)
_OCTAL = re.compile(r'\\([0-7]{3})')


def mounts(table: str | None = None) -> list[tuple[str, str]]:
    """(mount point, filesystem type) of each line of the mount *table*; [] when there is none."""
    table = table or os.environ.get(MOUNT_TABLE_VARIABLE) or MOUNT_TABLE
    try:
        with open(table, encoding='utf-8', errors='surrogateescape') as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 3:
            # The table writes a space in a path as \040, a backslash as \134.
            point = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), fields[1])
            found.append((point, fields[2]))
    return found


def filesystem(path: Path, table: str | None = None) -> str:
    """The type of the filesystem that holds *path* (or would, once created); '' unknown."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    real = os.path.realpath(path)
    best, kind = -1, ''
    for point, fstype in mounts(table):
        inside = real == point or real.startswith(point.rstrip('/') + '/')
        if inside and len(point) > best:  # the last mount of a point covers the earlier
            best, kind = len(point), fstype
        elif inside and len(point) == best:
            kind = fstype
    return kind


def network_filesystem(path: Path, table: str | None = None) -> str:
    """The network filesystem that holds *path* (``nfs4``, ``cifs`` ...), or '' when local."""
    kind = filesystem(path, table)
    return kind if kind in NETWORK or kind.startswith('nfs') else ''
