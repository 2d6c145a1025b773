"""Assessments and their answers, as rows: load, create, change, list submissions, and the
scored history the decline rules read. SQL only: what a press means is decided in
`conversations.flows.assessment`, which calls these inside its one transaction.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Row, Tx
from storage.models import AssessmentRecord, Role, Scored, Submission, from_iso, iso

__all__ = [
    "assessment",
    "bump_revision",
    "clear_answer",
    "create",
    "first_scored",
    "forget_message",
    "in_progress",
    "joined_by",
    "last_submission",
    "recent_scored",
    "save_progress",
    "scored_since",
    "set_answer",
    "set_language",
    "set_message",
    "submissions",
]


async def assessment(tx: Tx, assessment_id: int) -> AssessmentRecord | None:
    """The assessment with its answers, in one statement."""
    row = await tx.one(
        "SELECT a.*, l.role AS started_by_role, (SELECT group_concat(item || ':' || score)"
        " FROM answers WHERE assessment_id = a.id) AS items FROM assessments a"
        " JOIN links l ON l.id = a.started_by WHERE a.id = ?",
        (assessment_id,),
    )
    if row is None:
        return None
    return _record(row, {} if row["items"] is None else _items(row["items"]))


def _record(row: Row, answers: dict[int, int]) -> AssessmentRecord:
    has_tube = row["has_tube"]
    return AssessmentRecord(
        id=row["id"],
        participant_id=row["participant_id"],
        status=row["status"],
        position=row["position"],
        back_to_review=bool(row["back_to_review"]),
        has_tube=None if has_tube is None else bool(has_tube),
        revision=row["revision"],
        language=row["language"],
        answers=answers,
        started_at=from_iso(row["started_at"]),
        submitted_at=None if row["submitted_at"] is None else from_iso(row["submitted_at"]),
        total=row["total"],
        item5_variant=row["item5_variant"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        started_by=row["started_by"],
        started_by_role=Role(row["started_by_role"]),
        symptoms_state=row["symptoms_state"],
    )


async def in_progress(tx: Tx, participant_id: int) -> AssessmentRecord | None:
    aid = await tx.scalar(
        "SELECT id FROM assessments WHERE participant_id = ? AND status = 'in_progress'",
        (participant_id,),
    )
    return None if aid is None else await assessment(tx, int(aid))


async def create(
    tx: Tx,
    *,
    participant_id: int,
    position: str,
    has_tube: bool | None,
    language: str,
    now: datetime,
    started_by: int | None,
) -> int:
    return await tx.execute(
        "INSERT INTO assessments (participant_id, status, position, has_tube, language,"
        " started_at, started_by) VALUES (?, 'in_progress', ?, ?, ?, ?, ?)",
        (
            participant_id,
            position,
            None if has_tube is None else int(has_tube),
            language,
            iso(now),
            started_by,
        ),
    )


async def bump_revision(tx: Tx, assessment_id: int, *, position: str) -> None:
    """Move to `position` under a new revision: buttons of older messages go stale."""
    await tx.execute(
        "UPDATE assessments SET position = ?, back_to_review = 0, revision = revision + 1"
        " WHERE id = ?",
        (position, assessment_id),
    )


async def set_message(tx: Tx, assessment_id: int, chat_id: int, message_id: int) -> None:
    """Remember which message shows the assessment, so that a resume can retire it."""
    await tx.execute(
        "UPDATE assessments SET chat_id = ?, message_id = ? WHERE id = ?",
        (chat_id, message_id, assessment_id),
    )


async def set_language(tx: Tx, assessment_id: int, language: str) -> None:
    """The language the assessment is being answered in (the latest respondent's)."""
    await tx.execute(
        "UPDATE assessments SET language = ? WHERE id = ? AND language <> ?",
        (language, assessment_id, language),
    )


async def forget_message(tx: Tx, assessment_id: int, message_id: int) -> None:
    """The message no longer shows the assessment (its keyboard was retired)."""
    await tx.execute(
        "UPDATE assessments SET chat_id = NULL, message_id = NULL WHERE id = ? AND message_id = ?",
        (assessment_id, message_id),
    )


async def joined_by(tx: Tx, assessment_id: int, link_id: int) -> bool:
    """Whether this link started the assessment or has answered in it."""
    return bool(
        await tx.scalar(
            "SELECT 1 FROM assessments WHERE id = ? AND started_by = ?"
            " UNION ALL SELECT 1 FROM answers WHERE assessment_id = ? AND answered_by = ?",
            (assessment_id, link_id, assessment_id, link_id),
        )
    )


async def set_answer(
    tx: Tx,
    assessment_id: int,
    *,
    item: int,
    score: int,
    variant: str | None,
    answered_by: int | None,
    now: datetime,
) -> None:
    await tx.execute(
        "INSERT INTO answers (assessment_id, item, score, variant, answered_by,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (assessment_id, item) DO"
        " UPDATE SET score = excluded.score, variant = excluded.variant,"
        " answered_by = excluded.answered_by, answered_at = excluded.answered_at",
        (assessment_id, item, score, variant, answered_by, iso(now)),
    )


async def clear_answer(tx: Tx, assessment_id: int, *, item: int) -> None:
    await tx.execute(
        "DELETE FROM answers WHERE assessment_id = ? AND item = ?", (assessment_id, item)
    )


async def save_progress(
    tx: Tx,
    assessment_id: int,
    *,
    position: str,
    back_to_review: bool,
    has_tube: bool | None,
    symptoms_state: str,
    submitted_at: datetime | None = None,
    submitted_by: int | None = None,
    item5_variant: str | None = None,
    total: int | None = None,
) -> None:
    """Write the assessment's new position (and, with `submitted_at`, its submission) under
    the next revision."""
    await tx.execute(
        "UPDATE assessments SET position = ?, back_to_review = ?, has_tube = ?,"
        " revision = revision + 1, status = ?, submitted_at = ?, submitted_by = ?,"
        " item5_variant = ?, total = ?, symptoms_state = ? WHERE id = ?",
        (
            position,
            int(back_to_review),
            None if has_tube is None else int(has_tube),
            "in_progress" if submitted_at is None else "submitted",
            None if submitted_at is None else iso(submitted_at),
            submitted_by,
            item5_variant,
            total,
            symptoms_state,
            assessment_id,
        ),
    )


# --- submissions --------------------------------------------------------------------------

_SUBMISSIONS = (
    "SELECT a.id, a.submitted_at, a.language, a.item5_variant, a.total, p.subject,"
    " l.role AS respondent, l.id AS respondent_id,"
    " (SELECT group_concat(item || ':' || score) FROM answers WHERE assessment_id = a.id) AS items"
    " FROM assessments a JOIN participants p ON p.id = a.participant_id"
    " JOIN links l ON l.id = a.submitted_by WHERE a.status = 'submitted'"
)


def _items(text: object) -> dict[int, int]:
    return {int(k): int(v) for k, v in (pair.split(":") for pair in str(text).split(","))}


def _submission(row: Row) -> Submission:
    return Submission(
        assessment_id=row["id"],
        subject=row["subject"],
        submitted_at=from_iso(row["submitted_at"]),
        respondent=Role(row["respondent"]),
        respondent_id=row["respondent_id"],
        language=row["language"],
        item5_variant=row["item5_variant"],
        items=_items(row["items"]),
        total=row["total"],
    )


async def last_submission(tx: Tx, participant_id: int) -> Submission | None:
    row = await tx.one(
        _SUBMISSIONS + " AND a.participant_id = ? ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1",
        (participant_id,),
    )
    return None if row is None else _submission(row)


async def submissions(
    tx: Tx, *, participant_id: int | None = None, limit: int | None = None
) -> list[Submission]:
    """Submitted assessments, newest first (one participant's, or everyone's)."""
    sql = _SUBMISSIONS
    params: list[object] = []
    if participant_id is not None:
        sql += " AND a.participant_id = ?"
        params.append(participant_id)
    sql += " ORDER BY a.submitted_at DESC, a.id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_submission(row) for row in await tx.all(sql, params)]


# --- the scored history the decline rules read ---------------------------------------------

_SCORED = (
    "SELECT a.id, a.submitted_at, a.total, a.item5_variant,"
    " (SELECT group_concat(item || ':' || score) FROM answers WHERE assessment_id = a.id)"
    " AS items FROM assessments a WHERE a.participant_id = ? AND a.status = 'submitted'"
    " AND a.id != ?"
)


def _scored(row: Row) -> Scored:
    return Scored(
        assessment_id=row["id"],
        submitted_at=from_iso(row["submitted_at"]),
        total=int(row["total"]),
        items=_items(row["items"]),
        item5_variant=str(row["item5_variant"]),
    )


async def recent_scored(tx: Tx, participant_id: int, *, exclude: int, limit: int) -> list[Scored]:
    """The `limit` newest submissions other than `exclude`, newest first."""
    rows = await tx.all(
        _SCORED + " ORDER BY a.submitted_at DESC, a.id DESC LIMIT ?",
        (participant_id, exclude, limit),
    )
    return [_scored(row) for row in rows]


async def scored_since(
    tx: Tx, participant_id: int, *, exclude: int, since: datetime
) -> list[Scored]:
    """Submissions other than `exclude` at or after `since`, newest first."""
    rows = await tx.all(
        _SCORED + " AND a.submitted_at >= ? ORDER BY a.submitted_at DESC",
        (participant_id, exclude, iso(since)),
    )
    return [_scored(row) for row in rows]


async def first_scored(tx: Tx, participant_id: int, *, exclude: int) -> Scored | None:
    """The participant's first submission other than `exclude`."""
    row = await tx.one(
        _SCORED + " ORDER BY a.submitted_at, a.id LIMIT 1", (participant_id, exclude)
    )
    return None if row is None else _scored(row)
