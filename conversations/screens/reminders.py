"""Reminders as people see them, and the plan behind them, for a participant as stored: the
effective schedule (the participant's own values over the study defaults), the plan of
`conversations.domain.schedule` for it, and the texts of reminders and of the staff digest.

Pure: no Telegram I/O, no SQL. Every sentence comes from `locales/*/reminders.ftl`; values put
into HTML are escaped here.
"""

from __future__ import annotations

from datetime import date, datetime, time
from html import escape
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.callbacks import encode_menu
from conversations.domain.schedule import (
    ParticipantSchedule,
    ReminderKind,
    ReminderPlan,
    ScheduleSettings,
    after_quiet_hours,
    in_quiet_hours,
    plan_reminders,
)
from conversations.screens.assessment import Screen
from locales import Translator
from storage.models import Role
from storage.schedules import MissedNotice, ReminderInputs, ScheduleOverride

__all__ = [
    "DIGEST_PART_LIMIT",
    "TIME_CHOICES",
    "digest_parts",
    "effective_schedule",
    "next_reminder_at",
    "plan_for",
    "reminder_screen",
    "time_choices",
]

# Telegram allows 4096 characters a message; a digest longer than this is sent in parts.
DIGEST_PART_LIMIT: Final = 3500
# Times a participant can pick with /time: taps, not typing.
TIME_CHOICES: Final = tuple(time(hour) for hour in (8, 10, 12, 15, 18, 20))


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


def time_choices(settings: ScheduleSettings) -> tuple[time, ...]:
    """The offered times of day that are outside the study's quiet hours."""
    return tuple(choice for choice in TIME_CHOICES if not in_quiet_hours(choice, settings))


def reminder_screen(
    t: Translator, *, kind: str, role: Role, subject: str, participant_id: int
) -> Screen:
    """A reminder (DUE) or follow-up for the patient or a caregiver, with a `Start now` button
    that starts or resumes the assessment for that participant."""
    follow_up = kind == ReminderKind.FOLLOW_UP.value
    key = "reminder-follow-up" if follow_up else "reminder-due"
    caregiver = role is Role.CAREGIVER
    text = t(f"{key}-caregiver", subject=escape(subject)) if caregiver else t(key)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("reminder-button-start"),
                    callback_data=encode_menu("assess", participant_id),
                )
            ]
        ]
    )
    return Screen(text, keyboard)


def digest_parts(t: Translator, day: date, notices: list[MissedNotice]) -> list[str]:
    """The staff digest of one day: a header and one line per missed assessment, in as few
    messages as Telegram's length limit allows."""
    lines = [
        t(
            "digest-line",
            subject=escape(notice.subject),
            date=t.date(date.fromisoformat(notice.cycle_key)),
        )
        for notice in notices
    ]
    header = t("digest-header", date=t.date(day), count=len(notices))
    parts: list[str] = []
    current = [header, ""]
    size = len(header) + 1
    for line in lines:
        if size + len(line) + 1 > DIGEST_PART_LIMIT and len(current) > 2:
            parts.append("\n".join(current))
            continued = t("digest-continued", date=t.date(day))
            current, size = [continued, ""], len(continued) + 1
        current.append(line)
        size += len(line) + 1
    parts.append("\n".join([*current, "", t("digest-footer")]))
    return parts
