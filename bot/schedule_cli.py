"""`alsfrs-bot schedule SUBJECT_ID [--every N] [--at HH:MM] [--tz ZONE] [--default] [--json]`:
show a participant's reminder schedule or change it as the operator. The change is audited and
the running bot picks it up from the audit trail within seconds."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from conversations.context import Services
from conversations.domain.schedule import ScheduleChange, ScheduleError, parse_time
from conversations.flows.schedules import (
    change_schedule,
    effective_schedule,
    next_reminder_at,
    reminder_inputs_of,
)
from locales import translator
from storage.models import Actor, ActorRole, iso

__all__ = ["add_parser", "run"]

OPERATOR = Actor(role=ActorRole.OPERATOR)


def add_parser(sub: Any) -> None:
    """Add the `schedule` subcommand to the CLI's subparsers."""
    parser = sub.add_parser(
        "schedule", help="show or change a participant's reminder schedule (audited)"
    )
    parser.add_argument("subject")
    parser.add_argument("--every", type=int, default=None, metavar="N", help="every N days")
    parser.add_argument("--at", default=None, metavar="HH:MM", help="local time of day")
    parser.add_argument("--tz", default=None, metavar="ZONE", help="e.g. Europe/Prague")
    parser.add_argument(
        "--default", action="store_true", help="back to the study's defaults, then the options"
    )
    parser.add_argument("--reason", default=None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


async def run(services: Services, args: argparse.Namespace) -> int:
    subject: str = args.subject
    found = await reminder_inputs_of(services, subject)
    if found is None:
        print(f"alsfrs-bot: no participant {subject!r}", file=sys.stderr)
        return 1
    changed = False
    try:
        change = ScheduleChange(
            interval_days=args.every,
            preferred_time=None if args.at is None else parse_time(args.at),
            timezone=args.tz,
            reset=args.default,
        )
        if change != ScheduleChange():
            changed = await change_schedule(
                services, found.participant_id, change, OPERATOR, reason=args.reason
            )
    except ScheduleError as error:
        print(f"alsfrs-bot: {error.text(translator('en'))}", file=sys.stderr)
        return 1
    after = await reminder_inputs_of(services, subject)
    assert after is not None
    settings = services.study.schedule
    schedule = effective_schedule(after.override, settings)
    when = next_reminder_at(after, settings, services.clock())
    own = after.override
    result: dict[str, object] = {
        "subject": subject,
        "status": after.status.value,
        "interval_days": schedule.interval_days,
        "preferred_time": schedule.preferred_time.strftime("%H:%M"),
        "timezone": schedule.timezone,
        "study_defaults": [
            name
            for name, value in (
                ("interval_days", own.interval_days),
                ("preferred_time", own.preferred_time),
                ("timezone", own.timezone),
            )
            if value is None
        ],
        "next_reminder": None if when is None else iso(when),
        "changed": changed,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    local = "-" if when is None else when.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M")
    print(
        f"{subject} ({after.status.value}): every {schedule.interval_days} days at "
        f"{result['preferred_time']} {schedule.timezone}; next reminder {local}"
        + (" (changed)" if changed else "")
    )
    return 0
