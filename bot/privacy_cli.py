"""The operator's privacy commands (issue 16), calling the same flows as the bot:

alsfrs-bot participant-data SUBJECT [--output FILE]   everything held about one participant
alsfrs-bot prune-accounts                             drop accounts that never linked
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Final

from bot import output
from bot.settings import Settings, StudySettings
from conversations.context import Services
from conversations.flows import privacy
from storage.db import Database

__all__ = ["COMMANDS", "add_parser", "main"]

COMMANDS: Final = frozenset({"participant-data", "prune-accounts"})


def add_parser(sub: Any) -> None:
    """Add the privacy subcommands to the CLI's subparsers."""
    data = sub.add_parser(
        "participant-data", help="everything held about one participant, as one JSON document"
    )
    data.add_argument("subject")
    data.add_argument("--output", type=Path, default=None, help="file (default: stdout)")
    sub.add_parser(
        "prune-accounts", help="delete accounts that never linked, after [privacy] prune_days"
    )


async def main(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    db = await Database.open(settings.db_path)
    services = Services(db=db, settings=settings, study=study)
    try:
        if args.command == "prune-accounts":
            accounts, attempts = await privacy.prune_strangers(services)
            print(f"pruned {accounts} accounts and {attempts} failed code attempts")
            return 0
        data = await privacy.participant_data(services, args.subject)
    finally:
        await db.close()
    if data is None:
        print(f"alsfrs-bot: no participant {args.subject!r}", file=sys.stderr)
        return 1
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.write_private(args.output, text)  # health data: owner only
    except output.OutputError as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
