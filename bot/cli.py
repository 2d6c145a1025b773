"""The `alsfrs-bot` command: run the bot, enroll participants, export data.

A bad or missing setting stops the program at once with a message naming the setting and exit
code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import logging
import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from telegram import Bot, Update

from bot.settings import Settings, StudySettings, load_study
from conversations.context import utc_now
from storage import assessments, people
from storage.db import Database, StorageError, Tx
from storage.models import Actor, ActorRole, Role, Submission, iso
from storage.people import DuplicateSubject

__all__ = ["main"]

log = logging.getLogger("alsfrs_bot")
EXIT_CONFIG = 2
LOCAL_BOT_USERNAME = "alsfrs_local_bot"


class ConfigError(Exception):
    """A setting is wrong; the message names it."""


def _fail(message: str) -> NoReturn:
    print(f"alsfrs-bot: {message}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ALSFRS_{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"bad setting: {problems}") from None


def _study(settings: Settings) -> StudySettings:
    where = f"ALSFRS_STUDY_FILE ({settings.study_file})" if settings.study_file else "study file"
    try:
        return load_study(settings.study_file)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{where}: {problems}") from None


async def _open_db(settings: Settings) -> Database:
    try:
        return await Database.open(settings.db_path)
    except StorageError as exc:
        raise ConfigError(f"ALSFRS_DB_PATH ({settings.db_path}): {exc}") from None
    except OSError as exc:
        raise ConfigError(f"ALSFRS_DB_PATH ({settings.db_path}): {exc.strerror}") from None


async def _bot_username(settings: Settings) -> str:
    if settings.bot_token is None:
        return LOCAL_BOT_USERNAME
    bot = Bot(settings.bot_token.get_secret_value(), base_url=settings.api_base_url)
    async with bot:
        return bot.username


def _link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


# --- commands -------------------------------------------------------------------------------


async def _enroll(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    subject: str = args.subject
    if not people.SUBJECT_PATTERN.fullmatch(subject):
        print("alsfrs-bot: a study ID is 1-32 letters, digits, '-' or '_'", file=sys.stderr)
        return 1
    username = await _bot_username(settings)
    db = await _open_db(settings)
    now = utc_now()
    operator = Actor(role=ActorRole.OPERATOR)
    ttl = study.enrollment.code_ttl

    async def unit(tx: Tx) -> str:
        participant = await people.create_participant(
            tx, subject=subject, language=args.language, actor=operator, now=now
        )
        return await people.create_invitation(
            tx,
            role=Role.PATIENT,
            participant_id=participant.id,
            actor=operator,
            now=now,
            ttl=ttl,
        )

    try:
        code = await db.write(unit)
    except DuplicateSubject:
        print(f"alsfrs-bot: participant {subject} already exists", file=sys.stderr)
        return 1
    finally:
        await db.close()
    result = {
        "subject": subject,
        "language": args.language,
        "patient_code": code,
        "patient_link": _link(username, code),
        "expires_at": iso(now + ttl),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Participant {subject} enrolled.")
        print(f"Patient link (single use, until {result['expires_at']}): {result['patient_link']}")
    return 0


EXPORT_COLUMNS = (
    "subject",
    "submitted_at",
    "respondent",
    "respondent_id",
    "language",
    "item5_variant",
    *(f"item_{n}" for n in range(1, 11)),
    "total",
)


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    db = await _open_db(settings)
    try:

        async def unit(tx: Tx) -> list[Submission]:
            return await assessments.submissions(tx)

        rows = await db.read(unit)
    finally:
        await db.close()
    rows.sort(key=lambda s: (s.subject, s.submitted_at, s.assessment_id))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for s in rows:
        writer.writerow(
            [
                s.subject,
                iso(s.submitted_at),
                s.respondent.value,
                s.respondent_id,
                s.language,
                s.item5_variant,
                *(s.items[n] for n in range(1, 11)),
                s.total,
            ]
        )
    _write_output(args.output, buffer.getvalue())
    return 0


def _write_output(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    # Exports hold health data: readable by their owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _run(settings: Settings, study: StudySettings) -> int:
    from bot.app import build_application

    if settings.bot_token is None:
        from bot.local import run_local

        return run_local(settings, study)
    application = build_application(settings, study)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


# --- entry point ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alsfrs-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (local mode when no ALSFRS_BOT_TOKEN is set)")
    enroll = sub.add_parser("enroll", help="enroll a participant and print the patient link")
    enroll.add_argument("subject", help="pseudonymous study ID, e.g. S001")
    enroll.add_argument("--language", choices=("en", "cs"), default=None)
    enroll.add_argument("--json", action="store_true", help="print one JSON object")
    export = sub.add_parser("export", help="export submitted assessments")
    export.add_argument("--format", choices=("csv",), default="csv")
    export.add_argument("--output", type=Path, default=None, help="file (default: stdout)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        # httpx logs every request URL, and the URL holds the bot token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        study = _study(settings)
        if args.command == "run":
            return _run(settings, study)
        if args.command == "enroll":
            return asyncio.run(_enroll(settings, study, args))
        if args.command == "export":
            return asyncio.run(_export(settings, args))
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
