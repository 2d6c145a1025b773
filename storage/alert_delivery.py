"""Delivery of staff alerts: fan-out in rounds, sending state, acknowledgement, escalation.

The alert row (`storage/alerts.py`) is the outbox record. Everything here runs inside the
caller's unit of work, so each step is one transaction with its audit entry:

- `fan_out_new` gives every alert not yet sent its round 0: one `alert_deliveries` row per
  recipient chat (active staff members' private chats, plus the staff group if configured).
  Recipients are decided when the worker first sees the alert, not when the alert is created:
  an alert raised while no staff member is linked waits for the first one instead of being
  sent to nobody. `alert_rounds` records each round once (primary key), so a crash between
  steps can neither lose nor double a round.
- `mark_sent` records the Telegram message id in the same transaction that marks the copy sent.
  A process that dies after Telegram accepted a message and before that commit sends it again
  after the restart: that is the one unavoidable at-least-once window (as is a request that
  timed out after reaching Telegram); the worker keeps it to the duration of one HTTP request.
- `acknowledge`: the first acknowledgement wins (a conditional UPDATE), cancels copies not yet
  sent and marks every sent copy, of every round, to be edited.
- `escalate_due`: an unacknowledged alert whose `next_escalation_at` has come gets round n+1 for
  the staff active *now*, pending copies of older rounds to the same chats are superseded, and
  the next escalation is scheduled one interval after the previous scheduled time (no drift;
  after a long outage, one interval from now rather than a burst of catch-up rounds).

Audit actions: alert.queued, alert.delivered, alert.delivery_failed (attempt number and error
class only), alert.acknowledged, alert.escalated, alert.copy_edit_failed. Recipients appear in
the audit as staff link numbers or "group", never as Telegram ids.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.alerts import Alert, alert, edit_every_copy
from storage.db import Row, Tx
from storage.models import Actor, ActorRole, Language, from_iso, iso
from storage.sites import STAFF_COVERS

__all__ = [
    "AckOutcome",
    "Delivery",
    "DeliveryStatus",
    "Recipient",
    "acknowledge",
    "add_note",
    "cancel",
    "copy_of",
    "deliveries",
    "due_deliveries",
    "due_edits",
    "edit_done",
    "edit_failed",
    "escalate_due",
    "fan_out_new",
    "first_delivered",
    "mark_sent",
    "next_due",
    "recipient_counts",
    "recipients",
    "record_failure",
    "rounds_due",
]

DeliveryStatus = Literal["pending", "sent", "failed", "cancelled"]
EditStatus = Literal["pending", "done", "failed"]
SYSTEM = Actor(role=ActorRole.SYSTEM)


class Recipient(BaseModel):
    """A chat that gets alerts: a staff member's private chat, or the staff group (no link)."""

    model_config = ConfigDict(frozen=True)

    chat_id: int
    link_id: int | None


class Delivery(BaseModel):
    """One copy of one round of an alert, for one chat, with what the worker needs to send it."""

    model_config = ConfigDict(frozen=True)

    id: int
    alert_id: int
    round: int
    chat_id: int
    link_id: int | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    message_id: int | None
    last_error: str | None
    sent_at: datetime | None
    edit_status: EditStatus | None
    edit_attempts: int
    urgent: bool
    language: Language
    link_active: bool
    edit_version: int = 0

    @property
    def recipient(self) -> str:
        """How the audit trail names the recipient: a staff link number, or the group."""
        return "group" if self.link_id is None else f"staff #{self.link_id}"


class AckOutcome(BaseModel):
    """The alert after an acknowledgement; `first` when this press was the one that counted."""

    model_config = ConfigDict(frozen=True)

    alert: Alert
    first: bool


_DELIVERY = (
    "SELECT d.*, a.urgent, COALESCE(ac.language, 'en') AS language,"
    " (d.link_id IS NULL OR l.revoked_at IS NULL) AS link_active"
    " FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
    " LEFT JOIN links l ON l.id = d.link_id LEFT JOIN accounts ac ON ac.id = l.account_id"
)


def _opt_time(value: str | None) -> datetime | None:
    return None if value is None else from_iso(value)


def _delivery(row: Row) -> Delivery:
    return Delivery(
        id=row["id"],
        alert_id=row["alert_id"],
        round=row["round"],
        chat_id=row["chat_id"],
        link_id=row["link_id"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=_opt_time(row["next_attempt_at"]),
        message_id=row["message_id"],
        last_error=row["last_error"],
        sent_at=_opt_time(row["sent_at"]),
        edit_status=row["edit_status"],
        edit_attempts=row["edit_attempts"],
        urgent=bool(row["urgent"]),
        language=row["language"],
        link_active=bool(row["link_active"]),
        edit_version=row["edit_version"],
    )


# --- recipients and rounds ---------------------------------------------------------------------


async def recipients(tx: Tx, group_chat_id: int | None, site: str | None = None) -> list[Recipient]:
    """The private chat (chat id == Telegram user id) of every active staff member who works
    for `site` or for the whole study, then the group. A participant without a site (made before
    sites, not yet adopted) is the study-wide members' only."""
    rows = await tx.all(
        "SELECT l.id AS link_id, ac.telegram_user_id AS chat_id FROM links l"
        " JOIN accounts ac ON ac.id = l.account_id"
        " WHERE l.role = 'staff' AND l.revoked_at IS NULL"
        f" AND {STAFF_COVERS.format(site='?')} ORDER BY l.id",
        (site,),
    )
    found = [Recipient(chat_id=row["chat_id"], link_id=row["link_id"]) for row in rows]
    if group_chat_id is not None and all(r.chat_id != group_chat_id for r in found):
        found.append(Recipient(chat_id=group_chat_id, link_id=None))
    return found


# Someone gets the alerts about participant `p`: the staff group, or an active staff member of
# p's site or of the whole study. An alert nobody would get waits (and holds no place in a batch)
# until someone is linked; /healthz reports an urgent one left undelivered.
_COVERED = (
    "(? IS NOT NULL OR EXISTS (SELECT 1 FROM links l WHERE l.role = 'staff'"
    f" AND l.revoked_at IS NULL AND {STAFF_COVERS.format(site='p.site')}))"
)


async def _add_round(
    tx: Tx, alert_id: int, round_: int, to: list[Recipient], now: datetime
) -> bool:
    """Record round `round_` with one pending copy per recipient; False if it already exists."""
    if await tx.scalar(
        "SELECT 1 FROM alert_rounds WHERE alert_id = ? AND round = ?", (alert_id, round_)
    ):
        return False
    await tx.execute(
        "INSERT INTO alert_rounds (alert_id, round, recipients, created_at) VALUES (?, ?, ?, ?)",
        (alert_id, round_, len(to), iso(now)),
    )
    await tx.executemany(
        "INSERT OR IGNORE INTO alert_deliveries"
        " (alert_id, round, chat_id, link_id, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(alert_id, round_, r.chat_id, r.link_id, iso(now), iso(now)) for r in to],
    )
    return True


def _audit_recipients(to: list[Recipient]) -> dict[str, object]:
    return {
        "staff": [r.link_id for r in to if r.link_id is not None],
        "group": any(r.link_id is None for r in to),
    }


async def fan_out_new(
    tx: Tx, *, group_chat_id: int | None, now: datetime, limit: int = 200
) -> list[int]:
    """Give round 0 to open alerts that have none yet; returns their ids. With no recipient at
    all (no staff linked, no group), nothing is recorded: the alerts wait for the first one."""
    rows = await tx.all(
        "SELECT a.id, a.participant_id, a.created_at, a.next_escalation_at, p.site FROM alerts a"
        " JOIN participants p ON p.id = a.participant_id WHERE a.acknowledged_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM alert_rounds r WHERE r.alert_id = a.id AND r.round = 0)"
        f" AND {_COVERED} ORDER BY a.urgent DESC, a.id LIMIT ?",
        (group_chat_id, limit),
    )
    done: list[int] = []
    by_site: dict[str | None, list[Recipient]] = {}
    for row in rows:
        site = row["site"]
        if site not in by_site:
            by_site[site] = await recipients(tx, group_chat_id, site)
        to = by_site[site]
        if await _add_round(tx, row["id"], 0, to, now):
            new: dict[str, object] = {"round": 0, **_audit_recipients(to)}
            due = row["next_escalation_at"]
            if due is not None and from_iso(due) <= now:
                # It waited for someone to get it: its escalation counts from now, as if it had
                # been raised now, instead of superseding round 0 at once.
                following = now + (from_iso(due) - from_iso(row["created_at"]))
                await tx.execute(
                    "UPDATE alerts SET next_escalation_at = ? WHERE id = ?",
                    (iso(following), row["id"]),
                )
                new["next"] = iso(following)
            await audit.record(
                tx,
                actor=SYSTEM,
                action="alert.queued",
                entity="alert",
                entity_id=row["id"],
                at=now,
                new=new,
                on_behalf_of=row["participant_id"],
            )
            done.append(row["id"])
    return done


async def escalate_due(
    tx: Tx,
    *,
    group_chat_id: int | None,
    now: datetime,
    urgent_every: timedelta,
    routine_every: timedelta,
    limit: int = 200,
) -> list[tuple[int, int]]:
    """Send again every unacknowledged alert whose escalation time has come, as the next round,
    to the staff active now. Returns (alert id, round) for each escalation made."""
    rows = await tx.all(
        "SELECT a.id, a.participant_id, a.urgent, a.escalations, a.next_escalation_at, p.site"
        " FROM alerts a JOIN participants p ON p.id = a.participant_id"
        " WHERE a.acknowledged_at IS NULL AND a.next_escalation_at IS NOT NULL"
        " AND a.next_escalation_at <= ?"
        " AND EXISTS (SELECT 1 FROM alert_rounds r WHERE r.alert_id = a.id AND r.round = 0)"
        " ORDER BY a.urgent DESC, a.next_escalation_at, a.id LIMIT ?",
        (iso(now), limit),
    )
    made: list[tuple[int, int]] = []
    by_site: dict[str | None, list[Recipient]] = {}
    for row in rows:
        site = row["site"]
        if site not in by_site:
            by_site[site] = await recipients(tx, group_chat_id, site)
        to = by_site[site]
        alert_id = int(row["id"])
        last_round = int(
            await tx.scalar(
                "SELECT COALESCE(MAX(round), 0) FROM alert_rounds WHERE alert_id = ?", (alert_id,)
            )
        )
        round_ = max(int(row["escalations"]), last_round) + 1
        every = urgent_every if row["urgent"] else routine_every
        following = from_iso(row["next_escalation_at"]) + every
        if following <= now:
            following = now + every
        if not await _add_round(tx, alert_id, round_, to, now):
            continue
        superseded = await tx.execute(
            "UPDATE alert_deliveries SET status = 'cancelled', next_attempt_at = NULL,"
            " last_error = 'superseded' WHERE alert_id = ? AND round < ? AND status = 'pending'"
            " AND chat_id IN (SELECT chat_id FROM alert_deliveries"
            "  WHERE alert_id = ? AND round = ?)",
            (alert_id, round_, alert_id, round_),
        )
        await tx.execute(
            "UPDATE alerts SET escalations = ?, next_escalation_at = ? WHERE id = ?",
            (round_, iso(following), alert_id),
        )
        await audit.record(
            tx,
            actor=SYSTEM,
            action="alert.escalated",
            entity="alert",
            entity_id=alert_id,
            at=now,
            old={"escalations": row["escalations"], "due": row["next_escalation_at"]},
            new={
                "round": round_,
                "next": iso(following),
                "superseded": superseded,
                **_audit_recipients(to),
            },
            on_behalf_of=row["participant_id"],
        )
        made.append((alert_id, round_))
    return made


# --- sending ---------------------------------------------------------------------------------


async def due_deliveries(tx: Tx, *, now: datetime, limit: int = 200) -> list[Delivery]:
    """Pending copies whose time has come: urgent alerts first, then oldest alert first."""
    rows = await tx.all(
        _DELIVERY + " WHERE d.status = 'pending' AND d.next_attempt_at <= ?"
        " ORDER BY a.urgent DESC, a.created_at, a.id, d.round, d.id LIMIT ?",
        (iso(now), limit),
    )
    return [_delivery(row) for row in rows]


async def copy_of(tx: Tx, delivery_id: int) -> Delivery | None:
    row = await tx.one(_DELIVERY + " WHERE d.id = ?", (delivery_id,))
    return None if row is None else _delivery(row)


async def deliveries(tx: Tx, alert_id: int) -> list[Delivery]:
    """Every copy of an alert, all rounds, in the order they were created."""
    rows = await tx.all(_DELIVERY + " WHERE d.alert_id = ? ORDER BY d.round, d.id", (alert_id,))
    return [_delivery(row) for row in rows]


async def mark_sent(tx: Tx, delivery_id: int, *, message_id: int, now: datetime) -> None:
    """Telegram accepted the copy: record its message id, in the transaction that marks it sent.
    A copy sent after the alert was acknowledged (a press raced the send) is queued for the
    edit that shows the acknowledgement."""
    row = await tx.one(
        "SELECT d.alert_id, d.round, d.link_id, d.attempts, a.participant_id,"
        " a.acknowledged_at FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.id = ?",
        (delivery_id,),
    )
    if row is None:
        return
    acknowledged = row["acknowledged_at"] is not None
    await tx.execute(
        "UPDATE alert_deliveries SET status = 'sent', message_id = ?, sent_at = ?,"
        " attempts = attempts + 1, last_error = NULL, next_attempt_at = ?, edit_status = ?"
        " WHERE id = ?",
        (
            message_id,
            iso(now),
            iso(now) if acknowledged else None,
            "pending" if acknowledged else None,
            delivery_id,
        ),
    )
    await _audit_attempt(tx, "alert.delivered", row, delivery_id, now, row["attempts"] + 1)


async def _audit_attempt(
    tx: Tx,
    action: str,
    row: Row,
    delivery_id: int,
    now: datetime,
    attempt: int,
    **details: str | bool | None,
) -> None:
    """One delivery attempt in the audit trail: which copy, to whom (by staff number), which try."""
    await audit.record(
        tx,
        actor=SYSTEM,
        action=action,
        entity="alert",
        entity_id=row["alert_id"],
        at=now,
        new={
            "delivery": delivery_id,
            "round": row["round"],
            "to": "group" if row["link_id"] is None else f"staff #{row['link_id']}",
            "attempt": attempt,
            **details,
        },
        on_behalf_of=row["participant_id"],
    )


async def record_failure(
    tx: Tx, delivery_id: int, *, error: str, now: datetime, retry_at: datetime | None
) -> None:
    """A failed attempt: try again at `retry_at`, or (None) give this copy up for good."""
    row = await tx.one(
        "SELECT d.alert_id, d.round, d.link_id, d.attempts, d.status, a.participant_id"
        " FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.id = ?",
        (delivery_id,),
    )
    if row is None:
        return
    attempt = int(row["attempts"]) + 1
    still_pending = row["status"] == "pending"
    final = retry_at is None or not still_pending
    if still_pending and retry_at is not None:
        await tx.execute(
            "UPDATE alert_deliveries SET attempts = ?, last_error = ?, next_attempt_at = ?"
            " WHERE id = ?",
            (attempt, error[:200], iso(retry_at), delivery_id),
        )
    elif still_pending:
        await tx.execute(
            "UPDATE alert_deliveries SET status = 'failed', attempts = ?, last_error = ?,"
            " next_attempt_at = NULL WHERE id = ?",
            (attempt, error[:200], delivery_id),
        )
    else:  # cancelled while the attempt was under way: count it, change nothing else
        await tx.execute(
            "UPDATE alert_deliveries SET attempts = ?, last_error = ? WHERE id = ?",
            (attempt, error[:200], delivery_id),
        )
    await _audit_attempt(
        tx,
        "alert.delivery_failed",
        row,
        delivery_id,
        now,
        attempt,
        error=error.split(":", 1)[0][:60],
        final=final,
        retry_at=None if final or retry_at is None else iso(retry_at),
    )


async def cancel(tx: Tx, delivery_id: int, *, reason: str) -> bool:
    """Stop a pending copy (e.g. its staff link was revoked before it went out)."""
    changed = await tx.execute(
        "UPDATE alert_deliveries SET status = 'cancelled', next_attempt_at = NULL,"
        " last_error = ? WHERE id = ? AND status = 'pending'",
        (reason[:200], delivery_id),
    )
    return changed > 0


# --- acknowledgement -------------------------------------------------------------------------


async def acknowledge(
    tx: Tx,
    alert_id: int,
    *,
    link_id: int,
    now: datetime,
    action: str | None = None,
    note: str | None = None,
) -> AckOutcome | None:
    """The first acknowledgement wins; later ones change nothing and learn who was first.
    `action` records what was done (called, visit, none, other) with an optional short note.
    None for an alert that does not exist."""
    changed = await tx.execute(
        "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, next_escalation_at = NULL,"
        " ack_action = ?, ack_note = ? WHERE id = ? AND acknowledged_at IS NULL",
        (iso(now), link_id, action, note, alert_id),
    )
    current = await alert(tx, alert_id)
    if current is None:
        return None
    if not changed:
        return AckOutcome(alert=current, first=False)
    cancelled = await tx.execute(
        "UPDATE alert_deliveries SET status = 'cancelled', next_attempt_at = NULL,"
        " last_error = 'acknowledged' WHERE alert_id = ? AND status = 'pending'",
        (alert_id,),
    )
    to_edit = await edit_every_copy(tx, alert_id, now=now)
    await audit.record(
        tx,
        actor=Actor(role=ActorRole.STAFF, link_id=link_id),
        action="alert.acknowledged",
        entity="alert",
        entity_id=alert_id,
        at=now,
        old={"escalations": current.escalations},
        new={
            "by": link_id,
            "action": action,
            "note": note,
            "copies_to_edit": to_edit,
            "cancelled": cancelled,
        },
        on_behalf_of=current.participant_id,
    )
    return AckOutcome(alert=current, first=True)


async def add_note(tx: Tx, alert_id: int, *, link_id: int, note: str, now: datetime) -> bool:
    """The note of an acknowledgement with the action "other", by whoever acknowledged it;
    every delivered copy is edited again to show it. False when there is no such note to add."""
    row = await tx.one(
        "SELECT participant_id, ack_note FROM alerts WHERE id = ? AND acknowledged_by = ?"
        " AND ack_action IS NOT NULL",
        (alert_id, link_id),
    )
    if row is None:
        return False
    await tx.execute("UPDATE alerts SET ack_note = ? WHERE id = ?", (note, alert_id))
    await edit_every_copy(tx, alert_id, now=now)
    await audit.record(
        tx,
        actor=Actor(role=ActorRole.STAFF, link_id=link_id),
        action="alert.note",
        entity="alert",
        entity_id=alert_id,
        at=now,
        old={"note": row["ack_note"]},
        new={"note": note},
        on_behalf_of=row["participant_id"],
    )
    return True


async def first_delivered(tx: Tx) -> dict[int, datetime]:
    """Per alert, when its first copy was delivered."""
    rows = await tx.all(
        "SELECT alert_id, MIN(sent_at) AS t FROM alert_deliveries WHERE sent_at IS NOT NULL"
        " GROUP BY alert_id"
    )
    return {int(row["alert_id"]): from_iso(row["t"]) for row in rows}


async def recipient_counts(tx: Tx) -> dict[int, int]:
    """Per alert, how many chats it went to in its first round."""
    rows = await tx.all("SELECT alert_id, recipients FROM alert_rounds WHERE round = 0")
    return {int(row["alert_id"]): int(row["recipients"]) for row in rows}


async def due_edits(tx: Tx, *, now: datetime, limit: int = 200) -> list[Delivery]:
    """Sent copies still to be edited to show their acknowledgement."""
    rows = await tx.all(
        _DELIVERY + " WHERE d.edit_status = 'pending' AND d.next_attempt_at <= ?"
        " ORDER BY a.urgent DESC, a.id, d.id LIMIT ?",
        (iso(now), limit),
    )
    return [_delivery(row) for row in rows]


async def edit_done(tx: Tx, delivery_id: int, version: int | None = None) -> None:
    """The copy shows edit request `version` (None: whatever was asked); a newer request made
    meanwhile stays pending."""
    await tx.execute(
        "UPDATE alert_deliveries SET edit_status = 'done', edit_attempts = edit_attempts + 1,"
        " next_attempt_at = NULL WHERE id = ? AND edit_status = 'pending'"
        " AND (? IS NULL OR edit_version = ?)",
        (delivery_id, version, version),
    )


async def edit_failed(
    tx: Tx, delivery_id: int, *, error: str, now: datetime, retry_at: datetime | None
) -> None:
    """A failed edit: try again at `retry_at`, or (None) leave this copy as it is."""
    if retry_at is not None:
        await tx.execute(
            "UPDATE alert_deliveries SET edit_attempts = edit_attempts + 1, last_error = ?,"
            " next_attempt_at = ? WHERE id = ? AND edit_status = 'pending'",
            (error[:200], iso(retry_at), delivery_id),
        )
        return
    await tx.execute(
        "UPDATE alert_deliveries SET edit_status = 'failed', edit_attempts = edit_attempts + 1,"
        " last_error = ?, next_attempt_at = NULL WHERE id = ? AND edit_status = 'pending'",
        (error[:200], delivery_id),
    )
    row = await tx.one(
        "SELECT d.alert_id, d.round, d.link_id, a.participant_id FROM alert_deliveries d"
        " JOIN alerts a ON a.id = d.alert_id WHERE d.id = ?",
        (delivery_id,),
    )
    if row is not None:
        await audit.record(
            tx,
            actor=SYSTEM,
            action="alert.copy_edit_failed",
            entity="alert",
            entity_id=row["alert_id"],
            at=now,
            new={
                "delivery": delivery_id,
                "round": row["round"],
                "to": "group" if row["link_id"] is None else f"staff #{row['link_id']}",
                "error": error.split(":", 1)[0][:60],
            },
            on_behalf_of=row["participant_id"],
        )


# --- scheduling ------------------------------------------------------------------------------


async def rounds_due(tx: Tx, *, now: datetime, group_chat_id: int | None) -> bool:
    """Whether an open alert awaits its first round (and someone would get it) or an escalation
    (a cheap read, so that an idle poll needs no write transaction)."""
    return bool(
        await tx.scalar(
            "SELECT EXISTS (SELECT 1 FROM alerts a JOIN participants p ON p.id = a.participant_id"
            " WHERE a.acknowledged_at IS NULL AND CASE WHEN EXISTS (SELECT 1 FROM alert_rounds r"
            "  WHERE r.alert_id = a.id AND r.round = 0) THEN a.next_escalation_at <= ?"
            f"  ELSE {_COVERED} END)",
            (iso(now), group_chat_id),
        )
    )


async def next_due(tx: Tx) -> datetime | None:
    """The earliest moment anything is due: a send, an edit, or an escalation (of an alert that
    has had its first round). None when nothing is scheduled."""
    value = await tx.scalar(
        "SELECT MIN(t) FROM ("
        " SELECT MIN(next_attempt_at) AS t FROM alert_deliveries WHERE status = 'pending'"
        " UNION ALL SELECT MIN(next_attempt_at) FROM alert_deliveries"
        "  WHERE edit_status = 'pending'"
        " UNION ALL SELECT MIN(a.next_escalation_at) FROM alerts a"
        "  WHERE a.acknowledged_at IS NULL AND a.next_escalation_at IS NOT NULL"
        "  AND EXISTS (SELECT 1 FROM alert_rounds r WHERE r.alert_id = a.id AND r.round = 0))"
    )
    return None if value is None else from_iso(str(value))
