"""One alert per event and no repeats of a standing condition (docs/alerts.md): the pure
decision (`conversations.domain.alerting`), then submissions written through the real
assessment flow, rules and storage (`conversations.flows.demo.submit_assessment`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.settings import load_study
from conversations.domain.alerting import Candidate, Earlier, decide
from conversations.domain.safety import DeclineRules, SlopeRule
from conversations.flows import demo
from conversations.flows.safety import SafetyConfig
from storage import alerts, people
from storage.alert_delivery import acknowledge
from storage.alerts import Alert
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role

START = datetime(2027, 1, 4, 9, tzinfo=UTC)
OPERATOR = Actor(role=ActorRole.OPERATOR)
# Items that take the deficit, one point at a time in turn: never 5 (two variants) or 10.
_ORDER = (1, 2, 4, 6, 7, 8, 9, 3)


def scores(total: int, breathing: int = 4) -> dict[int, int]:
    """Ten item scores adding up to `total`, each item at most one point below its neighbour in
    the order, so that no single item falls by 2 between two totals a few points apart."""
    items = dict.fromkeys(range(1, 11), 4)
    items[10] = breathing
    deficit = 40 - total - (4 - breathing)
    for i in range(deficit):
        items[_ORDER[i % len(_ORDER)]] -= 1
    assert sum(items.values()) == total
    return items


# --- the pure decision ------------------------------------------------------------------------


def test_event_rules_are_always_new() -> None:
    held = {"previous": Earlier(1, None, True)}
    assert decide([Candidate("previous", None, None)], held).new == ("previous",)


def test_a_standing_rule_is_not_new_while_open_or_acknowledged_unless_worse_by_threshold() -> None:
    baseline = Candidate("baseline", 7.0, 6.0)
    for is_open in (True, False):
        held = {"baseline": Earlier(3, 7.0, is_open)}
        decision = decide([baseline], held)
        assert not decision.raise_alert
        assert dict(decision.followups) == ({3: ("baseline",)} if is_open else {})
        assert not decide([replace(baseline, level=12.0)], held).raise_alert  # 5 worse: not 6
        assert decide([replace(baseline, level=13.0)], held).new == ("baseline",)
        assert not decide([replace(baseline, level=6.0)], held).raise_alert  # improved


def test_another_rule_raises_one_alert_that_lists_the_standing_one_too() -> None:
    held = {"baseline": Earlier(3, 7.0, True)}
    decision = decide([Candidate("baseline", 7.0, 6.0), Candidate("breathing", 1.0, None)], held)
    assert decision.new == ("breathing",)
    assert decision.followups == {}


def test_a_symptom_repeats_only_while_its_alert_is_open_and_not_worse() -> None:
    fever = Candidate("fever", 2.0, 1.0, symptom=True)
    assert not decide([fever], {"fever": Earlier(5, 2.0, True)}).raise_alert
    assert decide([fever], {"fever": Earlier(5, 1.0, True)}).raise_alert  # more severe
    assert decide([fever], {"fever": Earlier(5, 3.0, False)}).raise_alert  # a new episode


# --- through the real flow ---------------------------------------------------------------------


@dataclass
class Study:
    db: Database
    participant_id: int
    patient: Actor
    staff_link: int
    config: SafetyConfig
    day: int = 0

    async def submit(self, total: int, *, days: int = 14, breathing: int = 4) -> None:
        self.day += days
        at = START + timedelta(days=self.day)

        async def unit(tx: Tx) -> None:
            await demo.submit_assessment(
                tx,
                participant_id=self.participant_id,
                actor=self.patient,
                scores=scores(total, breathing),
                has_tube=False,
                language="en",
                started_at=at,
                safety=self.config,
            )

        await self.db.write(unit)

    async def alerts(self) -> list[Alert]:
        async def unit(tx: Tx) -> list[Alert]:
            return await alerts.alerts_between(tx)

        return await self.db.read(unit)

    async def acknowledge(self, alert_id: int) -> None:
        async def unit(tx: Tx) -> None:
            at = START + timedelta(days=self.day, hours=1)
            await acknowledge(tx, alert_id, link_id=self.staff_link, now=at, action="called")

        await self.db.write(unit)


def _config(rules: DeclineRules) -> SafetyConfig:
    return replace(SafetyConfig.of(load_study(None)), rules=rules)


@pytest.fixture
async def study(tmp_path: Path) -> AsyncIterator[Study]:
    db = await Database.open(tmp_path / "events.sqlite3")

    async def unit(tx: Tx) -> Study:
        participant = await people.create_participant(
            tx, subject="S900", language="en", actor=OPERATOR, now=START
        )
        links = {}
        for role, user in ((Role.PATIENT, 900), (Role.STAFF, 901)):
            code = await people.create_invitation(
                tx,
                role=role,
                participant_id=participant.id if role is Role.PATIENT else None,
                actor=OPERATOR,
                now=START,
                ttl=timedelta(days=1),
            )
            _, identity = await people.redeem(tx, code=code, telegram_user_id=user, now=START)
            assert identity is not None
            link = identity.link_for(role)
            assert link is not None
            links[role] = link.id
        patient = Actor(
            role=ActorRole.PATIENT, link_id=links[Role.PATIENT], participant_id=participant.id
        )
        # The slope rule is off here so that each case shows one rule; it has its own case.
        rules = DeclineRules(slope=SlopeRule(enabled=False))
        return Study(db, participant.id, patient, links[Role.STAFF], _config(rules))

    try:
        yield await db.write(unit)
    finally:
        await db.close()


async def test_a_submission_firing_several_rules_gives_one_urgent_alert_listing_all(
    study: Study,
) -> None:
    await study.submit(40, days=0)
    await study.submit(33, breathing=3)  # previous 7, baseline 7, breathing fell 1
    [alert] = await study.alerts()
    assert alert.rules == ["previous", "baseline", "breathing"]
    assert alert.urgent  # breathing is urgent, the others are not
    assert [p.message_args["new_total"] for p in alert.parts[:2]] == [33, 33]
    assert alert.parts[0].message_args["old_total"] == 40


async def test_standing_open_acknowledged_improved_worse_again_and_another_rule(
    study: Study,
) -> None:
    await study.submit(40, days=0)
    await study.submit(37)  # a fall of 3: nothing
    await study.submit(34)  # baseline fell 6: alert 1
    [first] = await study.alerts()
    assert first.rules == ["baseline"]
    await study.submit(34)  # still met while open: shown on alert 1, no new alert
    await study.submit(35)  # improved but still 5 below: nothing new, not "still met" (5 < 6)
    await study.submit(32)  # 8 below: still met, not worse by 6 more
    [first] = await study.alerts()
    assert [(f.total, f.rules) for f in first.followups] == [(34, ["baseline"]), (32, ["baseline"])]
    await study.acknowledge(first.id)
    await study.submit(32)  # acknowledged: no repeat, no follow-up
    await study.submit(29)  # 11 below: not 12
    assert len(await study.alerts()) == 1
    await study.submit(28)  # 12 below: worse again by the rule's own 6 points
    alerts_now = await study.alerts()
    assert [a.rules for a in alerts_now] == [["baseline"], ["baseline"]]
    await study.submit(28, breathing=3)  # another rule fires: one alert lists both
    last = (await study.alerts())[-1]
    assert last.rules == ["baseline", "breathing"]
    assert len(await study.alerts()) == 3


# --- what staff read ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "cs"])
async def test_the_merged_alert_lists_every_part_follow_ups_and_the_action(
    study: Study, language: str
) -> None:
    from zoneinfo import ZoneInfo

    from conversations.screens.alerts import alert_message
    from locales import translator

    await study.submit(40, days=0)
    await study.submit(33, breathing=3)
    await study.submit(33, days=7)
    [alert] = await study.alerts()
    await study.acknowledge(alert.id)

    async def named(tx: Tx) -> Alert | None:
        await alerts.set_display_name(tx, study.staff_link, "Dana N.", now=START)
        return await alerts.alert(tx, alert.id)

    acked = await study.db.write(named)
    assert acked is not None
    text = alert_message(translator(language), acked, round_=0, zone=ZoneInfo("Europe/Prague"))
    lines = text.splitlines()
    assert sum(line.startswith("• S900: ") for line in lines) == 3
    assert ("URGENT" if language == "en" else "NALÉHAVÉ") in lines[0]
    assert ": 33." in text
    assert "Dana N." in text
    assert ("called the participant" if language == "en" else "volali") in text
