"""The demo study of local mode: seeded once through the storage layer (links redeemed from real
invitations, assessments answered press by press, a consistent audit trail), reused afterwards,
never in the study's database, and reset only when it is a demo database."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.demo import DEMO_PEOPLE, DEMO_SUBJECT, DemoError, demo_db_path, ensure_demo, reset_demo
from bot.settings import Settings, load_study
from conversations.flows.demo import SEED_ACTION, is_demo_file
from storage import assessments, audit, people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Identity, Role, Submission

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BIN = Path(sys.executable).parent / "alsfrs-bot"


def settings(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": None,
        "db_path": tmp_path / "study.sqlite3",
        "local_db_path": tmp_path / "demo.sqlite3",
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


async def read(
    path: Path,
) -> tuple[list[Submission], dict[int, Identity | None], int, Counter[str]]:
    db = await Database.open(path)
    try:

        async def unit(tx: Tx) -> tuple[list[Submission], dict[int, Identity | None], int]:
            found = await people.get_participant(tx, DEMO_SUBJECT)
            assert found is not None
            subs = await assessments.submissions(tx, participant_id=found.id)
            who = {p.user_id: await people.identity(tx, p.user_id) for p in DEMO_PEOPLE}
            rows = await people.overview(tx)
            return subs, who, rows[0].open_alerts

        subs, who, alerts = await db.read(unit)

        async def trail(tx: Tx) -> Counter[str]:
            return Counter(entry.action for entry in await audit.entries(tx))

        actions = await db.read(trail)
    finally:
        await db.close()
    return subs, who, alerts, actions


async def test_the_demo_study_is_seeded_through_the_storage_layer(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    assert await ensure_demo(path, load_study(None), NOW) is True
    subs, who, open_alerts, actions = await read(path)

    # Four earlier submissions, two weeks apart, newest first; a gentle decline raising no alert.
    assert [s.total for s in subs] == [35, 35, 36, 36]
    assert [(NOW - s.submitted_at).days // 7 for s in subs] == [2, 4, 6, 8]
    assert [s.respondent for s in subs] == [
        Role.PATIENT,
        Role.CAREGIVER,
        Role.PATIENT,
        Role.PATIENT,
    ]
    assert all(s.subject == DEMO_SUBJECT and s.item5_variant == "5a" for s in subs)
    assert open_alerts == 0

    # Linked by redeeming real invitations; the stranger is linked to nothing.
    roles = {
        person.key: [link.role for link in identity.links] if identity else None
        for person, identity in zip(DEMO_PEOPLE, who.values(), strict=True)
    }
    assert roles == {
        "staff": [Role.STAFF],
        "patient": [Role.PATIENT],
        "caregiver": [Role.CAREGIVER],
        "stranger": None,
    }

    # The audit trail tells the whole story, and marks the database as a demo.
    assert actions["invitation.create"] == 3
    assert actions["link.create"] == 3
    assert actions["assessment.submit"] == 4
    assert actions["answer.set"] == 40
    assert actions[SEED_ACTION] == 1
    assert actions["visit.save"] == 2
    assert actions["participant.onset"] == 1
    assert is_demo_file(path)

    # Two clinic visits by the demo staff member, the baseline and FVC a visitor sees.
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT label, total, fvc_percent, rated_by_role, visit_date FROM visits"
            " WHERE status = 'saved' ORDER BY visit_date"
        ).fetchall()
        onset = conn.execute("SELECT onset_month FROM participants").fetchone()[0]
    assert [r[:4] for r in rows] == [("I", 36, 88, "staff"), ("III", 35, 84, "staff")]
    assert [(NOW.date() - date.fromisoformat(r[4])).days // 7 for r in rows] == [8, 3]
    assert onset == "2025-09"


async def test_a_second_run_reuses_the_demo(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    assert await ensure_demo(path, load_study(None), NOW) is True
    assert await ensure_demo(path, load_study(None), NOW) is False
    subs, _, _, actions = await read(path)
    assert len(subs) == 4
    assert actions[SEED_ACTION] == 1


async def test_a_database_with_other_participants_is_not_seeded(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    db = await Database.open(path)
    try:

        async def unit(tx: Tx) -> None:
            await people.create_participant(
                tx, subject="S001", language=None, actor=_operator(), now=NOW
            )

        await db.write(unit)
    finally:
        await db.close()
    with pytest.raises(DemoError, match="not a local-mode demo database"):
        await ensure_demo(path, load_study(None), NOW)
    assert not is_demo_file(path)


def _operator() -> Actor:
    return Actor(role=ActorRole.OPERATOR)


def test_the_demo_never_uses_the_study_database(tmp_path: Path) -> None:
    same = settings(tmp_path, local_db_path=tmp_path / "study.sqlite3")
    with pytest.raises(DemoError, match="ALSFRS_LOCAL_DB_PATH"):
        demo_db_path(same)
    with pytest.raises(DemoError):
        reset_demo(same)
    assert demo_db_path(settings(tmp_path)) == tmp_path / "demo.sqlite3"


def test_reset_deletes_only_a_demo_database(tmp_path: Path) -> None:
    config = settings(tmp_path)
    assert "nothing to reset" in reset_demo(config)

    config.local_db_path.write_bytes(b"not a database at all")
    with pytest.raises(DemoError, match="not a local-mode demo database"):
        reset_demo(config)
    assert config.local_db_path.exists()

    config.local_db_path.unlink()
    sqlite3.connect(config.local_db_path).close()  # an empty SQLite file: not a demo either
    with pytest.raises(DemoError):
        reset_demo(config)

    config.local_db_path.unlink()
    asyncio.run(ensure_demo(config.local_db_path, load_study(None), NOW))
    assert "deleted" in reset_demo(config)
    assert not config.local_db_path.exists()
    assert not Path(f"{config.local_db_path}-wal").exists()


def test_the_demo_reset_command(tmp_path: Path) -> None:
    config = settings(tmp_path)
    asyncio.run(ensure_demo(config.local_db_path, load_study(None), NOW))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    env |= {
        "ALSFRS_DB_PATH": str(config.db_path),
        "ALSFRS_LOCAL_DB_PATH": str(config.local_db_path),
    }

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), "demo-reset"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    done = run()
    assert done.returncode == 0, done.stderr
    assert "deleted" in done.stdout
    assert not config.local_db_path.exists()

    config.local_db_path.write_text("precious")
    refused = run()
    assert refused.returncode == 2
    assert "ALSFRS_LOCAL_DB_PATH" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert config.local_db_path.read_text() == "precious"
