"""E-mails to the on-call addresses about urgent alerts left unacknowledged (migration 0011).

`queue_due` writes one pending row per urgent, unacknowledged alert, escalation round and
address once the round has waited `delay` on Telegram; the UNIQUE key makes a second row (and
so a second e-mail) for the same round and address impossible, also across restarts. The
outbox's on-call job (`bot/outbox/oncall.py`) sends the due rows and records the outcome.

The address of an alert is its participant's site's (issue 16), given by the caller as
`OncallAddresses`: storage knows site ids, not the study file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.db import Row, Tx
from storage.models import Actor, ActorRole, from_iso, iso

__all__ = [
    "AlertEmail",
    "OncallAddresses",
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
    site: str | None = None  # the participant's site: the time is told in its zone


_SELECT = (
    "SELECT e.*, p.subject, p.site, a.created_at AS raised_at,"
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
        site=row["site"],
    )


@dataclass(frozen=True)
class OncallAddresses:
    """Where the e-mail about an alert goes, by its participant's site: `by_site` holds every
    site of the study file (None: that site has no on-call address, its alerts are not
    e-mailed); `fallback` is for a participant whose site is NULL or no longer listed (the
    study's default site's address, as `StudySettings.site` falls back)."""

    by_site: Mapping[str, str | None]
    fallback: str | None = None

    @property
    def any(self) -> bool:
        return self.fallback is not None or any(a is not None for a in self.by_site.values())

    def _params(self) -> tuple[str | None, str]:
        return self.fallback, json.dumps(dict(self.by_site), sort_keys=True)


# Every urgent, unacknowledged alert's round with the address its e-mail goes to (NULL: none);
# parameters: `OncallAddresses._params()`. json_each over an object gives a row per site, its
# value NULL for a site without an address; no row at all for a NULL or unlisted site.
_ROUNDS = (
    " FROM (SELECT r.alert_id, r.round, r.created_at,"
    "  CASE WHEN s.key IS NULL THEN ? ELSE s.value END AS address"
    "  FROM alert_rounds r JOIN alerts a ON a.id = r.alert_id"
    "  JOIN participants p ON p.id = a.participant_id"
    "  LEFT JOIN json_each(?) s ON s.key = upper(p.site)"
    "  WHERE a.urgent = 1 AND a.acknowledged_at IS NULL) w"
)
_WAITING = (
    _ROUNDS + " WHERE w.address IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM alert_emails e"
    "  WHERE e.alert_id = w.alert_id AND e.round = w.round AND e.address = w.address)"
)


async def rounds_waiting(
    tx: Tx, *, addresses: OncallAddresses, now: datetime, delay: timedelta
) -> bool:
    """Whether a round awaits its e-mail (a cheap read: an idle poll needs no write)."""
    return bool(
        await tx.scalar(
            "SELECT EXISTS (SELECT 1" + _WAITING + " AND w.created_at <= ?)",
            (*addresses._params(), iso(now - delay)),
        )
    )


async def queue_due(
    tx: Tx, *, addresses: OncallAddresses, now: datetime, delay: timedelta
) -> list[tuple[int, int, str]]:
    """Queue one e-mail per urgent, unacknowledged alert round that went out to Telegram at
    least `delay` ago and has none yet for the on-call address of its participant's site.
    Returns the (alert, round, address) triples queued."""
    rows = await tx.all(
        "SELECT w.alert_id, w.round, w.address" + _WAITING + " AND w.created_at <= ?"
        " ORDER BY w.created_at, w.alert_id",
        (*addresses._params(), iso(now - delay)),
    )
    queued: list[tuple[int, int, str]] = []
    for row in rows:
        await tx.execute(
            "INSERT INTO alert_emails (alert_id, round, address, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (row["alert_id"], row["round"], row["address"], iso(now), iso(now)),
        )
        queued.append((row["alert_id"], row["round"], str(row["address"])))
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


async def next_due(tx: Tx, *, addresses: OncallAddresses, delay: timedelta) -> datetime | None:
    """The earliest moment anything is due: a pending e-mail, or a round reaching `delay`."""
    waiting = await tx.scalar("SELECT MIN(w.created_at)" + _WAITING, addresses._params())
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
