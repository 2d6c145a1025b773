"""Safety signals raised inside the transaction that caused them: decline alerts when an
assessment is submitted, symptom alerts when a symptom report is answered.

Only the history the enabled rules need is read (`conversations.domain.safety.window`):
the cost of a submission does not grow with a participant's history beyond that window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from conversations.domain.instrument import ITEM_NUMBERS
from conversations.domain.safety import DeclineRules, Point, Signal, evaluate, window
from conversations.domain.symptom_step import SymptomState, reports
from conversations.domain.symptoms import Report, SymptomSettings, Triage, triage
from storage import audit
from storage.alerts import create_alert
from storage.db import Row, Tx
from storage.models import Actor, from_iso, iso

__all__ = [
    "SafetyConfig",
    "decline_history",
    "raise_decline_alerts",
    "submit_symptom_report",
    "symptom_state_from_json",
    "symptom_state_json",
]


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    """The study's safety settings, as the storage layer needs them."""

    rules: DeclineRules = field(default_factory=DeclineRules)
    symptoms: SymptomSettings = field(default_factory=SymptomSettings)
    urgent_escalation: timedelta = timedelta(minutes=60)
    routine_escalation: timedelta = timedelta(hours=72)
    timezone: tzinfo = UTC

    def escalation(self, urgent: bool) -> timedelta:
        return self.urgent_escalation if urgent else self.routine_escalation


def _point(row: Row) -> Point:
    items = {int(k): int(v) for k, v in (pair.split(":") for pair in str(row["items"]).split(","))}
    return Point(
        submitted_at=from_iso(row["submitted_at"]),
        total=int(row["total"]),
        items=items,
        item5_variant=str(row["item5_variant"]),
    )


_POINTS = (
    "SELECT a.id, a.submitted_at, a.total, a.item5_variant,"
    " (SELECT group_concat(item || ':' || score) FROM answers WHERE assessment_id = a.id)"
    " AS items FROM assessments a WHERE a.participant_id = ? AND a.status = 'submitted'"
    " AND a.id != ?"
)


async def decline_history(
    tx: Tx, *, participant_id: int, exclude: int, rules: DeclineRules, now: datetime
) -> tuple[list[Point], Point | None]:
    """(earlier submissions newest first, limited to the rules' window; the baseline)."""
    need = window(rules, now)
    rows: dict[int, Row] = {}
    if need.previous_count:
        for row in await tx.all(
            _POINTS + " ORDER BY a.submitted_at DESC, a.id DESC LIMIT ?",
            (participant_id, exclude, need.previous_count),
        ):
            rows[row["id"]] = row
    if need.since is not None:
        for row in await tx.all(
            _POINTS + " AND a.submitted_at >= ? ORDER BY a.submitted_at DESC",
            (participant_id, exclude, iso(need.since)),
        ):
            rows[row["id"]] = row
    previous = sorted(
        (_point(row) for row in rows.values()), key=lambda p: p.submitted_at, reverse=True
    )
    baseline = None
    if rules.baseline.enabled:
        first = await tx.one(
            _POINTS + " ORDER BY a.submitted_at, a.id LIMIT 1", (participant_id, exclude)
        )
        baseline = None if first is None else _point(first)
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


async def submit_symptom_report(
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
                actor.link_id,
                iso(now),
                actor.link_id,
                int(result.urgent),
            ),
        )
    else:
        await tx.execute(
            "UPDATE symptom_reports SET status = 'submitted', submitted_at = ?,"
            " submitted_by = ?, urgent = ?, state = ?, revision = revision + 1 WHERE id = ?",
            (iso(now), actor.link_id, int(result.urgent), "{}", report_id),
        )
    await tx.executemany(
        "INSERT INTO symptom_report_items (report_id, symptom, severity, free_text)"
        " VALUES (?, ?, ?, ?)",
        [(report_id, r.symptom_id, r.severity, r.free_text) for r in result.reports],
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


def symptom_state_json(state: SymptomState) -> str:
    return json.dumps(
        {"chosen": dict(state.chosen), "other_text": state.other_text, "position": state.position},
        sort_keys=True,
        ensure_ascii=False,
    )


def symptom_state_from_json(text: str | None) -> SymptomState:
    data = json.loads(text or "{}")
    if not data:
        return SymptomState()
    return SymptomState(
        chosen={str(k): int(v) for k, v in data.get("chosen", {}).items()},
        other_text=data.get("other_text"),
        position=str(data.get("position", "list")),
    )
