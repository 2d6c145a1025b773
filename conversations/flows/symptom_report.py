"""Symptom reports made on their own with /symptoms (outside an assessment): open one (retiring
the participant's earlier unfinished one), apply a press checked against the stored revision,
take the typed description of "something else", and submit it when answered.

The same symptom step runs inside every assessment (`flows.assessment`); both refuse presses
through `flows.answering` and record the answered question through `flows.safety`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from conversations.context import Services
from conversations.domain import symptom_step
from conversations.domain.symptom_step import SymptomAction, SymptomState
from conversations.domain.symptoms import Triage
from conversations.flows import answering
from conversations.flows.answering import PressRefused, Refusal, authorise
from conversations.flows.safety import SafetyConfig, record_symptoms
from storage import audit, symptom_reports
from storage.db import Tx
from storage.models import Actor

__all__ = [
    "Report",
    "ReportOutcome",
    "begin",
    "describe",
    "open_report",
    "press",
    "show_in",
    "take_description",
]


@dataclass(frozen=True, slots=True)
class Report:
    """A report in progress, with its symptom step's state."""

    id: int
    participant_id: int
    revision: int
    state: SymptomState
    chat_id: int | None
    message_id: int | None


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    report: Report
    triage: Triage | None = None  # set when this press submitted the report
    cancelled: bool = False

    @property
    def alerts(self) -> bool:
        return bool(self.triage and self.triage.reports)

    @property
    def urgent(self) -> bool:
        return bool(self.triage and self.triage.urgent)


def _report(row: symptom_reports.OpenReport) -> Report:
    return Report(
        id=row.id,
        participant_id=row.participant_id,
        revision=row.revision,
        state=symptom_step.loads(row.state),
        chat_id=row.chat_id,
        message_id=row.message_id,
    )


async def _load(tx: Tx, report_id: int) -> Report | None:
    row = await symptom_reports.load(tx, report_id)
    return None if row is None else _report(row)


async def _audit(
    tx: Tx,
    action: str,
    report_id: int,
    actor: Actor,
    participant_id: int,
    now: datetime,
    new: object = None,
) -> None:
    await audit.record(
        tx,
        actor=actor,
        action=action,
        entity="symptom_report",
        entity_id=report_id,
        at=now,
        new=new,
        on_behalf_of=participant_id,
    )


async def open_report(
    tx: Tx, *, participant_id: int, actor: Actor, language: str, now: datetime
) -> tuple[Report, Report | None]:
    """A new report (retiring the participant's earlier unfinished one). Returns (new, old)."""
    old_id = await symptom_reports.in_progress_id(tx, participant_id)
    old = None if old_id is None else await _load(tx, old_id)
    if old is not None:
        await symptom_reports.delete(tx, old.id)
    report_id = await symptom_reports.create(
        tx,
        participant_id=participant_id,
        state=symptom_step.dumps(SymptomState()),
        language=language,
        now=now,
        started_by=actor.link_id,
    )
    await _audit(tx, "symptoms.start", report_id, actor, participant_id, now)
    report = await _load(tx, report_id)
    assert report is not None
    return report, old


async def describe(
    tx: Tx,
    *,
    participant_id: int,
    chat_id: int,
    actor: Actor,
    text: str,
    now: datetime,
    max_text: int,
) -> Report | None:
    """The free-text description of "something else", for the report shown in this chat that
    is waiting for one (None when there is none: the text was not meant for a report). Raises
    `StepError` for an empty or too long text, with nothing written."""
    if actor.link_id is None:
        return None
    current_id = await symptom_reports.in_chat(
        tx, participant_id=participant_id, chat_id=chat_id, link_id=actor.link_id
    )
    current = None if current_id is None else await _load(tx, current_id)
    if current is None or current.state.position != symptom_step.OTHER_TEXT:
        return None
    state = symptom_step.step(current.state, symptom_step.Describe(text), max_text=max_text)
    await symptom_reports.save_state(tx, current.id, symptom_step.dumps(state))
    await _audit(
        tx,
        "symptoms.describe",
        current.id,
        actor,
        participant_id,
        now,
        {"other_text_length": len(state.other_text or "")},
    )
    return await _load(tx, current.id)


async def press(
    tx: Tx,
    *,
    report_id: int,
    revision: int,
    action: SymptomAction | None,
    actors: Mapping[int, Actor],
    now: datetime,
    safety: SafetyConfig,
) -> ReportOutcome:
    """One press on a /symptoms report. `action=None` is Back (or Cancel on the list). Raises
    `PressRefused` with nothing written."""
    row = await symptom_reports.load(tx, report_id)
    if row is None or row.participant_id not in actors or row.revision != revision:
        raise PressRefused(Refusal.STALE, str(report_id))
    report = _report(row)
    actor, subject = await authorise(tx, participant_id=report.participant_id, actors=actors)
    if action is None:
        previous = symptom_step.back(report.state)
        if previous is None:
            await symptom_reports.delete(tx, report.id)
            await _audit(tx, "symptoms.cancel", report.id, actor, report.participant_id, now)
            return ReportOutcome(report=report, cancelled=True)
        state = previous
    else:
        try:
            state = symptom_step.step(
                report.state, action, max_text=safety.symptoms.other_max_length
            )
        except symptom_step.StepError as exc:
            raise PressRefused(Refusal.INVALID, type(action).__name__) from exc
    if state.done:
        found = await record_symptoms(
            tx,
            participant_id=report.participant_id,
            subject=subject,
            assessment_id=None,
            report_id=report.id,
            state=state,
            language=row.language,
            actor=actor,
            now=now,
            config=safety,
        )
        return ReportOutcome(report=report, triage=found)
    await symptom_reports.save_state(tx, report.id, symptom_step.dumps(state))
    updated = await _load(tx, report.id)
    assert updated is not None
    return ReportOutcome(report=updated)


# --- entry points for handlers: one transaction each ---------------------------------------


async def begin(
    services: Services, *, participant_id: int, actor: Actor, language: str
) -> tuple[Report, Report | None]:
    now = services.clock()

    async def unit(tx: Tx) -> tuple[Report, Report | None]:
        return await open_report(
            tx, participant_id=participant_id, actor=actor, language=language, now=now
        )

    return await services.db.write(unit)


async def take_description(
    services: Services, *, participant_id: int, chat_id: int, actor: Actor, text: str
) -> Report | None:
    """`describe` in its own transaction."""
    unit = partial(
        describe,
        participant_id=participant_id,
        chat_id=chat_id,
        actor=actor,
        text=text,
        now=services.clock(),
        max_text=services.study.symptoms.other_max_length,
    )
    return await services.db.write(unit)


async def show_in(services: Services, report_id: int, chat_id: int, message_id: int) -> None:
    """Remember the message that shows the report, so that a later one can retire it."""
    await answering.remember_message(
        services, symptom_reports.set_report_message, report_id, chat_id, message_id
    )
