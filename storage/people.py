"""Participants, Telegram accounts, the links between them, and invitation codes.

Telegram account ids live only in `accounts`; study data refers to links, so removing a link
leaves the study record pseudonymous. Invitation codes are stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.db import Row, Tx
from storage.models import (
    Account,
    Actor,
    ActorRole,
    Identity,
    LinkInfo,
    Participant,
    ParticipantStatus,
    RespondentCheck,
    Role,
    from_iso,
    iso,
)
from storage.sites import STAFF_COVERS, Sites, in_sites, sites_from_json, sites_json

SYSTEM: Final = Actor(role=ActorRole.SYSTEM)

__all__ = [
    "CODE_PATTERN",
    "SUBJECT_PATTERN",
    "DuplicateSubject",
    "LinkRow",
    "Overview",
    "RedeemResult",
    "Sites",
    "adopt_unassigned",
    "canonical_subject",
    "count_participants",
    "count_recent_failures",
    "create_invitation",
    "create_participant",
    "ensure_account",
    "expire_codes",
    "get_participant",
    "identity",
    "in_sites",
    "link",
    "link_is_active",
    "list_participants",
    "move_site",
    "overview",
    "participant_by_id",
    "participant_links",
    "record_failed_attempt",
    "redeem",
    "respondent_check",
    "revoke_link",
    "set_account_language",
    "set_account_language_quietly",
    "set_status",
    "site_counts",
    "site_staff_accounts",
    "sites_from_json",
    "sites_json",
    "staff_accounts",
    "staff_links",
    "telegram_id_of_link",
]

SUBJECT_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# 16 random bytes = 128 bits, base64url: 22 characters of [A-Za-z0-9_-].
CODE_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def canonical_subject(subject: str) -> str:
    """The one stored form of a study ID: IDs are case-insensitive, kept in capitals."""
    return subject.strip().upper()


class DuplicateSubject(ValueError):
    """A participant with that study ID already exists."""


class RedeemResult(StrEnum):
    LINKED = "linked"
    INVALID = "invalid"  # wrong, used or expired: one answer for all three
    CONFLICT = "conflict"  # the account may not take that role (e.g. already the patient)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _participant(row: Row) -> Participant:
    gastro = row["has_gastrostomy"]
    return Participant(
        id=row["id"],
        subject=row["subject"],
        language=row["language"],
        status=ParticipantStatus(row["status"]),
        has_gastrostomy=None if gastro is None else bool(gastro),
        created_at=from_iso(row["created_at"]),
        site=row["site"],
    )


async def create_participant(
    tx: Tx,
    *,
    subject: str,
    language: str | None,
    actor: Actor,
    now: datetime,
    site: str | None = None,
) -> Participant:
    if not SUBJECT_PATTERN.fullmatch(subject):
        raise ValueError("a study ID is 1-32 letters, digits, '-' or '_'")
    subject = canonical_subject(subject)
    if await tx.scalar("SELECT 1 FROM participants WHERE subject = ? COLLATE NOCASE", (subject,)):
        raise DuplicateSubject(subject)
    pid = await tx.execute(
        "INSERT INTO participants (subject, language, created_at, site) VALUES (?, ?, ?, ?)",
        (subject, language, iso(now), site),
    )
    await audit.record(
        tx,
        actor=actor,
        action="participant.create",
        entity="participant",
        entity_id=pid,
        at=now,
        new={"subject": subject, "language": language, "site": site},
        on_behalf_of=pid,
    )
    participant = await participant_by_id(tx, pid)
    assert participant is not None
    return participant


async def participant_by_id(tx: Tx, participant_id: int) -> Participant | None:
    row = await tx.one("SELECT * FROM participants WHERE id = ?", (participant_id,))
    return None if row is None else _participant(row)


async def get_participant(tx: Tx, subject: str) -> Participant | None:
    # NOCASE also finds a row stored before IDs were kept in capitals.
    row = await tx.one(
        "SELECT * FROM participants WHERE subject = ? COLLATE NOCASE ORDER BY subject = ? DESC",
        (canonical_subject(subject), canonical_subject(subject)),
    )
    return None if row is None else _participant(row)


async def list_participants(tx: Tx) -> list[Participant]:
    return [_participant(r) for r in await tx.all("SELECT * FROM participants ORDER BY subject")]


async def adopt_unassigned(tx: Tx, site: str, *, now: datetime) -> list[int]:
    """Put every participant made before sites existed into `site` (the study's default), with
    one audit entry each. Returns their ids."""
    rows = await tx.all("SELECT id FROM participants WHERE site IS NULL ORDER BY id")
    for row in rows:
        await tx.execute("UPDATE participants SET site = ? WHERE id = ?", (site, row["id"]))
        await audit.record(
            tx,
            actor=SYSTEM,
            action="participant.site",
            entity="participant",
            entity_id=row["id"],
            at=now,
            old=None,
            new=site,
            reason="the study's default site, for a participant enrolled before sites",
            on_behalf_of=row["id"],
        )
    return [int(row["id"]) for row in rows]


async def site_counts(tx: Tx) -> dict[str | None, int]:
    """How many participants each site holds (None: not yet in a site)."""
    rows = await tx.all("SELECT site, COUNT(*) FROM participants GROUP BY site")
    return {row[0]: int(row[1]) for row in rows}


async def move_site(
    tx: Tx,
    *,
    to: str,
    subject: str | None,
    from_site: str | None,
    actor: Actor,
    now: datetime,
    reason: str,
) -> list[tuple[int, str, str | None]]:
    """Move one participant, or every participant of `from_site`, to site `to`; one audit entry
    each (old and new site). Returns (id, study ID, old site) of each participant moved."""
    if (subject is None) == (from_site is None):
        raise ValueError("name one participant or one site to move from")
    if subject is not None:
        found = await get_participant(tx, subject)
        rows = [] if found is None else [(found.id, found.subject, found.site)]
    else:
        rows = [
            (row["id"], row["subject"], row["site"])
            for row in await tx.all(
                "SELECT id, subject, site FROM participants WHERE site = ? COLLATE NOCASE"
                " ORDER BY subject",
                (from_site,),
            )
        ]
    moved = []
    for pid, found_subject, old in rows:
        if old == to:
            continue
        await tx.execute("UPDATE participants SET site = ? WHERE id = ?", (to, pid))
        await audit.record(
            tx,
            actor=actor,
            action="participant.site",
            entity="participant",
            entity_id=pid,
            at=now,
            old=old,
            new=to,
            reason=reason,
            on_behalf_of=pid,
        )
        moved.append((pid, found_subject, old))
    return moved


async def create_invitation(
    tx: Tx,
    *,
    role: Role,
    participant_id: int | None,
    actor: Actor,
    now: datetime,
    ttl: timedelta,
    sites: Sites = None,
) -> str:
    """A new single-use code; only its hash is stored. Returns the plain code, shown once.
    A staff invitation carries the sites its link will have (None: study-wide)."""
    if role is not Role.STAFF and sites is not None:
        raise ValueError("only a staff invitation names sites")
    code = secrets.token_urlsafe(16)
    invitation_id = await tx.execute(
        "INSERT INTO invitations (code_hash, role, participant_id, created_at, expires_at, sites)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (_hash(code), role.value, participant_id, iso(now), iso(now + ttl), sites_json(sites)),
    )
    await audit.record(
        tx,
        actor=actor,
        action="invitation.create",
        entity="invitation",
        entity_id=invitation_id,
        at=now,
        new={"role": role.value, "expires_at": iso(now + ttl)}
        | ({"sites": sorted(sites)} if sites is not None else {}),
        on_behalf_of=participant_id,
    )
    return code


async def expire_codes(
    tx: Tx,
    participant_id: int,
    *,
    actor: Actor,
    now: datetime,
    role: Role | None = None,
    reason: str,
) -> int:
    """End every unused, unexpired code for this participant (of `role` only, when given), so
    that none of them links an account any more; audited. Returns how many were ended."""
    sql = (
        "SELECT id, role FROM invitations WHERE participant_id = ? AND used_at IS NULL"
        " AND expires_at > ?"
    )
    params: list[object] = [participant_id, iso(now)]
    if role is not None:
        sql += " AND role = ?"
        params.append(role.value)
    rows = await tx.all(sql + " ORDER BY id", params)
    for row in rows:
        await tx.execute(
            "UPDATE invitations SET expires_at = ? WHERE id = ?", (iso(now), row["id"])
        )
        await audit.record(
            tx,
            actor=actor,
            action="invitation.expire",
            entity="invitation",
            entity_id=row["id"],
            at=now,
            new={"role": row["role"], "expires_at": iso(now)},
            reason=reason,
            on_behalf_of=participant_id,
        )
    return len(rows)


async def ensure_account(tx: Tx, telegram_user_id: int, now: datetime) -> Account:
    row = await tx.one("SELECT * FROM accounts WHERE telegram_user_id = ?", (telegram_user_id,))
    if row is None:
        account_id = await tx.execute(
            "INSERT INTO accounts (telegram_user_id, created_at) VALUES (?, ?)",
            (telegram_user_id, iso(now)),
        )
        return Account(id=account_id, telegram_user_id=telegram_user_id, language=None)
    return Account(id=row["id"], telegram_user_id=row["telegram_user_id"], language=row["language"])


async def set_account_language(
    tx: Tx, account: Account, language: str, actor: Actor, now: datetime
) -> None:
    await tx.execute("UPDATE accounts SET language = ? WHERE id = ?", (language, account.id))
    await audit.record(
        tx,
        actor=actor,
        action="account.language",
        entity="account",
        entity_id=account.id,
        at=now,
        old=account.language,
        new=language,
    )


async def set_account_language_quietly(tx: Tx, account: Account, language: str) -> None:
    """The language, without an audit entry (a repeat the caller counts instead)."""
    await tx.execute("UPDATE accounts SET language = ? WHERE id = ?", (language, account.id))


async def identity(tx: Tx, telegram_user_id: int) -> Identity | None:
    """The account and its active links, or None for a Telegram user the study does not know.
    One statement: it needs no transaction of its own to be consistent."""
    rows = await tx.all(
        "SELECT a.id AS account_id, a.telegram_user_id, a.language AS account_language,"
        " l.id AS link_id, l.role, l.created_at AS linked_at, l.sites AS link_sites, p.*"
        " FROM accounts a LEFT JOIN links l ON l.account_id = a.id AND l.revoked_at IS NULL"
        " LEFT JOIN participants p ON p.id = l.participant_id"
        " WHERE a.telegram_user_id = ? ORDER BY l.id",
        (telegram_user_id,),
    )
    if not rows:
        return None
    first = rows[0]
    account = Account(
        id=first["account_id"],
        telegram_user_id=first["telegram_user_id"],
        language=first["account_language"],
    )
    return Identity(
        account=account,
        links=tuple(
            LinkInfo(
                id=link["link_id"],
                role=Role(link["role"]),
                participant=None if link["subject"] is None else _participant(link),
                created_at=from_iso(link["linked_at"]),
                sites=sites_from_json(link["link_sites"]),
            )
            for link in rows
            if link["link_id"] is not None
        ),
    )


async def redeem(
    tx: Tx, *, code: str, telegram_user_id: int, now: datetime
) -> tuple[RedeemResult, Identity | None]:
    """Bind a Telegram account by a code. Wrong, used and expired codes are indistinguishable."""
    if not CODE_PATTERN.fullmatch(code):
        return RedeemResult.INVALID, None
    row = await tx.one("SELECT * FROM invitations WHERE code_hash = ?", (_hash(code),))
    if row is not None and await _redeemed_by(tx, row, telegram_user_id):
        # The same /start delivered again (e.g. after a crash before the reply): still linked.
        return RedeemResult.LINKED, await identity(tx, telegram_user_id)
    if row is None or row["used_at"] is not None or from_iso(row["expires_at"]) <= now:
        return RedeemResult.INVALID, None
    role = Role(row["role"])
    participant_id: int | None = row["participant_id"]
    account = await ensure_account(tx, telegram_user_id, now)
    existing = await tx.all(
        "SELECT role, participant_id FROM links WHERE account_id = ? AND revoked_at IS NULL",
        (account.id,),
    )
    for link in existing:
        same_participant = link["participant_id"] == participant_id
        if same_participant or (role is Role.PATIENT and link["role"] == Role.PATIENT.value):
            # Already linked to this participant, or already somebody's patient account.
            return RedeemResult.CONFLICT, None
    if role is Role.PATIENT and await tx.scalar(
        "SELECT 1 FROM links WHERE participant_id = ? AND role = 'patient' AND revoked_at IS NULL",
        (participant_id,),
    ):
        return RedeemResult.CONFLICT, None
    link_id = await tx.execute(
        "INSERT INTO links (account_id, participant_id, role, created_at, sites)"
        " VALUES (?, ?, ?, ?, ?)",
        (account.id, participant_id, role.value, iso(now), row["sites"]),
    )
    await tx.execute(
        "UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?",
        (iso(now), account.id, row["id"]),
    )
    participant = None if participant_id is None else await participant_by_id(tx, participant_id)
    if (
        role is Role.PATIENT
        and participant is not None
        and participant.language
        and account.language is None
    ):
        await tx.execute(
            "UPDATE accounts SET language = ? WHERE id = ?", (participant.language, account.id)
        )
    await audit.record(
        tx,
        actor=Actor(role=ActorRole(role.value), link_id=link_id, participant_id=participant_id),
        action="link.create",
        entity="link",
        entity_id=link_id,
        at=now,
        new={"role": role.value, "invitation": row["id"]}
        | ({"sites": json.loads(row["sites"])} if row["sites"] is not None else {}),
    )
    return RedeemResult.LINKED, await identity(tx, telegram_user_id)


async def _redeemed_by(tx: Tx, invitation: Row, telegram_user_id: int) -> bool:
    """Whether this account used the invitation and still holds the link it made."""
    if invitation["used_at"] is None or invitation["used_by"] is None:
        return False
    return bool(
        await tx.scalar(
            "SELECT 1 FROM links JOIN accounts ON accounts.id = links.account_id"
            " WHERE accounts.id = ? AND accounts.telegram_user_id = ? AND links.role = ?"
            " AND links.participant_id IS ? AND links.revoked_at IS NULL",
            (
                invitation["used_by"],
                telegram_user_id,
                invitation["role"],
                invitation["participant_id"],
            ),
        )
    )


async def record_failed_attempt(tx: Tx, telegram_user_id: int, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO code_attempts (telegram_user_id, at) VALUES (?, ?)",
        (telegram_user_id, iso(now)),
    )


async def count_recent_failures(tx: Tx, telegram_user_id: int, since: datetime) -> int:
    return int(
        await tx.scalar(
            "SELECT COUNT(*) FROM code_attempts WHERE telegram_user_id = ? AND at > ?",
            (telegram_user_id, iso(since)),
        )
    )


class LinkRow(BaseModel):
    """A link as staff see it: an internal id, a role, when it was made and ended."""

    model_config = ConfigDict(frozen=True)

    id: int
    role: Role
    subject: str | None
    created_at: datetime
    revoked_at: datetime | None
    sites: frozenset[str] | None = None  # a staff link's sites (None: study-wide)
    site: str | None = None  # a patient's or caregiver's link: the participant's site


def _link_row(row: Row) -> LinkRow:
    keys = row.keys()
    return LinkRow(
        id=row["id"],
        role=Role(row["role"]),
        subject=row["subject"],
        created_at=from_iso(row["created_at"]),
        revoked_at=None if row["revoked_at"] is None else from_iso(row["revoked_at"]),
        sites=sites_from_json(row["sites"]) if "sites" in keys else None,
        site=row["site"] if "site" in keys else None,
    )


async def participant_links(tx: Tx, participant_id: int) -> list[LinkRow]:
    rows = await tx.all(
        "SELECT l.*, p.subject, p.site FROM links l JOIN participants p"
        " ON p.id = l.participant_id WHERE l.participant_id = ? ORDER BY l.id",
        (participant_id,),
    )
    return [_link_row(row) for row in rows]


async def staff_links(tx: Tx, *, active_only: bool = True) -> list[LinkRow]:
    rows = await tx.all(
        "SELECT l.*, NULL AS subject FROM links l WHERE l.role = 'staff'"
        + (" AND l.revoked_at IS NULL" if active_only else "")
        + " ORDER BY l.id"
    )
    return [_link_row(row) for row in rows]


async def link(tx: Tx, link_id: int) -> LinkRow | None:
    row = await tx.one(
        "SELECT l.*, p.subject, p.site FROM links l"
        " LEFT JOIN participants p ON p.id = l.participant_id WHERE l.id = ?",
        (link_id,),
    )
    return None if row is None else _link_row(row)


async def link_is_active(tx: Tx, link_id: int) -> bool:
    return bool(
        await tx.scalar("SELECT 1 FROM links WHERE id = ? AND revoked_at IS NULL", (link_id,))
    )


async def revoke_link(
    tx: Tx, link_id: int, *, actor: Actor, now: datetime, reason: str | None = None
) -> LinkRow | None:
    """End a caregiver's or staff member's access at once. Returns the link, or None when
    there is no such active caregiver or staff link (patients are withdrawn, not revoked)."""
    row = await link(tx, link_id)
    if row is None or row.revoked_at is not None or row.role is Role.PATIENT:
        return None
    await tx.execute("UPDATE links SET revoked_at = ? WHERE id = ?", (iso(now), link_id))
    participant_id = await tx.scalar("SELECT participant_id FROM links WHERE id = ?", (link_id,))
    await audit.record(
        tx,
        actor=actor,
        action="link.revoke",
        entity="link",
        entity_id=link_id,
        at=now,
        old={"role": row.role.value, "active": True},
        new={"active": False},
        reason=reason,
        on_behalf_of=participant_id,
    )
    return row


async def set_status(
    tx: Tx,
    participant: Participant,
    status: ParticipantStatus,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Change a participant's status. Withdrawn is final. Returns False when nothing changed."""
    if participant.status is status or participant.status is ParticipantStatus.WITHDRAWN:
        return False
    await tx.execute(
        "UPDATE participants SET status = ? WHERE id = ?", (status.value, participant.id)
    )
    await audit.record(
        tx,
        actor=actor,
        action="participant.status",
        entity="participant",
        entity_id=participant.id,
        at=now,
        old=participant.status.value,
        new=status.value,
        reason=reason,
        on_behalf_of=participant.id,
    )
    return True


class Overview(BaseModel):
    """One line of the staff's participant list."""

    model_config = ConfigDict(frozen=True)

    subject: str
    site: str | None
    status: ParticipantStatus
    last_at: datetime | None
    last_total: int | None
    previous_total: int | None
    open_alerts: int


async def overview(
    tx: Tx, *, offset: int = 0, limit: int | None = None, sites: Sites = None
) -> list[Overview]:
    """Every participant (of `sites`) with their last two totals and open alerts, ordered by
    study ID."""
    where, params = in_sites("p.site", sites)
    rows = await tx.all(
        "WITH ranked AS ("
        "  SELECT participant_id, submitted_at, total, ROW_NUMBER() OVER ("
        "    PARTITION BY participant_id ORDER BY submitted_at DESC, id DESC) AS n"
        "  FROM assessments WHERE status = 'submitted')"
        " SELECT p.subject, p.status, p.site,"
        "  (SELECT submitted_at FROM ranked r WHERE r.participant_id = p.id AND n = 1) AS last_at,"
        "  (SELECT total FROM ranked r WHERE r.participant_id = p.id AND n = 1) AS last_total,"
        "  (SELECT total FROM ranked r WHERE r.participant_id = p.id AND n = 2) AS prev_total,"
        "  (SELECT COUNT(*) FROM alerts a WHERE a.participant_id = p.id"
        "     AND a.acknowledged_at IS NULL) AS open_alerts"
        f" FROM participants p WHERE {where} ORDER BY p.subject LIMIT ? OFFSET ?",
        (*params, -1 if limit is None else limit, offset),
    )
    return [
        Overview(
            site=row["site"],
            subject=row["subject"],
            status=ParticipantStatus(row["status"]),
            last_at=None if row["last_at"] is None else from_iso(row["last_at"]),
            last_total=row["last_total"],
            previous_total=row["prev_total"],
            open_alerts=row["open_alerts"],
        )
        for row in rows
    ]


async def count_participants(tx: Tx, *, sites: Sites = None) -> int:
    where, params = in_sites("site", sites)
    return int(await tx.scalar(f"SELECT COUNT(*) FROM participants WHERE {where}", params))


async def staff_accounts(tx: Tx) -> list[tuple[int, str | None]]:
    """(Telegram user id, language) of every active staff member, for their command menu."""
    rows = await tx.all(
        "SELECT a.telegram_user_id, a.language FROM links l JOIN accounts a"
        " ON a.id = l.account_id WHERE l.role = 'staff' AND l.revoked_at IS NULL ORDER BY l.id"
    )
    return [(int(row[0]), row[1]) for row in rows]


async def site_staff_accounts(tx: Tx, site: str | None) -> list[tuple[int, str | None]]:
    """(Telegram user id, language) of every active staff member who works for `site` or for
    the whole study."""
    rows = await tx.all(
        "SELECT a.telegram_user_id, a.language FROM links l JOIN accounts a"
        " ON a.id = l.account_id WHERE l.role = 'staff' AND l.revoked_at IS NULL"
        f" AND {STAFF_COVERS.format(site='?')} ORDER BY l.id",
        (site,),
    )
    return [(int(row[0]), row[1]) for row in rows]


async def telegram_id_of_link(tx: Tx, link_id: int) -> int | None:
    value = await tx.scalar(
        "SELECT a.telegram_user_id FROM links l JOIN accounts a ON a.id = l.account_id"
        " WHERE l.id = ?",
        (link_id,),
    )
    return None if value is None else int(value)


async def respondent_check(tx: Tx, *, link_id: int, participant_id: int) -> RespondentCheck | None:
    """In one round trip: is the respondent's link active, the participant's status and study
    ID (None when the participant does not exist)."""
    row = await tx.one(
        "SELECT p.status, p.subject, (SELECT revoked_at IS NULL FROM links WHERE id = ?)"
        " AS link_active FROM participants p WHERE p.id = ?",
        (link_id, participant_id),
    )
    if row is None:
        return None
    return RespondentCheck(
        link_active=bool(row["link_active"]),
        participant_status=ParticipantStatus(row["status"]),
        subject=str(row["subject"]),
    )


async def remembered_gastrostomy(tx: Tx, participant_id: int) -> bool | None:
    """Whether the participant has a gastrostomy, as last answered (None: never asked)."""
    found = await tx.scalar(
        "SELECT has_gastrostomy FROM participants WHERE id = ?", (participant_id,)
    )
    return None if found is None else bool(found)


async def set_gastrostomy(tx: Tx, participant_id: int, has_gastrostomy: bool) -> None:
    await tx.execute(
        "UPDATE participants SET has_gastrostomy = ? WHERE id = ?",
        (int(has_gastrostomy), participant_id),
    )
