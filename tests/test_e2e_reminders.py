"""Reminders end to end over HTTP through the local Bot API: the real bot with its outbox, its
database and its rate limiter; people read the reminder and press `Start now` by its label.
Time is the harness's injected clock: the test moves it and runs the scheduler's tick."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.outbox import ReminderJob, outbox_of
from bot.ratelimit import PacedRateLimiter
from conversations.context import AppType, Services
from conversations.flows.enrollment import enroll_participant
from localapi import SimUser
from storage import people
from storage.db import Tx
from storage.models import Actor, ActorRole, Participant, Role
from tests.conftest import Harness

PRAGUE = ZoneInfo("Europe/Prague")
NEW_YORK = ZoneInfo("America/New_York")
OPERATOR = Actor(role=ActorRole.OPERATOR)


def scheduler_of(app: AppType) -> ReminderJob:
    return outbox_of(app).job(ReminderJob)


def services(app: AppType) -> Services:
    found = app.bot_data.services
    assert found is not None
    return found


async def participant(app: AppType, subject: str) -> Participant:
    async def unit(tx: Tx) -> Participant | None:
        return await people.get_participant(tx, subject)

    found = await services(app).db.read(unit)
    assert found is not None
    return found


async def due_time(app: AppType, subject: str) -> datetime:
    """When the scheduler will next look at the participant: their reminder's due time."""
    scheduler = scheduler_of(app)
    await scheduler.tick()  # notices a participant enrolled by the CLI, as its poll would
    wake = scheduler.wake_of((await participant(app, subject)).id)
    assert wake is not None
    return wake


def move_clock(harness: Harness, to: datetime) -> None:
    harness.clock.advance(to - harness.clock())


def reminders_in(user: SimUser) -> list[str]:
    return [m.content for m in user.bot_messages if "ALSFRS" in m.content and "time" in m.content]


async def test_a_reminder_arrives_and_start_now_starts_the_assessment(
    harness: Harness, app: AppType
) -> None:
    alice = await harness.join("S001", 5001)
    due = await due_time(app, "S001")
    assert due.astimezone(PRAGUE).time() == time(10)
    move_clock(harness, due + timedelta(minutes=1))
    await scheduler_of(app).tick()
    reminder = alice.last_message()
    assert "It is time for your ALS functional rating scale (ALSFRS)" in reminder.content
    assert alice.buttons() == ["Start now"]
    await alice.press("Start now")
    assert "Question 1 of 10" in alice.last_message().content
    await scheduler_of(app).tick()
    assert len(reminders_in(alice)) == 1


async def test_429_is_honoured_and_the_reminder_still_arrives_once(
    harness: Harness, app: AppType
) -> None:
    bea = await harness.join("S002", 5002)
    move_clock(harness, await due_time(app, "S002"))
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, PacedRateLimiter)
    retries = limiter.retries
    before = harness.api.calls["sendMessage"]
    harness.api.fail_next("sendMessage", status=429, retry_after=1)
    await scheduler_of(app).tick()
    assert limiter.retries == retries + 1
    assert harness.api.calls["sendMessage"] == before + 2  # refused once, then sent
    assert len(reminders_in(bea)) == 1
    await scheduler_of(app).tick()
    assert len(reminders_in(bea)) == 1


async def test_a_blocked_account_does_not_stop_the_others(harness: Harness, app: AppType) -> None:
    patient_code, caregiver_code, _ = await enroll_participant(
        services(app), "S003", "en", OPERATOR
    )
    pat, carer = harness.api.user(5003), harness.api.user(5004)
    await pat.send(f"/start {patient_code}")
    await carer.send(f"/start {caregiver_code}")
    move_clock(harness, await due_time(app, "S003"))
    # The patient's reminder goes first and meets 403, as from a person who blocked the bot.
    harness.api.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    scheduler = scheduler_of(app)
    await scheduler.tick()
    assert reminders_in(pat) == []
    assert "participant <b>S003</b>" in carer.last_message().html
    assert scheduler.stats.failed == 1
    await scheduler.tick()
    assert reminders_in(pat) == []  # not retried


async def test_sends_are_paced_per_chat_and_overall(harness: Harness, app: AppType) -> None:
    api = harness.api
    carer = api.user(6000)
    for number in range(4):
        _, caregiver_code, _ = await enroll_participant(
            services(app), f"S1{number:02d}", "en", OPERATOR
        )
        await carer.send(f"/start {caregiver_code}")
    # Thirty-five more participants, each with a patient account, linked without the chat.
    now = harness.clock()

    async def link_many(tx: Tx) -> None:
        for number in range(35):
            found = await people.create_participant(
                tx, subject=f"S2{number:02d}", language="en", actor=OPERATOR, now=now
            )
            code = await people.create_invitation(
                tx,
                role=Role.PATIENT,
                participant_id=found.id,
                actor=OPERATOR,
                now=now,
                ttl=timedelta(days=1),
            )
            await people.redeem(tx, code=code, telegram_user_id=7000 + number, now=now)

    await services(app).db.write(link_many)
    for number in range(35):
        api.user(7000 + number).chat.known_to_bot = True
    move_clock(harness, await due_time(app, "S100") + timedelta(minutes=1))
    api.rate_limits = True  # Telegram's limits, with 429 for any excess (a violation)
    started = len(api.call_log)
    await scheduler_of(app).tick()
    sends = [c for c in api.call_log[started:] if c.method == "sendMessage" and c.status == 200]
    assert len(sends) == 39
    to_carer = sorted(c.started for c in sends if c.chat_id == 6000)
    assert len(to_carer) == 4
    # One a second per chat (a late wake-up may be made up by a little, never by a burst).
    assert all(b - a >= 0.8 for a, b in pairwise(to_carer))
    assert to_carer[-1] - to_carer[0] >= 2.8
    subjects = {m.content.split("participant ")[1].split(":")[0] for m in carer.bot_messages[-4:]}
    assert subjects == {f"S1{n:02d}" for n in range(4)}
    stamps = sorted(c.started for c in sends)
    assert all(later - earlier > 1.0 for earlier, later in zip(stamps, stamps[30:], strict=False))
    api.rate_limits = False


async def test_a_restart_while_a_reminder_is_due_sends_it_once(harness: Harness) -> None:
    async with harness.bot() as first:
        cleo = await harness.join("S004", 5005)
        due = await due_time(first, "S004")
    move_clock(harness, due + timedelta(hours=1))  # the bot was down when it fell due
    async with harness.bot() as second:
        # Rebuilt at start-up; the outbox's first pass sends it without any help.
        await cleo.wait_for("It is time", timeout=10)
        await scheduler_of(second).tick()
    async with harness.bot() as third:
        scheduler: ReminderJob = scheduler_of(third)
        await scheduler.tick()
        assert scheduler.stats.rebuilt_participants == 1
    assert len(reminders_in(cleo)) == 1


async def test_time_by_taps_schedule_by_staff_and_the_cli(harness: Harness, app: AppType) -> None:
    dan = await harness.join("S005", 5006)
    await dan.send("/time")
    shown = dan.last_message().content
    assert "Reminders come every 14 days at 10:00 (Europe/Prague time)." in shown
    assert "Next reminder:" in shown
    assert dan.buttons() == ["08:00", "10:00", "12:00", "15:00", "18:00", "20:00"]
    await dan.press("18:00")
    assert "Done: reminders now come at 18:00." in dan.last_message().content
    await dan.send("/schedule S005 every 7 days")
    assert "only" in dan.last_message().content  # staff only

    invited = json.loads((await harness.cli("invite", "staff", "--json")).stdout)
    nurse = harness.api.user(5900)
    await nurse.send(f"/start {invited['code']}")
    await nurse.send("/schedule S005")
    view = nurse.last_message().content
    assert "Interval: every 14 days (study default)" in view
    assert "Time of day: 18:00\n" in view
    await nurse.send("/schedule S005 every 28 days tz America/New_York")
    assert "is changed and counts from now" in nurse.messages[-2].content
    view = nurse.last_message().content
    assert "Interval: every 28 days\n" in view
    assert "Time zone: America/New_York" in view
    await nurse.send("/schedule S005 at 23:00")
    assert "quiet hours" in nurse.last_message().content
    due = await due_time(app, "S005")
    assert due.astimezone(NEW_YORK).time() == time(18)
    # The CLI is another process: the bot sees its change in the audit trail.
    await harness.cli("schedule", "S005", "--at", "08:00")
    due = await due_time(app, "S005")
    assert due.astimezone(NEW_YORK).time() == time(8)
    rows = [
        json.loads(line)
        for line in (
            await harness.cli("audit", "--subject", "S005", "--format", "jsonl")
        ).stdout.splitlines()
    ]
    assert [r["actor_role"] for r in rows if r["action"] == "schedule.change"] == [
        "patient",
        "staff",
        "operator",
    ]
