"""The database: durability settings, migrations, group commit, codes, assessments, audit."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.settings import load_study
from conversations.domain.assessment import (
    REVIEW,
    SYMPTOMS,
    Action,
    Answer,
    SetTube,
    Submit,
    Symptoms,
)
from conversations.domain.symptom_step import NoSymptoms
from conversations.flows import assessment
from conversations.flows.answering import PressRefused, Refusal
from conversations.flows.safety import SafetyConfig
from storage import assessments, audit, people
from storage.db import Database, DatabaseTooNew, Tx, migrations
from storage.models import Actor, ActorRole, AssessmentRecord, Participant, Role, Submission
from storage.people import DuplicateSubject, RedeemResult

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
OPERATOR = Actor(role=ActorRole.OPERATOR)
SAFETY = SafetyConfig.of(load_study(None))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


async def enroll(db: Database, subject: str = "S001", *, now: datetime = NOW) -> str:
    async def unit(tx: Tx) -> str:
        p = await people.create_participant(
            tx, subject=subject, language="en", actor=OPERATOR, now=now
        )
        return await people.create_invitation(
            tx,
            role=Role.PATIENT,
            participant_id=p.id,
            actor=OPERATOR,
            now=now,
            ttl=timedelta(days=14),
        )

    return await db.write(unit)


async def link_patient(db: Database, code: str, uid: int, now: datetime = NOW) -> Actor:
    async def unit(tx: Tx) -> Actor:
        result, identity = await people.redeem(tx, code=code, telegram_user_id=uid, now=now)
        assert result is RedeemResult.LINKED
        assert identity is not None
        link = identity.patient_link
        assert link is not None
        assert link.participant is not None
        return Actor(role=ActorRole.PATIENT, link_id=link.id, participant_id=link.participant.id)

    return await db.write(unit)


async def test_wal_full_sync_foreign_keys_and_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    database = await Database.open(path)
    try:

        async def pragmas(tx: Tx) -> tuple[str, int, int]:
            return (
                await tx.scalar("PRAGMA journal_mode"),
                await tx.scalar("PRAGMA synchronous"),
                await tx.scalar("PRAGMA foreign_keys"),
            )

        mode, sync, fk = await database.write(pragmas)
        assert (mode, sync, fk) == ("wal", 2, 1)  # 2 = FULL
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        await database.close()


async def test_migrations_are_numbered_and_applied_once(tmp_path: Path) -> None:
    shipped = migrations()
    assert [v for v, _, _ in shipped] == list(range(1, len(shipped) + 1))
    path = tmp_path / "m.sqlite3"
    for _ in range(2):
        database = await Database.open(path)
        await database.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(shipped)


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    with pytest.raises(DatabaseTooNew, match="newer version"):
        await Database.open(path)


async def test_concurrent_writes_share_commits_and_a_failing_unit_rolls_back_alone(
    db: Database,
) -> None:
    async def make(i: int) -> str:
        async def unit(tx: Tx) -> str:
            p = await people.create_participant(
                tx, subject=f"P{i:03d}", language=None, actor=OPERATOR, now=NOW
            )
            if i == 7:
                raise RuntimeError("boom")
            return p.subject

        return await db.write(unit)

    commits_before = db.commits
    results = await asyncio.gather(*(make(i) for i in range(50)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], RuntimeError)
    assert db.commits - commits_before < 50  # grouped

    async def count(tx: Tx) -> list[str]:
        return [p.subject for p in await people.list_participants(tx)]

    subjects = await db.read(count)
    assert len(subjects) == 49
    assert "P007" not in subjects


async def test_codes_are_single_use_and_expire_with_one_answer_for_all(db: Database) -> None:
    code = await enroll(db)
    assert 22 <= len(code) <= 64
    assert people.CODE_PATTERN.match(code)

    async def redeem(c: str, uid: int, now: datetime) -> RedeemResult:
        async def unit(tx: Tx) -> RedeemResult:
            return (await people.redeem(tx, code=c, telegram_user_id=uid, now=now))[0]

        return await db.write(unit)

    assert await redeem("x" * 22, 1, NOW) is RedeemResult.INVALID
    assert await redeem(code, 1, NOW) is RedeemResult.LINKED
    assert await redeem(code, 2, NOW) is RedeemResult.INVALID  # used
    late = await enroll(db, "S002")
    assert await redeem(late, 3, NOW + timedelta(days=14, seconds=1)) is RedeemResult.INVALID
    other = await enroll(db, "S003")
    assert await redeem(other, 1, NOW) is RedeemResult.CONFLICT  # already a patient


async def test_duplicate_subjects_are_refused(db: Database) -> None:
    await enroll(db)
    with pytest.raises(DuplicateSubject):
        await enroll(db)


async def test_answers_are_checked_against_revision_and_owner(db: Database) -> None:
    actor = await link_patient(db, await enroll(db), 100)
    stranger = await link_patient(db, await enroll(db, "S002"), 200)

    async def open_(tx: Tx) -> AssessmentRecord:
        record, created = await assessment.open_assessment(
            tx, participant_id=actor.participant_id or 0, actor=actor, language="en", now=NOW
        )
        assert created
        return record

    record = await db.write(open_)

    async def press(rev: int, action: Action, who: Actor = actor) -> assessment.Outcome:
        async def unit(tx: Tx) -> assessment.Outcome:
            return await assessment.press(
                tx,
                assessment_id=record.id,
                revision=rev,
                action=action,
                actors={who.participant_id or 0: who},
                now=NOW,
                safety=SAFETY,
            )

        return await db.write(unit)

    out = await press(record.revision, Answer(4))
    assert out.record.answers == {1: 4}
    with pytest.raises(PressRefused) as stale:
        await press(record.revision, Answer(2))  # the same button again
    assert stale.value.reason is Refusal.STALE
    with pytest.raises(PressRefused) as foreign:
        await press(out.record.revision, Answer(0), stranger)
    assert foreign.value.reason is Refusal.NOT_YOURS
    rev = out.record.revision
    for _ in range(3):
        rev = (await press(rev, Answer(3))).record.revision
    tube = await press(rev, SetTube(True))
    assert tube.record.position == "5"
    rev = tube.record.revision
    while True:
        out = await press(rev, Answer(2))
        rev = out.record.revision
        if out.record.position == SYMPTOMS:
            out = await press(rev, Symptoms(NoSymptoms()))
            rev = out.record.revision
            assert out.triage is not None
            assert not out.triage.reports
        if out.record.position == REVIEW:
            break
    done = await press(rev, Submit())
    assert done.record.status == "submitted"
    assert done.record.total == 4 + 3 * 3 + 2 * 6
    assert done.record.item5_variant == "5b"
    with pytest.raises(PressRefused) as again:
        await press(done.record.revision, Submit())
    assert again.value.reason is Refusal.SUBMITTED

    async def reread(tx: Tx) -> tuple[list[Submission], Participant | None, list[str]]:
        subs = await assessments.submissions(tx, participant_id=actor.participant_id)
        p = await people.participant_by_id(tx, actor.participant_id or 0)
        trail = [e.action for e in await audit.entries(tx)]
        return subs, p, trail

    subs, participant, trail = await db.read(reread)
    assert [s.total for s in subs] == [25]
    assert participant is not None
    assert participant.has_gastrostomy is True
    assert trail.count("participant.gastrostomy") == 1  # the tube was answered once


async def test_audit_is_append_only_in_the_database_itself(db: Database) -> None:
    await enroll(db)

    async def change(tx: Tx) -> None:
        await tx.execute("UPDATE audit SET action = 'x'")

    async def remove(tx: Tx) -> None:
        await tx.execute("DELETE FROM audit")

    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.write(change)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        await db.write(remove)

    async def read(tx: Tx) -> list[str]:
        return [e.action for e in await audit.entries(tx, subject="S001")]

    assert await db.read(read) == ["participant.create", "invitation.create"]


async def test_a_transaction_sqlite_abandons_fails_its_batch_and_the_writer_lives_on(
    db: Database,
) -> None:
    async def abandons(tx: Tx) -> None:
        await tx.execute("ROLLBACK")  # stands in for SQLite's own rollback on disk full or I/O
        raise sqlite3.OperationalError("database or disk is full")

    async def innocent(tx: Tx) -> str:
        p = await people.create_participant(
            tx, subject="S900", language=None, actor=OPERATOR, now=NOW
        )
        return p.subject

    results = await asyncio.wait_for(
        asyncio.gather(db.write(abandons), db.write(innocent), return_exceptions=True), 5
    )
    assert isinstance(results[0], Exception)  # every caller got an answer, none hangs

    async def count(tx: Tx) -> int:
        return int(await tx.scalar("SELECT COUNT(*) FROM participants"))

    # The innocent unit shared the failed batch (nothing committed) or ran in its own.
    committed = await db.read(count)
    assert committed == (0 if isinstance(results[1], Exception) else 1)
    if committed == 0:
        assert await asyncio.wait_for(db.write(innocent), 5) == "S900"  # writing goes on
    assert await db.read(count) == 1
