"""Clinic visits (table `visits`, migration 0007) and the month of symptom onset: SQL only.

A draft holds the step a staff member is at (`state`, JSON owned by the domain); a saved visit
holds the clinical values. Corrections update the saved row; the caller audits old and new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from storage.db import Row, Tx
from storage.models import Visit, from_iso, iso

__all__ = [
    "VisitValues",
    "clinic_scored",
    "create_draft",
    "discard_draft",
    "draft_of",
    "insert_saved",
    "onset_of",
    "save_draft",
    "saved",
    "set_message",
    "set_onset",
    "update_draft",
    "update_values",
    "visit",
]

_SELECT = "SELECT v.*, p.subject FROM visits v JOIN participants p ON p.id = v.participant_id"


@dataclass(frozen=True, slots=True)
class VisitValues:
    """What a saved visit records."""

    label: str
    visit_date: date
    items: dict[int, int] | None
    item5_variant: Literal["5a", "5b"] | None
    fvc_percent: int | None
    norris_total: int | None
    norris_bulbar: int | None
    norris_spinal: int | None

    @property
    def total(self) -> int | None:
        return None if self.items is None else sum(self.items.values())

    def params(self) -> tuple[object, ...]:
        return (
            self.label,
            self.visit_date.isoformat(),
            self.item5_variant if self.items is not None else None,
            None if self.items is None else json.dumps({str(k): v for k, v in self.items.items()}),
            self.total,
            self.fvc_percent,
            self.norris_total,
            self.norris_bulbar,
            self.norris_spinal,
        )


_VALUE_COLUMNS = (
    "label = ?, visit_date = ?, item5_variant = ?, items = ?, total = ?, fvc_percent = ?,"
    " norris_total = ?, norris_bulbar = ?, norris_spinal = ?"
)


def _visit(row: Row) -> Visit:
    items = row["items"]
    return Visit(
        id=row["id"],
        participant_id=row["participant_id"],
        subject=row["subject"],
        status=row["status"],
        state=row["state"],
        revision=row["revision"],
        label=row["label"],
        visit_date=None if row["visit_date"] is None else date.fromisoformat(row["visit_date"]),
        item5_variant=row["item5_variant"],
        items=None if items is None else {int(k): int(v) for k, v in json.loads(items).items()},
        total=row["total"],
        fvc_percent=row["fvc_percent"],
        norris_total=row["norris_total"],
        norris_bulbar=row["norris_bulbar"],
        norris_spinal=row["norris_spinal"],
        rated_by=row["rated_by"],
        rated_by_role=row["rated_by_role"],
        created_at=from_iso(row["created_at"]),
        saved_at=None if row["saved_at"] is None else from_iso(row["saved_at"]),
        corrected_at=None if row["corrected_at"] is None else from_iso(row["corrected_at"]),
        chat_id=row["chat_id"],
        message_id=row["message_id"],
    )


async def visit(tx: Tx, visit_id: int) -> Visit | None:
    row = await tx.one(_SELECT + " WHERE v.id = ?", (visit_id,))
    return None if row is None else _visit(row)


async def draft_of(tx: Tx, rated_by: int) -> Visit | None:
    """The staff member's visit in progress, if any."""
    row = await tx.one(_SELECT + " WHERE v.rated_by = ? AND v.status = 'draft'", (rated_by,))
    return None if row is None else _visit(row)


async def create_draft(
    tx: Tx, *, participant_id: int, rated_by: int, state: str, now: datetime
) -> int:
    return await tx.execute(
        "INSERT INTO visits (participant_id, status, state, rated_by, rated_by_role, created_at)"
        " VALUES (?, 'draft', ?, ?, 'staff', ?)",
        (participant_id, state, rated_by, iso(now)),
    )


async def discard_draft(tx: Tx, visit_id: int) -> None:
    await tx.execute("DELETE FROM visits WHERE id = ? AND status = 'draft'", (visit_id,))


async def update_draft(tx: Tx, visit_id: int, *, state: str) -> None:
    """A new step: the revision moves on, so buttons of older messages go stale."""
    await tx.execute(
        "UPDATE visits SET state = ?, revision = revision + 1 WHERE id = ? AND status = 'draft'",
        (state, visit_id),
    )


async def set_message(tx: Tx, visit_id: int, chat_id: int, message_id: int) -> None:
    await tx.execute(
        "UPDATE visits SET chat_id = ?, message_id = ? WHERE id = ?",
        (chat_id, message_id, visit_id),
    )


async def save_draft(tx: Tx, visit_id: int, values: VisitValues, *, now: datetime) -> None:
    await tx.execute(
        "UPDATE visits SET status = 'saved', revision = revision + 1, saved_at = ?, "
        + _VALUE_COLUMNS
        + " WHERE id = ? AND status = 'draft'",
        (iso(now), *values.params(), visit_id),
    )


async def insert_saved(
    tx: Tx, *, participant_id: int, values: VisitValues, rated_by: int | None, now: datetime
) -> int:
    """A visit saved at once (the operator's CLI)."""
    return await tx.execute(
        "INSERT INTO visits (participant_id, status, rated_by, rated_by_role, created_at,"
        " saved_at, label, visit_date, item5_variant, items, total, fvc_percent, norris_total,"
        " norris_bulbar, norris_spinal) VALUES (?, 'saved', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            participant_id,
            rated_by,
            "operator" if rated_by is None else "staff",
            iso(now),
            iso(now),
            *values.params(),
        ),
    )


async def update_values(tx: Tx, visit_id: int, values: VisitValues, *, now: datetime) -> None:
    """A correction of a saved visit (the caller audits old and new values and the reason)."""
    await tx.execute(
        "UPDATE visits SET corrected_at = ?, " + _VALUE_COLUMNS + " WHERE id = ?"
        " AND status = 'saved'",
        (iso(now), *values.params(), visit_id),
    )


async def saved(tx: Tx, participant_id: int | None = None) -> list[Visit]:
    """Saved visits, oldest first (one participant's, or everyone's)."""
    sql = _SELECT + " WHERE v.status = 'saved'"
    params: tuple[object, ...] = ()
    if participant_id is not None:
        sql += " AND v.participant_id = ?"
        params = (participant_id,)
    rows = await tx.all(sql + " ORDER BY v.visit_date, v.id", params)
    return [_visit(row) for row in rows]


async def clinic_scored(tx: Tx, participant_id: int) -> Visit | None:
    """The first saved visit (by date) with a complete clinic ALSFRS."""
    row = await tx.one(
        _SELECT + " WHERE v.status = 'saved' AND v.participant_id = ? AND v.total IS NOT NULL"
        " ORDER BY v.visit_date, v.id LIMIT 1",
        (participant_id,),
    )
    return None if row is None else _visit(row)


async def onset_of(tx: Tx, participant_id: int) -> str | None:
    """The month of symptom onset, 'YYYY-MM', if known."""
    value = await tx.scalar("SELECT onset_month FROM participants WHERE id = ?", (participant_id,))
    return None if value is None else str(value)


async def set_onset(tx: Tx, participant_id: int, month: str | None) -> None:
    await tx.execute(
        "UPDATE participants SET onset_month = ? WHERE id = ?", (month, participant_id)
    )
