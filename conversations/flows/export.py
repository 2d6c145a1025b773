"""The one read behind every export (`conversations.exports`): participants, ratings and
symptom reports in one read transaction, so that every format of one export sees the same
database state."""

from __future__ import annotations

from storage import exports
from storage.db import Database, Tx
from storage.exports import ExportData

__all__ = ["read"]


async def read(
    db: Database, *, default_site: str, subject: str | None = None, site: str | None = None
) -> ExportData:
    """Everything an export holds, optionally of one participant and/or one site (its id);
    `default_site` (the study's `default_site_id`) is the site of a participant made before
    sites and not yet adopted (`flows.sites.adopt_unassigned`)."""

    async def unit(tx: Tx) -> ExportData:
        return await exports.read(tx, default_site=default_site, subject=subject, site=site)

    return await db.read(unit)
