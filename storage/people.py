"""Participants, Telegram accounts, the links between them, and invitation codes.

Telegram account ids live only in `accounts`; study data refers to links, so removing a link
leaves the study record pseudonymous. Invitation codes are stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

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
    Role,
    from_iso,
    iso,
)

__all__ = [
    "CODE_PATTERN",
    "SUBJECT_PATTERN",
    "DuplicateSubject",
    "RedeemResult",
    "count_recent_failures",
    "create_invitation",
    "create_participant",
    "ensure_account",
    "get_participant",
    "identity",
    "list_participants",
    "participant_by_id",
    "record_failed_attempt",
    "redeem",
    "set_account_language",
]

SUBJECT_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# 16 random bytes = 128 bits, base64url: 22 characters of [A-Za-z0-9_-].
CODE_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


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
    )


async def create_participant(
    tx: Tx, *, subject: str, language: str | None, actor: Actor, now: datetime
) -> Participant:
    if not SUBJECT_PATTERN.fullmatch(subject):
        raise ValueError("a study ID is 1-32 letters, digits, '-' or '_'")
    if await tx.scalar("SELECT 1 FROM participants WHERE subject = ?", (subject,)):
        raise DuplicateSubject(subject)
    pid = await tx.execute(
        "INSERT INTO participants (subject, language, created_at) VALUES (?, ?, ?)",
        (subject, language, iso(now)),
    )
    await audit.record(
        tx,
        actor=actor,
        action="participant.create",
        entity="participant",
        entity_id=pid,
        at=now,
        new={"subject": subject, "language": language},
        on_behalf_of=pid,
    )
    participant = await participant_by_id(tx, pid)
    assert participant is not None
    return participant


async def participant_by_id(tx: Tx, participant_id: int) -> Participant | None:
    row = await tx.one("SELECT * FROM participants WHERE id = ?", (participant_id,))
    return None if row is None else _participant(row)


async def get_participant(tx: Tx, subject: str) -> Participant | None:
    row = await tx.one("SELECT * FROM participants WHERE subject = ?", (subject,))
    return None if row is None else _participant(row)


async def list_participants(tx: Tx) -> list[Participant]:
    return [_participant(r) for r in await tx.all("SELECT * FROM participants ORDER BY subject")]


async def create_invitation(
    tx: Tx,
    *,
    role: Role,
    participant_id: int | None,
    actor: Actor,
    now: datetime,
    ttl: timedelta,
) -> str:
    """A new single-use code; only its hash is stored. Returns the plain code, shown once."""
    code = secrets.token_urlsafe(16)
    invitation_id = await tx.execute(
        "INSERT INTO invitations (code_hash, role, participant_id, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (_hash(code), role.value, participant_id, iso(now), iso(now + ttl)),
    )
    await audit.record(
        tx,
        actor=actor,
        action="invitation.create",
        entity="invitation",
        entity_id=invitation_id,
        at=now,
        new={"role": role.value, "expires_at": iso(now + ttl)},
        on_behalf_of=participant_id,
    )
    return code


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


async def identity(tx: Tx, telegram_user_id: int) -> Identity | None:
    """The account and its active links, or None for a Telegram user the study does not know."""
    row = await tx.one("SELECT * FROM accounts WHERE telegram_user_id = ?", (telegram_user_id,))
    if row is None:
        return None
    account = Account(
        id=row["id"], telegram_user_id=row["telegram_user_id"], language=row["language"]
    )
    links = await tx.all(
        "SELECT l.id AS link_id, l.role, l.created_at AS linked_at, p.*"
        " FROM links l LEFT JOIN participants p ON p.id = l.participant_id"
        " WHERE l.account_id = ? AND l.revoked_at IS NULL ORDER BY l.id",
        (account.id,),
    )
    return Identity(
        account=account,
        links=tuple(
            LinkInfo(
                id=link["link_id"],
                role=Role(link["role"]),
                participant=None if link["subject"] is None else _participant(link),
                created_at=from_iso(link["linked_at"]),
            )
            for link in links
        ),
    )


async def redeem(
    tx: Tx, *, code: str, telegram_user_id: int, now: datetime
) -> tuple[RedeemResult, Identity | None]:
    """Bind a Telegram account by a code. Wrong, used and expired codes are indistinguishable."""
    if not CODE_PATTERN.fullmatch(code):
        return RedeemResult.INVALID, None
    row = await tx.one("SELECT * FROM invitations WHERE code_hash = ?", (_hash(code),))
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
        "INSERT INTO links (account_id, participant_id, role, created_at) VALUES (?, ?, ?, ?)",
        (account.id, participant_id, role.value, iso(now)),
    )
    await tx.execute(
        "UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?",
        (iso(now), account.id, row["id"]),
    )
    participant = None if participant_id is None else await participant_by_id(tx, participant_id)
    if participant is not None and participant.language and account.language is None:
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
        new={"role": role.value, "invitation": row["id"]},
    )
    return RedeemResult.LINKED, await identity(tx, telegram_user_id)


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
