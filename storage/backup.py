"""Backups of the study database: an online copy, checked, named by UTC time; and a checked
restore into an empty path.

A copy is taken with SQLite's backup API in one step: it reads one consistent snapshot while the
bot goes on writing (WAL: readers do not block the writer), so it holds every transaction that
was committed before it began and none that was half done. The copy is written to a hidden
temporary file (0600), switched to a single-file journal, checked with `integrity_check`, made
durable (fsync of the file and the folder), and only then given its name
`alsfrs-YYYYMMDDTHHMMSSZ.sqlite3`. The newest `keep` copies are kept.

These functions block (file I/O); the bot runs them in a thread.

    StorageError
     └── BackupError
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from storage.db import StorageError, migrations

__all__ = [
    "BACKUP_NAME",
    "BackupError",
    "BackupInfo",
    "backup",
    "backup_name",
    "backups",
    "restore",
    "verify",
]

BACKUP_NAME: Final = re.compile(r"^alsfrs-\d{8}T\d{6}Z\.sqlite3$")


class BackupError(StorageError):
    """A backup could not be made, is damaged, or cannot be restored where asked."""


@dataclass(frozen=True)
class BackupInfo:
    """What a checked copy holds."""

    path: Path
    size: int
    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)


def backup_name(now: datetime) -> str:
    return f"alsfrs-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.sqlite3"


def backups(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if BACKUP_NAME.match(p.name) and p.is_file())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check(conn: sqlite3.Connection, path: Path) -> BackupInfo:
    """Integrity, schema version and row counts of an open copy; raises BackupError."""
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} failed the integrity check: {'; '.join(problems[:3])}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        known = len(migrations())
        if version < 1:
            raise BackupError(f"{path} holds no alsfrs-bot schema (version {version})")
        if version > known:
            raise BackupError(
                f"{path} is at schema version {version}, newer than this program ({known})"
            )
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            name: int(conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])
            for name in tables
        }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged or not an SQLite database: {exc}") from exc
    return BackupInfo(path=path, size=path.stat().st_size, schema_version=version, counts=counts)


def _copy(source: sqlite3.Connection, target: Path) -> BackupInfo:
    """Copy `source` into the new file `target` in one consistent step and check the copy."""
    dest = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(dest)  # pages=-1: the whole database from one snapshot
        dest.execute("PRAGMA journal_mode = DELETE")
        return _check(dest, target)
    finally:
        dest.close()


def _private_temp(folder: Path, stem: str) -> Path:
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.", suffix=".partial")
    os.close(fd)  # created 0600 by mkstemp; SQLite takes an empty file as a new database
    return Path(name)


def _open_source(db_path: Path) -> sqlite3.Connection:
    if not db_path.is_file():
        raise BackupError(f"{db_path}: no such database file")
    try:
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{db_path} is damaged or not an SQLite database: {exc}") from exc
    return conn


def backup(db_path: Path, folder: Path, *, keep: int, now: datetime | None = None) -> BackupInfo:
    """Copy the database at `db_path` into `folder` (created 0700 if missing), check the copy,
    name it by UTC time and delete all but the newest `keep` backups there."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    source = _open_source(db_path)
    final = folder / backup_name(now or datetime.now(UTC))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if final.exists():
            raise BackupError(f"{final} exists already; try again in a second")
    except BaseException:
        source.close()
        raise
    temp = _private_temp(folder, final.stem)
    old_umask = os.umask(0o077)
    try:
        info = _copy(source, temp)
        os.chmod(temp, 0o600)
        _fsync_file(temp)
        os.replace(temp, final)
        _fsync_dir(folder)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the copy of {db_path} failed: {exc}") from exc
    finally:
        os.umask(old_umask)
        source.close()
        for leftover in (temp, Path(f"{temp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    for old in backups(folder)[:-keep]:
        old.unlink()
    return BackupInfo(
        path=final,
        size=final.stat().st_size,
        schema_version=info.schema_version,
        counts=info.counts,
    )


def verify(path: Path) -> BackupInfo:
    """Check a backup without changing it: integrity, schema version, row counts."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        # immutable: read the file as it is, create no journal or WAL beside it.
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be opened: {exc}") from exc
    try:
        return _check(conn, path)
    finally:
        conn.close()


def _empty(target: Path) -> bool:
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(f"{target}{suffix}")
        if candidate.is_symlink() or (candidate.exists() and candidate.stat().st_size > 0):
            return False
    return True


def restore(path: Path, target: Path) -> BackupInfo:
    """Check the backup at `path` and copy it to `target`, which must not exist yet (or be an
    empty file): a restore never overwrites a database."""
    checked = verify(path)
    if not _empty(target):
        raise BackupError(f"{target} is not empty; restore only into a new path")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _private_temp(target.parent, target.name)
    source = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    old_umask = os.umask(0o077)
    try:
        _copy(source, temp)
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        os.chmod(temp, 0o600)
        _fsync_file(temp)
        if not _empty(target):
            raise BackupError(f"{target} appeared while restoring; not overwriting it")
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        os.umask(old_umask)
        source.close()
        for leftover in (temp, Path(f"{temp}-journal"), Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return BackupInfo(
        path=target,
        size=target.stat().st_size,
        schema_version=checked.schema_version,
        counts=checked.counts,
    )
