"""The operator's CLI under bad conditions: a damaged database, an unreachable Telegram, output
paths that are links or in missing folders; and what it prints (no "None", readable times)."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import stat
import subprocess
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from bot import ops_cli
from bot.settings import DEFAULT_STUDY_FILE
from storage.db import Database, DatabaseDamaged, Tx
from tests.conftest import BIN, TOKEN, Harness


def run_cli(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    return result, time.monotonic() - started


def base_env(db_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    return {**clean, "ALSFRS_DB_PATH": str(db_path)}


async def make_db(path: Path, participants: int = 300) -> None:
    db = await Database.open(path)

    async def fill(tx: Tx) -> None:
        await tx.executemany(
            "INSERT INTO participants (subject, created_at) VALUES (?, ?)",
            [(f"S{n:04d}", "2025-01-01T00:00:00+00:00") for n in range(participants)],
        )

    await db.write(fill)
    await db.close()


@pytest.fixture
async def damaged(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "text.sqlite3"
    text.write_text("this is not a database\n" * 20, encoding="utf-8")
    good = tmp_path / "good.sqlite3"
    await make_db(good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(data[: len(data) // 2])
    short = tmp_path / "short.sqlite3"
    short.write_bytes(data[:60])
    return {"text": text, "truncated": truncated, "short": short}


@pytest.mark.parametrize(
    "args",
    [("participants",), ("export",), ("audit",), ("withdraw", "S0001"), ("backup", "BACKUPS")],
)
async def test_a_damaged_database_exits_2_naming_the_setting(
    damaged: dict[str, Path], tmp_path: Path, args: tuple[str, ...]
) -> None:
    args = tuple(str(tmp_path / "b") if a == "BACKUPS" else a for a in args)
    for kind, path in damaged.items():
        result, took = await asyncio.to_thread(run_cli, base_env(path), *args)
        assert result.returncode == 2, (kind, result.stderr)
        assert "ALSFRS_DB_PATH" in result.stderr, (kind, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert took < 15, (kind, took)


async def test_run_on_a_damaged_database_exits_2(
    harness: Harness, damaged: dict[str, Path]
) -> None:
    env = {**harness.env, "ALSFRS_DB_PATH": str(damaged["text"])}
    result, took = await asyncio.to_thread(run_cli, env, "run")
    assert result.returncode == 2, result.stderr
    assert "ALSFRS_DB_PATH" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert took < 15


async def test_open_closes_everything_when_the_file_is_damaged(damaged: dict[str, Path]) -> None:
    import threading

    before = set(threading.enumerate())
    for path in damaged.values():
        with pytest.raises(DatabaseDamaged):
            await Database.open(path)
    await asyncio.sleep(0.1)
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == []  # no aiosqlite thread left behind to keep the process alive


def test_telegram_unreachable_is_one_line(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    shipped = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
    study.write_text(re.sub(r'(?m)^site_phone = ".*"$', 'site_phone = "+420 222 333 444"', shipped))
    env = {
        **base_env(tmp_path / "db.sqlite3"),
        "ALSFRS_STUDY_FILE": str(study),
        "ALSFRS_BOT_TOKEN": TOKEN,
        "ALSFRS_API_BASE_URL": "http://127.0.0.1:9/bot",  # nothing listens on the discard port
    }
    for args in (("enroll", "S001"), ("run",)):
        result, _ = run_cli(env, *args)
        assert result.returncode == 75, result.stderr  # temporary: a service manager retries
        assert "Traceback" not in result.stderr
        assert "cannot reach Telegram" in result.stderr.splitlines()[-1]


async def test_output_is_private_never_follows_a_link_and_names_a_missing_folder(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "db.sqlite3"
    await make_db(db_path, participants=1)
    env = base_env(db_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "export.csv"
    link.symlink_to(victim)
    result, _ = run_cli(env, "audit", "--output", str(link))
    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink()
    assert "id,at,actor_role" in link.read_text(encoding="utf-8")
    assert stat.S_IMODE(link.stat().st_mode) == 0o600
    # A file that was there with wider permissions ends up private too.
    wide = tmp_path / "wide.csv"
    wide.write_text("", encoding="utf-8")
    wide.chmod(0o644)
    assert run_cli(env, "export", "--output", str(wide), "--force")[0].returncode == 0
    assert stat.S_IMODE(wide.stat().st_mode) == 0o600
    missing = tmp_path / "nowhere" / "out.csv"
    result, _ = run_cli(env, "export", "--output", str(missing))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"alsfrs-bot: --output {missing}: the folder {missing.parent} does not exist"
    )


async def test_participants_prints_dashes_and_readable_times(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    await make_db(db_path, participants=1)
    result, _ = run_cli(base_env(db_path), "participants")
    assert result.returncode == 0, result.stderr
    assert "None" not in result.stdout
    assert "total -\tprevious -" in result.stdout


def test_times_are_shown_readable() -> None:
    moment = datetime(2025, 3, 4, 9, 30, 12, tzinfo=UTC)
    assert ops_cli.when(moment) == "2025-03-04 09:30 UTC"
    assert ops_cli.when("2025-03-04T10:30:12+01:00") == "2025-03-04 09:30 UTC"
    assert ops_cli.when(None) == "-"


async def test_the_audit_trail_cannot_be_replaced(tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    await make_db(db_path, participants=1)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(
            "INSERT INTO audit (at, actor_role, action, entity) VALUES ('t', 'system', 'a', 'e')"
        )
        conn.commit()
        first = conn.execute("SELECT id, action FROM audit ORDER BY id LIMIT 1").fetchone()
        for verb in ("INSERT OR REPLACE INTO", "REPLACE INTO"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(
                    f"{verb} audit (id, at, actor_role, action, entity) "
                    "VALUES (?, 't', 'system', 'rewritten', 'e')",
                    (first[0],),
                )
        assert conn.execute("SELECT action FROM audit WHERE id = ?", (first[0],)).fetchone() == (
            first[1],
        )
    finally:
        conn.close()


async def test_health_says_whether_the_database_answers(
    tmp_path: Path, damaged: dict[str, Path]
) -> None:
    db_path = tmp_path / "db.sqlite3"
    result, _ = run_cli(base_env(db_path), "health")
    assert (result.returncode, result.stdout.split(":")[0]) == (1, "unhealthy")
    assert not db_path.exists()  # a health check never creates the database
    await make_db(db_path, participants=1)
    result, _ = run_cli(base_env(db_path), "health")
    assert (result.returncode, result.stdout.split(":")[0]) == (0, "healthy")
    result, _ = run_cli(base_env(damaged["text"]), "health")
    assert result.returncode == 1
    assert "ALSFRS_DB_PATH" in result.stdout
