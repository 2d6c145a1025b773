"""Safety signals, raised inside the transaction that caused them: decline alerts when an
assessment is submitted, symptom alerts when a symptom question is answered.

The decline rules are the domain's (`conversations.domain.safety`); this flow reads only the
history the enabled rules need (`window`), so the cost of a submission does not grow with a
participant's history, and decides which score is the baseline (`baseline_of`): the clinic
ALSFRS at the first visit when there is one (study setting `[visits].baseline = "clinic"`), else
the first self-report. The baseline alert names the one it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from conversations.domain.alerting import Candidate, Decision, Earlier, decide
from conversations.domain.instrument import ITEM_NUMBERS
from conversations.domain.safety import (
    DeclineRules,
    MessageArg,
    Point,
    RuleId,
    Signal,
    evaluate,
    window,
)
from conversations.domain.symptom_step import SymptomState, reports
from conversations.domain.symptoms import Report, SymptomSettings, Triage, triage
from storage import assessments, audit, symptom_reports, visits
from storage.alerts import AlertPart, add_followup, create_event_alert, standing
from storage.db import Tx
from storage.models import Actor, Scored, Visit

if TYPE_CHECKING:
    from bot.settings import StudySettings

__all__ = [
    "Baseline",
    "BaselineChoice",
    "SafetyConfig",
    "baseline_of",
    "decline_history",
    "decline_parts",
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
    baseline: BaselineChoice

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
            baseline=study.visits.baseline,
        )


def _point(scored: Scored) -> Point:
    return Point(
        submitted_at=scored.submitted_at,
        total=scored.total,
        items=scored.items,
        item5_variant=scored.item5_variant,
    )


BaselineChoice = Literal["clinic", "first_report"]


@dataclass(frozen=True, slots=True)
class Baseline:
    """The score the "fell since baseline" rule compares with, and where it came from: a clinic
    visit (`visit_label`) or the first self-report."""

    point: Point
    source: Literal["clinic", "first_report"]
    visit_label: str | None = None


def _visit_point(visit: Visit, zone: tzinfo) -> Point:
    assert visit.visit_date is not None
    assert visit.total is not None
    assert visit.items is not None
    return Point(
        submitted_at=datetime.combine(visit.visit_date, time(0), tzinfo=zone),
        total=visit.total,
        items=visit.items,
        item5_variant=visit.item5_variant or "5a",
    )


def baseline_of(
    first: Scored | None,
    clinic: Visit | None,
    *,
    choice: BaselineChoice,
    zone: tzinfo,
    before: datetime,
) -> Baseline | None:
    """The baseline: the clinic ALSFRS at the first visit that has one, when the study chooses
    "clinic" and that visit is no later than the score being judged (`before`); else the
    participant's first self-report; None when there is neither."""
    if choice == "clinic" and clinic is not None:
        point = _visit_point(clinic, zone)
        if point.submitted_at <= before:
            return Baseline(point, "clinic", clinic.label)
    return None if first is None else Baseline(_point(first), "first_report")


async def decline_history(
    tx: Tx,
    *,
    participant_id: int,
    exclude: int,
    rules: DeclineRules,
    now: datetime,
    choice: BaselineChoice,
    zone: tzinfo,
) -> tuple[list[Point], Baseline | None]:
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
        first = await assessments.first_scored(tx, participant_id, exclude=exclude)
        clinic = await visits.clinic_scored(tx, participant_id) if choice == "clinic" else None
        baseline = baseline_of(first, clinic, choice=choice, zone=zone, before=now)
    return previous, baseline


def _baseline_message(
    signal: Signal, baseline: Baseline | None
) -> tuple[str, dict[str, MessageArg]]:
    """The baseline alert names its baseline: the clinic visit, or the first self-report."""
    args: dict[str, MessageArg] = dict(signal.message_args)
    if signal.rule is not RuleId.BASELINE or baseline is None:
        return signal.message_key, args
    if baseline.source == "clinic":
        args["visit"] = baseline.visit_label or ""
        return "decline-baseline-clinic", args
    return "decline-baseline-first-report", args


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
    """Evaluate the decline rules for a submission being committed: one alert listing every rule
    that fired, or follow-ups on the open alerts it repeats (docs/alerts.md)."""
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
        choice=config.baseline,
        zone=config.timezone,
    )
    point = None if baseline is None else baseline.point
    signals = evaluate(new, previous, point, config.rules, tz=config.timezone)
    parts = decline_parts(
        signals, subject, config.rules, [_baseline_message(s, baseline) for s in signals]
    )
    await _raise_event(
        tx,
        participant_id=participant_id,
        parts=parts,
        assessment_id=assessment_id,
        actor=actor,
        now=submitted_at,
        config=config,
        total=new.total,
        severity=None,
    )
    return signals


_BREATHING_MAX = 4


def _rule_key(signal: Signal) -> str:
    return f"item:{signal.item}" if signal.rule is RuleId.ITEM else signal.rule.value


def _candidate(signal: Signal, rules: DeclineRules) -> Candidate:
    """The rule as the no-repeat decision sees it (docs/alerts.md): level higher is worse."""
    key = _rule_key(signal)
    match signal.rule:
        case RuleId.BASELINE:
            level = None if signal.change is None else float(-signal.change)
            return Candidate(key, level, float(rules.baseline.min_fall))
        case RuleId.SLOPE:
            level = None if signal.slope is None else -signal.slope
            return Candidate(key, level, rules.slope.points_per_month)
        case RuleId.BREATHING:
            lost = float(_BREATHING_MAX - signal.new_value)
            fell = signal.message_key == "decline-breathing-fall"
            return Candidate(key, lost, None if fell else float(rules.breathing.min_fall))
        case _:
            return Candidate(key, None, None)


def decline_parts(
    signals: list[Signal],
    subject: str,
    rules: DeclineRules,
    messages: list[tuple[str, Mapping[str, MessageArg]]],
) -> list[tuple[AlertPart, Candidate]]:
    """Each fired rule as an alert part (with its message key and arguments, which name the
    baseline compared), with its candidate for the no-repeat decision."""
    found = []
    for signal, (key, args) in zip(signals, messages, strict=True):
        candidate = _candidate(signal, rules)
        part = AlertPart(
            kind="decline",
            rule=candidate.rule,
            urgent=signal.urgent,
            message_key=key,
            message_args={**args, "subject": subject},
            level=candidate.level,
        )
        found.append((part, candidate))
    return found


async def _raise_event(
    tx: Tx,
    *,
    participant_id: int,
    parts: list[tuple[AlertPart, Candidate]],
    assessment_id: int | None,
    actor: Actor,
    now: datetime,
    config: SafetyConfig,
    total: int | None,
    severity: int | None,
) -> Decision | None:
    """One alert for the event, or follow-ups on the open alerts it repeats (docs/alerts.md)."""
    if not parts:
        return None
    held = await standing(tx, participant_id)
    earlier = {
        rule: Earlier(alert_id=s.alert_id, level=s.level, open=s.open) for rule, s in held.items()
    }
    decision = decide([c for _, c in parts], earlier)
    if decision.raise_alert:
        alert_parts = [p for p, _ in parts]
        await create_event_alert(
            tx,
            participant_id=participant_id,
            parts=alert_parts,
            assessment_id=assessment_id,
            actor=actor,
            now=now,
            escalate_after=config.escalation(any(p.urgent for p in alert_parts)),
        )
        return decision
    for alert_id, rules in decision.followups.items():
        await add_followup(
            tx,
            alert_id,
            at=now,
            assessment_id=assessment_id,
            rules=list(rules),
            total=total,
            severity=severity,
            actor=actor,
        )
    return decision


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
    """Store an answered symptom question (an empty one means "none"), with one alert listing
    every reported symptom (urgent when one is), unless it repeats an open alert. `report_id`
    is the /symptoms report in progress, or None to create the report of an assessment's
    symptom step."""
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
    parts = []
    for report in result.reports:
        part = AlertPart(
            kind="symptom",
            rule=report.symptom_id,
            urgent=report.symptom_id in urgent_ids,
            message_key=f"symptom-alert-{report.symptom_id.replace('_', '-')}",
            message_args=_symptom_args(report, subject, now, config.timezone),
            level=float(report.severity),
        )
        candidate = Candidate(f"symptom:{report.symptom_id}", part.level, 1.0, symptom=True)
        parts.append((part, candidate))
    await _raise_event(
        tx,
        participant_id=participant_id,
        parts=parts,
        assessment_id=assessment_id,
        actor=actor,
        now=now,
        config=config,
        total=None,
        severity=max((r.severity for r in result.reports), default=None),
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
