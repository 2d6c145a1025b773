"""Sites in storage: alerts go to their participant's site's staff and the study-wide ones, in
the first round and in every escalation; an alert nobody would get waits without holding up
other sites' alerts or costing a write on every poll."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import alert_delivery, people
from storage.alerts import AlertPart, create_event_alert
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OPERATOR = Actor(role=ActorRole.OPERATOR)
SYSTEM = Actor(role=ActorRole.SYSTEM)
HOUR = timedelta(hours=1)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "sites.sqlite3")
    try:
        yield database
    finally:
        await database.close()


async def staff(db: Database, telegram_id: int, sites: frozenset[str] | None) -> int:
    async def unit(tx: Tx) -> int:
        code = await people.create_invitation(
            tx,
            role=Role.STAFF,
            participant_id=None,
            actor=OPERATOR,
            now=NOW,
            ttl=HOUR,
            sites=sites,
        )
        _, identity = await people.redeem(tx, code=code, telegram_user_id=telegram_id, now=NOW)
        assert identity is not None
        link = identity.link_for(Role.STAFF)
        assert link is not None
        assert link.sites == sites
        return link.id

    return await db.write(unit)


async def participant(db: Database, subject: str, site: str) -> int:
    async def unit(tx: Tx) -> int:
        found = await people.create_participant(
            tx, subject=subject, language="en", actor=OPERATOR, now=NOW, site=site
        )
        return found.id

    return await db.write(unit)


async def alert(db: Database, participant_id: int) -> int:
    async def unit(tx: Tx) -> int:
        return await create_event_alert(
            tx,
            participant_id=participant_id,
            parts=[
                AlertPart(
                    kind="decline",
                    rule="previous",
                    urgent=True,
                    message_key="decline-previous",
                    message_args={"subject": "S"},
                )
            ],
            assessment_id=None,
            actor=SYSTEM,
            now=NOW,
            escalate_after=HOUR,
        )

    return await db.write(unit)


async def chats_of(db: Database, alert_id: int) -> dict[int, set[int]]:
    """Round -> the chats that round went to."""
    rounds: dict[int, set[int]] = {}
    for delivery in await db.read(lambda tx: alert_delivery.deliveries(tx, alert_id)):
        rounds.setdefault(delivery.round, set()).add(delivery.chat_id)
    return rounds


async def test_rounds_and_escalations_reach_the_site_and_the_study_wide_only(
    db: Database,
) -> None:
    await staff(db, 701, frozenset({"CZ-BRNO"}))
    await staff(db, 702, frozenset({"CZ-PRAHA"}))
    await staff(db, 703, None)
    brno = await alert(db, await participant(db, "S001", "CZ-BRNO"))
    praha = await alert(db, await participant(db, "S002", "CZ-PRAHA"))
    queued = await db.write(lambda tx: alert_delivery.fan_out_new(tx, group_chat_id=None, now=NOW))
    assert sorted(queued) == sorted([brno, praha])
    later = NOW + HOUR + timedelta(minutes=1)
    escalated = await db.write(
        lambda tx: alert_delivery.escalate_due(
            tx, group_chat_id=None, now=later, urgent_every=HOUR, routine_every=72 * HOUR
        )
    )
    assert sorted(escalated) == sorted([(brno, 1), (praha, 1)])
    assert await chats_of(db, brno) == {0: {701, 703}, 1: {701, 703}}
    assert await chats_of(db, praha) == {0: {702, 703}, 1: {702, 703}}


async def due(db: Database, at: datetime, group: int | None = None) -> bool:
    return await db.read(lambda tx: alert_delivery.rounds_due(tx, now=at, group_chat_id=group))


async def escalate(db: Database, at: datetime) -> list[tuple[int, int]]:
    return await db.write(
        lambda tx: alert_delivery.escalate_due(
            tx, group_chat_id=None, now=at, urgent_every=HOUR, routine_every=72 * HOUR
        )
    )


async def test_an_alert_nobody_would_get_waits_without_holding_up_the_others(
    db: Database,
) -> None:
    nurse = await staff(db, 711, frozenset({"CZ-BRNO"}))
    nobody = await participant(db, "S011", "CZ-OSTRAVA")  # no staff of this site, none study-wide
    held = [await alert(db, nobody) for _ in range(3)]
    assert not await due(db, NOW)  # no write transaction on an idle poll
    covered = await alert(db, await participant(db, "S012", "CZ-BRNO"))
    assert await due(db, NOW)
    queued = await db.write(
        lambda tx: alert_delivery.fan_out_new(tx, group_chat_id=None, now=NOW, limit=1)
    )
    assert queued == [covered]  # the held ones take no place in the batch
    await db.write(
        lambda tx: alert_delivery.acknowledge(tx, covered, link_id=nurse, now=NOW, action="none")
    )
    # Past their escalation time, held alerts still cost no write on a poll.
    assert not await due(db, NOW + 2 * HOUR)
    # Someone of that site joins a day later: the held alerts go out to them as round 0, and
    # their escalation counts from then (not superseded at once by a round 1).
    await staff(db, 712, frozenset({"CZ-OSTRAVA"}))
    later = NOW + 30 * HOUR
    assert await due(db, later)
    queued = await db.write(
        lambda tx: alert_delivery.fan_out_new(tx, group_chat_id=None, now=later)
    )
    assert sorted(queued) == held
    assert await escalate(db, later) == []
    assert not await due(db, later)
    for held_alert in held:
        assert await chats_of(db, held_alert) == {0: {712}}
    assert sorted(await escalate(db, later + HOUR)) == [(a, 1) for a in held]
    # A staff group gets everything, so nothing would wait with one.
    other = await alert(db, await participant(db, "S013", "CZ-ZLIN"))
    assert not await due(db, NOW)
    assert await due(db, NOW, group=-100)
    queued = await db.write(lambda tx: alert_delivery.fan_out_new(tx, group_chat_id=-100, now=NOW))
    assert queued == [other]
