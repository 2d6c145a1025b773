"""E-mails to the on-call address about urgent alerts left unacknowledged (migration 0011).

`queue_due` writes one pending row per urgent, unacknowledged alert, escalation round and
address once the round has waited `delay` on Telegram; the UNIQUE key makes a second row (and
so a second e-mail) for the same round and address impossible, also across restarts. The
outbox's on-call job (`bot/outbox/oncall.py`) sends the due rows and records the outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.db import Row, Tx
from storage.models import Actor, ActorRole, from_iso, iso

__all__ = [
    "AlertEmail",
    "cancel",
    "email",
    "emails",
    "mark_sent",
    "next_due",
    "queue_due",
    "record_failure",
    "rounds_waiting",
    "sendable",
]

EmailStatus = Literal["pending", "sent", "failed", "cancelled"]
_SYSTEM = Actor(role=ActorRole.SYSTEM)


class AlertEmail(BaseModel):
    """One e-mail row, with what the message may say: the pseudonymous study ID, the alert's
    number and when it was raised, and whether it was acknowledged meanwhile."""

    model_config = ConfigDict(frozen=True)

    id: int
    alert_id: int
    round: int
    address: str
    status: EmailStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    subject: str
    raised_at: datetime
    acknowledged: bool


_SELECT = (
    "SELECT e.*, p.subject, a.created_at AS raised_at,"
    " a.acknowledged_at IS NOT NULL AS acknowledged FROM alert_emails e"
    " JOIN alerts a ON a.id = e.alert_id JOIN participants p ON p.id = a.participant_id"
)


def _email(row: Row) -> AlertEmail:
    return AlertEmail(
        id=row["id"],
        alert_id=row["alert_id"],
        round=row["round"],
        address=row["address"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=(
            None if row["next_attempt_at"] is None else from_iso(row["next_attempt_at"])
        ),
        last_error=row["last_error"],
        sent_at=None if row["sent_at"] is None else from_iso(row["sent_at"]),
        subject=row["subject"],
        raised_at=from_iso(row["raised_at"]),
        acknowledged=bool(row["acknowledged"]),
    )


_WAITING = (
    " FROM alert_rounds r JOIN alerts a ON a.id = r.alert_id"
    " WHERE a.urgent = 1 AND a.acknowledged_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM alert_emails e"
    "  WHERE e.alert_id = r.alert_id AND e.round = r.round AND e.address = ?)"
)


async def rounds_waiting(tx: Tx, *, address: str, now: datetime, delay: timedelta) -> bool:
    """Whether a round awaits its e-mail (a cheap read: an idle poll needs no write)."""
    return bool(
        await tx.scalar(
            "SELECT EXISTS (SELECT 1" + _WAITING + " AND r.created_at <= ?)",
            (address, iso(now - delay)),
        )
    )


async def queue_due(
    tx: Tx, *, address: str, now: datetime, delay: timedelta
) -> list[tuple[int, int]]:
    """Queue one e-mail per urgent, unacknowledged alert round that went out to Telegram at
    least `delay` ago and has none for `address` yet. Returns the (alert, round) pairs queued."""
    rows = await tx.all(
        "SELECT r.alert_id, r.round" + _WAITING + " AND r.created_at <= ?"
        " ORDER BY r.created_at, r.alert_id",
        (address, iso(now - delay)),
    )
    queued: list[tuple[int, int]] = []
    for row in rows:
        await tx.execute(
            "INSERT INTO alert_emails (alert_id, round, address, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (row["alert_id"], row["round"], address, iso(now), iso(now)),
        )
        queued.append((row["alert_id"], row["round"]))
    return queued


async def sendable(tx: Tx, *, now: datetime, limit: int = 100) -> list[AlertEmail]:
    """Pending e-mails whose time has come, oldest alert first."""
    rows = await tx.all(
        _SELECT + " WHERE e.status = 'pending' AND e.next_attempt_at <= ?"
        " ORDER BY e.alert_id, e.round LIMIT ?",
        (iso(now), limit),
    )
    return [_email(row) for row in rows]


async def email(tx: Tx, email_id: int) -> AlertEmail | None:
    row = await tx.one(_SELECT + " WHERE e.id = ?", (email_id,))
    return None if row is None else _email(row)


async def emails(tx: Tx, alert_id: int | None = None) -> list[AlertEmail]:
    """Every e-mail row (of one alert), in order (tests, exports)."""
    if alert_id is None:
        rows = await tx.all(_SELECT + " ORDER BY e.id")
    else:
        rows = await tx.all(_SELECT + " WHERE e.alert_id = ? ORDER BY e.id", (alert_id,))
    return [_email(row) for row in rows]


async def next_due(tx: Tx, *, address: str, delay: timedelta) -> datetime | None:
    """The earliest moment anything is due: a pending e-mail, or a round reaching `delay`."""
    waiting = await tx.scalar("SELECT MIN(r.created_at)" + _WAITING, (address,))
    pending = await tx.scalar(
        "SELECT MIN(next_attempt_at) FROM alert_emails WHERE status = 'pending'"
    )
    moments = [from_iso(str(pending))] if pending is not None else []
    if waiting is not None:
        moments.append(from_iso(str(waiting)) + delay)
    return min(moments) if moments else None


async def mark_sent(tx: Tx, email_id: int, *, now: datetime) -> None:
    """The SMTP server accepted it: record and audit (the address stays out of the audit)."""
    row = await tx.one("SELECT alert_id, round FROM alert_emails WHERE id = ?", (email_id,))
    await tx.execute(
        "UPDATE alert_emails SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
        " next_attempt_at = NULL, last_error = NULL WHERE id = ? AND status = 'pending'",
        (iso(now), email_id),
    )
    if row is not None:
        await audit.record(
            tx,
            actor=_SYSTEM,
            action="alert.email",
            entity="alert",
            entity_id=row["alert_id"],
            at=now,
            new={"round": row["round"], "email": email_id},
        )


async def record_failure(
    tx: Tx, email_id: int, *, error: str, now: datetime, retry_at: datetime | None
) -> None:
    """A failed attempt: try again at `retry_at`, or give up (None)."""
    if retry_at is None:
        await tx.execute(
            "UPDATE alert_emails SET status = 'failed', attempts = attempts + 1,"
            " next_attempt_at = NULL, last_error = ? WHERE id = ? AND status = 'pending'",
            (error[:200], email_id),
        )
        return
    await tx.execute(
        "UPDATE alert_emails SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
        " WHERE id = ? AND status = 'pending'",
        (iso(retry_at), error[:200], email_id),
    )


async def cancel(tx: Tx, email_id: int, *, reason: str) -> bool:
    """Not sent after all (the alert was acknowledged first)."""
    changed = await tx.execute(
        "UPDATE alert_emails SET status = 'cancelled', next_attempt_at = NULL, last_error = ?"
        " WHERE id = ? AND status = 'pending'",
        (reason[:200], email_id),
    )
    return changed > 0
