"""Alerts that always arrive, end to end over HTTP: real staff accounts, the real bot and its
outbox (`bot.outbox`) against the local Bot API, with injected failures, a killed process and a
moved clock. Alerts are created as the submission code creates them
(`storage.alerts.create_event_alert`)."""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Callable
from datetime import timedelta

from bot.outbox import Outbox, outbox_of
from bot.settings import AlertSettings
from conversations.context import AppType
from localapi import SimChat, SimMessage
from storage import audit, people
from storage.alerts import AlertPart, create_event_alert
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, AuditEntry, Role
from tests.conftest import Harness
from tests.e2e_helpers import acknowledge
from tests.test_e2e_restart import _start_process
from tests.test_e2e_roles import make_staff

GROUP = -100123
ARGS: dict[str, str | int | float] = {
    "fall": 5,
    "old_total": 31,
    "old_date": "2026-11-01",
    "new_total": 26,
    "new_date": "2026-11-22",
}


def _with_group(harness: Harness) -> None:
    harness.study = harness.study.model_copy(
        update={"alerts": AlertSettings(staff_group_chat_id=GROUP)}
    )


async def _create(db: Database, subject: str, *, urgent: bool, now_offset: Harness) -> int:
    now = now_offset.clock()
    every = timedelta(minutes=60) if urgent else timedelta(hours=72)

    async def unit(tx: Tx) -> int:
        participant = await people.get_participant(tx, subject)
        assert participant is not None
        return await create_event_alert(
            tx,
            participant_id=participant.id,
            parts=[
                AlertPart(
                    kind="decline",
                    rule="previous",
                    urgent=urgent,
                    message_key="decline-previous",
                    message_args={**ARGS, "subject": subject},
                )
            ],
            assessment_id=None,
            actor=Actor(role=ActorRole.SYSTEM),
            now=now,
            escalate_after=every,
        )

    return await db.write(unit)


async def raise_alert(harness: Harness, app: AppType, subject: str, *, urgent: bool = False) -> int:
    """Commit an alert through the running bot's database and wake delivery, as a submission
    that fires a rule does."""
    services = app.bot_data.services
    assert services is not None
    alert_id = await _create(services.db, subject, urgent=urgent, now_offset=harness)
    services.wake_outbox()
    return alert_id


async def audit_trail(harness: Harness, subject: str | None = None) -> list[AuditEntry]:
    """The audit trail read straight from the database file (faster than `alsfrs-bot audit`,
    which tests/test_e2e_roles.py covers)."""
    db = await Database.open(harness.db_path)
    try:

        async def unit(tx: Tx) -> list[AuditEntry]:
            return await audit.entries(tx, subject=subject)

        return await db.read(unit)
    finally:
        await db.close()


def worker(app: AppType) -> Outbox:
    return outbox_of(app)


def copies(chat: SimChat, alert_id: int) -> list[SimMessage]:
    pattern = re.compile(rf"\b(?:alert|Alert) #{alert_id}\b")
    return [m for m in chat.bot_messages if pattern.search(m.content)]


async def staff_number(app: AppType, user_id: int) -> int:
    services = app.bot_data.services
    assert services is not None

    async def unit(tx: Tx) -> int:
        identity = await people.identity(tx, user_id)
        assert identity is not None
        link = identity.link_for(Role.STAFF)
        assert link is not None
        return link.id

    return await services.db.read(unit)


async def until(app: AppType, harness: Harness, done: Callable[[], bool], step: timedelta) -> None:
    """Run delivery passes, moving the clock by `step` between them, until `done()`."""
    for _ in range(20):
        await worker(app).flush()
        if done():
            return
        harness.clock.advance(step)
    raise AssertionError("delivery did not finish")


async def test_every_staff_chat_and_the_group_get_it_once_and_one_ack_edits_all(
    harness: Harness,
) -> None:
    _with_group(harness)
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)
        doctor = await make_staff(harness, 9002)
        await harness.enroll("S301")
        outsider = harness.api.user(3001)
        group = harness.api.group(GROUP, "Staff", members=[nurse, doctor, outsider])
        alert_id = await raise_alert(harness, app, "S301", urgent=True)
        await worker(app).flush()
        chats = [nurse.chat, doctor.chat, group]
        for chat in chats:
            [copy] = copies(chat, alert_id)
            assert "URGENT alert" in copy.content
            assert "S301: total fell by 5 points" in copy.content
            assert copy.labels == ["Acknowledge"]
        # Someone in the group who is not staff cannot acknowledge it.
        refused = await outsider.press(
            "Acknowledge", message=copies(group, alert_id)[0], chat=group
        )
        assert refused.text == "This command is for study staff only."
        answer = await acknowledge(doctor, copies(doctor.chat, alert_id)[0])
        assert answer.text is not None
        assert answer.text.startswith("Acknowledged.")
        await worker(app).flush()
        number = await staff_number(app, 9002)
        for chat in chats:
            [copy] = copies(chat, alert_id)
            assert copy.edited
            assert re.search(
                rf"Acknowledged by staff #{number} at \d+ \w+ 20\d\d, \d\d:\d\d", copy.content
            )
            assert "Done: called the participant." in copy.content
            assert copy.labels == []
            assert "9002" not in copy.content
        # A press on a copy that was not updated yet learns who was first.
        late = await nurse.press_data(copies(nurse.chat, alert_id)[0].message_id, f"ack:{alert_id}")
        assert late.text is not None
        assert late.text.startswith(f"Already acknowledged by staff #{number} at")
        await worker(app).flush()
        assert [len(copies(chat, alert_id)) for chat in chats] == [1, 1, 1]
    actions = [e.action for e in await audit_trail(harness, "S301")]
    assert actions.count("alert.create") == 1
    assert actions.count("alert.queued") == 1
    assert actions.count("alert.delivered") == 3
    assert actions.count("alert.acknowledged") == 1
    denied = [e for e in await audit_trail(harness) if e.action == "access.denied"]
    assert [json.loads(str(e.new_value))["what"] for e in denied] == ["alert button"]


async def test_500_then_429_still_delivers_exactly_once_per_recipient(harness: Harness) -> None:
    _with_group(harness)
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)
        doctor = await make_staff(harness, 9002)
        await harness.enroll("S302")
        group = harness.api.group(GROUP, "Staff", members=[nurse, doctor])
        chats = [nurse.chat, doctor.chat, group]
        harness.api.fail_next("sendMessage", status=500, count=2)
        harness.api.fail_next("sendMessage", status=429, retry_after=1)
        alert_id = await raise_alert(harness, app, "S302")
        await until(
            app,
            harness,
            lambda: all(copies(chat, alert_id) for chat in chats),
            timedelta(minutes=1),
        )
        harness.clock.advance(timedelta(minutes=5))
        await worker(app).flush()
        assert [len(copies(chat, alert_id)) for chat in chats] == [1, 1, 1]
    trail = await audit_trail(harness, "S302")
    failed = [json.loads(str(e.new_value)) for e in trail if e.action == "alert.delivery_failed"]
    assert [(f["error"], f["final"]) for f in failed] == [("NetworkError", False)] * 2
    assert [e.action for e in trail].count("alert.delivered") == 3


async def test_an_alert_committed_while_the_bot_was_down_arrives_once(harness: Harness) -> None:
    _with_group(harness)
    async with harness.bot():
        nurse = await make_staff(harness, 9001)
    await harness.enroll("S303")
    group = harness.api.group(GROUP, "Staff", members=[nurse])
    db = await Database.open(harness.db_path)
    try:
        alert_id = await _create(db, "S303", urgent=False, now_offset=harness)
    finally:
        await db.close()
    async with harness.bot() as app:
        await worker(app).flush()
        await worker(app).flush()
        assert [len(copies(chat, alert_id)) for chat in (nurse.chat, group)] == [1, 1]
    async with harness.bot() as app:  # and a second start sends nothing again
        await worker(app).flush()
    assert [len(copies(chat, alert_id)) for chat in (nurse.chat, group)] == [1, 1]


async def test_killed_before_the_alert_was_sent_it_arrives_after_the_restart(
    harness: Harness,
) -> None:
    async with harness.bot():
        nurse = await make_staff(harness, 9001)
    await harness.enroll("S304")
    db = await Database.open(harness.db_path)
    try:
        alert_id = await _create(db, "S304", urgent=True, now_offset=harness)
    finally:
        await db.close()
    harness.api.fail_next("sendMessage", status=500, count=10_000)
    before = harness.api.calls["sendMessage"]
    process = await _start_process(harness)
    try:
        await harness.api.wait_until(
            lambda: harness.api.calls["sendMessage"] > before, 20, what="a first delivery attempt"
        )
    finally:
        os.kill(process.pid, signal.SIGKILL)  # as a power cut would
        await process.wait()
    assert copies(nurse.chat, alert_id) == []
    harness.api.reset_failures()
    async with harness.bot() as app:
        await until(app, harness, lambda: bool(copies(nurse.chat, alert_id)), timedelta(minutes=1))
        harness.clock.advance(timedelta(minutes=5))
        await worker(app).flush()
    assert len(copies(nurse.chat, alert_id)) == 1
    actions = [e.action for e in await audit_trail(harness, "S304")]
    assert actions.count("alert.queued") == 1
    assert actions.count("alert.delivered") == 1


async def test_urgent_escalation_on_time_until_acknowledged(harness: Harness) -> None:
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)
        await harness.enroll("S305")
        alert_id = await raise_alert(harness, app, "S305", urgent=True)
        await worker(app).flush()
        assert len(copies(nurse.chat, alert_id)) == 1
        harness.clock.advance(timedelta(minutes=59))
        await worker(app).flush()
        assert len(copies(nurse.chat, alert_id)) == 1
        harness.clock.advance(timedelta(minutes=1, seconds=1))
        await worker(app).flush()
        first, second = copies(nurse.chat, alert_id)
        assert "ESCALATION" not in first.content
        assert "ESCALATION 1: this alert has not been acknowledged yet." in second.content
        await acknowledge(nurse, second)
        await worker(app).flush()
        assert all("Acknowledged by staff" in m.content for m in (first, second))
        harness.clock.advance(timedelta(hours=3))
        await worker(app).flush()
        assert len(copies(nurse.chat, alert_id)) == 2
    escalated = [e for e in await audit_trail(harness, "S305") if e.action == "alert.escalated"]
    assert len(escalated) == 1


async def test_alerts_command_lists_opens_and_acknowledges(harness: Harness) -> None:
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)
        await harness.enroll("S306")
        routine = await raise_alert(harness, app, "S306")
        urgent = await raise_alert(harness, app, "S306", urgent=True)
        await worker(app).flush()
        await nurse.send("/alerts")
        listing = nurse.last_message()
        assert "Open alerts, urgent first · page 1 of 1 (2 in all)" in listing.content
        lines = listing.content.splitlines()
        assert f"#{urgent} URGENT · S306" in lines[2]
        assert f"#{routine} · S306" in lines[3]
        assert listing.labels == [
            f"Open #{urgent}",
            f"✓ #{urgent}",
            f"Open #{routine}",
            f"✓ #{routine}",
        ]
        await nurse.press(f"Open #{routine}", message=listing)
        assert listing.content.startswith(f"Alert #{routine}")
        assert "S306: total fell by 5 points" in listing.content
        assert listing.labels == ["Acknowledge", "Back to the list"]
        await nurse.press("Acknowledge", message=listing)
        assert listing.labels == ["Called", "Visit", "No action", "Other…"]
        answer = await nurse.press("No action", message=listing)
        assert answer.text is not None
        assert answer.text.startswith("Acknowledged.")
        assert "(1 in all)" in listing.content
        assert listing.labels == [f"Open #{urgent}", f"✓ #{urgent}"]
        await worker(app).flush()
        [copy] = copies(nurse.chat, routine)
        assert "Acknowledged by staff" in copy.content
        stranger = harness.api.user(3999)
        await stranger.send("/alerts")
        assert "only for people taking part" in stranger.last_message().content
