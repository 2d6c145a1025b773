"""The one read behind every export (`conversations.exports`): participants, ratings and
symptom reports in one read transaction, so that every format of one export sees the same
database state."""

from __future__ import annotations

from storage import exports
from storage.db import Database, Tx
from storage.exports import ExportData

__all__ = ["read"]


async def read(db: Database, *, subject: str | None = None) -> ExportData:
    async def unit(tx: Tx) -> ExportData:
        return await exports.read(tx, subject=subject)

    return await db.read(unit)
