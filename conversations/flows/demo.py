"""Demo data for local mode: submitted assessments written through the same path a person's
button presses take (`open_assessment`, then one `apply_action` per answer), so that the answers,
their attribution and the audit trail look exactly like real ones; and the marker that tells a
demo database from any other.

The marker is an audit entry (`demo.seed`): the audit trail is append-only, so a database that
was once seeded as a demo stays recognisable as one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from conversations.domain.assessment import (
    REVIEW,
    SYMPTOMS,
    TUBE,
    Action,
    Answer,
    SetTube,
    Status,
    Submit,
    Symptoms,
)
from conversations.domain.symptom_step import NoSymptoms
from conversations.flows import assessment
from conversations.flows.safety import SafetyConfig
from storage import audit
from storage.db import Tx
from storage.models import Actor, ActorRole

__all__ = ["SEED_ACTION", "is_demo", "is_demo_file", "mark_seeded", "submit_assessment"]

SEED_ACTION: Final = "demo.seed"
_STEP: Final = timedelta(seconds=20)  # time between two demo answers


async def mark_seeded(tx: Tx, *, subject: str, now: datetime) -> None:
    """Record, in the caller's transaction, that this database holds demo data."""
    await audit.record(
        tx,
        actor=Actor(role=ActorRole.SYSTEM),
        action=SEED_ACTION,
        entity="database",
        entity_id=None,
        at=now,
        new={"subject": subject},
        reason="local mode demo data, not a real participant",
    )


async def is_demo(tx: Tx) -> bool:
    return bool(await tx.scalar("SELECT 1 FROM audit WHERE action = ? LIMIT 1", (SEED_ACTION,)))


def is_demo_file(path: Path) -> bool:
    """Whether the SQLite file at `path` is a seeded demo database (opened read-only, unchanged).

    Anything else, including a file that is not a database at all, is not.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute(
            "SELECT 1 FROM audit WHERE action = ? LIMIT 1", (SEED_ACTION,)
        ).fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return row is not None


async def submit_assessment(
    tx: Tx,
    *,
    participant_id: int,
    actor: Actor,
    scores: Mapping[int, int],
    has_tube: bool,
    language: str,
    started_at: datetime,
    safety: SafetyConfig,
) -> assessment.Outcome:
    """Answer all ten items with `scores`, no adverse symptoms, and submit, as `actor`, one press
    every few seconds from `started_at`; returns the submitting press's outcome (the record and
    the decline rules that fired). Refuses when another assessment is open."""
    record, created = await assessment.open_assessment(
        tx, participant_id=participant_id, actor=actor, language=language, now=started_at
    )
    if not created:
        raise ValueError("the participant has an assessment in progress")
    now = started_at
    for _ in range(20):
        now += _STEP
        action: Action
        if record.position == TUBE:
            action = SetTube(has_tube)
        elif record.position == SYMPTOMS:
            action = Symptoms(NoSymptoms())
        elif record.position == REVIEW:
            action = Submit()
        else:
            action = Answer(scores[int(record.position)])
        outcome = await assessment.press(
            tx,
            assessment_id=record.id,
            revision=record.revision,
            action=action,
            actors={participant_id: actor},
            now=now,
            safety=safety,
        )
        record = outcome.record
        if record.status == Status.SUBMITTED.value:
            return outcome
    raise RuntimeError("the demo assessment did not reach submission")
