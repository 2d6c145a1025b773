"""Symptom reports, as rows: the report of an assessment's symptom step, and reports made on
their own with /symptoms (in progress, then submitted). SQL only: what a press means is decided in
`conversations.flows.symptom_report`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from storage.db import Tx
from storage.models import iso

__all__ = [
    "OpenReport",
    "ReportItem",
    "create",
    "delete",
    "in_chat",
    "in_progress_id",
    "load",
    "save_state",
    "set_report_message",
    "store_submitted",
]


class OpenReport(BaseModel):
    """A /symptoms report in progress; `state` is the symptom step's state as stored (JSON)."""

    model_config = ConfigDict(frozen=True)

    id: int
    participant_id: int
    revision: int
    state: str
    language: str
    chat_id: int | None
    message_id: int | None


class ReportItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    symptom: str
    severity: int
    free_text: str | None


async def load(tx: Tx, report_id: int) -> OpenReport | None:
    """The report, while it is in progress."""
    row = await tx.one(
        "SELECT * FROM symptom_reports WHERE id = ? AND status = 'in_progress'", (report_id,)
    )
    if row is None:
        return None
    return OpenReport(
        id=row["id"],
        participant_id=row["participant_id"],
        revision=row["revision"],
        state=row["state"] or "{}",
        language=row["language"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
    )


async def in_progress_id(tx: Tx, participant_id: int) -> int | None:
    found = await tx.scalar(
        "SELECT id FROM symptom_reports WHERE participant_id = ? AND status = 'in_progress'",
        (participant_id,),
    )
    return None if found is None else int(found)


async def in_chat(tx: Tx, *, participant_id: int, chat_id: int, link_id: int) -> int | None:
    """The participant's report in progress shown in this chat, while the participant is active
    and the respondent's link is not revoked."""
    found = await tx.scalar(
        "SELECT r.id FROM symptom_reports r JOIN participants p ON p.id = r.participant_id"
        " JOIN links l ON l.id = ? WHERE r.participant_id = ? AND r.status = 'in_progress'"
        " AND r.chat_id = ? AND p.status = 'active' AND l.revoked_at IS NULL",
        (link_id, participant_id, chat_id),
    )
    return None if found is None else int(found)


async def create(
    tx: Tx, *, participant_id: int, state: str, language: str, now: datetime, started_by: int | None
) -> int:
    return await tx.execute(
        "INSERT INTO symptom_reports (participant_id, status, state, language, started_at,"
        " started_by) VALUES (?, 'in_progress', ?, ?, ?, ?)",
        (participant_id, state, language, iso(now), started_by),
    )


async def delete(tx: Tx, report_id: int) -> None:
    await tx.execute("DELETE FROM symptom_reports WHERE id = ?", (report_id,))


async def save_state(tx: Tx, report_id: int, state: str) -> None:
    await tx.execute(
        "UPDATE symptom_reports SET state = ?, revision = revision + 1 WHERE id = ?",
        (state, report_id),
    )


async def store_submitted(
    tx: Tx,
    *,
    report_id: int | None,
    participant_id: int,
    assessment_id: int | None,
    language: str,
    now: datetime,
    submitted_by: int | None,
    urgent: bool,
    items: Sequence[ReportItem],
) -> int:
    """Submit the /symptoms report `report_id`, or (None) create the submitted report of an
    assessment's symptom step; then its items. Returns the report's id."""
    if report_id is None:
        report_id = await tx.execute(
            "INSERT INTO symptom_reports (participant_id, assessment_id, status, language,"
            " started_at, started_by, submitted_at, submitted_by, urgent)"
            " VALUES (?, ?, 'submitted', ?, ?, ?, ?, ?, ?)",
            (
                participant_id,
                assessment_id,
                language,
                iso(now),
                submitted_by,
                iso(now),
                submitted_by,
                int(urgent),
            ),
        )
    else:
        await tx.execute(
            "UPDATE symptom_reports SET status = 'submitted', submitted_at = ?,"
            " submitted_by = ?, urgent = ?, state = ?, revision = revision + 1 WHERE id = ?",
            (iso(now), submitted_by, int(urgent), "{}", report_id),
        )
    await tx.executemany(
        "INSERT INTO symptom_report_items (report_id, symptom, severity, free_text)"
        " VALUES (?, ?, ?, ?)",
        [(report_id, item.symptom, item.severity, item.free_text) for item in items],
    )
    return report_id


async def set_report_message(tx: Tx, report_id: int, chat_id: int, message_id: int) -> None:
    await tx.execute(
        "UPDATE symptom_reports SET chat_id = ?, message_id = ? WHERE id = ?",
        (chat_id, message_id, report_id),
    )
