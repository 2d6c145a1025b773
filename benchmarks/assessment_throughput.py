"""Assessment throughput: N simulated patients complete assessments concurrently through the
local Bot API against the real bot with its real database (WAL, synchronous=FULL); in the same
run a bare python-telegram-bot bot, with no storage, answers the same number of presses with an
edit. Prints assessments per second for both, the ratio ours/bare, and p50/p99 press-to-reply
latency.

    python benchmarks/assessment_throughput.py [--patients 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import build_application, running
from bot.settings import Settings, load_study
from localapi import LocalBotApi, SimUser
from storage import people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role

TOKEN = "555555555:BENCHbenchBENCHbenchBENCHbenchBENCH"
BARE_TOKEN = "666666666:BAREbareBAREbareBAREbareBAREbareBARE"
PRESSES_PER_ASSESSMENT = 13  # ten items, the feeding-tube question, "no new symptoms", Submit


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _timed_press(user: SimUser, label: str, latencies: list[float]) -> None:
    started = time.perf_counter()
    await user.press(label, wait=False)
    await user.wait_for()  # the edited message: the reply the person sees
    latencies.append(time.perf_counter() - started)


async def _our_assessment(user: SimUser, latencies: list[float]) -> None:
    await user.send("/assess", wait=False)
    await user.wait_for("Question 1 of 10")
    for _ in range(PRESSES_PER_ASSESSMENT + 2):
        labels = user.buttons()
        if "Submit" in labels:
            await _timed_press(user, "Submit", latencies)
            return
        if "No feeding tube" in labels:
            await _timed_press(user, "No feeding tube", latencies)
            continue
        if "None" in labels:
            await _timed_press(user, "None", latencies)
            continue
        label = next(label for label in labels if label.startswith("3 · "))
        await _timed_press(user, label, latencies)
    raise AssertionError("assessment did not reach Submit")


async def _bare_assessment(user: SimUser, latencies: list[float]) -> None:
    await user.send("/start", wait=False)
    await user.wait_for("step 0")
    for _ in range(PRESSES_PER_ASSESSMENT):
        await _timed_press(user, "Next", latencies)


def _bare_application(api: LocalBotApi) -> Any:
    def keyboard(step: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data=f"n:{step}")]])

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await update.effective_chat.send_message("step 0", reply_markup=keyboard(0))

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        step = int(str(query.data).split(":")[1]) + 1
        await asyncio.gather(
            query.answer(), query.edit_message_text(f"step {step}", reply_markup=keyboard(step))
        )

    application = (
        Application.builder()
        .token(BARE_TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .concurrent_updates(256)
        .connection_pool_size(64)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(press))
    return application


async def _measure(
    users: list[SimUser],
    flow: Callable[[SimUser, list[float]], Awaitable[None]],
    latencies: list[float],
) -> float:
    """One round: every user completes one assessment concurrently; returns the seconds taken."""
    started = time.perf_counter()
    await asyncio.gather(*(flow(user, latencies) for user in users))
    return time.perf_counter() - started


async def _enroll(db_path: Path, count: int) -> list[str]:
    db = await Database.open(db_path)
    operator = Actor(role=ActorRole.OPERATOR)
    from conversations.context import utc_now

    async def unit(tx: Tx) -> list[str]:
        codes = []
        for i in range(count):
            p = await people.create_participant(
                tx, subject=f"B{i:04d}", language="en", actor=operator, now=utc_now()
            )
            codes.append(
                await people.create_invitation(
                    tx,
                    role=Role.PATIENT,
                    participant_id=p.id,
                    actor=operator,
                    now=utc_now(),
                    ttl=timedelta(days=1),
                )
            )
        return codes

    try:
        return await db.write(unit)
    finally:
        await db.close()


async def run(patients: int = 50, rounds: int = 4) -> dict[str, float]:
    """Both bots run side by side, each on its own local server; their rounds alternate, so a
    busy moment of the machine falls on both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        codes = await _enroll(db_path, patients)
        async with LocalBotApi(token=TOKEN) as api, LocalBotApi(token=BARE_TOKEN) as bare_api:
            settings = Settings(
                bot_token=TOKEN,  # type: ignore[arg-type]
                api_base_url=api.base_url,
                db_path=db_path,
            )
            ours = build_application(settings, load_study(None))
            bare = _bare_application(bare_api)
            async with running(ours, poll_timeout=1), running(bare, poll_timeout=1):
                users = [api.user(10_000 + i) for i in range(patients)]
                await asyncio.gather(
                    *(u.send(f"/start {code}") for u, code in zip(users, codes, strict=True))
                )
                bare_users = [bare_api.user(20_000 + i) for i in range(patients)]
                services = ours.bot_data.services
                assert services is not None
                commits_before, units_before = services.db.commits, services.db.units
                ours_lat: list[float] = []
                bare_lat: list[float] = []
                ours_time = bare_time = 0.0
                for _ in range(rounds):
                    ours_time += await _measure(users, _our_assessment, ours_lat)
                    bare_time += await _measure(bare_users, _bare_assessment, bare_lat)
                commits = services.db.commits - commits_before
                units = services.db.units - units_before
            assert not api.violations, api.violations
            assert not bare_api.violations, bare_api.violations
    ours_rate = patients * rounds / ours_time
    bare_rate = patients * rounds / bare_time
    return {
        "ours_per_s": ours_rate,
        "bare_per_s": bare_rate,
        "ratio": ours_rate / bare_rate,
        "ours_p50_ms": statistics.median(ours_lat) * 1000,
        "ours_p99_ms": _percentile(ours_lat, 0.99) * 1000,
        "bare_p50_ms": statistics.median(bare_lat) * 1000,
        "bare_p99_ms": _percentile(bare_lat, 0.99) * 1000,
        "units_per_commit": units / max(commits, 1),
    }


def report(results: dict[str, float], patients: int, rounds: int) -> None:
    print(
        f"assessment throughput: {patients} patients x {rounds} rounds, "
        f"{PRESSES_PER_ASSESSMENT} presses each"
    )
    print(
        f"  ours : {results['ours_per_s']:7.2f} assessments/s   press->reply "
        f"p50 {results['ours_p50_ms']:6.1f} ms  p99 {results['ours_p99_ms']:6.1f} ms"
    )
    print(
        f"  bare : {results['bare_per_s']:7.2f} assessments/s   press->reply "
        f"p50 {results['bare_p50_ms']:6.1f} ms  p99 {results['bare_p99_ms']:6.1f} ms"
    )
    print(
        f"  ratio ours/bare: {results['ratio']:.2f}  (target >= 0.70); "
        f"group commit: {results['units_per_commit']:.1f} writes per commit"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    report(asyncio.run(run(args.patients, args.rounds)), args.patients, args.rounds)


if __name__ == "__main__":
    main()
