"""Handlers for reminder schedules: staff set a participant's interval, time of day and zone with
`/schedule SUBJECT_ID [every N days] [at HH:MM] [tz Area/City]` (`default` returns to the study's
defaults); the patient or a caregiver picks the time of day with `/time`, by tapping one of a few
times, never typing. The parsing and validation (`conversations.domain.schedule`) and the
change itself (`conversations.flows.schedules`) are shared with the CLI (`alsfrs-bot schedule`).

Every change is audited and restarts the schedule from now. The reminder scheduler notices it
through the audit trail; nothing here calls it.

`register` must run before `conversations.handlers.patient.register`, whose catch-all button handler
would otherwise take the `/time` buttons.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from conversations.callbacks import TimePress, encode_time, parse
from conversations.context import AppContext, Services
from conversations.domain.schedule import (
    ScheduleError,
    ScheduleSettings,
    hhmm,
    parse_change,
    time_choices,
)
from conversations.flows.enrollment import SUBJECT_PATTERN, find_participant
from conversations.flows.schedules import (
    ReminderInputs,
    TimeOutcome,
    change_schedule,
    choose_time,
    effective_schedule,
    next_reminder_at,
    reminder_inputs,
)
from conversations.handlers.access import (
    actor_for,
    answer,
    identity_of,
    language_of,
    quietly,
    respondent,
    respondent_links,
    say,
)
from conversations.handlers.staff import staff_only
from locales import Translator, translator
from storage.models import LinkInfo, ParticipantStatus, Role

__all__ = [
    "COMMANDS",
    "describe_schedule",
    "on_time_press",
    "schedule_command",
    "time_command",
]

COMMANDS: Final = (("time", "cmd-time"),)


def _next_line(
    t: Translator, services: Services, found: ReminderInputs, key: str, now: datetime
) -> str | None:
    settings = services.study.schedule
    when = next_reminder_at(found, settings, now)
    if when is None:
        return None
    zone = effective_schedule(found.override, settings).zone
    return t(key, when=t.moment(when, zone))


async def describe_schedule(services: Services, t: Translator, participant_id: int) -> str:
    """The schedule as staff see it: each value, whether it is the study default, and when the
    next reminder goes out."""
    found = await reminder_inputs(services, participant_id)
    assert found is not None
    settings = services.study.schedule
    own = found.override
    schedule = effective_schedule(own, settings)
    default = " " + t("schedule-study-default")
    lines = [
        t("schedule-header", subject=escape(found.subject)),
        t("schedule-interval", days=schedule.interval_days)
        + (default if own.interval_days is None else ""),
        t("schedule-time", time=hhmm(schedule.preferred_time))
        + (default if own.preferred_time is None else ""),
        t("schedule-zone", zone=schedule.timezone) + (default if own.timezone is None else ""),
    ]
    if found.status is ParticipantStatus.ACTIVE:
        line = _next_line(t, services, found, "schedule-next", services.clock())
        if line:
            lines.append(line)
    else:
        lines.append(t("schedule-inactive", status=t(f"status-{found.status.value}")))
    return "\n".join(lines)


# --- staff: /schedule -------------------------------------------------------------------------


@staff_only("schedule", about_subject=True)
async def schedule_command(
    update: Update, context: AppContext, t: Translator, link: LinkInfo
) -> None:
    args = context.args or []
    if not args or not SUBJECT_PATTERN.fullmatch(args[0]):
        await say(update, t("schedule-usage"))
        return
    subject = args[0]
    services = context.services
    found = await find_participant(services, subject)
    if found is None:
        await say(update, t("staff-unknown", subject=escape(subject)))
        return
    try:
        change = parse_change(args[1:])
        if not change.empty:
            changed = await change_schedule(services, found.id, change, actor_for(link))
            key = "schedule-changed" if changed else "schedule-unchanged"
            await say(update, t(key, subject=escape(subject)))
    except ScheduleError as error:
        await say(update, error.text(t))
        return
    await say(update, await describe_schedule(services, t, found.id))


# --- patients and caregivers: /time -----------------------------------------------------------


def _time_keyboard(settings: ScheduleSettings, participant_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(hhmm(choice), callback_data=encode_time(participant_id, choice))
        for choice in time_choices(settings)
    ]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:]] if len(buttons) > 3 else [buttons])


async def _time_screen(
    services: Services, t: Translator, link: LinkInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    assert link.participant is not None
    found = await reminder_inputs(services, link.participant.id)
    assert found is not None
    if found.status is ParticipantStatus.WITHDRAWN:
        return t("time-withdrawn"), None
    settings = services.study.schedule
    schedule = effective_schedule(found.override, settings)
    values: dict[str, str | int] = {
        "days": schedule.interval_days,
        "time": hhmm(schedule.preferred_time),
        "zone": schedule.timezone,
    }
    if link.role is Role.CAREGIVER:
        lines = [t("time-schedule-caregiver", subject=escape(found.subject), **values)]
    else:
        lines = [t("time-schedule", **values)]
    if found.status is ParticipantStatus.PAUSED:
        lines.append(t("time-paused"))
    else:
        line = _next_line(t, services, found, "time-next", services.clock())
        if line:
            lines.append(line)
    lines += ["", t("time-choose")]
    return "\n".join(lines), _time_keyboard(settings, found.participant_id)


async def time_command(update: Update, context: AppContext) -> None:
    services = context.services
    who = await respondent(update, context)
    if who is None:
        return
    t, links = who.t, who.links
    if len(links) > 1:
        rows = []
        for link in links:
            assert link.participant is not None
            data = encode_time(link.participant.id)
            rows.append([InlineKeyboardButton(link.participant.subject, callback_data=data)])
        await say(update, t("time-choose-participant"), InlineKeyboardMarkup(rows))
        return
    text, keyboard = await _time_screen(services, t, links[0])
    await say(update, text, keyboard)


async def on_time_press(update: Update, context: AppContext) -> None:
    query = update.callback_query
    if query is None:
        return
    services = context.services
    identity = await identity_of(services, update)
    t = translator(language_of(identity, update))
    press = parse(query.data)
    links = respondent_links(identity)
    link = None
    if isinstance(press, TimePress):
        pid = press.participant_id
        link = next((x for x in links if x.participant and x.participant.id == pid), None)
    if not isinstance(press, TimePress) or link is None or link.participant is None:
        await answer(query, t("notice-invalid-button"))
        return
    choice = press.choice
    if choice is None:
        text, keyboard = await _time_screen(services, t, link)
        await answer(query)
        await quietly(
            query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        )
        return
    chosen = await choose_time(services, link.participant.id, choice, actor_for(link))
    if chosen.outcome is TimeOutcome.NOT_ALLOWED:
        await answer(query, t("time-not-allowed"))
        return
    if chosen.outcome is TimeOutcome.WITHDRAWN:
        await answer(query, t("time-withdrawn"), alert=True)
        return
    changed = chosen.outcome is TimeOutcome.SET
    lines = [t("time-set" if changed else "time-unchanged", time=hhmm(choice))]
    after = chosen.after
    if after is not None and after.status is ParticipantStatus.ACTIVE:
        line = _next_line(t, services, after, "time-next", services.clock())
        if line:
            lines.append(line)
    await answer(query)
    await quietly(query.edit_message_text("\n".join(lines), parse_mode=ParseMode.HTML))
