"""Backups: an online copy taken while answers are being written holds every answer committed
before it began (and only whole assessments); restore checks and never overwrites; the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import backup as backups
from storage.db import Database, Tx, migrations
from tests.conftest import BIN

NOW = "2025-01-01T00:00:00+00:00"


async def _people(tx: Tx) -> tuple[int, int]:
    participant = await tx.execute(
        "INSERT INTO participants (subject, created_at) VALUES ('S001', ?)", (NOW,)
    )
    account = await tx.execute(
        "INSERT INTO accounts (telegram_user_id, created_at) VALUES (1, ?)", (NOW,)
    )
    link = await tx.execute(
        "INSERT INTO links (account_id, participant_id, role, created_at) "
        "VALUES (?, ?, 'patient', ?)",
        (account, participant, NOW),
    )
    return participant, link


def _unit(participant: int, link: int, seed: int):  # type: ignore[no-untyped-def]
    async def unit(tx: Tx) -> int:
        assessment = await tx.execute(
            "INSERT INTO assessments (participant_id, status, position, language, started_at, "
            "started_by, submitted_at, submitted_by, item5_variant, total) "
            "VALUES (?, 'submitted', 'done', 'en', ?, ?, ?, ?, '5a', ?)",
            (participant, NOW, link, NOW, link, sum((seed + i) % 5 for i in range(1, 11))),
        )
        await tx.executemany(
            "INSERT INTO answers (assessment_id, item, score, variant, answered_by, answered_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (assessment, i, (seed + i) % 5, "5a" if i == 5 else None, link, NOW)
                for i in range(1, 11)
            ],
        )
        return assessment

    return unit


def _answers(path: Path) -> dict[int, dict[int, int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found: dict[int, dict[int, int]] = {}
        for assessment, item, score in conn.execute(
            "SELECT assessment_id, item, score FROM answers"
        ):
            found.setdefault(assessment, {})[item] = score
        return found
    finally:
        conn.close()


async def test_a_backup_during_writes_restores_every_committed_answer(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    db = await Database.open(source)
    participant, link = await db.write(_people)
    confirmed: dict[int, int] = {}  # assessment id -> seed, once write() has returned
    stop = asyncio.Event()
    warmed_up = asyncio.Event()

    async def writer(offset: int) -> None:
        seed = offset
        while not stop.is_set():
            confirmed[await db.write(_unit(participant, link, seed))] = seed
            seed += 8
            if len(confirmed) >= 200:
                warmed_up.set()

    writers = [asyncio.create_task(writer(n)) for n in range(8)]
    try:
        await asyncio.wait_for(warmed_up.wait(), 30)
        # A small copy can finish before any writer's commit comes back on a loaded machine;
        # take copies until one overlapped with writes (each in its own folder).
        for attempt in range(20):
            before = dict(confirmed)
            info = await asyncio.to_thread(
                backups.backup, source, tmp_path / f"backups-{attempt}", keep=3
            )
            during = len(confirmed) - len(before)
            if during > 0:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*writers)
        await db.close()
    assert during > 0, "the writers did not go on while the copy was taken"
    restored = tmp_path / "restored" / "alsfrs.sqlite3"
    backups.restore(info.path, restored)
    reopened = await Database.open(restored)  # a restored file is a working database
    await reopened.close()
    found = _answers(restored)
    for assessment, seed in before.items():
        assert found[assessment] == {i: (seed + i) % 5 for i in range(1, 11)}
    # Only whole assessments: an answer set is in the copy entirely or not at all.
    assert all(len(items) == 10 for items in found.values())
    assert set(found) <= set(confirmed)
    assert info.counts["answers"] == 10 * len(found)
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(restored.stat().st_mode) == 0o600


async def test_names_by_utc_time_and_keeps_the_newest(tmp_path: Path) -> None:
    source = tmp_path / "db.sqlite3"
    await (await Database.open(source)).close()
    folder = tmp_path / "b"
    start = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    for n in range(5):
        backups.backup(source, folder, keep=3, now=start + timedelta(days=n))
    assert [p.name for p in backups.backups(folder)] == [
        "alsfrs-20250503T120000Z.sqlite3",
        "alsfrs-20250504T120000Z.sqlite3",
        "alsfrs-20250505T120000Z.sqlite3",
    ]
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


async def test_verify_and_restore_refuse_what_they_should(tmp_path: Path) -> None:
    source = tmp_path / "db.sqlite3"
    await (await Database.open(source)).close()
    info = backups.backup(source, tmp_path / "b", keep=1)
    assert backups.verify(info.path).schema_version == len(migrations())
    # Never over an existing database.
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(info.path, source)
    # A damaged copy.
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(info.path.read_bytes())
    damaged.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(backups.BackupError):
        backups.verify(damaged)
    # A copy from a newer program.
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(info.path.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    with pytest.raises(backups.BackupError, match="newer"):
        backups.verify(newer)
    with pytest.raises(backups.BackupError, match="no such"):
        backups.backup(tmp_path / "missing.sqlite3", tmp_path / "b", keep=1)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def test_the_backup_and_restore_commands(tmp_path: Path) -> None:
    source = tmp_path / "db.sqlite3"
    db = await Database.open(source)
    participant, link = await db.write(_people)
    await db.write(_unit(participant, link, 3))
    await db.close()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    env = {**clean, "ALSFRS_DB_PATH": str(source), "ALSFRS_BACKUP_DIR": str(tmp_path / "b")}
    made = _cli(env, "backup", "--json")
    assert made.returncode == 0, made.stderr
    path = json.loads(made.stdout)["path"]
    assert json.loads(made.stdout)["counts"]["answers"] == 10
    checked = _cli(env, "restore", path, "--verify")
    assert checked.returncode == 0, checked.stderr
    assert "answers: 10" in checked.stdout
    refused = _cli(env, "restore", path)  # into ALSFRS_DB_PATH, which holds a database
    assert refused.returncode == 2
    assert "not empty" in refused.stderr
    assert "Traceback" not in refused.stderr
    target = tmp_path / "new" / "alsfrs.sqlite3"
    done = _cli(env, "restore", path, "--to", str(target))
    assert done.returncode == 0, done.stderr
    assert _answers(target) == _answers(source)
    nowhere = _cli({**clean, "ALSFRS_DB_PATH": str(source)}, "backup")
    assert nowhere.returncode == 2
    assert "ALSFRS_BACKUP_DIR" in nowhere.stderr


async def test_the_bot_s_daily_backup(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from pydantic import ValidationError

    from bot import maintenance
    from bot.settings import Settings

    source = tmp_path / "db.sqlite3"
    await (await Database.open(source)).close()
    settings = Settings(db_path=source, backup_dir=tmp_path / "b", backup_keep=2, backup_daily=True)
    info = await maintenance.backup_once(settings)
    assert info is not None
    assert backups.backups(tmp_path / "b") == [info.path]
    # A failing backup is logged, and the bot goes on.
    broken = settings.model_copy(update={"db_path": tmp_path / "missing.sqlite3"})
    assert await maintenance.backup_once(broken) is None
    assert "the daily backup failed" in caplog.text
    with pytest.raises(ValidationError, match="ALSFRS_BACKUP_DIR"):
        Settings(backup_daily=True)
