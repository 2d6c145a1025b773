"""Open the database and run every write through one group-committing writer.

The file is SQLite in WAL mode with `synchronous=FULL`, foreign keys on and a busy timeout.
Numbered migrations in `storage/migrations/NNNN_name.sql` are applied in order, one transaction
each; a database newer than this code is refused.

Writes are units of work (`async def unit(tx) -> T`). The writer takes every unit that is waiting,
runs each inside its own SAVEPOINT (a failing unit rolls back alone), and commits them together:
one fsync for many concurrent writers, and no caller hears "done" before its data is durable.
Reads run on a separate connection and see only committed data.

    StorageError
     ├── DatabaseDamaged
     ├── DatabaseTooNew
     └── MigrationFailed
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

import aiosqlite

__all__ = [
    "Database",
    "DatabaseDamaged",
    "DatabaseTooNew",
    "MigrationFailed",
    "Row",
    "StorageError",
    "Tx",
    "migrations",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
Row = sqlite3.Row
_MAX_BATCH: Final = 512
_MIGRATION_NAME: Final = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StorageError(Exception):
    """Base of every storage error."""


class DatabaseTooNew(StorageError):
    """The database was written by a newer version of this program."""


class DatabaseDamaged(StorageError):
    """The file is not an SQLite database, or it is damaged (truncated, malformed)."""


class MigrationFailed(StorageError):
    """A migration could not be applied; the database is left at the previous version."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every migration shipped with the code, in order."""
    found: list[tuple[int, str, str]] = []
    folder = resources.files("storage") / "migrations"
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise MigrationFailed(f"migration numbers must run 1, 2, 3...; found {name}")
    return found


class Tx:
    """What a unit of work sees: one connection, inside a transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    # Each call is one round trip to the connection's thread (aiosqlite): under load every
    # round trip waits for the event loop, so a unit of work should make as few as it can.

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns lastrowid for an INSERT, else the changed row count."""
        cursor = await self._conn.execute(sql, params)
        if sql.lstrip()[:6].upper() == "INSERT":
            return int(cursor.lastrowid or 0)
        return int(cursor.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]


@dataclass(eq=False)
class _Job(Generic[T]):
    unit: Callable[[Tx], Awaitable[T]]
    future: asyncio.Future[T] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


async def _connect(path: str, *, read_only: bool = False) -> aiosqlite.Connection:
    """A connection with our PRAGMAs. If any of them fails (not a database, damaged file) the
    connection and its thread are closed before the error goes up: a leaked aiosqlite thread
    is not a daemon and would keep the process alive forever."""
    target = f"file:{path}?mode=ro" if read_only else path
    conn = await aiosqlite.connect(target, isolation_level=None, uri=read_only)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        with contextlib.suppress(Exception):
            await conn.close()
        raise
    return conn


async def _check_size(conn: aiosqlite.Connection, path: Path) -> None:
    """A file cut short (a copy interrupted, a full disk) reads as fine until a missing page is
    needed; the header says how long the file should be, so compare once at open."""
    if str(path) == ":memory:":
        return
    row = await (await conn.execute("PRAGMA page_size")).fetchone()
    problem = _header_problem(path, int(row[0]) if row else 0)
    if problem is not None:
        raise DatabaseDamaged(f"{path} {problem}")


def _header_problem(path: Path, page_size: int) -> str | None:
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) == 0:
        return None  # a new, empty file
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "is not an SQLite database"
    # The size in the header counts only when "version-valid-for" matches the change counter.
    valid = header[92:96] == header[24:28]
    expected = int.from_bytes(header[28:32], "big") * page_size if valid else 0
    size = path.stat().st_size
    if size < expected:
        return f"is shorter than its header says ({size} of {expected} bytes): it is truncated"
    return None


class Database:
    """The one way into the SQLite file. Open with `await Database.open(path)`."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._queue: asyncio.Queue[_Job[Any] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._read_lock = asyncio.Lock()
        self.commits = 0
        self.units = 0

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            # Health data: owner-only from the first byte (WAL and SHM files follow this mode).
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
            os.chmod(path, 0o600)
        writer: aiosqlite.Connection | None = None
        try:
            writer = await _connect(str(path))
            await _check_size(writer, path)
            mode = await (await writer.execute("PRAGMA journal_mode = WAL")).fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise StorageError(f"could not switch {path} to WAL mode")
            await _migrate(writer, path)
            reader = await _connect(str(path), read_only=True)
        except BaseException as exc:
            if writer is not None:
                with contextlib.suppress(Exception):
                    await writer.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise DatabaseDamaged(f"{path} cannot be used: {exc}") from exc
            raise
        db = cls(path, writer, reader)
        db._task = asyncio.create_task(db._write_loop(), name="storage-writer")
        return db

    async def close(self) -> None:
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        await self._reader.close()
        await self._writer.close()

    async def write(self, unit: Callable[[Tx], Awaitable[T]]) -> T:
        """Run `unit` in a transaction; returns once its changes are durable on disk."""
        if self._task is None or self._task.done():
            raise StorageError("the database is closed")
        job: _Job[T] = _Job(unit)
        await self._queue.put(job)
        return await asyncio.shield(job.future)

    async def read(self, unit: Callable[[Tx], Awaitable[T]], *, snapshot: bool = True) -> T:
        """Run a read-only `unit` against committed data, in one consistent snapshot. A unit of
        a single statement is consistent on its own: `snapshot=False` spares the BEGIN and
        COMMIT round trips."""
        async with self._read_lock:
            if not snapshot:
                return await unit(Tx(self._reader))
            await self._reader.execute("BEGIN")
            try:
                return await unit(Tx(self._reader))
            finally:
                await self._reader.execute("COMMIT")

    async def _write_loop(self) -> None:
        tx = Tx(self._writer)
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch: list[_Job[Any]] = [first]
            stop = False
            while len(batch) < _MAX_BATCH and not self._queue.empty():
                job = self._queue.get_nowait()
                if job is None:
                    stop = True
                    break
                batch.append(job)
            await self._run_batch(tx, batch)
            if stop:
                return

    async def _run_batch(self, tx: Tx, batch: list[_Job[Any]]) -> None:
        """Run a batch in one transaction. Whatever happens, every caller gets an answer and
        the writer lives on: if SQLite abandoned the transaction itself (disk full, I/O error),
        the whole batch fails with StorageError and nothing of it is committed."""
        try:
            await self._run_batch_once(tx, batch)
        except Exception as exc:
            log.error("a batch of %d units failed as a whole: %s", len(batch), type(exc).__name__)
            if self._writer.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    await self._writer.execute("ROLLBACK")
            for job in batch:
                _settle(job, None, StorageError(f"the transaction failed: {exc}"))

    async def _run_units(
        self, tx: Tx, batch: list[_Job[Any]]
    ) -> list[tuple[_Job[Any], Any, BaseException | None]]:
        """Each unit of a batch in its own savepoint: one failing unit undoes only itself."""
        results: list[tuple[_Job[Any], Any, BaseException | None]] = []
        for job in batch:
            await self._writer.execute("SAVEPOINT unit")
            try:
                value = await job.unit(tx)
            except Exception as exc:  # one failing unit must not undo the others
                if not self._writer.in_transaction:
                    raise StorageError("SQLite rolled the transaction back") from exc
                await self._writer.execute("ROLLBACK TO unit")
                await self._writer.execute("RELEASE unit")
                results.append((job, None, exc))
            else:
                if not self._writer.in_transaction:
                    raise StorageError("the transaction ended inside a unit of work")
                await self._writer.execute("RELEASE unit")
                results.append((job, value, None))
        return results

    async def _run_batch_once(self, tx: Tx, batch: list[_Job[Any]]) -> None:
        results: list[tuple[_Job[Any], Any, BaseException | None]]
        try:
            await self._writer.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            for job in batch:
                _settle(job, None, StorageError(f"could not begin a transaction: {exc}"))
            return
        if len(batch) == 1:
            # A batch of one needs no savepoint: a failing unit rolls the whole transaction
            # back (two round trips to SQLite's thread fewer on the common, uncontended path).
            job = batch[0]
            try:
                value = await job.unit(tx)
            except Exception as exc:
                if not self._writer.in_transaction:
                    raise StorageError("SQLite rolled the transaction back") from exc
                await self._writer.execute("ROLLBACK")
                _settle(job, None, exc)
                return
            if not self._writer.in_transaction:
                raise StorageError("the transaction ended inside a unit of work")
            results = [(job, value, None)]
        else:
            results = await self._run_units(tx, batch)
        try:
            await self._writer.execute("COMMIT")
        except sqlite3.Error as exc:
            log.error("group commit of %d units failed: %s", len(batch), exc)
            try:
                await self._writer.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("rollback after a failed commit failed")
            for job in batch:
                _settle(job, None, StorageError(f"commit failed: {exc}"))
            return
        self.commits += 1
        self.units += len(batch)
        for job, value, error in results:
            _settle(job, value, error)


def _settle(job: _Job[Any], value: Any, error: BaseException | None) -> None:
    if job.future.done():
        return
    if error is not None:
        job.future.set_exception(error)
    else:
        job.future.set_result(value)


async def _migrate(conn: aiosqlite.Connection, path: Path) -> None:
    known = migrations()
    row = await (await conn.execute("PRAGMA user_version")).fetchone()
    current = int(row[0]) if row else 0
    if current > len(known):
        raise DatabaseTooNew(
            f"{path} is at schema version {current}, but this program knows only up to "
            f"{len(known)}. Use a newer version of alsfrs-bot with this database."
        )
    for version, name, sql in known[current:]:
        log.info("applying migration %s", name)
        script = f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {version};\nCOMMIT;"
        try:
            await conn.executescript(script)
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("ROLLBACK")
            raise MigrationFailed(f"migration {name} failed: {exc}") from exc
