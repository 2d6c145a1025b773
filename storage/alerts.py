"""Alerts for study staff: created in the same transaction as the submission or report that
caused them (the alert row is the durable outbox record), read back for delivery, listing and
acknowledgement. Delivery attempts live in `storage/alert_delivery.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.db import Row, Tx
from storage.models import Actor, from_iso, iso

__all__ = ["Alert", "AlertKind", "alert", "create_alert", "open_alerts"]

AlertKind = Literal["decline", "symptom"]
MessageArgs = Mapping[str, str | int | float]


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    participant_id: int
    subject: str
    kind: AlertKind
    rule: str
    urgent: bool
    message_key: str
    message_args: dict[str, str | int | float]
    assessment_id: int | None
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    escalations: int
    next_escalation_at: datetime | None


def _alert(row: Row) -> Alert:
    return Alert(
        id=row["id"],
        participant_id=row["participant_id"],
        subject=row["subject"],
        kind=row["kind"],
        rule=row["rule"],
        urgent=bool(row["urgent"]),
        message_key=row["message_key"],
        message_args=json.loads(row["message_args"]),
        assessment_id=row["assessment_id"],
        created_at=from_iso(row["created_at"]),
        acknowledged_at=None
        if row["acknowledged_at"] is None
        else from_iso(row["acknowledged_at"]),
        acknowledged_by=row["acknowledged_by"],
        escalations=row["escalations"],
        next_escalation_at=(
            None if row["next_escalation_at"] is None else from_iso(row["next_escalation_at"])
        ),
    )


_SELECT = "SELECT a.*, p.subject FROM alerts a JOIN participants p ON p.id = a.participant_id"


async def create_alert(
    tx: Tx,
    *,
    participant_id: int,
    kind: AlertKind,
    rule: str,
    urgent: bool,
    message_key: str,
    message_args: MessageArgs,
    assessment_id: int | None,
    actor: Actor,
    now: datetime,
    escalate_after: timedelta,
) -> int:
    """Record an alert in the caller's transaction. `message_args` holds only the pseudonymous
    study ID, numbers, dates and symptom names: nothing else about the patient."""
    alert_id = await tx.execute(
        "INSERT INTO alerts (participant_id, kind, rule, urgent, message_key, message_args,"
        " assessment_id, created_at, next_escalation_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            participant_id,
            kind,
            rule,
            int(urgent),
            message_key,
            json.dumps(dict(message_args), sort_keys=True, ensure_ascii=False),
            assessment_id,
            iso(now),
            iso(now + escalate_after),
        ),
    )
    await audit.record(
        tx,
        actor=actor,
        action="alert.create",
        entity="alert",
        entity_id=alert_id,
        at=now,
        new={"kind": kind, "rule": rule, "urgent": urgent, "args": dict(message_args)},
        on_behalf_of=participant_id,
    )
    return alert_id


async def alert(tx: Tx, alert_id: int) -> Alert | None:
    row = await tx.one(_SELECT + " WHERE a.id = ?", (alert_id,))
    return None if row is None else _alert(row)


async def open_alerts(tx: Tx, *, participant_id: int | None = None) -> list[Alert]:
    """Unacknowledged alerts, urgent first, oldest first."""
    sql = _SELECT + " WHERE a.acknowledged_at IS NULL"
    params: tuple[int, ...] = ()
    if participant_id is not None:
        sql += " AND a.participant_id = ?"
        params = (participant_id,)
    rows = await tx.all(sql + " ORDER BY a.urgent DESC, a.created_at, a.id", params)
    return [_alert(row) for row in rows]
