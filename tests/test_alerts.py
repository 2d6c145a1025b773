"""Alert delivery without Telegram: storage (`storage.alert_delivery`), rendering
(`conversations.screens.alerts`) and the outbox's alerts job (`bot.outbox.alerts`) driven pass by
pass with a fake transport and a clock the test moves."""

from __future__ import annotations

import json
import sqlite3
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.outbox.alerts import ALERT_RETRY, AlertJob
from bot.outbox.retry import RetryPolicy
from bot.settings import AlertSettings, Settings, StudySettings, load_study
from conversations.callbacks import AlertPress, encode_alert, parse
from conversations.context import Services
from conversations.screens.alerts import (
    PAGE_SIZE,
    alert_message,
    alerts_page,
    open_view,
)
from locales import translator
from storage import alert_delivery, alerts, audit, people
from storage.alert_delivery import Delivery
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, AuditEntry, Role

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
GROUP = -100123
OPERATOR = Actor(role=ActorRole.OPERATOR)
ZONE = ZoneInfo("Europe/Prague")
DECLINE_ARGS: dict[str, str | int | float] = {
    "fall": 4,
    "old_total": 30,
    "old_date": "2026-11-01",
    "new_total": 26,
    "new_date": "2026-11-20",
}


def _retry_after(seconds: int) -> RetryAfter:
    with warnings.catch_warnings():  # PTB 22 itself warns while building one
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(seconds)


@dataclass
class ManualClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class FakeTransport:
    """Records what would reach Telegram; `fail[chat]` holds errors for that chat's next sends,
    `fail_edit[chat]` for its next edits."""

    sent: list[tuple[int, int, str, InlineKeyboardMarkup | None]] = field(default_factory=list)
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    fail: dict[int, list[BaseException]] = field(default_factory=dict)
    fail_edit: dict[int, list[BaseException]] = field(default_factory=dict)
    next_id: int = 100

    async def send(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> int:
        if self.fail.get(chat_id):
            raise self.fail[chat_id].pop(0)
        self.next_id += 1
        self.sent.append((chat_id, self.next_id, text, keyboard))
        return self.next_id

    async def edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        if self.fail_edit.get(chat_id):
            raise self.fail_edit[chat_id].pop(0)
        self.edits.append((chat_id, message_id, text))

    def chats(self) -> list[int]:
        return [chat for chat, _, _, _ in self.sent]


@dataclass
class World:
    db: Database
    clock: ManualClock
    transport: FakeTransport
    worker: AlertJob
    services: Services
    participant_id: int
    staff: dict[int, int]  # Telegram user id -> staff link id

    async def add_staff(self, user_id: int, language: str | None = None) -> int:
        now = self.clock()

        async def unit(tx: Tx) -> int:
            code = await people.create_invitation(
                tx,
                role=Role.STAFF,
                participant_id=None,
                actor=OPERATOR,
                now=now,
                ttl=timedelta(days=1),
            )
            _, identity = await people.redeem(tx, code=code, telegram_user_id=user_id, now=now)
            assert identity is not None
            if language:
                await tx.execute(
                    "UPDATE accounts SET language = ? WHERE telegram_user_id = ?",
                    (language, user_id),
                )
            link = identity.link_for(Role.STAFF)
            assert link is not None
            return link.id

        self.staff[user_id] = await self.db.write(unit)
        return self.staff[user_id]

    async def revoke(self, user_id: int) -> None:
        now = self.clock()

        async def unit(tx: Tx) -> None:
            await people.revoke_link(tx, self.staff[user_id], actor=OPERATOR, now=now)

        await self.db.write(unit)

    async def alert(
        self,
        *,
        urgent: bool = False,
        key: str = "decline-previous",
        args: dict[str, str | int | float] | None = None,
        participant_id: int | None = None,
    ) -> int:
        """An alert about the world's participant (S001), or about `participant_id`."""
        now = self.clock()
        every = timedelta(minutes=60) if urgent else timedelta(hours=72)

        async def unit(tx: Tx) -> int:
            return await alerts.create_event_alert(
                tx,
                participant_id=self.participant_id if participant_id is None else participant_id,
                parts=[
                    alerts.AlertPart(
                        kind="decline",
                        rule="previous",
                        urgent=urgent,
                        message_key=key,
                        message_args=DECLINE_ARGS if args is None else args,
                    )
                ],
                assessment_id=None,
                actor=Actor(role=ActorRole.SYSTEM),
                now=now,
                escalate_after=every,
            )

        return await self.db.write(unit)

    async def copies(self, alert_id: int) -> list[Delivery]:
        async def unit(tx: Tx) -> list[Delivery]:
            return await alert_delivery.deliveries(tx, alert_id)

        return await self.db.read(unit)

    async def get(self, alert_id: int) -> alerts.Alert:
        async def unit(tx: Tx) -> alerts.Alert | None:
            return await alerts.alert(tx, alert_id)

        found = await self.db.read(unit)
        assert found is not None
        return found

    async def ack(self, alert_id: int, user_id: int) -> alert_delivery.AckOutcome | None:
        now = self.clock()
        link_id = self.staff[user_id]

        async def unit(tx: Tx) -> alert_delivery.AckOutcome | None:
            return await alert_delivery.acknowledge(tx, alert_id, link_id=link_id, now=now)

        return await self.db.write(unit)

    async def trail(self) -> list[AuditEntry]:
        async def unit(tx: Tx) -> list[AuditEntry]:
            return await audit.entries(tx)

        return await self.db.read(unit)

    async def actions(self, prefix: str = "alert.") -> list[str]:
        return [e.action for e in await self.trail() if e.action.startswith(prefix)]


def _study(group: int | None) -> StudySettings:
    base = load_study(None)
    return base.model_copy(update={"alerts": AlertSettings(staff_group_chat_id=group)})


async def _world(tmp_path: Path, *, group: int | None = GROUP, staff: int = 2) -> World:
    db = await Database.open(tmp_path / "alerts.sqlite3")
    clock = ManualClock()
    services = Services(
        db=db,
        settings=Settings(db_path=tmp_path / "alerts.sqlite3"),
        study=_study(group),
        clock=clock,
    )
    transport = FakeTransport()
    worker = AlertJob(services, transport, retry=replace(ALERT_RETRY, jitter=lambda: 1.0))

    async def unit(tx: Tx) -> int:
        participant = await people.create_participant(
            tx, subject="S001", language="cs", actor=OPERATOR, now=T0
        )
        return participant.id

    world = World(db, clock, transport, worker, services, await db.write(unit), {})
    for n in range(staff):
        await world.add_staff(9001 + n)
    return world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = await _world(tmp_path)
    try:
        yield w
    finally:
        await w.db.close()


# --- fan-out ---------------------------------------------------------------------------------


async def test_first_round_reaches_every_staff_chat_and_the_group_once(world: World) -> None:
    alert_id = await world.alert()
    await world.worker.run_once()
    assert sorted(world.transport.chats()) == sorted([9001, 9002, GROUP])
    for _, _, text, keyboard in world.transport.sent:
        assert "S001" in text
        assert "26 on 2026-11-20" in text
        assert keyboard is not None
        assert keyboard.inline_keyboard[0][0].callback_data == f"ack:{alert_id}"
    copies = await world.copies(alert_id)
    assert {(c.round, c.status) for c in copies} == {(0, "sent")}
    assert all(c.message_id is not None and c.attempts == 1 for c in copies)
    # Further passes, and a second fan-out attempt, add nothing.
    await world.worker.run_once()
    await world.worker.run_once()

    async def again(tx: Tx) -> list[int]:
        return await alert_delivery.fan_out_new(tx, group_chat_id=GROUP, now=world.clock())

    assert await world.db.write(again) == []
    assert len(world.transport.sent) == 3
    assert await world.actions() == ["alert.create", "alert.queued"] + ["alert.delivered"] * 3
    queued = next(e for e in await world.trail() if e.action == "alert.queued")
    assert queued.on_behalf_of == "S001"
    assert json.loads(queued.new_value or "{}") == {
        "round": 0,
        "staff": sorted(world.staff.values()),
        "group": True,
    }
    for entry in await world.trail():  # Telegram ids never enter the audit trail
        assert "9001" not in (entry.new_value or "")
        assert str(GROUP) not in (entry.new_value or "")


async def test_a_round_and_its_copies_are_unique(world: World) -> None:
    alert_id = await world.alert()
    await world.worker.run_once()
    with sqlite3.connect(world.db.path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO alert_deliveries (alert_id, round, chat_id, next_attempt_at, created_at)"
            " VALUES (?, 0, 9001, 'x', 'x')",
            (alert_id,),
        )


async def test_urgent_alerts_go_out_first(world: World) -> None:
    routine = await world.alert(urgent=False)
    urgent = await world.alert(urgent=True)
    await world.worker.run_once()
    for chat in (9001, 9002, GROUP):
        texts = [text for c, _, text, _ in world.transport.sent if c == chat]
        assert len(texts) == 2
        assert f"URGENT alert #{urgent}" in texts[0]
        assert f"Alert #{routine}" in texts[1]


async def test_an_alert_with_nobody_to_tell_waits_for_the_first_staff_member(
    tmp_path: Path,
) -> None:
    world = await _world(tmp_path, group=None, staff=0)
    try:
        alert_id = await world.alert(urgent=True)
        await world.worker.run_once()
        assert world.transport.sent == []
        assert await world.copies(alert_id) == []
        world.clock.advance(timedelta(minutes=5))
        await world.add_staff(9100)
        await world.worker.run_once()
        assert world.transport.chats() == [9100]
    finally:
        await world.db.close()


# --- failures ----------------------------------------------------------------------------------


async def test_transient_failures_back_off_and_retry_after_is_honoured(world: World) -> None:
    world.transport.fail[9001] = [
        NetworkError("Internal Server Error (500)"),
        TimedOut(),
        _retry_after(30),
    ]
    alert_id = await world.alert()
    await world.worker.run_once()
    assert sorted(world.transport.chats()) == sorted([9002, GROUP])

    async def copy_to(chat: int) -> Delivery:
        return next(c for c in await world.copies(alert_id) if c.chat_id == chat)

    first = await copy_to(9001)
    assert (first.status, first.attempts, first.last_error) == ("pending", 1, "NetworkError")
    assert first.next_attempt_at == T0 + timedelta(seconds=2)  # base 2 s, jitter pinned at 1
    world.clock.advance(timedelta(seconds=1.9))
    assert await world.worker.run_once() == pytest.approx(0.1)
    assert len(world.transport.sent) == 2  # not yet
    world.clock.advance(timedelta(seconds=0.1))
    await world.worker.run_once()
    second = await copy_to(9001)
    assert (second.attempts, second.last_error) == (2, "TimedOut")
    assert second.next_attempt_at == world.clock() + timedelta(seconds=4)
    world.clock.advance(timedelta(seconds=4))
    await world.worker.run_once()
    third = await copy_to(9001)
    assert (third.attempts, third.last_error) == (3, "RetryAfter")
    assert third.next_attempt_at == world.clock() + timedelta(seconds=30)
    world.clock.advance(timedelta(seconds=30))
    await world.worker.run_once()
    done = await copy_to(9001)
    assert (done.status, done.attempts) == ("sent", 4)
    assert sorted(world.transport.chats()) == sorted([9001, 9002, GROUP])
    failed = [
        json.loads(e.new_value or "{}")
        for e in await world.trail()
        if e.action == "alert.delivery_failed"
    ]
    assert [(f["attempt"], f["error"], f["final"]) for f in failed] == [
        (1, "NetworkError", False),
        (2, "TimedOut", False),
        (3, "RetryAfter", False),
    ]


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    values = iter([0.0, 1.0, 0.5])
    policy = RetryPolicy(
        base=timedelta(seconds=2), cap=timedelta(seconds=600), jitter=lambda: next(values)
    )
    assert policy.backoff(1) == timedelta(seconds=1)  # half of 2 s
    assert policy.backoff(3) == timedelta(seconds=8)  # all of 8 s
    assert policy.backoff(40) == timedelta(seconds=450)  # 3/4 of the 600 s cap
    assert ALERT_RETRY.base == timedelta(seconds=2)  # the alerts job's own policy
    assert ALERT_RETRY.cap == timedelta(seconds=600)


async def test_forbidden_gives_that_copy_up_without_retrying(world: World) -> None:
    world.transport.fail[9002] = [Forbidden("Forbidden: bot was blocked by the user")]
    world.transport.fail[GROUP] = [BadRequest("Bad Request: chat not found")]
    alert_id = await world.alert(urgent=True)
    await world.worker.run_once()
    by_chat = {c.chat_id: c for c in await world.copies(alert_id)}
    assert by_chat[9001].status == "sent"
    assert by_chat[9002].status == "failed"
    assert by_chat[9002].last_error == "Forbidden: Forbidden: bot was blocked by the user"
    assert by_chat[GROUP].status == "failed"
    for _ in range(3):
        world.clock.advance(timedelta(minutes=10))
        await world.worker.run_once()
    assert world.transport.chats() == [9001]
    failed = [
        json.loads(e.new_value or "{}")
        for e in await world.trail()
        if e.action == "alert.delivery_failed"
    ]
    assert {(f["to"], f["error"], f["final"]) for f in failed} == {
        (f"staff #{world.staff[9002]}", "Forbidden", True),
        ("group", "BadRequest", True),
    }
    # The next escalation tries those chats again (they may have unblocked the bot).
    world.clock.advance(timedelta(minutes=30))
    await world.worker.run_once()
    assert sorted(world.transport.chats()[1:]) == sorted([9001, 9002, GROUP])


async def test_a_revoked_staff_members_pending_copy_is_cancelled(world: World) -> None:
    world.transport.fail[9002] = [NetworkError("Bad Gateway")]
    alert_id = await world.alert()
    await world.worker.run_once()
    await world.revoke(9002)
    world.clock.advance(timedelta(minutes=1))
    await world.worker.run_once()
    by_chat = {c.chat_id: c for c in await world.copies(alert_id)}
    assert (by_chat[9002].status, by_chat[9002].last_error) == ("cancelled", "link revoked")
    assert 9002 not in world.transport.chats()


# --- escalation --------------------------------------------------------------------------------


async def test_urgent_escalation_at_60_minutes_and_every_60_minutes_after(world: World) -> None:
    alert_id = await world.alert(urgent=True)
    await world.worker.run_once()
    assert len(world.transport.sent) == 3
    world.clock.now = T0 + timedelta(minutes=60) - timedelta(milliseconds=1)
    assert await world.worker.run_once() == pytest.approx(0.001)
    assert len(world.transport.sent) == 3
    # Staff change before the escalation: it goes to whoever is staff now.
    await world.add_staff(9003, language="cs")
    await world.revoke(9001)
    world.clock.now = T0 + timedelta(minutes=60)
    await world.worker.run_once()
    round1 = world.transport.sent[3:]
    assert sorted(c for c, _, _, _ in round1) == sorted([9002, 9003, GROUP])
    english = next(text for c, _, text, _ in round1 if c == 9002)
    assert "ESCALATION 1" in english
    assert f"URGENT alert #{alert_id}" in english
    czech = next(text for c, _, text, _ in round1 if c == 9003)
    assert "ESKALACE 1" in czech
    assert "celkové skóre kleslo" in czech
    found = await world.get(alert_id)
    assert (found.escalations, found.next_escalation_at) == (1, T0 + timedelta(minutes=120))
    # Late by 30 s, the second escalation still keeps the hourly schedule.
    world.clock.now = T0 + timedelta(minutes=120, seconds=30)
    await world.worker.run_once()
    round2 = {c: text for c, _, text, _ in world.transport.sent[6:]}
    assert sorted(round2) == sorted([9002, 9003, GROUP])
    assert "ESKALACE 2" in round2[9003]
    assert "ESCALATION 2" in round2[9002]
    found = await world.get(alert_id)
    assert (found.escalations, found.next_escalation_at) == (2, T0 + timedelta(minutes=180))
    escalated = [
        json.loads(e.new_value or "{}")
        for e in await world.trail()
        if e.action == "alert.escalated"
    ]
    assert [e["round"] for e in escalated] == [1, 2]


async def test_routine_escalation_after_72_hours(world: World) -> None:
    alert_id = await world.alert(urgent=False)
    await world.worker.run_once()
    world.clock.now = T0 + timedelta(hours=72) - timedelta(seconds=1)
    await world.worker.run_once()
    assert len(world.transport.sent) == 3
    world.clock.now = T0 + timedelta(hours=72)
    await world.worker.run_once()
    assert len(world.transport.sent) == 6
    assert all("ESCALATION 1" in text for _, _, text, _ in world.transport.sent[3:])
    assert (await world.get(alert_id)).next_escalation_at == T0 + timedelta(hours=144)


async def test_after_a_long_outage_one_escalation_not_a_burst(world: World) -> None:
    alert_id = await world.alert(urgent=True)
    await world.worker.run_once()
    world.clock.now = T0 + timedelta(hours=5)
    await world.worker.run_once()
    await world.worker.run_once()
    assert len(world.transport.sent) == 6
    found = await world.get(alert_id)
    assert found.escalations == 1
    assert found.next_escalation_at == T0 + timedelta(hours=6)


async def test_an_escalation_supersedes_a_copy_still_waiting(world: World) -> None:
    world.transport.fail[9001] = [NetworkError("x")] * 20
    alert_id = await world.alert(urgent=True)
    for minute in range(0, 61, 10):
        world.clock.now = T0 + timedelta(minutes=minute)
        await world.worker.run_once()
    copies = [c for c in await world.copies(alert_id) if c.chat_id == 9001]
    assert [(c.round, c.status) for c in copies] == [(0, "cancelled"), (1, "pending")]
    assert copies[0].last_error == "superseded"


# --- acknowledgement ---------------------------------------------------------------------------


async def test_first_acknowledgement_stops_escalation_and_edits_every_copy(world: World) -> None:
    alert_id = await world.alert(urgent=True)
    await world.worker.run_once()
    world.clock.now = T0 + timedelta(minutes=60)
    await world.worker.run_once()
    assert len(world.transport.sent) == 6
    world.clock.now = T0 + timedelta(minutes=75)
    first = await world.ack(alert_id, 9002)
    assert first is not None
    assert first.first
    second = await world.ack(alert_id, 9001)
    assert second is not None
    assert not second.first
    assert second.alert.acknowledged_by == world.staff[9002]
    await world.worker.run_once()
    edited = {(chat, message) for chat, message, _ in world.transport.edits}
    assert edited == {(chat, message) for chat, message, _, _ in world.transport.sent}
    for _, _, text in world.transport.edits:
        assert f"Acknowledged</b> by staff #{world.staff[9002]} at 25 November 2026, 11:15" in text
    assert all(c.edit_status == "done" for c in await world.copies(alert_id))
    # No more escalations, and the edits are not repeated.
    world.clock.now = T0 + timedelta(hours=10)
    await world.worker.run_once()
    assert len(world.transport.sent) == 6
    assert len(world.transport.edits) == 6
    acked = [e for e in await world.trail() if e.action == "alert.acknowledged"]
    assert len(acked) == 1
    assert acked[0].actor_role == "staff"
    assert acked[0].actor_id == world.staff[9002]
    assert json.loads(acked[0].new_value or "{}")["copies_to_edit"] == 6


async def test_acknowledged_before_sending_cancels_the_copies_still_waiting(world: World) -> None:
    world.transport.fail[GROUP] = [NetworkError("x")]
    alert_id = await world.alert()
    await world.worker.run_once()
    await world.ack(alert_id, 9001)
    world.clock.advance(timedelta(minutes=5))
    await world.worker.run_once()
    by_chat = {c.chat_id: c for c in await world.copies(alert_id)}
    assert by_chat[GROUP].status == "cancelled"
    assert GROUP not in world.transport.chats()
    assert sorted(chat for chat, _, _ in world.transport.edits) == [9001, 9002]


async def test_a_send_that_raced_an_acknowledgement_is_edited_afterwards(world: World) -> None:
    alert_id = await world.alert()

    async def fan_out(tx: Tx) -> list[int]:
        return await alert_delivery.fan_out_new(tx, group_chat_id=GROUP, now=world.clock())

    await world.db.write(fan_out)
    copy = (await world.copies(alert_id))[0]
    await world.ack(alert_id, 9001)  # pressed (on another copy) while this one was in flight

    async def sent(tx: Tx) -> None:
        await alert_delivery.mark_sent(tx, copy.id, message_id=77, now=world.clock())

    await world.db.write(sent)
    await world.worker.run_once()
    assert world.transport.edits == [(copy.chat_id, 77, world.transport.edits[0][2])]
    assert "Acknowledged" in world.transport.edits[0][2]


async def test_edit_failures(world: World) -> None:
    alert_id = await world.alert()
    await world.worker.run_once()
    world.transport.fail_edit[9001] = [BadRequest("Message is not modified: specified new ...")]
    world.transport.fail_edit[9002] = [Forbidden("Forbidden: bot was blocked by the user")]
    world.transport.fail_edit[GROUP] = [NetworkError("Bad Gateway")]
    await world.ack(alert_id, 9001)
    await world.worker.run_once()
    by_chat = {c.chat_id: c for c in await world.copies(alert_id)}
    assert by_chat[9001].edit_status == "done"
    assert by_chat[9002].edit_status == "failed"
    assert by_chat[GROUP].edit_status == "pending"
    world.clock.advance(timedelta(seconds=2))
    await world.worker.run_once()
    assert {c.chat_id: c.edit_status for c in await world.copies(alert_id)}[GROUP] == "done"
    assert await world.actions("alert.copy_edit_failed") == ["alert.copy_edit_failed"]


async def test_acknowledging_an_unknown_alert(world: World) -> None:
    assert await world.ack(424242, 9001) is None


# --- what staff read -----------------------------------------------------------------------------


async def test_every_argument_is_escaped_and_a_long_text_is_cut(world: World) -> None:
    t = translator("en")
    alert_id = await world.alert(
        key="decline-previous", args={**DECLINE_ARGS, "old_date": "<b>&x</b>"}
    )
    text = alert_message(t, await world.get(alert_id), round_=0, zone=ZONE)
    assert escape("<b>&x</b>", quote=False) in text
    assert "<b>&x" not in text
    long_id = await world.alert(key="no-such-key", args={"text": "x" * 5000})
    long = alert_message(t, await world.get(long_id), round_=2, zone=ZONE)
    assert (
        "S001: total fell since the previous submission." in long
    )  # a key this version does not know still says something
    assert len(long) < 4096


async def test_a_symptom_alerts_free_text_is_escaped(world: World) -> None:
    alert_id = await world.alert(
        key="symptom-alert-other",
        args={"severity": 3, "date": "2026-11-25", "text": "<i>odd</i> & worse"},
    )
    text = alert_message(translator("cs"), await world.get(alert_id), round_=0, zone=ZONE)
    assert "&lt;i&gt;odd&lt;/i&gt; &amp; worse" in text
    assert "S001" in text


async def test_a_long_free_text_is_cut_to_fit(world: World) -> None:
    t = translator("en")
    alert_id = await world.alert(key="alert-fallback", args={"what": "&" * 5000})
    text = alert_message(t, await world.get(alert_id), round_=3, zone=ZONE)
    visible = text.replace("&amp;", "&")
    assert len(visible) < 4096
    assert visible.count("&") < 3100


async def test_alerts_page_and_open_view(world: World) -> None:
    t = translator("en")
    ids = [await world.alert(urgent=n % 3 == 0) for n in range(PAGE_SIZE + 3)]

    async def unit(tx: Tx) -> list[alerts.Alert]:
        return await alerts.open_alerts(tx)

    listed = await world.db.read(unit)
    text, keyboard = alerts_page(t, listed, 0, zone=ZONE)
    assert "page 1 of 2" in text
    assert len(text) < 4096
    assert keyboard is not None
    labels = [b.text for row in keyboard.inline_keyboard for b in row]
    urgent = [i for n, i in enumerate(ids) if n % 3 == 0]
    assert labels[0] == f"Open #{urgent[0]}"
    assert labels[-1] == "Next"
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert all(isinstance(d, str) and len(d.encode()) <= 64 for d in data)
    text2, keyboard2 = alerts_page(t, listed, 5, zone=ZONE)  # past the end: the last page
    assert "page 2 of 2" in text2
    assert keyboard2 is not None
    view, buttons = open_view(t, listed[0], page=1, zone=ZONE)
    assert "URGENT alert" in view
    assert [b.callback_data for row in buttons.inline_keyboard for b in row] == [
        f"alk:{listed[0].id}:1",
        "alp:1",
    ]
    assert alerts_page(t, [], 0, zone=ZONE) == ("There are no open alerts.", None)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("ack:12", ("ack", 12, 0)),
        ("alk:12:3", ("alk", 12, 3)),
        ("alo:7:0", ("alo", 7, 0)),
        ("alp:4", ("alp", None, 4)),
        ("ack:12:3", None),
        ("alk:12", None),
        ("ack:-1", None),
        ("ack:1234567890123", None),
        ("ack:", None),
        (None, None),
    ],
)
def test_callback_data(data: str | None, expected: tuple[str, int | None, int] | None) -> None:
    press = parse(data)
    got: Any = (
        None if not isinstance(press, AlertPress) else (press.what, press.alert_id, press.page)
    )
    assert got == expected
    assert encode_alert("ack", 10**12 - 1) == "ack:999999999999"
