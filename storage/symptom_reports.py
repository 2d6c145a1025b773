"""Symptom reports made on their own with /symptoms (outside an assessment): start or resume
one, apply a press checked against the stored revision, and submit it when answered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from conversations.domain import symptom_step
from conversations.domain.symptom_step import SymptomAction, SymptomState
from conversations.domain.symptoms import Triage
from conversations.flows.safety import (
    SafetyConfig,
    submit_symptom_report,
    symptom_state_from_json,
    symptom_state_json,
)
from storage import audit
from storage.db import Tx
from storage.models import Actor, ParticipantStatus, iso
from storage.people import link_is_active

__all__ = [
    "OpenReport",
    "ReportClosed",
    "ReportOutcome",
    "apply_report_action",
    "cancel_report",
    "describe_open",
    "open_report",
    "set_report_message",
]


class ReportClosed(LookupError):
    """The report is not in progress any more, not the respondent's, or the press is stale."""


@dataclass(frozen=True, slots=True)
class OpenReport:
    id: int
    participant_id: int
    revision: int
    state: SymptomState
    chat_id: int | None
    message_id: int | None


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    report: OpenReport
    triage: Triage | None  # set when this press submitted the report
    cancelled: bool = False


async def _load(tx: Tx, report_id: int) -> OpenReport | None:
    row = await tx.one(
        "SELECT * FROM symptom_reports WHERE id = ? AND status = 'in_progress'", (report_id,)
    )
    if row is None:
        return None
    return OpenReport(
        id=row["id"],
        participant_id=row["participant_id"],
        revision=row["revision"],
        state=symptom_state_from_json(row["state"]),
        chat_id=row["chat_id"],
        message_id=row["message_id"],
    )


async def open_report(
    tx: Tx, *, participant_id: int, actor: Actor, language: str, now: datetime
) -> tuple[OpenReport, OpenReport | None]:
    """A new report (retiring the participant's earlier unfinished one). Returns (new, old)."""
    old_id = await tx.scalar(
        "SELECT id FROM symptom_reports WHERE participant_id = ? AND status = 'in_progress'",
        (participant_id,),
    )
    old = None if old_id is None else await _load(tx, int(old_id))
    if old is not None:
        await tx.execute("DELETE FROM symptom_reports WHERE id = ?", (old.id,))
    report_id = await tx.execute(
        "INSERT INTO symptom_reports (participant_id, status, state, language, started_at,"
        " started_by) VALUES (?, 'in_progress', ?, ?, ?, ?)",
        (participant_id, symptom_state_json(SymptomState()), language, iso(now), actor.link_id),
    )
    await audit.record(
        tx,
        actor=actor,
        action="symptoms.start",
        entity="symptom_report",
        entity_id=report_id,
        at=now,
        on_behalf_of=participant_id,
    )
    report = await _load(tx, report_id)
    assert report is not None
    return report, old


async def describe_open(
    tx: Tx,
    *,
    participant_id: int,
    chat_id: int,
    actor: Actor,
    text: str,
    now: datetime,
    max_text: int,
) -> OpenReport | None:
    """The free-text description of "something else", for the report shown in this chat that
    is waiting for one (None when there is none: the text was not meant for a report)."""
    current_id = await tx.scalar(
        "SELECT r.id FROM symptom_reports r JOIN participants p ON p.id = r.participant_id"
        " JOIN links l ON l.id = ? WHERE r.participant_id = ? AND r.status = 'in_progress'"
        " AND r.chat_id = ? AND p.status = 'active' AND l.revoked_at IS NULL",
        (actor.link_id, participant_id, chat_id),
    )
    current = None if current_id is None else await _load(tx, int(current_id))
    if current is None or current.state.position != symptom_step.OTHER_TEXT:
        return None
    state = symptom_step.step(current.state, symptom_step.Describe(text), max_text=max_text)
    await tx.execute(
        "UPDATE symptom_reports SET state = ?, revision = revision + 1 WHERE id = ?",
        (symptom_state_json(state), current.id),
    )
    await audit.record(
        tx,
        actor=actor,
        action="symptoms.describe",
        entity="symptom_report",
        entity_id=current.id,
        at=now,
        new={"other_text_length": len(state.other_text or "")},
        on_behalf_of=participant_id,
    )
    return await _load(tx, current.id)


async def apply_report_action(
    tx: Tx,
    *,
    report_id: int,
    revision: int,
    action: SymptomAction | None,
    actors: Mapping[int, Actor],
    subject_of: Mapping[int, str],
    now: datetime,
    config: SafetyConfig,
) -> ReportOutcome:
    """One press on a /symptoms report. `action=None` is Back (or Cancel on the list)."""
    report = await _load(tx, report_id)
    if report is None or report.participant_id not in actors or report.revision != revision:
        raise ReportClosed(report_id)
    actor = actors[report.participant_id]
    if actor.link_id is None or not await link_is_active(tx, actor.link_id):
        raise ReportClosed("the link was revoked")
    status = await tx.scalar(
        "SELECT status FROM participants WHERE id = ?", (report.participant_id,)
    )
    if status != ParticipantStatus.ACTIVE.value:
        raise ReportClosed(f"the participant is {status}")
    if action is None:
        previous = symptom_step.back(report.state)
        if previous is None:
            await cancel_report(tx, report=report, actor=actor, now=now)
            return ReportOutcome(report=report, triage=None, cancelled=True)
        state = previous
    else:
        state = symptom_step.step(report.state, action, max_text=config.symptoms.other_max_length)
    if state.done:
        language = str(
            await tx.scalar("SELECT language FROM symptom_reports WHERE id = ?", (report.id,))
        )
        found = await submit_symptom_report(
            tx,
            participant_id=report.participant_id,
            subject=subject_of[report.participant_id],
            assessment_id=None,
            report_id=report.id,
            state=state,
            language=language,
            actor=actor,
            now=now,
            config=config,
        )
        return ReportOutcome(report=report, triage=found)
    await tx.execute(
        "UPDATE symptom_reports SET state = ?, revision = revision + 1 WHERE id = ?",
        (symptom_state_json(state), report.id),
    )
    updated = await _load(tx, report.id)
    assert updated is not None
    return ReportOutcome(report=updated, triage=None)


async def cancel_report(tx: Tx, *, report: OpenReport, actor: Actor, now: datetime) -> None:
    await tx.execute("DELETE FROM symptom_reports WHERE id = ?", (report.id,))
    await audit.record(
        tx,
        actor=actor,
        action="symptoms.cancel",
        entity="symptom_report",
        entity_id=report.id,
        at=now,
        on_behalf_of=report.participant_id,
    )


async def set_report_message(tx: Tx, report_id: int, chat_id: int, message_id: int) -> None:
    await tx.execute(
        "UPDATE symptom_reports SET chat_id = ?, message_id = ? WHERE id = ?",
        (chat_id, message_id, report_id),
    )
