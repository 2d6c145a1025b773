"""`alsfrs-bot alerts`: one row per alert, for the study's review of what was raised and done.

Columns: participant (study ID), raised_at, rules (the parts, `;`-separated), urgent,
recipients (chats in the first round), first_delivered_at, acknowledged_at, acknowledged_by
(the display name chosen with /name) and acknowledged_by_id (the staff link number), action,
note, escalations, still_met (later submissions shown on the open alert). Times are UTC ISO 8601;
an empty cell (csv) or null (jsonl) is "not yet". Read in one transaction; nothing is changed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any, Final

from bot import output
from bot.settings import Settings
from storage import alert_delivery, alerts
from storage.db import Database, Tx
from storage.models import iso

__all__ = ["COLUMNS", "add_parser", "export", "main", "rows"]

COLUMNS: Final = (
    "participant",
    "raised_at",
    "rules",
    "urgent",
    "recipients",
    "first_delivered_at",
    "acknowledged_at",
    "acknowledged_by",
    "acknowledged_by_id",
    "action",
    "note",
    "escalations",
    "still_met",
)


def add_parser(sub: Any) -> None:
    command = sub.add_parser(
        "alerts", help="every alert: rules, delivery, who acknowledged, action"
    )
    command.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    command.add_argument("--output", type=Path, default=None, help="file (default: stdout)")


async def rows(db: Database) -> list[dict[str, Any]]:
    """One dict per alert, oldest first, with the columns of `COLUMNS`."""

    async def unit(tx: Tx) -> list[dict[str, Any]]:
        found = await alerts.alerts_between(tx)
        names = await alerts.display_names(tx)
        delivered = await alert_delivery.first_delivered(tx)
        counts = await alert_delivery.recipient_counts(tx)
        out = []
        for a in found:
            first = delivered.get(a.id)
            out.append(
                {
                    "participant": a.subject,
                    "raised_at": iso(a.created_at),
                    "rules": ";".join(a.rules),
                    "urgent": a.urgent,
                    "recipients": counts.get(a.id, 0),
                    "first_delivered_at": None if first is None else iso(first),
                    "acknowledged_at": None
                    if a.acknowledged_at is None
                    else iso(a.acknowledged_at),
                    "acknowledged_by": None
                    if a.acknowledged_by is None
                    else names.get(a.acknowledged_by),
                    "acknowledged_by_id": a.acknowledged_by,
                    "action": a.ack_action,
                    "note": a.ack_note,
                    "escalations": a.escalations,
                    "still_met": len(a.followups),
                }
            )
        return out

    return await db.read(unit)


def export(found: list[dict[str, Any]], fmt: str) -> str:
    """The rows as csv (with a header) or jsonl."""
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in found)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in found:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


async def main(settings: Settings, args: argparse.Namespace) -> int:
    """The command: read, format, write to stdout or a private file (0600, as every export)."""
    db = await Database.open(settings.db_path)  # bot.cli reports a StorageError
    try:
        text = export(await rows(db), args.format)
    finally:
        await db.close()
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.write_private(args.output, text)
    except output.OutputError as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 2
    return 0
