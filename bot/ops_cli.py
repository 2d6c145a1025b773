"""The operator's commands for running a study: `backup` and `restore`, and the small helpers
the CLI shares for what it writes (private output files, readable times).

    alsfrs-bot backup [DIR]            online copy of ALSFRS_DB_PATH into DIR (ALSFRS_BACKUP_DIR)
    alsfrs-bot restore FILE --verify   check a backup: integrity, schema version, counts
    alsfrs-bot restore FILE [--to P]   check it, then copy it to P (ALSFRS_DB_PATH), never over
                                       an existing database
    alsfrs-bot health                  exit 0 when the database answers at this program's
                                       schema version, 1 otherwise (container/systemd checks)

A problem is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from bot.settings import Settings
from storage import backup as backups
from storage.db import StorageError, migrations

__all__ = [
    "COMMANDS",
    "add_parsers",
    "health",
    "run",
    "when",
]

COMMANDS: Final = frozenset({"backup", "restore", "health"})
EXIT_PROBLEM: Final = 2


def when(moment: datetime | str | None) -> str:
    """A time as people read it: '2025-03-04 09:30 UTC' ('-' for none)."""
    if moment is None or moment == "":
        return "-"
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def add_parsers(sub: Any) -> None:
    """Add `backup` and `restore` to the CLI's subcommands."""
    make = sub.add_parser("backup", help="copy the database safely while the bot runs")
    make.add_argument(
        "folder", nargs="?", type=Path, default=None, help="where (default: ALSFRS_BACKUP_DIR)"
    )
    make.add_argument("--keep", type=int, default=None, help="keep the newest N (default 14)")
    make.add_argument("--json", action="store_true", help="print one JSON object")
    back = sub.add_parser("restore", help="check a backup, and restore it into an empty path")
    back.add_argument("file", type=Path)
    back.add_argument("--verify", action="store_true", help="only check the backup")
    back.add_argument("--to", type=Path, default=None, help="where (default: ALSFRS_DB_PATH)")
    back.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("health", help="exit 0 when the database answers (for health checks)")


def health(settings: Settings) -> tuple[bool, str]:
    """Whether the study database answers, read-only (never creates a file)."""
    path = settings.db_path
    if not path.is_file():
        return False, f"no database at ALSFRS_DB_PATH ({path})"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("SELECT COUNT(*) FROM participants").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, f"ALSFRS_DB_PATH ({path}) does not answer: {exc}"
    known = len(migrations())
    if version != known:
        return False, f"database schema {version}, this program expects {known}"
    return True, f"database answers (schema {version})"


def _show(info: backups.BackupInfo, args: argparse.Namespace, headline: str) -> None:
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(info.path),
                    "size": info.size,
                    "schema_version": info.schema_version,
                    "counts": info.counts,
                }
            )
        )
        return
    print(headline)
    print(f"  schema version {info.schema_version}, {info.size} bytes, integrity ok")
    for table in ("participants", "assessments", "answers", "alerts", "audit"):
        if table in info.counts:
            print(f"  {table}: {info.counts[table]}")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "health":
        ok, detail = health(settings)
        print(f"{'healthy' if ok else 'unhealthy'}: {detail}")
        return 0 if ok else 1
    try:
        if args.command == "backup":
            folder = args.folder or settings.backup_dir
            if folder is None:
                print(
                    "alsfrs-bot: say where: backup DIR, or set ALSFRS_BACKUP_DIR", file=sys.stderr
                )
                return EXIT_PROBLEM
            keep = args.keep if args.keep is not None else settings.backup_keep
            if keep < 1:
                print("alsfrs-bot: --keep must be at least 1", file=sys.stderr)
                return EXIT_PROBLEM
            info = backups.backup(settings.db_path, folder, keep=keep)
            _show(info, args, f"Backup written: {info.path}")
            return 0
        if args.verify:
            info = backups.verify(args.file)
            _show(info, args, f"Backup {info.path} checked")
            return 0
        target: Path = args.to or settings.db_path
        info = backups.restore(args.file, target)
        _show(info, args, f"Restored {args.file} into {target}")
        return 0
    except StorageError as exc:
        where = "ALSFRS_DB_PATH: " if args.command == "backup" else ""
        print(f"alsfrs-bot: {where}{exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except OSError as exc:
        print(f"alsfrs-bot: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_PROBLEM
