"""Safety signals, raised inside the transaction that caused them: decline alerts when an
assessment is submitted, symptom alerts when a symptom question is answered.

The decline rules are the domain's (`conversations.domain.safety`); this flow reads only the
history the enabled rules need (`window`), so the cost of a submission does not grow with a
participant's history, and decides which submission is the baseline (`baseline_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from conversations.domain.instrument import ITEM_NUMBERS
from conversations.domain.safety import DeclineRules, Point, Signal, evaluate, window
from conversations.domain.symptom_step import SymptomState, reports
from conversations.domain.symptoms import Report, SymptomSettings, Triage, triage
from storage import assessments, audit, symptom_reports
from storage.alerts import create_alert
from storage.db import Tx
from storage.models import Actor, Scored

if TYPE_CHECKING:
    from bot.settings import StudySettings

__all__ = [
    "SafetyConfig",
    "baseline_of",
    "decline_history",
    "raise_decline_alerts",
    "record_symptoms",
]


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    """The study's safety settings, as the flows need them. Every field is required: the rules
    that run are always the study's, never a silent default."""

    rules: DeclineRules
    symptoms: SymptomSettings
    urgent_escalation: timedelta
    routine_escalation: timedelta
    timezone: tzinfo

    def escalation(self, urgent: bool) -> timedelta:
        return self.urgent_escalation if urgent else self.routine_escalation

    @classmethod
    def of(cls, study: StudySettings) -> SafetyConfig:
        """The study file's safety settings."""
        return cls(
            rules=study.decline,
            symptoms=study.symptoms,
            urgent_escalation=study.alerts.urgent_escalation,
            routine_escalation=study.alerts.routine_escalation,
            timezone=ZoneInfo(study.study.timezone),
        )


def _point(scored: Scored) -> Point:
    return Point(
        submitted_at=scored.submitted_at,
        total=scored.total,
        items=scored.items,
        item5_variant=scored.item5_variant,
    )


def baseline_of(first: Scored | None) -> Point | None:
    """The baseline the "fell since baseline" rule compares with: the first submission."""
    return None if first is None else _point(first)


async def decline_history(
    tx: Tx, *, participant_id: int, exclude: int, rules: DeclineRules, now: datetime
) -> tuple[list[Point], Point | None]:
    """(earlier submissions newest first, limited to the rules' window; the baseline)."""
    need = window(rules, now)
    found: dict[int, Scored] = {}
    if need.previous_count:
        for row in await assessments.recent_scored(
            tx, participant_id, exclude=exclude, limit=need.previous_count
        ):
            found[row.assessment_id] = row
    if need.since is not None:
        for row in await assessments.scored_since(
            tx, participant_id, exclude=exclude, since=need.since
        ):
            found[row.assessment_id] = row
    previous = sorted(
        (_point(row) for row in found.values()), key=lambda p: p.submitted_at, reverse=True
    )
    baseline = None
    if rules.baseline.enabled:
        baseline = baseline_of(await assessments.first_scored(tx, participant_id, exclude=exclude))
    return previous, baseline


async def raise_decline_alerts(
    tx: Tx,
    *,
    participant_id: int,
    subject: str,
    assessment_id: int,
    answers: dict[int, int],
    item5_variant: str,
    submitted_at: datetime,
    actor: Actor,
    config: SafetyConfig,
) -> list[Signal]:
    """Evaluate the decline rules for a submission being committed; one alert per rule fired."""
    if set(answers) != set(ITEM_NUMBERS):
        return []
    new = Point(
        submitted_at=submitted_at,
        total=sum(answers.values()),
        items=answers,
        item5_variant=item5_variant,
    )
    previous, baseline = await decline_history(
        tx,
        participant_id=participant_id,
        exclude=assessment_id,
        rules=config.rules,
        now=submitted_at,
    )
    signals = evaluate(new, previous, baseline, config.rules, tz=config.timezone)
    for signal in signals:
        await create_alert(
            tx,
            participant_id=participant_id,
            kind="decline",
            rule=signal.rule.value,
            urgent=signal.urgent,
            message_key=signal.message_key,
            message_args={**signal.message_args, "subject": subject},
            assessment_id=assessment_id,
            actor=actor,
            now=submitted_at,
            escalate_after=config.escalation(signal.urgent),
        )
    return signals


async def record_symptoms(
    tx: Tx,
    *,
    participant_id: int,
    subject: str,
    assessment_id: int | None,
    report_id: int | None,
    state: SymptomState,
    language: str,
    actor: Actor,
    now: datetime,
    config: SafetyConfig,
) -> Triage:
    """Store an answered symptom question (an empty one means "none"), with one alert per
    reported symptom; urgent ones are marked so. `report_id` is the /symptoms report in
    progress, or None to create the report of an assessment's symptom step."""
    result = triage(reports(state), config.symptoms)
    urgent_ids = {r.symptom_id for r in result.urgent_reports}
    report_id = await symptom_reports.store_submitted(
        tx,
        report_id=report_id,
        participant_id=participant_id,
        assessment_id=assessment_id,
        language=language,
        now=now,
        submitted_by=actor.link_id,
        urgent=result.urgent,
        items=[
            symptom_reports.ReportItem(
                symptom=r.symptom_id, severity=r.severity, free_text=r.free_text
            )
            for r in result.reports
        ],
    )
    await audit.record(
        tx,
        actor=actor,
        action="symptoms.report",
        entity="symptom_report",
        entity_id=report_id,
        at=now,
        new={
            "symptoms": {r.symptom_id: r.severity for r in result.reports},
            "urgent": result.urgent,
            "assessment": assessment_id,
        },
        on_behalf_of=participant_id,
    )
    for report in result.reports:
        urgent = report.symptom_id in urgent_ids
        await create_alert(
            tx,
            participant_id=participant_id,
            kind="symptom",
            rule=report.symptom_id,
            urgent=urgent,
            message_key=f"symptom-alert-{report.symptom_id.replace('_', '-')}",
            message_args=_symptom_args(report, subject, now, config.timezone),
            assessment_id=assessment_id,
            actor=actor,
            now=now,
            escalate_after=config.escalation(urgent),
        )
    return result


def _symptom_args(
    report: Report, subject: str, now: datetime, zone: tzinfo
) -> dict[str, str | int | float]:
    args: dict[str, str | int | float] = {
        "subject": subject,
        "severity": report.severity,
        "date": now.astimezone(zone).date().isoformat(),
    }
    if report.free_text is not None:
        args["text"] = report.free_text
    return args
