"""The append-only audit trail: every creation and change, with who, when, on whose behalf."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.db import Tx
from storage.models import Actor, AuditEntry, from_iso, iso

__all__ = ["entries", "record"]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


async def record(
    tx: Tx,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    at: datetime,
    old: Any = None,
    new: Any = None,
    reason: str | None = None,
    on_behalf_of: int | None = None,
) -> None:
    """Append one entry, in the caller's transaction."""
    await tx.execute(
        "INSERT INTO audit (at, actor_role, actor_id, on_behalf_of, action, entity, entity_id,"
        " old_value, new_value, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            iso(at),
            actor.role.value,
            actor.link_id,
            on_behalf_of if on_behalf_of is not None else actor.participant_id,
            action,
            entity,
            entity_id,
            _text(old),
            _text(new),
            reason,
        ),
    )


async def entries(tx: Tx, *, subject: str | None = None) -> list[AuditEntry]:
    sql = (
        "SELECT a.*, p.subject FROM audit a LEFT JOIN participants p ON p.id = a.on_behalf_of"
        + (" WHERE p.subject = ? COLLATE NOCASE" if subject else "")
        + " ORDER BY a.id"
    )
    rows = await tx.all(sql, (subject,) if subject else ())
    return [
        AuditEntry(
            id=row["id"],
            at=from_iso(row["at"]),
            actor_role=row["actor_role"],
            actor_id=row["actor_id"],
            on_behalf_of=row["subject"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            old_value=row["old_value"],
            new_value=row["new_value"],
            reason=row["reason"],
        )
        for row in rows
    ]
