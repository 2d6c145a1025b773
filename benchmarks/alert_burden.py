"""Benchmark: the alert burden of the decline rules on a synthetic cohort, one alert per event
with no repeats (docs/alerts.md) against the old behaviour of one alert per rule that fired.

A cohort (default 200 participants, 18 months, a submission every 14 days, 10 % missed) declines
at rates drawn from the reference's range (ALSFRS-R 0.04-2 points a month scaled by 40/48, mean
about 0.8 before scaling), with +-1 point self-report noise. A known subset gets injected events:
a sharp fall (5-7 points between two submissions, which persists), a breathing fall (item 10
down by 1), or a gastrostomy placed mid-study (item 5 answered as 5b from then on, swallowing
down to 1). Every submission goes through the real assessment flow (`flows.assessment.press`),
the real rules with the shipped study settings, the real storage and alert flow, in a temporary
database. Printed: alerts per 100 submissions, the share of injected events alerted at the first
submission that shows them, and alerts on participants without an injected event per
participant-year, for both behaviours. Goal: at most 10 alerts per 100 submissions, every
injected event caught.

    python benchmarks/alert_burden.py [participants]
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from bot.settings import load_study
from conversations.flows import demo
from conversations.flows.safety import SafetyConfig
from storage import alerts, people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role

__all__ = ["Figures", "main", "run"]

START: Final = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MONTHS: Final = 18
EVERY: Final = timedelta(days=14)
MISSED: Final = 0.10
SCALE: Final = 40 / 48
DAYS_PER_MONTH: Final = 30.4375
OPERATOR: Final = Actor(role=ActorRole.OPERATOR)
# Items that take the decline in turn (item 3 and 10 are the events' own; 5 changes variant).
_ORDER: Final = (1, 2, 4, 6, 7, 8, 9, 5, 3)
_EVENTS: Final = ("fall", "breathing", "gastrostomy")
_RULE_OF: Final = {"fall": "previous", "breathing": "breathing", "gastrostomy": "swallowing"}


@dataclass
class Figures:
    submissions: int = 0
    new_alerts: int = 0
    old_alerts: int = 0
    events: int = 0
    caught_new: int = 0
    caught_old: int = 0
    quiet_new: int = 0  # alerts on participants without an injected event
    quiet_old: int = 0
    quiet_years: float = 0.0
    seconds: float = 0.0
    missed: list[str] = field(default_factory=list)


def _scores(deficit: int, *, breathing: int, swallowing_max: int | None) -> dict[int, int]:
    items = dict.fromkeys(range(1, 11), 4)
    items[10] = breathing
    left = max(0, deficit)
    while left:
        moved = False
        for number in _ORDER:
            if left and items[number] > 0:
                items[number] -= 1
                left -= 1
                moved = True
        if not moved:
            break
    if swallowing_max is not None and items[3] > swallowing_max:
        items[3] = swallowing_max
    return items


async def _submit(
    tx: Tx,
    *,
    participant_id: int,
    actor: Actor,
    scores: dict[int, int],
    tube: bool,
    at: datetime,
    safety: SafetyConfig,
) -> list[str]:
    """One submission through the real flow (the demo's presses); returns the rules that fired:
    the old behaviour raised one alert for each."""
    outcome = await demo.submit_assessment(
        tx,
        participant_id=participant_id,
        actor=actor,
        scores=scores,
        has_tube=tube,
        language="en",
        started_at=at,
        safety=safety,
    )
    return [s.rule.value for s in outcome.signals]


async def _participant(
    db: Database, index: int, rng: random.Random, safety: SafetyConfig, figures: Figures
) -> None:
    rate = min(2.0, max(0.04, rng.gammavariate(2.0, 0.4))) * SCALE  # points a month
    start_deficit = rng.randint(0, 6)
    visits = int(MONTHS * DAYS_PER_MONTH // EVERY.days)
    event = _EVENTS[index % 4] if index % 4 < 3 and index % 8 < 4 else None  # 3 in 16 have one
    event_at = rng.randint(4, visits - 4)
    extra = rng.randint(5, 7) if event == "fall" else 0

    async def unit(tx: Tx) -> None:
        participant = await people.create_participant(
            tx, subject=f"B{index:04d}", language="en", actor=OPERATOR, now=START
        )
        code = await people.create_invitation(
            tx,
            role=Role.PATIENT,
            participant_id=participant.id,
            actor=OPERATOR,
            now=START,
            ttl=timedelta(days=1),
        )
        _, identity = await people.redeem(tx, code=code, telegram_user_id=10_000 + index, now=START)
        assert identity is not None
        link = identity.link_for(Role.PATIENT)
        assert link is not None
        actor = Actor(role=ActorRole.PATIENT, link_id=link.id, participant_id=participant.id)
        shown = False
        for visit in range(visits + 1):
            if visit and visit != event_at and rng.random() < MISSED:
                continue
            at = START + visit * EVERY + timedelta(minutes=rng.randint(0, 600))
            months = (at - START).total_seconds() / 86400 / DAYS_PER_MONTH
            happened = event is not None and visit >= event_at
            deficit = round(start_deficit + rate * months) + rng.choice((-1, 0, 1))
            if happened and event == "fall":
                deficit += extra
            scores = _scores(
                deficit,
                breathing=3 if happened and event == "breathing" else 4,
                swallowing_max=1 if happened and event == "gastrostomy" else None,
            )
            before = await tx.scalar(
                "SELECT COUNT(*) FROM alerts WHERE participant_id = ?", (participant.id,)
            )
            fired = await _submit(
                tx,
                participant_id=participant.id,
                actor=actor,
                scores=scores,
                tube=happened and event == "gastrostomy",
                at=at,
                safety=safety,
            )
            raised = await alerts.alerts_between(tx, since=at)
            raised = [a for a in raised if a.participant_id == participant.id]
            assert len(raised) == (
                await tx.scalar(
                    "SELECT COUNT(*) FROM alerts WHERE participant_id = ?", (participant.id,)
                )
                - before
            )
            figures.submissions += 1
            figures.new_alerts += len(raised)
            figures.old_alerts += len(fired)
            if event is None:
                figures.quiet_new += len(raised)
                figures.quiet_old += len(fired)
            if happened and not shown:
                shown = True
                figures.events += 1
                rule = _RULE_OF[event or ""]
                if any(rule in a.rules for a in raised):
                    figures.caught_new += 1
                else:
                    figures.missed.append(f"B{index:04d} {event}")
                figures.caught_old += rule in fired  # the old behaviour alerted every firing
        if event is None:
            figures.quiet_years += MONTHS / 12

    await db.write(unit)


async def run(participants: int = 200, seed: int = 11) -> Figures:
    study = load_study(None)
    safety = SafetyConfig.of(study)
    rng = random.Random(seed)
    figures = Figures()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "burden.sqlite3")
        try:
            for index in range(participants):
                await _participant(db, index, rng, safety, figures)
        finally:
            await db.close()
    figures.seconds = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    participants = int(args[0]) if args else 200
    f = asyncio.run(run(participants))
    per_100_new = 100 * f.new_alerts / max(1, f.submissions)
    per_100_old = 100 * f.old_alerts / max(1, f.submissions)
    print(
        f"{participants} participants, {MONTHS} months, {f.submissions} submissions,"
        f" {f.events} injected events ({f.seconds:.0f} s)"
    )
    print(f"{'':32}{'one per event':>16}{'one per rule (old)':>20}")
    print(f"{'alerts per 100 submissions':32}{per_100_new:>16.1f}{per_100_old:>20.1f}")
    print(
        f"{'injected events caught':32}{f.caught_new:>10}/{f.events:<5}"
        f"{f.caught_old:>14}/{f.events:<5}"
    )
    years = max(f.quiet_years, 1e-9)
    print(
        f"{'alerts, no event, per pt-year':32}{f.quiet_new / years:>16.2f}"
        f"{f.quiet_old / years:>20.2f}"
    )
    if f.missed:
        print("missed:", ", ".join(f.missed[:10]))


if __name__ == "__main__":
    main()
