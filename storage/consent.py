"""Privacy: agreement to the study's privacy notice per link and version, removing a withdrawn
participant's Telegram ids, pruning accounts that never linked, and everything held about one
participant (a data subject access request).

The pseudonymous study record and the audit trail are never deleted here: withdrawal only
detaches the Telegram accounts from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from storage import audit
from storage.db import Tx
from storage.models import Actor, ActorRole, Role, iso

__all__ = [
    "Pending",
    "decide",
    "erase_accounts",
    "participant_data",
    "pending",
    "prune_strangers",
]


class Pending(BaseModel):
    """An active patient or caregiver link whose account has not agreed to the current notice."""

    model_config = ConfigDict(frozen=True)

    link_id: int
    role: Role
    participant_id: int
    subject: str
    language: str | None
    site: str | None = None


async def pending(tx: Tx, telegram_user_id: int, version: str) -> list[Pending]:
    """The account's respondent links without an agreement to notice `version`."""
    rows = await tx.all(
        "SELECT l.id, l.role, l.participant_id, p.subject, p.site,"
        " COALESCE(a.language, p.language) AS language"
        " FROM links l JOIN accounts a ON a.id = l.account_id"
        " JOIN participants p ON p.id = l.participant_id"
        " WHERE a.telegram_user_id = ? AND l.revoked_at IS NULL"
        " AND l.role IN ('patient', 'caregiver')"
        " AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.link_id = l.id AND c.version = ?"
        "   AND c.decision = 'agreed')"
        " ORDER BY l.id",
        (telegram_user_id, version),
    )
    return [
        Pending(
            link_id=row["id"],
            role=Role(row["role"]),
            participant_id=row["participant_id"],
            subject=row["subject"],
            language=row["language"],
            site=row["site"],
        )
        for row in rows
    ]


async def decide(tx: Tx, item: Pending, *, version: str, agreed: bool, now: datetime) -> None:
    """Record the decision, audited; declining also ends the link (any role)."""
    decision = "agreed" if agreed else "declined"
    consent_id = await tx.execute(
        "INSERT INTO consents (link_id, version, decision, at) VALUES (?, ?, ?, ?)",
        (item.link_id, version, decision, iso(now)),
    )
    actor = Actor(
        role=ActorRole(item.role.value), link_id=item.link_id, participant_id=item.participant_id
    )
    await audit.record(
        tx,
        actor=actor,
        action=f"consent.{decision}",
        entity="consent",
        entity_id=consent_id,
        at=now,
        new={"link": item.link_id, "role": item.role.value, "version": version},
        on_behalf_of=item.participant_id,
    )
    if not agreed:
        await tx.execute("UPDATE links SET revoked_at = ? WHERE id = ?", (iso(now), item.link_id))
        await audit.record(
            tx,
            actor=actor,
            action="link.revoke",
            entity="link",
            entity_id=item.link_id,
            at=now,
            old={"role": item.role.value, "active": True},
            new={"active": False},
            reason="privacy notice declined",
            on_behalf_of=item.participant_id,
        )


async def erase_accounts(tx: Tx, participant_id: int, *, actor: Actor, now: datetime) -> int:
    """Withdrawal: end every link of the participant and remove the Telegram ids behind them.

    An account used only for this participant loses its Telegram id (a negative placeholder
    stands in: the column is required and unique); a link of an account that still answers for
    someone else is moved to a new placeholder account. Returns the number of links detached.
    """
    rows = await tx.all(
        "SELECT l.id, l.role, l.account_id, l.revoked_at FROM links l"
        " JOIN accounts a ON a.id = l.account_id"
        " WHERE l.participant_id = ? AND a.telegram_user_id > 0 ORDER BY l.id",
        (participant_id,),
    )
    for row in rows:
        if row["revoked_at"] is None:
            await tx.execute("UPDATE links SET revoked_at = ? WHERE id = ?", (iso(now), row["id"]))
        others = await tx.scalar(
            "SELECT COUNT(*) FROM links WHERE account_id = ? AND id != ?"
            " AND (participant_id IS NOT ? OR participant_id IS NULL)",
            (row["account_id"], row["id"], participant_id),
        )
        if others:
            placeholder = await tx.execute(
                "INSERT INTO accounts (telegram_user_id, created_at)"
                " VALUES (-(SELECT COALESCE(MAX(id), 0) + 1 FROM accounts), ?)",
                (iso(now),),
            )
            await tx.execute(
                "UPDATE accounts SET telegram_user_id = -id WHERE id = ?", (placeholder,)
            )
            await tx.execute(
                "UPDATE links SET account_id = ? WHERE id = ?", (placeholder, row["id"])
            )
        else:
            await tx.execute(
                "UPDATE accounts SET telegram_user_id = -id WHERE id = ?", (row["account_id"],)
            )
    # A private chat's id is the person's Telegram id: forget the messages that showed their
    # assessments and reports too.
    for table in ("assessments", "symptom_reports"):
        await tx.execute(
            f"UPDATE {table} SET chat_id = NULL, message_id = NULL WHERE participant_id = ?",
            (participant_id,),
        )
    if rows:
        await audit.record(
            tx,
            actor=actor,
            action="participant.accounts_erased",
            entity="participant",
            entity_id=participant_id,
            at=now,
            new={"links": [row["id"] for row in rows], "telegram_ids": "removed"},
            reason="withdrawn",
            on_behalf_of=participant_id,
        )
    return len(rows)


async def prune_strangers(tx: Tx, *, before: datetime, now: datetime) -> tuple[int, int]:
    """Delete accounts that never linked and failed code attempts older than `before`, keeping
    their counts in the audit trail. Returns (accounts, attempts) deleted."""
    accounts = await tx.scalar(
        "SELECT COUNT(*) FROM accounts a WHERE a.created_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM links l WHERE l.account_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.used_by = a.id)",
        (iso(before),),
    )
    attempts = await tx.scalar("SELECT COUNT(*) FROM code_attempts WHERE at < ?", (iso(before),))
    if not accounts and not attempts:
        return 0, 0
    await tx.execute(
        "DELETE FROM accounts WHERE created_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM links l WHERE l.account_id = accounts.id)"
        " AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.used_by = accounts.id)",
        (iso(before),),
    )
    await tx.execute("DELETE FROM code_attempts WHERE at < ?", (iso(before),))
    await audit.record(
        tx,
        actor=Actor(role=ActorRole.SYSTEM),
        action="accounts.pruned",
        entity="account",
        entity_id=None,
        at=now,
        new={"accounts": int(accounts), "code_attempts": int(attempts), "before": iso(before)},
    )
    return int(accounts), int(attempts)


# Tables whose rows belong to a participant through another table: (table, column, parent).
_CHILDREN: tuple[tuple[str, str, str], ...] = (
    ("answers", "assessment_id", "assessments"),
    ("symptom_report_items", "report_id", "symptom_reports"),
    ("alert_rounds", "alert_id", "alerts"),
    ("alert_deliveries", "alert_id", "alerts"),
    ("reminder_deliveries", "reminder_id", "reminders"),
    ("consents", "link_id", "links"),
)


# Chat and message ids are Telegram's: of the participant's own chats, or of staff chats (alert
# copies, visits entered); none of them is study data about the participant.
_TELEGRAM_COLUMNS = frozenset({"chat_id", "message_id"})


def _plain(row: Any) -> dict[str, Any]:
    return {key: row[key] for key in row.keys() if key not in _TELEGRAM_COLUMNS}  # noqa: SIM118


async def _columns(tx: Tx, table: str) -> list[str]:
    return [row["name"] for row in await tx.all(f"PRAGMA table_info({table})")]


async def participant_data(tx: Tx, participant_id: int) -> dict[str, Any]:
    """Every row held about one participant, by table, and nothing of anyone else: the tables
    with a `participant_id`, their children, the linked accounts and the participant's audit
    entries. Table names come from the schema, never from input."""
    data: dict[str, Any] = {}
    row = await tx.one("SELECT * FROM participants WHERE id = ?", (participant_id,))
    data["participant"] = None if row is None else _plain(row)
    tables = [
        r["name"]
        for r in await tx.all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    for table in tables:
        if table in ("audit", "participants"):
            continue
        if "participant_id" in await _columns(tx, table):
            rows = await tx.all(
                f"SELECT * FROM {table} WHERE participant_id = ? ORDER BY rowid",
                (participant_id,),
            )
            data[table] = [_plain(r) for r in rows]
    for table, column, parent in _CHILDREN:
        if table not in tables or parent not in data:
            continue
        ids = [r["id"] for r in data[parent]]
        marks = ",".join("?" * len(ids))
        rows = (
            await tx.all(
                f"SELECT * FROM {table} WHERE {column} IN ({marks}) ORDER BY rowid",
                tuple(ids),
            )
            if ids
            else []
        )
        data[table] = [_plain(r) for r in rows]
    account_ids = sorted({r["account_id"] for r in data.get("links", [])})
    marks = ",".join("?" * len(account_ids))
    data["accounts"] = (
        [
            _plain(r)
            for r in await tx.all(
                "SELECT id, telegram_user_id, language, created_at FROM accounts"
                f" WHERE id IN ({marks}) ORDER BY id",
                tuple(account_ids),
            )
        ]
        if account_ids
        else []
    )
    for account in data["accounts"]:
        if account["telegram_user_id"] < 0:
            account["telegram_user_id"] = None  # removed at withdrawal
    data["audit"] = [
        _plain(r)
        for r in await tx.all(
            "SELECT * FROM audit WHERE on_behalf_of = ? ORDER BY id", (participant_id,)
        )
    ]
    return data
