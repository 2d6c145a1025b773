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
from storage.sites import Sites, in_sites

__all__ = [
    "AckAction",
    "Alert",
    "AlertKind",
    "AlertPart",
    "Followup",
    "Standing",
    "add_followup",
    "alert",
    "alerts_between",
    "awaiting_note",
    "create_event_alert",
    "display_names",
    "edit_every_copy",
    "open_alerts",
    "set_display_name",
    "standing",
]

AlertKind = Literal["decline", "symptom"]
AckAction = Literal["called", "visit", "none", "other"]
MessageArgs = Mapping[str, str | int | float]


class AlertPart(BaseModel):
    """One rule (or symptom) of an alert: its own sentence, and the level that a later
    submission must pass to alert again (None: an event rule, never standing)."""

    model_config = ConfigDict(frozen=True)

    kind: AlertKind
    rule: str
    urgent: bool
    message_key: str
    message_args: dict[str, str | int | float]
    level: float | None = None


class Followup(BaseModel):
    """A later submission that still met parts of an open alert."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    rules: list[str]
    total: int | None
    severity: int | None


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
    parts: list[AlertPart] = []
    followups: list[Followup] = []
    ack_action: AckAction | None = None
    ack_note: str | None = None
    acknowledged_by_name: str | None = None
    site: str | None = None  # the participant's site

    @property
    def rules(self) -> list[str]:
        return [part.rule for part in self.parts]


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
        ack_action=row["ack_action"],
        ack_note=row["ack_note"],
        acknowledged_by_name=row["ack_name"],
        site=row["site"],
    )


_SELECT = (
    "SELECT a.*, p.subject, p.site, n.display_name AS ack_name FROM alerts a"
    " JOIN participants p ON p.id = a.participant_id"
    " LEFT JOIN staff_names n ON n.link_id = a.acknowledged_by"
)


def _part(row: Row) -> AlertPart:
    return AlertPart(
        kind=row["kind"],
        rule=row["rule"],
        urgent=bool(row["urgent"]),
        message_key=row["message_key"],
        message_args=json.loads(row["message_args"]),
        level=row["level"],
    )


async def _complete(tx: Tx, found: list[Alert]) -> list[Alert]:
    """The alerts with their parts and follow-ups (an alert from before 0008: one part)."""
    if not found:
        return []
    marks = ",".join("?" * len(found))
    ids = tuple(a.id for a in found)
    parts: dict[int, list[AlertPart]] = {}
    for row in await tx.all(
        f"SELECT * FROM alert_parts WHERE alert_id IN ({marks}) ORDER BY alert_id, position", ids
    ):
        parts.setdefault(row["alert_id"], []).append(_part(row))
    followups: dict[int, list[Followup]] = {}
    for row in await tx.all(
        f"SELECT * FROM alert_followups WHERE alert_id IN ({marks}) ORDER BY alert_id, id", ids
    ):
        followups.setdefault(row["alert_id"], []).append(
            Followup(
                at=from_iso(row["at"]),
                rules=json.loads(row["rules"]),
                total=row["total"],
                severity=row["severity"],
            )
        )
    return [
        a.model_copy(
            update={
                "parts": parts.get(a.id)
                or [
                    AlertPart(
                        kind=a.kind,
                        rule=a.rule,
                        urgent=a.urgent,
                        message_key=a.message_key,
                        message_args=a.message_args,
                    )
                ],
                "followups": followups.get(a.id, []),
            }
        )
        for a in found
    ]


async def create_event_alert(
    tx: Tx,
    *,
    participant_id: int,
    parts: list[AlertPart],
    assessment_id: int | None,
    actor: Actor,
    now: datetime,
    escalate_after: timedelta,
) -> int:
    """One alert for one event (a submission or a symptom report) with every part that fired:
    urgent when any part is. The alert's own columns repeat the first part; `rule` lists them."""
    if not parts:
        raise ValueError("an alert needs at least one part")
    urgent = any(p.urgent for p in parts)
    first = parts[0]
    alert_id = await tx.execute(
        "INSERT INTO alerts (participant_id, kind, rule, urgent, message_key, message_args,"
        " assessment_id, created_at, next_escalation_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            participant_id,
            first.kind,
            "+".join(p.rule for p in parts),
            int(urgent),
            first.message_key,
            json.dumps(first.message_args, sort_keys=True, ensure_ascii=False),
            assessment_id,
            iso(now),
            iso(now + escalate_after),
        ),
    )
    await tx.executemany(
        "INSERT INTO alert_parts (alert_id, position, kind, rule, urgent, message_key,"
        " message_args, level) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                alert_id,
                i,
                p.kind,
                p.rule,
                int(p.urgent),
                p.message_key,
                json.dumps(p.message_args, sort_keys=True, ensure_ascii=False),
                p.level,
            )
            for i, p in enumerate(parts)
        ],
    )
    await audit.record(
        tx,
        actor=actor,
        action="alert.create",
        entity="alert",
        entity_id=alert_id,
        at=now,
        new={
            "urgent": urgent,
            "parts": [
                {"kind": p.kind, "rule": p.rule, "urgent": p.urgent, "args": p.message_args}
                for p in parts
            ],
        },
        on_behalf_of=participant_id,
    )
    return alert_id


class Standing(BaseModel):
    """The latest alert that holds a rule for a participant: what a new submission compares with."""

    model_config = ConfigDict(frozen=True)

    alert_id: int
    rule: str
    level: float | None
    open: bool


async def standing(tx: Tx, participant_id: int) -> dict[str, Standing]:
    """Per rule, the latest alert of this participant that holds it (open or acknowledged),
    keyed by the decline rule's name, or `symptom:<id>` for a symptom."""
    rows = await tx.all(
        "SELECT pt.kind, pt.rule, pt.level, a.id, a.acknowledged_at FROM alert_parts pt"
        " JOIN alerts a ON a.id = pt.alert_id WHERE a.participant_id = ?"
        " ORDER BY a.id",
        (participant_id,),
    )
    found: dict[str, Standing] = {}
    for row in rows:  # oldest first: the latest alert holding a rule wins
        # A symptom and a decline rule may share a name (breathing): never one for the other.
        key = row["rule"] if row["kind"] == "decline" else f"symptom:{row['rule']}"
        found[key] = Standing(
            alert_id=row["id"],
            rule=row["rule"],
            level=row["level"],
            open=row["acknowledged_at"] is None,
        )
    return found


async def edit_every_copy(tx: Tx, alert_id: int, *, now: datetime) -> int:
    """Queue the edit of every delivered copy of the alert (the outbox's edit queue; a newer
    version supersedes one not yet made). Returns how many copies will be edited."""
    return await tx.execute(
        "UPDATE alert_deliveries SET edit_status = 'pending', next_attempt_at = ?,"
        " edit_version = edit_version + 1 WHERE alert_id = ? AND status = 'sent'",
        (iso(now), alert_id),
    )


async def add_followup(
    tx: Tx,
    alert_id: int,
    *,
    at: datetime,
    assessment_id: int | None,
    rules: list[str],
    total: int | None,
    severity: int | None,
    actor: Actor,
) -> None:
    """Show on an open alert that a newer submission still meets it, and queue the edit of every
    delivered copy (the outbox's edit queue; copies not sent yet show it when sent)."""
    await tx.execute(
        "INSERT INTO alert_followups (alert_id, at, assessment_id, rules, total, severity)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (alert_id, iso(at), assessment_id, json.dumps(rules), total, severity),
    )
    edits = await edit_every_copy(tx, alert_id, now=at)
    participant = await tx.scalar("SELECT participant_id FROM alerts WHERE id = ?", (alert_id,))
    await audit.record(
        tx,
        actor=actor,
        action="alert.still_met",
        entity="alert",
        entity_id=alert_id,
        at=at,
        new={"rules": rules, "total": total, "severity": severity, "copies_to_edit": edits},
        on_behalf_of=None if participant is None else int(participant),
    )


async def alert(tx: Tx, alert_id: int) -> Alert | None:
    row = await tx.one(_SELECT + " WHERE a.id = ?", (alert_id,))
    if row is None:
        return None
    return (await _complete(tx, [_alert(row)]))[0]


async def alerts_between(tx: Tx, *, since: datetime | None = None) -> list[Alert]:
    """Every alert (raised at or after `since`), oldest first, for the export."""
    sql = _SELECT
    params: tuple[str, ...] = ()
    if since is not None:
        sql, params = sql + " WHERE a.created_at >= ?", (iso(since),)
    rows = await tx.all(sql + " ORDER BY a.id", params)
    return await _complete(tx, [_alert(row) for row in rows])


async def set_display_name(tx: Tx, link_id: int, name: str, *, now: datetime) -> str | None:
    """Set a staff member's display name; returns the previous one."""
    old = await tx.scalar("SELECT display_name FROM staff_names WHERE link_id = ?", (link_id,))
    await tx.execute(
        "INSERT INTO staff_names (link_id, display_name, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (link_id) DO UPDATE SET display_name = excluded.display_name,"
        " set_at = excluded.set_at",
        (link_id, name, iso(now)),
    )
    return None if old is None else str(old)


async def awaiting_note(tx: Tx, link_id: int, *, since: datetime) -> list[int]:
    """Alerts this staff member acknowledged with "Other" since `since`, still without a note."""
    rows = await tx.all(
        "SELECT id FROM alerts WHERE acknowledged_by = ? AND ack_action = 'other'"
        " AND ack_note IS NULL AND acknowledged_at >= ? ORDER BY id",
        (link_id, iso(since)),
    )
    return [int(row["id"]) for row in rows]


async def display_names(tx: Tx) -> dict[int, str]:
    rows = await tx.all("SELECT link_id, display_name FROM staff_names")
    return {int(row["link_id"]): str(row["display_name"]) for row in rows}


async def open_alerts(
    tx: Tx, *, participant_id: int | None = None, sites: Sites = None
) -> list[Alert]:
    """Unacknowledged alerts (of one participant, of participants of `sites`), urgent first,
    oldest first."""
    where, params = in_sites("p.site", sites)
    sql = _SELECT + f" WHERE a.acknowledged_at IS NULL AND {where}"
    if participant_id is not None:
        sql += " AND a.participant_id = ?"
        params = (*params, participant_id)
    rows = await tx.all(sql + " ORDER BY a.urgent DESC, a.created_at, a.id", params)
    return await _complete(tx, [_alert(row) for row in rows])
