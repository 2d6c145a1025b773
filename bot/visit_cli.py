"""The operator's clinic-visit commands: `visit`, `visits`, `visit-correct`, `onset` and
`agreement`. Each calls the same flows as the Telegram handlers (`conversations.flows.visits`).

    alsfrs-bot visit SUBJECT --visit III [--date 2026-11-02] [--alsfrs 4,4,3,4,4,3,4,4,3,4
        --item5 a|b] [--fvc 82] [--norris 70 [--norris-bulbar 30] [--norris-spinal 40]] [--json]
    alsfrs-bot visits SUBJECT [--json]
    alsfrs-bot visit-correct VISIT_ID --reason TEXT [any of visit's value options] [--json]
    alsfrs-bot onset SUBJECT 2025-03
    alsfrs-bot agreement [--window-days 7] [--output FILE] [--plot FILE.png] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.settings import Settings, StudySettings
from conversations.context import Services
from conversations.domain.agreement import agreement, pair
from conversations.flows import visits as flow
from conversations.flows.visits import InvalidValues
from conversations.screens.charts import bland_altman_png
from locales import translator
from storage.db import Database, StorageError
from storage.models import Actor, ActorRole, Visit
from storage.visits import VisitValues

__all__ = ["COMMANDS", "add_parser", "main", "onset_month"]

COMMANDS: Final = frozenset({"visit", "visits", "visit-correct", "onset", "agreement"})
OPERATOR: Final = Actor(role=ActorRole.OPERATOR)


def _value_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="default: today")
    parser.add_argument("--alsfrs", default=None, metavar="S1,...,S10", help="ten scores 0-4")
    parser.add_argument("--item5", default=None, choices=("a", "b"), help="a: no gastrostomy")
    parser.add_argument("--fvc", type=int, default=None, metavar="PERCENT", help="FVC % predicted")
    parser.add_argument("--norris", type=int, default=None, help="Norris total")
    parser.add_argument("--norris-bulbar", type=int, default=None)
    parser.add_argument("--norris-spinal", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print JSON")


def add_parser(sub: Any) -> None:
    """Add the clinic-visit subcommands to the CLI's subparsers."""
    one = sub.add_parser("visit", help="record a clinic visit (ALSFRS, FVC, Norris)")
    one.add_argument("subject")
    one.add_argument("--visit", required=True, metavar="LABEL", help="e.g. I, III, unscheduled")
    _value_options(one)
    listing = sub.add_parser("visits", help="a participant's clinic visits")
    listing.add_argument("subject")
    listing.add_argument("--json", action="store_true")
    fix = sub.add_parser("visit-correct", help="correct a saved clinic visit (audited)")
    fix.add_argument("visit_id", type=int)
    fix.add_argument("--reason", required=True)
    fix.add_argument("--visit", default=None, metavar="LABEL")
    _value_options(fix)
    onset = sub.add_parser("onset", help="set the month of symptom onset (YYYY-MM)")
    onset.add_argument("subject")
    onset.add_argument("month")
    agree = sub.add_parser(
        "agreement", help="clinic ALSFRS against self-reports and caregiver reports"
    )
    agree.add_argument("--window-days", type=int, default=7, metavar="DAYS")
    agree.add_argument("--output", default=None, metavar="FILE", help="write JSON to FILE")
    agree.add_argument("--plot", default=None, metavar="FILE.png", help="Bland-Altman plot")


def onset_month(text: str, study: StudySettings) -> str | None:
    """`--onset` as 'YYYY-MM', checked against today in the study's zone; None if invalid."""
    today = datetime.now(ZoneInfo(study.study.timezone)).date()
    return flow.parse_onset(text, today=today)


def _fail(message: str) -> int:
    print(f"alsfrs-bot: {message}", file=sys.stderr)
    return 1


def visit_json(found: Visit) -> dict[str, object]:
    return {"id": found.id, "subject": found.subject, "respondent": "clinic", **found.values()}


def _line(found: Visit) -> str:
    parts = [f"#{found.id} {found.subject} visit {found.label} on {found.visit_date}"]
    if found.total is not None:
        parts.append(f"ALSFRS {found.total}/40 (item 5 {found.item5_variant})")
    if found.fvc_percent is not None:
        parts.append(f"FVC {found.fvc_percent} %")
    if found.norris_total is not None:
        norris = f"Norris {found.norris_total}"
        subs = [
            f"{name} {value}"
            for name, value in (("bulbar", found.norris_bulbar), ("spinal", found.norris_spinal))
            if value is not None
        ]
        parts.append(norris + (f" ({', '.join(subs)})" if subs else ""))
    if found.corrected_at is not None:
        parts.append("corrected")
    return "; ".join(parts)


def _values(args: argparse.Namespace, today: date, base: VisitValues | None) -> VisitValues:
    try:
        when = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise InvalidValues("--date is YYYY-MM-DD") from None
    items, variant = (None, None)
    if args.alsfrs is not None:
        if args.item5 is None:
            raise InvalidValues("--alsfrs needs --item5 a|b (item 5 without or with gastrostomy)")
        found_items, found_variant = flow.parse_alsfrs(args.alsfrs, args.item5)
        items, variant = found_items, found_variant
    elif args.item5 is not None:
        raise InvalidValues("--item5 goes with --alsfrs")
    if base is None:
        return VisitValues(
            label=args.visit,
            visit_date=when or today,
            items=items,
            item5_variant=variant,
            fvc_percent=args.fvc,
            norris_total=args.norris,
            norris_bulbar=args.norris_bulbar,
            norris_spinal=args.norris_spinal,
        )
    changes: dict[str, Any] = {}
    if args.visit is not None:
        changes["label"] = args.visit
    if when is not None:
        changes["visit_date"] = when
    if items is not None:
        changes |= {"items": items, "item5_variant": variant}
    for name, value in (
        ("fvc_percent", args.fvc),
        ("norris_total", args.norris),
        ("norris_bulbar", args.norris_bulbar),
        ("norris_spinal", args.norris_spinal),
    ):
        if value is not None:
            changes[name] = value
    return replace(base, **changes)


def _stored(found: Visit) -> VisitValues:
    assert found.label is not None
    assert found.visit_date is not None
    return VisitValues(
        label=found.label,
        visit_date=found.visit_date,
        items=found.items,
        item5_variant=found.item5_variant,
        fvc_percent=found.fvc_percent,
        norris_total=found.norris_total,
        norris_bulbar=found.norris_bulbar,
        norris_spinal=found.norris_spinal,
    )


async def _run(services: Services, args: argparse.Namespace) -> int:
    today = services.clock().astimezone(ZoneInfo(services.study.study.timezone)).date()
    if args.command == "visit":
        recorded = await flow.record(
            services, subject=args.subject, values=_values(args, today, None), actor=OPERATOR
        )
        if recorded is None:
            return _fail(f"no participant {args.subject!r}")
        saved, alerts = recorded
        if args.json:
            print(json.dumps({**visit_json(saved), "alerts": alerts}))
        else:
            print(_line(saved) + (f"\n{alerts} alert(s) for staff" if alerts else ""))
        return 0
    if args.command == "visits":
        found = await flow.history(services, args.subject)
        if found is None:
            return _fail(f"no participant {args.subject!r}")
        participant, saved_visits = found
        if args.json:
            print(json.dumps([visit_json(v) for v in saved_visits]))
        else:
            print("\n".join(_line(v) for v in saved_visits) or f"{participant.subject}: no visits")
        return 0
    if args.command == "visit-correct":
        current = await _one(services, args.visit_id)
        if current is None:
            return _fail(f"no saved visit #{args.visit_id}")
        changed = await flow.correct(
            services,
            visit_id=args.visit_id,
            values=_values(args, today, _stored(current)),
            reason=args.reason,
            actor=OPERATOR,
        )
        if changed is None:
            return _fail(f"no saved visit #{args.visit_id}")
        old, new = changed
        if args.json:
            print(json.dumps({"old": visit_json(old), "new": visit_json(new)}))
        else:
            print(f"was: {_line(old)}\nnow: {_line(new)}")
        return 0
    if args.command == "onset":
        month = flow.parse_onset(args.month, today=today)
        if month is None:
            return _fail("the onset is a past month, YYYY-MM")
        if await flow.set_onset(services, subject=args.subject, month=month, actor=OPERATOR):
            print(f"{args.subject}: symptom onset {month}")
            return 0
        return _fail(f"no participant {args.subject!r}")
    if args.command == "agreement":
        return await _agreement(services, args)
    return _fail(f"unknown command {args.command}")


def _figures(pairs: list[tuple[int, int]]) -> dict[str, object]:
    found = agreement(pairs)
    if found is None:
        return {"n": 0}
    return {
        "n": found.n,
        "mean_difference": round(found.mean_difference, 3),
        "lower_limit": round(found.lower_limit, 3),
        "upper_limit": round(found.upper_limit, 3),
        "icc": None if found.icc is None else round(found.icc, 3),
    }


def _agreement_line(name: str, figures: dict[str, object]) -> str:
    if figures["n"] == 0:
        return f"{name}: no pairs"
    icc = figures["icc"]
    return (
        f"{name}: n={figures['n']}, mean difference {figures['mean_difference']:+.2f}"
        f" (report - clinic), limits of agreement {figures['lower_limit']:.2f}"
        f" to {figures['upper_limit']:.2f}, ICC(2,1) {'-' if icc is None else f'{icc:.3f}'}"
    )


async def _agreement(services: Services, args: argparse.Namespace) -> int:
    """Pair every clinic ALSFRS with the nearest self-report (and, separately, caregiver report)
    within the window; print n, mean difference, Bland-Altman limits and ICC(2,1)."""
    if not 0 <= args.window_days <= 365:
        return _fail("--window-days is 0 to 365")
    clinic, own, proxy = await flow.agreement_data(services)
    pairs = {
        "self_report": pair(clinic, own, window_days=args.window_days),
        "caregiver": pair(clinic, proxy, window_days=args.window_days),
    }
    result: dict[str, Any] = {
        "window_days": args.window_days,
        **{name: _figures(found) for name, found in pairs.items()},
    }
    print(f"Clinic ALSFRS paired within {args.window_days} days")
    print(_agreement_line("self-report", result["self_report"]))
    print(_agreement_line("caregiver", result["caregiver"]))
    if args.output:
        text = json.dumps(result, indent=2) + "\n"
        await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
    if args.plot:
        own_pairs = pairs["self_report"]
        found = agreement(own_pairs)
        if found is None:
            return _fail("no self-report pairs to plot")
        image = bland_altman_png(
            translator("en"),
            own_pairs,
            mean_difference=found.mean_difference,
            limits=(found.lower_limit, found.upper_limit),
            title=f"Bland-Altman, self-report vs clinic (n={found.n})",
        )
        await asyncio.to_thread(Path(args.plot).write_bytes, image)
    return 0


async def _one(services: Services, visit_id: int) -> Visit | None:
    from storage import visits

    async def unit(tx: Any) -> Visit | None:
        found = await visits.visit(tx, visit_id)
        return found if found is not None and found.status == "saved" else None

    return await services.db.read(unit)


async def main(settings: Settings, study: StudySettings, args: argparse.Namespace) -> int:
    """Run one of `COMMANDS` against the database."""
    try:
        db = await Database.open(settings.db_path)
    except (StorageError, OSError) as exc:
        return _fail(f"ALSFRS_DB_PATH ({settings.db_path}): {exc}")
    services = Services(db=db, settings=settings, study=study)
    try:
        return await _run(services, args)
    except InvalidValues as exc:
        return _fail(str(exc))
    finally:
        await db.close()
