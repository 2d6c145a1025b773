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
import sqlite3
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot import alerts_cli, export_cli, logs, ops_cli, output, privacy_cli, schedule_cli, visit_cli
from bot.settings import Settings, StudySettings, load_study, problems_for_telegram
from conversations.context import Services
from conversations.flows import enrollment, sites
from conversations.flows.enrollment import DuplicateSubject
from storage import audit
from storage.db import Database, DatabaseDamaged, StorageError, Tx
from storage.models import Actor, ActorRole, AuditEntry, ParticipantStatus, Role, from_iso

__all__ = ["main"]

log = logging.getLogger("alsfrs_bot")
EXIT_CONFIG = 2
EXIT_TELEGRAM_UNREACHABLE = 75
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
    except DatabaseDamaged as exc:
        raise ConfigError(f"ALSFRS_DB_PATH ({settings.db_path}): {exc}; restore a backup") from None
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


def _readable(moment: str) -> str:
    """A stored ISO moment as an operator reads it: '2026-12-13 09:00 UTC'."""
    return from_iso(moment).strftime("%Y-%m-%d %H:%M UTC")


def _say_local(settings: Settings) -> None:
    """Links made without a token open the local bot of `make run`, not a Telegram bot: say so."""
    if settings.bot_token is None:
        print(
            "alsfrs-bot: local mode (no ALSFRS_BOT_TOKEN): these links open the local bot that"
            " `make run` serves, not a Telegram bot",
            file=sys.stderr,
        )


# --- commands -------------------------------------------------------------------------------

OPERATOR = Actor(role=ActorRole.OPERATOR)


async def _services(settings: Settings, study: StudySettings) -> Services:
    services = Services(db=await _open_db(settings), settings=settings, study=study)
    await sites.adopt_unassigned(services)  # participants enrolled before sites existed
    return services


def _print(args: argparse.Namespace, result: dict[str, object], lines: list[str]) -> None:
    if getattr(args, "json", False):
        print(json.dumps(result))
    else:
        print("\n".join(lines))


async def _enroll(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    subject: str = args.subject
    if not enrollment.SUBJECT_PATTERN.fullmatch(subject):
        print("alsfrs-bot: a study ID is 1-32 letters, digits, '-' or '_'", file=sys.stderr)
        return 1
    subject = enrollment.canonical_subject(subject)
    onset = None
    if args.onset is not None:
        onset = visit_cli.onset_month(args.onset, study)
        if onset is None:
            print("alsfrs-bot: --onset is a past month, YYYY-MM", file=sys.stderr)
            return 1
    try:
        site = study.default_site_id if args.site is None else study.named_site(args.site).id
    except ValueError as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 1
    username = await _bot_username(settings)
    services = await _services(settings, study)
    try:
        patient, caregiver, until = await enrollment.enroll_participant(
            services, subject, args.language, OPERATOR, onset_month=onset, site=site
        )
    except DuplicateSubject:
        print(f"alsfrs-bot: participant {subject} already exists", file=sys.stderr)
        return 1
    finally:
        await services.db.close()
    result: dict[str, object] = {
        "subject": subject,
        "language": args.language,
        "patient_code": patient,
        "patient_link": _link(username, patient),
        "caregiver_code": caregiver,
        "caregiver_link": _link(username, caregiver),
        "expires_at": until,
        "onset_month": onset,
        "site": site,
    }
    _say_local(settings)
    _print(
        args,
        result,
        [
            f"Participant {subject} enrolled at site {site}. Each link works once, until "
            f"{_readable(until)}.",
            f"Patient link:   {result['patient_link']}",
            f"Caregiver link: {result['caregiver_link']}",
            *([f"Symptom onset:  {onset}"] if onset else []),
        ],
    )
    return 0


def _staff_sites(study: StudySettings, asked: list[str] | None) -> frozenset[str] | str | None:
    """The sites of a staff invitation (None: study-wide), or why they are refused."""
    if not asked:
        return None
    try:
        return frozenset(study.named_site(name).id for name in asked)
    except ValueError as exc:
        return str(exc)


async def _invite(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    if args.site and args.role != "staff":
        print("alsfrs-bot: --site is for staff invitations", file=sys.stderr)
        return 1
    username = await _bot_username(settings)
    services = await _services(settings, study)
    subject = args.subject
    try:
        if args.role == "patient":
            relinked = await enrollment.relink_patient(services, args.subject or "", OPERATOR)
            if relinked is None:
                print(f"alsfrs-bot: no participant {args.subject!r}", file=sys.stderr)
                return 1
            if relinked.code is None or relinked.expires_at is None:
                print(f"alsfrs-bot: participant {relinked.subject} has withdrawn", file=sys.stderr)
                return 1
            subject = relinked.subject
            issued: tuple[str, str] | None = relinked.code, relinked.expires_at
        elif args.role == "caregiver":
            subject = enrollment.canonical_subject(args.subject or "")
            issued = await enrollment.invite_caregiver(services, subject, OPERATOR)
            if issued is None:
                print(f"alsfrs-bot: no participant {subject!r}", file=sys.stderr)
                return 1
        else:
            staff_sites = _staff_sites(study, args.site)
            if isinstance(staff_sites, str):
                print(f"alsfrs-bot: {staff_sites}", file=sys.stderr)
                return 1
            issued = await enrollment.invite(
                services, Role(args.role), None, OPERATOR, sites=staff_sites
            )
        assert issued is not None
        code, until = issued
    finally:
        await services.db.close()
    result: dict[str, object] = {
        "role": args.role,
        "subject": subject,
        "code": code,
        "link": _link(username, code),
        "expires_at": until,
    }
    if args.role == "staff":
        invited = _staff_sites(study, args.site)
        result["sites"] = sorted(invited) if isinstance(invited, frozenset) else None
    _say_local(settings)
    _print(
        args,
        result,
        [f"{args.role} link (single use, until {_readable(until)}): {result['link']}"],
    )
    return 0


async def _participants(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    services = await _services(settings, study)
    try:
        rows = await enrollment.participant_overview(services)
    finally:
        await services.db.close()
    out = [row.model_dump(mode="json") for row in rows]
    if args.json:
        print(json.dumps(out))
    else:
        for row in rows:
            total = "-" if row.last_total is None else row.last_total
            previous = "-" if row.previous_total is None else row.previous_total
            print(
                f"{row.subject}\t{row.status.value}\tlast {ops_cli.when(row.last_at)}"
                f"\ttotal {total}\tprevious {previous}\topen alerts {row.open_alerts}"
            )
    return 0


async def _participant(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    services = await _services(settings, study)
    subject: str = args.subject
    try:
        record = await enrollment.participant_record(services, subject)
    finally:
        await services.db.close()
    if record is None:
        print(f"alsfrs-bot: no participant {subject!r}", file=sys.stderr)
        return 1
    result = {
        "participant": record.participant.model_dump(mode="json"),
        "submissions": [s.model_dump(mode="json") for s in record.submissions],
        "links": [row.model_dump(mode="json") for row in record.links],
    }
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


async def _status(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    status = {
        "pause": ParticipantStatus.PAUSED,
        "resume": ParticipantStatus.ACTIVE,
        "withdraw": ParticipantStatus.WITHDRAWN,
    }[args.command]
    services = await _services(settings, study)
    subject: str = args.subject
    try:
        changed = await enrollment.change_status(
            services, subject, status, OPERATOR, reason=args.reason
        )
    finally:
        await services.db.close()
    if changed is None:
        print(f"alsfrs-bot: no participant {subject!r}", file=sys.stderr)
        return 1
    print(f"{subject}: {status.value}" + ("" if changed else " (unchanged)"))
    return 0


async def _schedule(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    services = await _services(settings, study)
    try:
        return await schedule_cli.run(services, args)
    finally:
        await services.db.close()


async def _revoke(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    services = await _services(settings, study)
    try:
        revocation = await enrollment.revoke_access(
            services, args.link_id, OPERATOR, reason=args.reason
        )
    finally:
        await services.db.close()
    if revocation is None:
        print(f"alsfrs-bot: no active caregiver or staff access #{args.link_id}", file=sys.stderr)
        return 1
    revoked = revocation.link
    print(f"access #{revoked.id} ({revoked.role.value}) revoked")
    return 0


async def _move_site(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    """An operator's correction of participants' site (e.g. after sites were added to a study
    that ran as one site, MAIN): one participant, or all of one site."""
    try:
        target = study.named_site(args.to).id
    except ValueError as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 1
    services = await _services(settings, study)
    try:
        moved = await sites.move_site(
            services,
            OPERATOR,
            target,
            subject=args.subject,
            from_site=args.from_site,
            reason=args.reason,
        )
    finally:
        await services.db.close()
    if not moved:
        which = (
            f"participant {args.subject!r}" if args.subject else f"participant at {args.from_site}"
        )
        print(f"alsfrs-bot: nothing moved: no {which} (or already at {target})", file=sys.stderr)
        return 1
    print(f"{len(moved)} participant(s) moved to site {target}: {', '.join(moved) or '-'}")
    return 0


AUDIT_COLUMNS = (
    "id",
    "at",
    "actor_role",
    "actor_id",
    "on_behalf_of",
    "action",
    "entity",
    "entity_id",
    "old_value",
    "new_value",
    "reason",
)


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    db = await _open_db(settings)
    subject: str | None = args.subject
    try:

        async def unit(tx: Tx) -> list[AuditEntry]:
            return await audit.entries(tx, subject=subject)

        entries = await db.read(unit)
    finally:
        await db.close()
    buffer = io.StringIO()
    if args.format == "jsonl":
        for entry in entries:
            buffer.write(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False) + "\n")
    else:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(AUDIT_COLUMNS)
        for entry in entries:
            row = entry.model_dump(mode="json")
            writer.writerow([row[column] for column in AUDIT_COLUMNS])
    _write_output(args.output, buffer.getvalue())
    return 0


async def _export(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    services = await _services(settings, study)  # adopts participants enrolled before sites
    try:
        return await export_cli.run(services.db, study, args)
    finally:
        await services.db.close()


def _write_output(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    # Exports hold health data: readable by their owner only, never through a symlink.
    try:
        output.write_private(path, text)
    except output.OutputError as exc:
        raise ConfigError(str(exc)) from None


def _run(settings: Settings, study: StudySettings) -> int:
    from bot.app import build_application

    if settings.bot_token is None:
        from bot.local import run_local

        return run_local(settings, study)
    for problem in problems_for_telegram(study):
        raise ConfigError(problem)
    application = build_application(settings, study)
    if settings.webhook_url:
        from bot.webhook import run_options

        application.run_webhook(**run_options(settings))
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


# --- entry point ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alsfrs-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (local mode when no ALSFRS_BOT_TOKEN is set)")
    sub.add_parser("demo-reset", help="delete local mode's demo database (ALSFRS_LOCAL_DB_PATH)")
    enroll = sub.add_parser("enroll", help="enroll a participant and print the patient link")
    enroll.add_argument("subject", help="pseudonymous study ID, e.g. S001")
    enroll.add_argument("--language", choices=("en", "cs"), default=None)
    enroll.add_argument("--json", action="store_true", help="print one JSON object")
    enroll.add_argument("--onset", default=None, metavar="YYYY-MM", help="month of symptom onset")
    enroll.add_argument("--site", default=None, help="the site's id (default: the study's default)")
    invite = sub.add_parser(
        "invite",
        help="a single-use link for a staff member, a caregiver, or the patient (a new one: "
        "earlier unused patient links stop working)",
    )
    invite.add_argument("role", choices=("staff", "caregiver", "patient"))
    invite.add_argument("subject", nargs="?", help="the participant, for a caregiver or patient")
    invite.add_argument("--json", action="store_true", help="print one JSON object")
    invite.add_argument(
        "--site",
        action="append",
        default=None,
        help="staff only: a site the member works for (repeat for several; none: study-wide)",
    )
    listing = sub.add_parser("participants", help="every participant with status and totals")
    listing.add_argument("--json", action="store_true")
    one = sub.add_parser("participant", help="one participant's history and linked accounts")
    one.add_argument("subject")
    one.add_argument("--json", action="store_true")
    for name, what in (("pause", "pause"), ("resume", "resume"), ("withdraw", "withdraw")):
        change = sub.add_parser(name, help=f"{what} a participant")
        change.add_argument("subject")
        change.add_argument("--reason", default=None)
    schedule_cli.add_parser(sub)
    visit_cli.add_parser(sub)
    privacy_cli.add_parser(sub)
    move = sub.add_parser(
        "move-site", help="correct participants' site: one (SUBJECT) or all of --from SITE"
    )
    which = move.add_mutually_exclusive_group(required=True)
    which.add_argument("subject", nargs="?", default=None)
    which.add_argument("--from", dest="from_site", default=None, metavar="SITE")
    move.add_argument("--to", required=True, metavar="SITE", help="a site of the study file")
    move.add_argument("--reason", required=True, help="recorded in the audit trail")
    revoke = sub.add_parser("revoke", help="end a caregiver's or staff member's access")
    revoke.add_argument("link_id", type=int)
    revoke.add_argument("--reason", default=None)
    trail = sub.add_parser("audit", help="print the audit trail")
    trail.add_argument("--subject", default=None)
    trail.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    trail.add_argument("--output", type=Path, default=None, help="file (default: stdout)")
    export_cli.add_parser(sub)
    ops_cli.add_parsers(sub)
    alerts_cli.add_parser(sub)
    return parser


def _db_path_hint() -> str:
    try:
        return str(Settings().db_path)
    except ValidationError:
        return "?"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings()
        # Which libraries may log at which level, whatever ALSFRS_LOG_LEVEL says: bot/logs.py.
        logs.configure(settings.log_level, settings.log_file)
        if args.command in ops_cli.COMMANDS:
            return ops_cli.run(settings, args)
        study = _study(settings)
        if args.command == "run":
            return _run(settings, study)
        if args.command == "enroll":
            return asyncio.run(_enroll(settings, study, args))
        if args.command == "export":
            return asyncio.run(_export(settings, study, args))
        if args.command == "invite":
            if args.role in ("caregiver", "patient") and not args.subject:
                raise ConfigError(f"invite {args.role} needs the participant's study ID")
            return asyncio.run(_invite(settings, study, args))
        if args.command == "participants":
            return asyncio.run(_participants(settings, study, args))
        if args.command == "participant":
            return asyncio.run(_participant(settings, study, args))
        if args.command in ("pause", "resume", "withdraw"):
            return asyncio.run(_status(settings, study, args))
        if args.command == "revoke":
            return asyncio.run(_revoke(settings, study, args))
        if args.command == "move-site":
            return asyncio.run(_move_site(settings, study, args))
        if args.command == "schedule":
            return asyncio.run(_schedule(settings, study, args))
        if args.command in privacy_cli.COMMANDS:
            return asyncio.run(privacy_cli.main(settings, study, args))
        if args.command in visit_cli.COMMANDS:
            return asyncio.run(visit_cli.main(settings, study, args))
        if args.command == "audit":
            return asyncio.run(_audit(settings, args))
        if args.command == "alerts":
            return asyncio.run(alerts_cli.main(settings, args))
        if args.command == "demo-reset":
            from bot.demo import DemoError, reset_demo

            try:
                print(reset_demo(settings))
            except DemoError as exc:
                raise ConfigError(str(exc)) from None
            return 0
    except ConfigError as exc:
        _fail(str(exc))
    except (StorageError, sqlite3.DatabaseError) as exc:
        _fail(f"ALSFRS_DB_PATH ({_db_path_hint()}): {exc}")
    except (NetworkError, TimedOut) as exc:
        # Temporary (EX_TEMPFAIL): systemd and Docker start the bot again, unlike exit 2.
        print(
            f"alsfrs-bot: cannot reach Telegram ({exc}); check the network and ALSFRS_API_BASE_URL",
            file=sys.stderr,
        )
        return EXIT_TELEGRAM_UNREACHABLE
    except InvalidToken:
        _fail("ALSFRS_BOT_TOKEN: Telegram does not accept this token")
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
