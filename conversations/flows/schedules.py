"""Reminder schedules as use cases: what a stored participant's schedule is (their own values
over the study defaults), the reminder plan and the next reminder for it, and the audited
changes made by staff (`/schedule`), the operator (`alsfrs-bot schedule`) and the participant's
side (`/time`), one transaction each.

Parsing and validating a change is pure and lives in `conversations.domain.schedule`; this module
reads and writes through `storage.schedules`. Every change is audited
(`storage.schedules.set_override`) and restarts the schedule from now; the reminder scheduler
notices it through the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from conversations.context import Services
from conversations.domain.schedule import (
    ParticipantSchedule,
    ReminderKind,
    ReminderPlan,
    ScheduleChange,
    ScheduleSettings,
    after_quiet_hours,
    plan_reminders,
    time_choices,
    validate_change,
)
from storage import people, schedules
from storage.db import Tx
from storage.models import Actor, ParticipantStatus
from storage.schedules import ReminderInputs, ScheduleOverride

__all__ = [
    "ReminderInputs",
    "ScheduleOverride",
    "TimeChoice",
    "TimeOutcome",
    "apply_change",
    "change_schedule",
    "choose_time",
    "effective_schedule",
    "next_reminder_at",
    "plan_for",
    "reminder_inputs",
    "reminder_inputs_of",
]


# --- the plan of a stored participant (pure) -------------------------------------------------


def effective_schedule(
    override: ScheduleOverride, settings: ScheduleSettings
) -> ParticipantSchedule:
    """The participant's own values where set, the study's defaults elsewhere."""
    own = override
    return ParticipantSchedule(
        interval_days=settings.interval_days if own.interval_days is None else own.interval_days,
        preferred_time=settings.preferred_time
        if own.preferred_time is None
        else own.preferred_time,
        timezone=settings.timezone if own.timezone is None else own.timezone,
    )


def plan_for(found: ReminderInputs, settings: ScheduleSettings, now: datetime) -> ReminderPlan:
    """The reminder plan of a stored participant at `now`."""
    return plan_reminders(
        effective_schedule(found.override, settings),
        settings,
        status=found.status,
        anchor=found.enrolled_at,
        last_submission=found.last_submission,
        now=now,
        active_since=found.active_since,
    )


def next_reminder_at(
    found: ReminderInputs, settings: ScheduleSettings, now: datetime
) -> datetime | None:
    """When the participant will next be reminded (for staff and the participant to see); None
    when they will not be (paused, withdrawn)."""
    plan = plan_for(found, settings, now)
    if plan.cycle is None:
        return None
    for send in plan.sends:
        if send.kind is not ReminderKind.MISSED and send.key not in found.sent and send.at >= now:
            return send.at
    assert plan.next_cycle_at is not None
    return after_quiet_hours(plan.next_cycle_at, plan.timezone, settings)


def apply_change(current: ScheduleOverride, change: ScheduleChange) -> ScheduleOverride:
    """The participant's own values after `change` (None: the study default)."""
    base = ScheduleOverride() if change.reset else current
    return ScheduleOverride(
        interval_days=change.interval_days or base.interval_days,
        preferred_time=change.preferred_time or base.preferred_time,
        timezone=change.timezone or base.timezone,
    )


# --- reads -----------------------------------------------------------------------------------


async def reminder_inputs(services: Services, participant_id: int) -> ReminderInputs | None:
    """Everything the schedule of one participant depends on, as stored."""

    async def unit(tx: Tx) -> ReminderInputs | None:
        return await schedules.inputs(tx, participant_id)

    return await services.db.read(unit)


async def reminder_inputs_of(services: Services, subject: str) -> ReminderInputs | None:
    """`reminder_inputs` of the participant with this study ID; None when there is none."""

    async def unit(tx: Tx) -> ReminderInputs | None:
        found = await people.get_participant(tx, subject)
        return None if found is None else await schedules.inputs(tx, found.id)

    return await services.db.read(unit)


# --- changes ---------------------------------------------------------------------------------


async def _set(
    tx: Tx,
    participant_id: int,
    change: ScheduleChange,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None,
) -> bool:
    current = await schedules.get_override(tx, participant_id)
    new = apply_change(current, change)
    old = await schedules.set_override(tx, participant_id, new, actor=actor, now=now, reason=reason)
    return old is not None


async def change_schedule(
    services: Services,
    participant_id: int,
    change: ScheduleChange,
    actor: Actor,
    *,
    reason: str | None = None,
) -> bool:
    """Validate and apply a change, audited. Returns whether anything changed; raises
    `ScheduleError` when the change cannot be made."""
    validate_change(change, services.study.schedule)
    now = services.clock()

    async def unit(tx: Tx) -> bool:
        return await _set(tx, participant_id, change, actor=actor, now=now, reason=reason)

    return await services.db.write(unit)


class TimeOutcome(StrEnum):
    NOT_ALLOWED = "not_allowed"  # not one of the offered times
    WITHDRAWN = "withdrawn"  # the participant has withdrawn (or is gone)
    SET = "set"
    UNCHANGED = "unchanged"  # it was already the participant's time


@dataclass(frozen=True, slots=True)
class TimeChoice:
    outcome: TimeOutcome
    # The participant's inputs after the change (for the next reminder); None unless changed
    # or unchanged.
    after: ReminderInputs | None = None


async def choose_time(
    services: Services, participant_id: int, choice: time, actor: Actor
) -> TimeChoice:
    """The patient or a caregiver picked a time of day with /time: set it, audited, unless it is
    not offered or the participant has withdrawn."""
    settings = services.study.schedule
    if choice not in time_choices(settings):
        return TimeChoice(TimeOutcome.NOT_ALLOWED)
    change = ScheduleChange(preferred_time=choice)
    validate_change(change, settings)
    now = services.clock()

    async def unit(tx: Tx) -> TimeChoice:
        found = await schedules.inputs(tx, participant_id)
        if found is None or found.status is ParticipantStatus.WITHDRAWN:
            return TimeChoice(TimeOutcome.WITHDRAWN)
        changed = await _set(tx, participant_id, change, actor=actor, now=now, reason=None)
        after = await schedules.inputs(tx, participant_id)
        return TimeChoice(TimeOutcome.SET if changed else TimeOutcome.UNCHANGED, after)

    return await services.db.write(unit)
