"""Reminder fan-out: N participants fall due at the same moment and the real bot (`alsfrs-bot run`,
its own process) delivers every reminder through the local Bot API with Telegram's rate limits
switched on (30 messages in any second, about one a second per chat; any excess is a 429 and
counts as a violation).

Reports the time from the due moment to the last reminder delivered against the limit's own
floor (N / 30 per second), the bot process's peak memory (VmHWM) and its growth per participant
against a small run, and the time to rebuild the schedule at start-up (as the bot logs it, and
measured here with the memory it keeps per participant).

    python benchmarks/reminder_fanout.py [--participants 10000] [--baseline 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.study import write_bench_study
from bot.outbox import ReminderJob
from bot.settings import Settings, load_study
from conversations.context import Services
from localapi import LocalBotApi
from storage import people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role

TOKEN: Final = "666666666:FANOUTfanoutFANOUTfanoutFANOUTfan"
PER_SECOND: Final = 30.0
FIRST_USER: Final = 1_000_000
ZONE: Final = ZoneInfo("Europe/Prague")
OPERATOR: Final = Actor(role=ActorRole.OPERATOR)
ROOT: Final = Path(__file__).resolve().parents[1]
REBUILT: Final = re.compile(r"reminder schedule rebuilt: (\d+) active participants in ([\d.]+) s")


class _Nobody:
    async def send(self, chat_id: int, text: str, keyboard: object = None) -> int:
        return 1

    async def edit(self, chat_id: int, message_id: int, text: str, keyboard: object = None) -> None:
        return None


def _study_file(folder: Path, due: datetime) -> Path:
    """The benchmark study with the reminder time set to `due` and no quiet hours."""
    local = due.astimezone(ZONE).strftime("%H:%M:00")
    replace = {"preferred_time": local, "quiet_start": "00:00:00", "quiet_end": "00:00:00"}
    return write_bench_study(folder, replace)


async def _enroll(db_path: Path, count: int, enrolled: datetime) -> None:
    """`count` participants, each with a patient account, enrolled 14 local days before due."""
    db = await Database.open(db_path)
    try:
        for start in range(0, count, 500):

            async def unit(tx: Tx, start: int = start) -> None:
                for number in range(start, min(count, start + 500)):
                    found = await people.create_participant(
                        tx, subject=f"F{number:05d}", language="en", actor=OPERATOR, now=enrolled
                    )
                    code = await people.create_invitation(
                        tx,
                        role=Role.PATIENT,
                        participant_id=found.id,
                        actor=OPERATOR,
                        now=enrolled,
                        ttl=timedelta(days=1),
                    )
                    await people.redeem(
                        tx, code=code, telegram_user_id=FIRST_USER + number, now=enrolled
                    )

            await db.write(unit)
    finally:
        await db.close()


async def _rebuild_here(db_path: Path, study_path: Path) -> tuple[float, float]:
    """(seconds, bytes kept per participant) of a rebuild in this process."""
    db = await Database.open(db_path)
    try:
        services = Services(db=db, settings=Settings(db_path=db_path), study=load_study(study_path))
        scheduler = ReminderJob(services, _Nobody())
        count = await scheduler.rebuild()
        seconds = scheduler.stats.rebuild_seconds
        scheduler = ReminderJob(services, _Nobody())
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        await scheduler.rebuild()
        kept = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        return seconds, kept / max(count, 1)
    finally:
        await db.close()


def _densest(stamps: list[float], window: float) -> int:
    """The most arrivals the server saw within any `window` seconds."""
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _memory_kib(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


async def _fanout(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db_path = folder / "fanout.sqlite3"
        lead = 25.0 + count * 0.004  # time to set everything up before the due moment
        due = (datetime.now(UTC) + timedelta(seconds=lead)).replace(second=0, microsecond=0)
        due += timedelta(minutes=1)
        await _enroll(db_path, count, due - timedelta(days=14))
        study_path = _study_file(folder, due)
        rebuild_here, kept_per_participant = await _rebuild_here(db_path, study_path)
        async with LocalBotApi(token=TOKEN, rate_limits=True) as api:
            for number in range(count):
                api.user(FIRST_USER + number).chat.known_to_bot = True
            env = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
            env.update(
                ALSFRS_BOT_TOKEN=TOKEN,
                ALSFRS_API_BASE_URL=api.base_url,
                ALSFRS_DB_PATH=str(db_path),
                ALSFRS_STUDY_FILE=str(study_path),
                ALSFRS_LOG_LEVEL="INFO",
            )
            log_path = folder / "bot.log"
            with log_path.open("wb") as log:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot.cli",
                    "run",
                    env=env,
                    cwd=str(ROOT),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log,
                )
            try:
                await api.wait_until(
                    lambda: api.calls["getUpdates"] > 0, timeout=60, what="the bot polls"
                )
                seconds_to_due = (due - datetime.now(UTC)).total_seconds()
                due_mono = time.monotonic() + seconds_to_due
                started_late = max(0.0, -seconds_to_due)
                peak_rss = 0.0
                seen, delivered, first, last = 0, 0, float("nan"), float("nan")
                deadline = due_mono + count / PER_SECOND * 2 + 120
                log_of_calls = api.call_log
                while delivered < count:
                    # A request is logged when it arrives and gets its status when answered.
                    while seen < len(log_of_calls) and log_of_calls[seen].status is not None:
                        call = log_of_calls[seen]
                        seen += 1
                        if call.method == "sendMessage" and call.status == 200:
                            delivered += 1
                            if delivered == 1:
                                first = call.started
                            last = call.started
                    peak_rss = max(peak_rss, _memory_kib(process.pid, "VmRSS"))
                    if time.monotonic() > deadline or process.returncode is not None:
                        kept = Path(tempfile.gettempdir()) / "reminder_fanout_bot.log"
                        kept.write_bytes(log_path.read_bytes())
                        raise AssertionError(
                            f"{delivered} of {count} delivered; the bot's log is in {kept}"
                        )
                    await asyncio.sleep(0.5)
                await asyncio.sleep(1.0)  # nothing more may follow
                extra = sum(
                    1
                    for call in api.call_log[seen:]
                    if call.method == "sendMessage" and call.status == 200
                )
                hwm = _memory_kib(process.pid, "VmHWM")
            finally:
                process.send_signal(signal.SIGINT)
                await asyncio.wait_for(process.wait(), 60)
            violations = len(api.violations)
            stamps = sorted(
                call.started
                for call in api.call_log
                if call.method == "sendMessage" and call.status == 200
            )
        found = REBUILT.search(log_path.read_text())
        floor = count / PER_SECOND
        total = last - due_mono
        return {
            "participants": float(count),
            "floor_s": floor,
            "delivery_s": total,
            "ratio_to_floor": total / floor,
            "first_after_due_s": first - due_mono,
            "started_late_s": started_late,
            "rate_per_s": (count - 1) / (last - first) if count > 1 else float("nan"),
            "duplicates": float(extra),
            "violations": float(violations),
            "max_in_any_second": float(_densest(stamps, 1.0)),
            "peak_rss_mib": max(hwm, peak_rss) / 1024,
            "bot_rebuild_s": float(found.group(2)) if found else float("nan"),
            "rebuild_here_s": rebuild_here,
            "rebuild_kept_bytes_per_participant": kept_per_participant,
        }


async def run(participants: int = 10_000, baseline: int = 200) -> dict[str, float]:
    small = await _fanout(baseline)
    large = await _fanout(participants)
    results = {f"small_{key}": value for key, value in small.items()}
    results.update(large)
    growth = (large["peak_rss_mib"] - small["peak_rss_mib"]) * 1024 / (participants - baseline)
    results["rss_growth_kib_per_participant"] = growth
    return results


def report(results: dict[str, float]) -> None:
    count = int(results["participants"])
    print(f"reminder fan-out: {count} participants due at one moment, Telegram's limits on")
    print(
        f"  delivered in {results['delivery_s']:.1f} s from the due moment; floor "
        f"{results['floor_s']:.1f} s ({count} / 30 per second): "
        f"ratio {results['ratio_to_floor']:.3f} (target <= 1.10)"
    )
    print(
        f"  first reminder {results['first_after_due_s']:.2f} s after due; steady rate "
        f"{results['rate_per_s']:.2f} messages/s, at most {results['max_in_any_second']:.0f} in "
        f"any second; 429 violations {results['violations']:.0f}; "
        f"sent twice {results['duplicates']:.0f}"
    )
    print(
        f"  bot peak memory {results['peak_rss_mib']:.1f} MiB (with "
        f"{int(results['small_participants'])}: {results['small_peak_rss_mib']:.1f} MiB): "
        f"{results['rss_growth_kib_per_participant']:.2f} KiB more per participant"
    )
    print(
        f"  schedule rebuild at start-up: {results['bot_rebuild_s']:.2f} s in the bot "
        f"({results['rebuild_here_s']:.2f} s measured here; the schedule keeps "
        f"{results['rebuild_kept_bytes_per_participant']:.0f} bytes per participant)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=200)
    args = parser.parse_args()
    report(asyncio.run(run(args.participants, args.baseline)))


if __name__ == "__main__":
    main()
