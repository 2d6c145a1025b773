"""Clinic visits: staff walk through one in Telegram (`begin`, `press`, `type_in`), the operator
records one at once (`record`), anyone with the right corrects one with a reason (`correct`).

Saving is one transaction: the visit, its audit entry (the rater and every value), and the FVC
rule's alerts. A correction audits the old and the new values and the reason. A clinic rating is
its own respondent kind (`clinic`): it lives in `visits`, never among the assessments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from conversations.context import Services
from conversations.domain import visit as domain
from conversations.domain.instrument import ITEM_NUMBERS, LEVELS
from conversations.domain.visit import (
    Refusal,
    Save,
    VisitAction,
    VisitError,
    VisitSettings,
    VisitState,
    fvc_signals,
)
from conversations.flows.safety import Baseline, SafetyConfig, baseline_of
from storage import assessments, audit, people, visits
from storage.alerts import AlertPart, create_event_alert
from storage.db import Tx
from storage.models import Actor, Participant, ParticipantStatus, Role, Visit
from storage.visits import VisitValues

if TYPE_CHECKING:
    from bot.settings import StudySettings

__all__ = [
    "ClinicView",
    "InvalidValues",
    "PressOutcome",
    "VisitRefused",
    "agreement_data",
    "begin",
    "check_values",
    "clinic_view",
    "correct",
    "draft_for",
    "history",
    "parse_alsfrs",
    "parse_onset",
    "press",
    "record",
    "record_onset",
    "save_visit",
    "set_onset",
    "state_of",
    "type_in",
    "values_of",
]

_ONSET = re.compile(r"(\d{4})-(\d{2})")


class VisitRefused(Exception):
    """A press or typed value that changes nothing: stale, not this staff member's, or invalid."""


class InvalidValues(ValueError):
    """Values for `record` or `correct` that the visit cannot hold."""


@dataclass(frozen=True, slots=True)
class PressOutcome:
    visit: Visit
    state: VisitState
    saved: bool = False
    refusal: Refusal | None = None
    alerts: int = 0


def state_of(found: Visit) -> VisitState:
    return domain.loads(found.state)


def _today(services: Services) -> date:
    return services.clock().astimezone(ZoneInfo(services.study.study.timezone)).date()


def values_of(state: VisitState) -> VisitValues:
    """A complete draft's values, as saved."""
    if not state.complete or state.label is None or state.visit_date is None:
        raise InvalidValues("the visit is not complete")
    rated = not state.alsfrs_skipped and state.total is not None
    variant = state.item5_variant
    return VisitValues(
        label=state.label,
        visit_date=state.visit_date,
        items=dict(state.items) if rated else None,
        item5_variant=None if not rated or variant is None else variant.value,
        fvc_percent=state.fvc,
        norris_total=state.norris_total,
        norris_bulbar=state.norris_bulbar if state.norris_total is not None else None,
        norris_spinal=state.norris_spinal if state.norris_total is not None else None,
    )


def check_values(values: VisitValues, settings: VisitSettings, *, today: date) -> None:
    """The same ranges as the Telegram steps, for the CLI and corrections."""
    labels = (*settings.labels, domain.UNSCHEDULED)
    if values.label not in labels:
        raise InvalidValues(f"visit must be one of {', '.join(labels)}")
    if values.visit_date > today:
        raise InvalidValues("the visit date is in the future")
    if values.items is not None:
        if set(values.items) != set(ITEM_NUMBERS) or any(
            s not in LEVELS for s in values.items.values()
        ):
            raise InvalidValues("the ALSFRS needs ten item scores, each 0-4")
        if values.item5_variant not in ("5a", "5b"):
            raise InvalidValues("item 5 needs its variant, a or b")
    ranges = (
        ("FVC %", values.fvc_percent, settings.fvc_max),
        ("Norris total", values.norris_total, settings.norris.total_max),
        ("Norris bulbar", values.norris_bulbar, settings.norris.bulbar_max),
        ("Norris spinal", values.norris_spinal, settings.norris.spinal_max),
    )
    for name, value, top in ranges:
        if value is not None and not 0 <= value <= top:
            raise InvalidValues(f"{name} must be a whole number 0-{top}")


async def _participant(tx: Tx, subject: str) -> Participant | None:
    return await people.get_participant(tx, subject)


# --- Telegram: a draft walked through by one staff member -------------------------------------


async def begin(services: Services, *, subject: str, actor: Actor) -> PressOutcome | None:
    """A new visit draft for `subject` by this staff member (an earlier unsaved draft of theirs
    is discarded); None when there is no such participant."""
    assert actor.link_id is not None
    now = services.clock()

    async def unit(tx: Tx) -> PressOutcome | None:
        found = await _participant(tx, subject)
        if found is None:
            return None
        old = await visits.draft_of(tx, actor.link_id or 0)
        if old is not None:
            await visits.discard_draft(tx, old.id)
        state = VisitState()
        vid = await visits.create_draft(
            tx,
            participant_id=found.id,
            rated_by=actor.link_id or 0,
            state=domain.dumps(state),
            now=now,
        )
        await audit.record(
            tx,
            actor=actor,
            action="visit.start",
            entity="visit",
            entity_id=vid,
            at=now,
            on_behalf_of=found.id,
        )
        created = await visits.visit(tx, vid)
        assert created is not None
        return PressOutcome(created, state)

    return await services.db.write(unit)


async def draft_for(services: Services, link_id: int) -> Visit | None:
    async def unit(tx: Tx) -> Visit | None:
        return await visits.draft_of(tx, link_id)

    return await services.db.read(unit)


async def press(
    services: Services, *, visit_id: int, revision: int, action: VisitAction, actor: Actor
) -> PressOutcome:
    """One button of a visit draft; Save writes the visit. Raises `VisitRefused`."""
    now = services.clock()
    today = _today(services)
    study = services.study

    async def unit(tx: Tx) -> PressOutcome:
        found = await visits.visit(tx, visit_id)
        if found is None or found.status != "draft" or found.rated_by != actor.link_id:
            raise VisitRefused("not this staff member's visit in progress")
        if found.revision != revision:
            raise VisitRefused("stale")
        state = state_of(found)
        try:
            after = domain.apply(state, action, labels=study.visits.labels, today=today)
        except VisitError as exc:
            raise VisitRefused(str(exc)) from exc
        if isinstance(action, Save):
            return await _save_draft(tx, found, after, actor=actor, now=now, study=study)
        await visits.update_draft(tx, found.id, state=domain.dumps(after))
        changed = await visits.visit(tx, found.id)
        assert changed is not None
        return PressOutcome(changed, after)

    outcome = await services.db.write(unit)
    if outcome.alerts:
        services.wake_outbox()
    return outcome


async def type_in(services: Services, *, actor: Actor, text: str) -> PressOutcome | None:
    """A typed answer (date, FVC, Norris) to this staff member's draft; None when they have no
    draft. A value out of range comes back as the outcome's `refusal`, the step unchanged."""
    assert actor.link_id is not None
    today = _today(services)
    settings = services.study.visits

    async def unit(tx: Tx) -> PressOutcome | None:
        found = await visits.draft_of(tx, actor.link_id or 0)
        if found is None:
            return None
        state = state_of(found)
        after = domain.typed(state, text, settings=settings, today=today)
        if isinstance(after, Refusal):
            return PressOutcome(found, state, refusal=after)
        await visits.update_draft(tx, found.id, state=domain.dumps(after))
        changed = await visits.visit(tx, found.id)
        assert changed is not None
        return PressOutcome(changed, after)

    return await services.db.write(unit)


async def _save_draft(
    tx: Tx, found: Visit, state: VisitState, *, actor: Actor, now: datetime, study: StudySettings
) -> PressOutcome:
    values = values_of(state)
    await visits.save_draft(tx, found.id, values, now=now)
    alerts = await _after_save(tx, found.id, found.participant_id, values, actor, now, study)
    saved = await visits.visit(tx, found.id)
    assert saved is not None
    return PressOutcome(saved, state, saved=True, alerts=alerts)


async def save_visit(
    tx: Tx,
    *,
    participant_id: int,
    values: VisitValues,
    actor: Actor,
    now: datetime,
    study: StudySettings,
) -> int:
    """Within the caller's transaction: a visit saved at once, audited, the FVC rule run (the
    local-mode demo seeds its visits so). Returns the number of alerts raised."""
    vid = await visits.insert_saved(
        tx, participant_id=participant_id, values=values, rated_by=actor.link_id, now=now
    )
    return await _after_save(tx, vid, participant_id, values, actor, now, study)


async def _after_save(
    tx: Tx,
    visit_id: int,
    participant_id: int,
    values: VisitValues,
    actor: Actor,
    now: datetime,
    study: StudySettings,
) -> int:
    """The audit entry of a saved visit and the FVC rule's alerts; returns the alert count."""
    saved = await visits.visit(tx, visit_id)
    assert saved is not None
    await audit.record(
        tx,
        actor=actor,
        action="visit.save",
        entity="visit",
        entity_id=visit_id,
        at=now,
        new={**saved.values(), "respondent": "clinic", "rated_by": saved.rated_by},
        on_behalf_of=participant_id,
    )
    if values.fvc_percent is None:
        return 0
    earlier = [
        v
        for v in await visits.saved(tx, participant_id)
        if v.id != visit_id
        and v.fvc_percent is not None
        and v.visit_date is not None
        and v.visit_date <= values.visit_date
    ]
    previous = None
    if earlier:
        last = earlier[-1]
        assert last.visit_date is not None
        assert last.fvc_percent is not None
        previous = (last.visit_date, last.fvc_percent)
    config = SafetyConfig.of(study)
    signals = fvc_signals((values.visit_date, values.fvc_percent), previous, study.visits.fvc_rule)
    parts = [  # one alert per event (docs/alerts.md): the visit's signals are its parts
        AlertPart(
            kind="decline",
            rule="fvc",
            urgent=signal.urgent,
            message_key=signal.message_key,
            message_args={**signal.message_args, "subject": saved.subject, "visit": values.label},
        )
        for signal in signals
    ]
    if parts:
        await create_event_alert(
            tx,
            participant_id=participant_id,
            parts=parts,
            assessment_id=None,
            actor=actor,
            now=now,
            escalate_after=config.escalation(any(p.urgent for p in parts)),
        )
    return len(signals)


# --- the operator (CLI), and corrections ------------------------------------------------------


def parse_alsfrs(text: str, variant: str) -> tuple[dict[int, int], Literal["5a", "5b"]]:
    """'4,4,3,4,4,3,4,4,3,4' and 'a'|'b' to items and the item 5 variant."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != len(ITEM_NUMBERS) or not all(re.fullmatch(r"[0-4]", p) for p in parts):
        raise InvalidValues("--alsfrs takes ten scores 0-4, separated by commas")
    if variant not in ("a", "b", "5a", "5b"):
        raise InvalidValues("--item5 is a (no gastrostomy) or b (gastrostomy)")
    chosen: Literal["5a", "5b"] = "5a" if variant[-1] == "a" else "5b"
    return {n: int(p) for n, p in zip(ITEM_NUMBERS, parts, strict=True)}, chosen


async def record(
    services: Services, *, subject: str, values: VisitValues, actor: Actor
) -> tuple[Visit, int] | None:
    """Save a visit at once (the CLI); None when there is no such participant. Returns the visit
    and the number of alerts raised."""
    check_values(values, services.study.visits, today=_today(services))
    now = services.clock()
    study = services.study

    async def unit(tx: Tx) -> tuple[Visit, int] | None:
        found = await _participant(tx, subject)
        if found is None:
            return None
        vid = await visits.insert_saved(
            tx, participant_id=found.id, values=values, rated_by=actor.link_id, now=now
        )
        alerts = await _after_save(tx, vid, found.id, values, actor, now, study)
        saved = await visits.visit(tx, vid)
        assert saved is not None
        return saved, alerts

    result = await services.db.write(unit)
    if result is not None and result[1]:
        services.wake_outbox()
    return result


async def correct(
    services: Services, *, visit_id: int, values: VisitValues, reason: str, actor: Actor
) -> tuple[Visit, Visit] | None:
    """Correct a saved visit; the audit keeps the old and the new values and the reason.
    Returns (old, new), or None when there is no such saved visit."""
    if not reason.strip():
        raise InvalidValues("a correction needs a reason")
    check_values(values, services.study.visits, today=_today(services))
    now = services.clock()

    async def unit(tx: Tx) -> tuple[Visit, Visit] | None:
        old = await visits.visit(tx, visit_id)
        if old is None or old.status != "saved":
            return None
        await visits.update_values(tx, visit_id, values, now=now)
        new = await visits.visit(tx, visit_id)
        assert new is not None
        await audit.record(
            tx,
            actor=actor,
            action="visit.correct",
            entity="visit",
            entity_id=visit_id,
            at=now,
            old=old.values(),
            new=new.values(),
            reason=reason.strip(),
            on_behalf_of=old.participant_id,
        )
        return old, new

    return await services.db.write(unit)


async def history(services: Services, subject: str) -> tuple[Participant, list[Visit]] | None:
    """A participant's saved visits, oldest first; None when there is no such participant."""

    async def unit(tx: Tx) -> tuple[Participant, list[Visit]] | None:
        found = await _participant(tx, subject)
        if found is None:
            return None
        return found, await visits.saved(tx, found.id)

    return await services.db.read(unit)


# --- symptom onset ----------------------------------------------------------------------------


def parse_onset(text: str, *, today: date) -> str | None:
    """'2025-03' (month precision) or a full date; the month 'YYYY-MM', or None if invalid or in
    the future."""
    found = _ONSET.fullmatch(text.strip()[:7]) if len(text.strip()) in (7, 10) else None
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or year < 1900 or (year, month) > (today.year, today.month):
        return None
    return f"{year:04d}-{month:02d}"


async def record_onset(
    tx: Tx, participant_id: int, month: str, *, actor: Actor, now: datetime
) -> None:
    """Within the caller's transaction: set the onset month, audited with old and new."""
    old = await visits.onset_of(tx, participant_id)
    await visits.set_onset(tx, participant_id, month)
    await audit.record(
        tx,
        actor=actor,
        action="participant.onset",
        entity="participant",
        entity_id=participant_id,
        at=now,
        old={"onset_month": old},
        new={"onset_month": month},
        on_behalf_of=participant_id,
    )


async def set_onset(
    services: Services, *, subject: str, month: str, actor: Actor
) -> Participant | None:
    """Record the month of symptom onset (audited, old and new); None: no such participant."""
    now = services.clock()

    async def unit(tx: Tx) -> Participant | None:
        found = await _participant(tx, subject)
        if found is None:
            return None
        if found.status is ParticipantStatus.WITHDRAWN:
            raise InvalidValues("the participant has withdrawn")
        await record_onset(tx, found.id, month, actor=actor, now=now)
        return found

    return await services.db.write(unit)


# --- what staff see in /participant -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClinicView:
    """A participant's saved visits (oldest first), onset month, and the baseline the decline
    rule would use now (the study's choice: the first clinic ALSFRS, or the first report)."""

    visits: list[Visit]
    onset_month: str | None
    baseline: Baseline | None


async def clinic_view(services: Services, participant_id: int) -> ClinicView:
    safety = services.safety
    now = services.clock()

    async def unit(tx: Tx) -> ClinicView:
        saved = await visits.saved(tx, participant_id)
        onset = await visits.onset_of(tx, participant_id)
        first = await assessments.first_scored(tx, participant_id, exclude=0)
        clinic = (
            await visits.clinic_scored(tx, participant_id) if safety.baseline == "clinic" else None
        )
        baseline = baseline_of(
            first, clinic, choice=safety.baseline, zone=safety.timezone, before=now
        )
        return ClinicView(saved, onset, baseline)

    return await services.db.read(unit)


Rated = tuple[str, date, int]  # (subject, day on the study's calendar, total)


async def agreement_data(services: Services) -> tuple[list[Rated], list[Rated], list[Rated]]:
    """(clinic ALSFRS totals, patients' self-reports, caregivers' reports) of every participant,
    for `domain.agreement.pair`."""
    zone = services.safety.timezone

    async def unit(tx: Tx) -> tuple[list[Rated], list[Rated], list[Rated]]:
        clinic = [
            (v.subject, v.visit_date, v.total)
            for v in await visits.saved(tx)
            if v.visit_date is not None and v.total is not None
        ]
        own: list[Rated] = []
        proxy: list[Rated] = []
        for s in await assessments.submissions(tx):
            rated = (s.subject, s.submitted_at.astimezone(zone).date(), s.total)
            (proxy if s.respondent is Role.CAREGIVER else own).append(rated)
        return clinic, own, proxy

    return await services.db.read(unit)
