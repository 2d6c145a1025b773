"""Reminder schedules and the reminder outbox: per-participant schedule overrides (audited), what
the reminder planner needs to know about a participant, the reminders and digests decided, and
their deliveries to Telegram accounts (pending -> sent, failed or dropped).

A decision and its deliveries are written in one transaction; the UNIQUE key
(participant, cycle key, kind) makes deciding the same message twice impossible, so after a crash
exactly the decided-but-undelivered messages are found pending. The arithmetic of when is in
`conversations.domain.schedule`; this module only stores and fetches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.db import Row, Tx
from storage.models import Actor, Language, ParticipantStatus, Role, from_iso, iso
from storage.sites import Sites, in_sites, sites_from_json

__all__ = [
    "DeliveryState",
    "DigestDelivery",
    "MissedNotice",
    "Recipient",
    "ReminderDelivery",
    "ReminderInputs",
    "ScheduleOverride",
    "audit_changes",
    "awaiting_digest",
    "create_digest",
    "digest_deliveries",
    "digest_exists",
    "digest_notices",
    "drop_delivery",
    "finish_delivery",
    "get_override",
    "inputs",
    "inputs_page",
    "last_audit_id",
    "participants_with_pending",
    "postpone_delivery",
    "recipients",
    "record_missed",
    "record_reminder",
    "reminder_deliveries",
    "set_override",
    "staff_recipients",
]

_TIME_FORMAT: Final = "%H:%M"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # Telegram refused for good: blocked, chat gone, message rejected
    DROPPED = "dropped"  # no longer wanted: window closed, superseded, submitted, paused


class ScheduleOverride(_Model):
    """A participant's own schedule; None where the study default applies."""

    interval_days: int | None = None
    preferred_time: time | None = None
    timezone: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "interval_days": self.interval_days,
            "preferred_time": None
            if self.preferred_time is None
            else self.preferred_time.strftime(_TIME_FORMAT),
            "timezone": self.timezone,
        }


class ReminderInputs(_Model):
    """Everything the planner needs about one participant, read in one snapshot."""

    participant_id: int
    subject: str
    status: ParticipantStatus
    language: Language | None
    enrolled_at: datetime  # the schedule's anchor
    last_submission: datetime | None
    active_since: datetime | None
    override: ScheduleOverride
    sent: frozenset[tuple[str, str]]  # (cycle key, kind) decided since the last submission


class Recipient(_Model):
    """An account to deliver to: its private chat, and the language it reads."""

    account_id: int
    chat_id: int
    role: Role
    language: Language


class ReminderDelivery(_Model):
    """A pending reminder to one account, with what is needed to write and judge it."""

    id: int
    reminder_id: int
    participant_id: int
    subject: str
    cycle_key: str
    kind: str
    decided_at: datetime
    expires_at: datetime
    attempts: int
    retry_at: datetime | None
    chat_id: int
    language: Language
    role: Role | None  # None when the account's link to the participant has ended


class DigestDelivery(_Model):
    """A pending staff digest to one staff account."""

    id: int
    digest_id: int
    day: date
    attempts: int
    parts_sent: int
    retry_at: datetime | None
    chat_id: int
    language: Language
    staff: bool  # False when the account is no longer active staff
    sites: frozenset[str] | None = None  # the staff member's sites (None: study-wide)


class MissedNotice(_Model):
    reminder_id: int
    subject: str
    cycle_key: str
    planned_at: datetime


def _optional_time(text: str | None) -> time | None:
    return None if text is None else datetime.strptime(text, _TIME_FORMAT).time()


def _optional_moment(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)


def _language(*choices: str | None) -> Language:
    for choice in choices:
        if choice == "en":
            return "en"
        if choice == "cs":
            return "cs"
    return "en"


# --- schedules --------------------------------------------------------------------------------


async def get_override(tx: Tx, participant_id: int) -> ScheduleOverride:
    row = await tx.one(
        "SELECT interval_days, preferred_time, timezone FROM schedules WHERE participant_id = ?",
        (participant_id,),
    )
    if row is None:
        return ScheduleOverride()
    return ScheduleOverride(
        interval_days=row["interval_days"],
        preferred_time=_optional_time(row["preferred_time"]),
        timezone=row["timezone"],
    )


async def set_override(
    tx: Tx,
    participant_id: int,
    new: ScheduleOverride,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> ScheduleOverride | None:
    """Replace a participant's schedule and restart it from `now` (`active_since`), audited.

    Returns the old schedule, or None when nothing changed (and nothing was written)."""
    old = await get_override(tx, participant_id)
    if old == new:
        return None
    values = new.as_json()
    await tx.execute(
        "INSERT INTO schedules (participant_id, interval_days, preferred_time, timezone,"
        " active_since, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (participant_id) DO UPDATE SET interval_days = excluded.interval_days,"
        " preferred_time = excluded.preferred_time, timezone = excluded.timezone,"
        " active_since = excluded.active_since, updated_at = excluded.updated_at",
        (
            participant_id,
            values["interval_days"],
            values["preferred_time"],
            values["timezone"],
            iso(now),
            iso(now),
        ),
    )
    await audit.record(
        tx,
        actor=actor,
        action="schedule.change",
        entity="participant",
        entity_id=participant_id,
        at=now,
        old=old.as_json(),
        new=values,
        reason=reason,
        on_behalf_of=participant_id,
    )
    return old


_INPUTS: Final = (
    "WITH base AS ("
    " SELECT p.id, p.subject, p.status, p.language, p.created_at,"
    "  s.interval_days, s.preferred_time, s.timezone, s.active_since,"
    "  (SELECT MAX(a.submitted_at) FROM assessments a"
    "    WHERE a.participant_id = p.id AND a.status = 'submitted') AS last_submitted"
    " FROM participants p LEFT JOIN schedules s ON s.participant_id = p.id"
    " WHERE {where})"
)
# The planner needs the keys decided since the base (last submission, else enrollment); every
# key of its plan is a local date after the base's, so a day's margin covers any UTC offset.
_SENT: Final = (
    " SELECT r.participant_id, r.cycle_key, r.kind FROM base"
    " JOIN reminders r ON r.participant_id = base.id"
    " WHERE r.cycle_key >= date(COALESCE(base.last_submitted, base.created_at), '-1 day')"
)


def _inputs(row: Row, sent: Iterable[tuple[str, str]]) -> ReminderInputs:
    return ReminderInputs(
        participant_id=row["id"],
        subject=row["subject"],
        status=ParticipantStatus(row["status"]),
        language=row["language"],
        enrolled_at=from_iso(row["created_at"]),
        last_submission=_optional_moment(row["last_submitted"]),
        active_since=_optional_moment(row["active_since"]),
        override=ScheduleOverride(
            interval_days=row["interval_days"],
            preferred_time=_optional_time(row["preferred_time"]),
            timezone=row["timezone"],
        ),
        sent=frozenset(sent),
    )


async def _fetch_inputs(tx: Tx, where: str, params: Sequence[object]) -> list[ReminderInputs]:
    sql = _INPUTS.format(where=where)
    rows = await tx.all(sql + " SELECT * FROM base ORDER BY id", params)
    sent: dict[int, list[tuple[str, str]]] = {}
    for key in await tx.all(sql + _SENT, params):
        sent.setdefault(key["participant_id"], []).append((key["cycle_key"], key["kind"]))
    return [_inputs(row, sent.get(row["id"], ())) for row in rows]


async def inputs(tx: Tx, participant_id: int) -> ReminderInputs | None:
    found = await _fetch_inputs(tx, "p.id = ?", (participant_id,))
    return found[0] if found else None


async def inputs_page(tx: Tx, *, after_id: int, limit: int) -> list[ReminderInputs]:
    """Active participants with an id above `after_id`, by id: the start-up rebuild, in pages."""
    return await _fetch_inputs(
        tx,
        "p.id IN (SELECT id FROM participants WHERE id > ? AND status = 'active'"
        " ORDER BY id LIMIT ?)",
        (after_id, limit),
    )


async def recipients(
    tx: Tx, participant_id: int, *, consent_version: str | None = None
) -> list[Recipient]:
    """The patient's account and the caregivers' accounts with an active link; with
    `consent_version`, only those that agreed to that version of the privacy notice."""
    consented = (
        ""
        if consent_version is None
        else " AND EXISTS (SELECT 1 FROM consents c WHERE c.link_id = l.id AND c.version = ?"
        " AND c.decision = 'agreed')"
    )
    params: tuple[object, ...] = (participant_id,)
    if consent_version is not None:
        params += (consent_version,)
    rows = await tx.all(
        "SELECT a.id, a.telegram_user_id, a.language, l.role, p.language AS p_language"
        " FROM links l JOIN accounts a ON a.id = l.account_id"
        " JOIN participants p ON p.id = l.participant_id"
        " WHERE l.participant_id = ? AND l.revoked_at IS NULL"
        " AND l.role IN ('patient', 'caregiver')" + consented + " ORDER BY l.id",
        params,
    )
    return [
        Recipient(
            account_id=row["id"],
            chat_id=row["telegram_user_id"],
            role=Role(row["role"]),
            language=_language(row["language"], row["p_language"]),
        )
        for row in rows
    ]


async def staff_recipients(tx: Tx) -> list[Recipient]:
    """Every account with an active staff link."""
    rows = await tx.all(
        "SELECT DISTINCT a.id, a.telegram_user_id, a.language FROM links l"
        " JOIN accounts a ON a.id = l.account_id"
        " WHERE l.role = 'staff' AND l.revoked_at IS NULL ORDER BY a.id"
    )
    return [
        Recipient(
            account_id=row["id"],
            chat_id=row["telegram_user_id"],
            role=Role.STAFF,
            language=_language(row["language"]),
        )
        for row in rows
    ]


# --- deciding ---------------------------------------------------------------------------------


async def record_reminder(
    tx: Tx,
    participant_id: int,
    *,
    cycle_key: str,
    kind: str,
    planned_at: datetime,
    expires_at: datetime,
    to: Sequence[Recipient],
    now: datetime,
) -> int:
    """Decide a reminder: its row and one pending delivery per recipient. Deciding the same
    (participant, cycle, kind) again violates the UNIQUE key and fails the whole unit."""
    reminder_id = await tx.execute(
        "INSERT INTO reminders (participant_id, cycle_key, kind, planned_at, decided_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        (participant_id, cycle_key, kind, iso(planned_at), iso(now), iso(expires_at)),
    )
    await tx.executemany(
        "INSERT INTO reminder_deliveries (reminder_id, account_id) VALUES (?, ?)",
        [(reminder_id, recipient.account_id) for recipient in to],
    )
    return reminder_id


async def record_missed(
    tx: Tx, participant_id: int, *, cycle_key: str, planned_at: datetime, now: datetime
) -> int:
    """Decide a MISSED notice; it waits for the staff digest of its day."""
    return await tx.execute(
        "INSERT INTO reminders (participant_id, cycle_key, kind, planned_at, decided_at)"
        " VALUES (?, ?, 'missed', ?, ?)",
        (participant_id, cycle_key, iso(planned_at), iso(now)),
    )


# --- delivering -------------------------------------------------------------------------------


async def reminder_deliveries(tx: Tx, participant_id: int) -> list[ReminderDelivery]:
    """The participant's pending reminder deliveries, oldest decision first."""
    rows = await tx.all(
        "SELECT d.id, d.reminder_id, d.attempts, d.retry_at, r.participant_id, r.cycle_key,"
        " r.kind, r.decided_at, r.expires_at, p.subject, p.language AS p_language,"
        " a.telegram_user_id, a.language,"
        " (SELECT l.role FROM links l WHERE l.account_id = a.id"
        "   AND l.participant_id = r.participant_id AND l.revoked_at IS NULL"
        "   AND l.role IN ('patient', 'caregiver')) AS role"
        " FROM reminder_deliveries d JOIN reminders r ON r.id = d.reminder_id"
        " JOIN participants p ON p.id = r.participant_id"
        " JOIN accounts a ON a.id = d.account_id"
        " WHERE d.state = 'pending' AND d.reminder_id IS NOT NULL AND r.participant_id = ?"
        " ORDER BY r.decided_at, d.id",
        (participant_id,),
    )
    return [
        ReminderDelivery(
            id=row["id"],
            reminder_id=row["reminder_id"],
            participant_id=row["participant_id"],
            subject=row["subject"],
            cycle_key=row["cycle_key"],
            kind=row["kind"],
            decided_at=from_iso(row["decided_at"]),
            expires_at=from_iso(row["expires_at"]),
            attempts=row["attempts"],
            retry_at=_optional_moment(row["retry_at"]),
            chat_id=row["telegram_user_id"],
            language=_language(row["language"], row["p_language"]),
            role=None if row["role"] is None else Role(row["role"]),
        )
        for row in rows
    ]


async def participants_with_pending(tx: Tx) -> list[int]:
    """Participants with reminder deliveries still pending (after a crash or a failure)."""
    rows = await tx.all(
        "SELECT DISTINCT r.participant_id FROM reminder_deliveries d"
        " JOIN reminders r ON r.id = d.reminder_id"
        " WHERE d.state = 'pending' AND d.reminder_id IS NOT NULL ORDER BY r.participant_id"
    )
    return [row[0] for row in rows]


async def finish_delivery(
    tx: Tx,
    delivery_id: int,
    state: DeliveryState,
    *,
    now: datetime,
    outcome: str | None = None,
    parts_sent: int | None = None,
) -> None:
    """Close a pending delivery: sent, failed or dropped. A closed one is never reopened."""
    await tx.execute(
        "UPDATE reminder_deliveries SET state = ?, outcome = ?, done_at = ?, retry_at = NULL,"
        " attempts = attempts + ?, parts_sent = COALESCE(?, parts_sent)"
        " WHERE id = ? AND state = 'pending'",
        (
            state.value,
            outcome,
            iso(now),
            0 if state is DeliveryState.DROPPED else 1,
            parts_sent,
            delivery_id,
        ),
    )


async def drop_delivery(tx: Tx, delivery_id: int, *, outcome: str, now: datetime) -> None:
    await finish_delivery(tx, delivery_id, DeliveryState.DROPPED, now=now, outcome=outcome)


async def postpone_delivery(
    tx: Tx,
    delivery_id: int,
    *,
    retry_at: datetime,
    outcome: str,
    parts_sent: int | None = None,
) -> None:
    """A transient failure: count the attempt and try again at `retry_at`."""
    await tx.execute(
        "UPDATE reminder_deliveries SET attempts = attempts + 1, retry_at = ?, outcome = ?,"
        " parts_sent = COALESCE(?, parts_sent) WHERE id = ? AND state = 'pending'",
        (iso(retry_at), outcome, parts_sent, delivery_id),
    )


# --- the staff digest -------------------------------------------------------------------------


async def digest_exists(tx: Tx, day: date) -> bool:
    return bool(await tx.scalar("SELECT 1 FROM reminder_digests WHERE day = ?", (day.isoformat(),)))


async def awaiting_digest(tx: Tx, *, until: datetime) -> int:
    """How many MISSED notices planned at or before `until` no digest has carried yet."""
    return int(
        await tx.scalar(
            "SELECT COUNT(*) FROM reminders WHERE kind = 'missed' AND digest_id IS NULL"
            " AND planned_at <= ?",
            (iso(until),),
        )
    )


async def create_digest(tx: Tx, day: date, *, until: datetime, now: datetime) -> int | None:
    """The digest of a study-local day: every MISSED notice planned at or before `until` that no
    digest carried yet, and a pending delivery per active staff account. None when that day's
    digest exists already or there is nothing to report."""
    if await digest_exists(tx, day):
        return None
    if not await awaiting_digest(tx, until=until):
        return None
    digest_id = await tx.execute(
        "INSERT INTO reminder_digests (day, created_at) VALUES (?, ?)", (day.isoformat(), iso(now))
    )
    await tx.execute(
        "UPDATE reminders SET digest_id = ? WHERE kind = 'missed' AND digest_id IS NULL"
        " AND planned_at <= ?",
        (digest_id, iso(until)),
    )
    await tx.executemany(
        "INSERT INTO reminder_deliveries (digest_id, account_id) VALUES (?, ?)",
        [(digest_id, staff.account_id) for staff in await staff_recipients(tx)],
    )
    return digest_id


async def digest_notices(tx: Tx, digest_id: int, *, sites: Sites = None) -> list[MissedNotice]:
    """The digest's missed notices about participants of `sites` (None: all)."""
    where, params = in_sites("p.site", sites)
    rows = await tx.all(
        "SELECT r.id, r.cycle_key, r.planned_at, p.subject FROM reminders r"
        " JOIN participants p ON p.id = r.participant_id"
        f" WHERE r.digest_id = ? AND {where} ORDER BY p.subject, r.cycle_key",
        (digest_id, *params),
    )
    return [
        MissedNotice(
            reminder_id=row["id"],
            subject=row["subject"],
            cycle_key=row["cycle_key"],
            planned_at=from_iso(row["planned_at"]),
        )
        for row in rows
    ]


async def digest_deliveries(tx: Tx) -> list[DigestDelivery]:
    """Every pending digest delivery, oldest digest first."""
    rows = await tx.all(
        "SELECT d.id, d.digest_id, d.attempts, d.parts_sent, d.retry_at, g.day,"
        " a.telegram_user_id, a.language,"
        " EXISTS (SELECT 1 FROM links l WHERE l.account_id = a.id AND l.role = 'staff'"
        "   AND l.revoked_at IS NULL) AS staff,"
        " (SELECT l.sites FROM links l WHERE l.account_id = a.id AND l.role = 'staff'"
        "   AND l.revoked_at IS NULL) AS sites"
        " FROM reminder_deliveries d JOIN reminder_digests g ON g.id = d.digest_id"
        " JOIN accounts a ON a.id = d.account_id"
        " WHERE d.state = 'pending' AND d.digest_id IS NOT NULL ORDER BY g.day, d.id"
    )
    return [
        DigestDelivery(
            id=row["id"],
            digest_id=row["digest_id"],
            day=date.fromisoformat(row["day"]),
            attempts=row["attempts"],
            parts_sent=row["parts_sent"],
            retry_at=_optional_moment(row["retry_at"]),
            chat_id=row["telegram_user_id"],
            language=_language(row["language"]),
            staff=bool(row["staff"]),
            sites=sites_from_json(row["sites"]),
        )
        for row in rows
    ]


# --- what changed -----------------------------------------------------------------------------


async def last_audit_id(tx: Tx) -> int:
    return int(await tx.scalar("SELECT COALESCE(MAX(id), 0) FROM audit"))


async def audit_changes(tx: Tx, *, after_id: int) -> tuple[list[int], int]:
    """Participants with an audit entry after `after_id` (any change: a submission, a status, a
    schedule, a link), and the last audit id seen. The audit trail is append-only and every
    change of every process (the bot, the CLI) passes through it, so it is the change feed."""
    rows = await tx.all(
        "SELECT DISTINCT on_behalf_of FROM audit WHERE id > ? AND on_behalf_of IS NOT NULL",
        (after_id,),
    )
    last = int(await tx.scalar("SELECT COALESCE(MAX(id), ?) FROM audit", (after_id,)))
    return sorted(row[0] for row in rows), last
