"""Assessment throughput, and what a press costs: our bot against a bare python-telegram-bot bot.

Each bot runs as its own process: ours as `alsfrs-bot run` with its real database (WAL,
synchronous=FULL), the bare one as `benchmarks/bare_bot.py` (an answer and an edit per press, no
storage). This process runs a local Bot API server for each and drives N simulated patients
through it, concurrently; the two bots take turns in windows (at least three each, the order
alternating), so that a busy moment of the shared machine falls on both alike.

Wall-clock rates swing between runs on a shared 2-core machine; the stable figure is the CPU
time of the bot's process (user + system, from /proc/PID/stat, all its threads) per press.
Printed, as medians over the windows: presses/s, bot CPU ms per press, p50/p99 press->reply
latency, Bot API calls per press, and the ratios ours/bare.

    python benchmarks/assessment_throughput.py [--patients 30] [--windows 3] [--rounds 1]
    python benchmarks/assessment_throughput.py --quick
    python benchmarks/assessment_throughput.py --profile ours.txt  # py-spy; also ours.bare.txt
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.study import write_bench_study
from localapi import LocalBotApi, SimUser
from storage import people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role

TOKEN = "555555555:BENCHbenchBENCHbenchBENCHbenchBENCH"
BARE_TOKEN = "666666666:BAREbareBAREbareBAREbareBAREbareBARE"
# Ten items, "no new symptoms", Submit. The feeding-tube question comes once per person (in the
# warm-up window); the bare bot presses as often.
PRESSES_PER_ASSESSMENT = 12
BIN = Path(sys.executable).parent
BARE_BOT = Path(__file__).resolve().parent / "bare_bot.py"
_TICKS = os.sysconf("SC_CLK_TCK")
_LAST_LINES = 4000  # of a bot's log, when it fails


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) that process `pid` has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


# --- the two bots as processes ---------------------------------------------------------------


@dataclass
class BotProcess:
    name: str
    api: LocalBotApi
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    async def ready(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Until the bot polls (after its post_init: database open, commands set)."""
        deadline = time.monotonic() + timeout
        while self.api.calls["getUpdates"] == 0:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start polling: {self.tail()}")
            await asyncio.sleep(0.05)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-_LAST_LINES:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def _spawn(
    name: str, api: LocalBotApi, argv: list[str], env: dict[str, str], log: Path
) -> Iterator[BotProcess]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    bot = BotProcess(name, api, process, log)
    try:
        yield bot
    finally:
        bot.stop()


def _env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    return {**clean, **extra}


# --- what the simulated people do ------------------------------------------------------------


async def _timed_press(user: SimUser, label: str, latencies: list[float]) -> None:
    started = time.perf_counter()
    await user.press(label, wait=False)
    await user.wait_for()  # the edited message: the reply the person sees
    latencies.append(time.perf_counter() - started)


async def _our_assessment(user: SimUser, latencies: list[float]) -> None:
    await user.send("/assess", wait=False)
    shown = await user.wait_for(
        lambda m: "Question 1 of 10" in m.content or "Start another one?" in m.content
    )
    if "Start another one?" in shown.content:  # a later window: today's was submitted already
        await user.press("Start another", wait=False)
        await user.wait_for("Question 1 of 10")
    for _ in range(PRESSES_PER_ASSESSMENT + 3):
        labels = user.buttons()
        if "Submit" in labels:
            await _timed_press(user, "Submit", latencies)
            return
        if "No gastrostomy" in labels:
            await _timed_press(user, "No gastrostomy", latencies)
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


Flow = Callable[[SimUser, list[float]], Awaitable[None]]


@dataclass
class Window:
    presses: int
    seconds: float
    cpu_seconds: float
    latencies: list[float]
    calls: Counter[str]

    @property
    def per_second(self) -> float:
        return self.presses / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.presses

    @property
    def calls_per_press(self) -> float:
        """Bot API calls per press, not counting getUpdates (its count depends on batching)."""
        return sum(n for method, n in self.calls.items() if method != "getUpdates") / self.presses


@dataclass
class Side:
    bot: BotProcess
    users: list[SimUser]
    flow: Flow
    windows: list[Window] = field(default_factory=list)

    async def window(self, rounds: int) -> Window:
        """Every user completes `rounds` assessments, concurrently with the others."""
        latencies: list[float] = []
        calls_before = Counter(self.bot.api.calls)
        cpu_before = process_cpu(self.bot.pid)
        started = time.perf_counter()

        async def person(user: SimUser) -> None:
            for _ in range(rounds):
                await self.flow(user, latencies)

        await asyncio.gather(*(person(user) for user in self.users))
        seconds = time.perf_counter() - started
        await asyncio.sleep(0.2)  # work the bot does after its reply counts too
        cpu = process_cpu(self.bot.pid) - cpu_before
        calls = Counter(self.bot.api.calls)
        calls.subtract(calls_before)
        return Window(len(latencies), seconds, cpu, latencies, +calls)

    def median(self, value: Callable[[Window], float]) -> float:
        return statistics.median(value(w) for w in self.windows)


# --- the run ---------------------------------------------------------------------------------


async def _enroll(db_path: Path, count: int) -> list[str]:
    from conversations.context import utc_now

    db = await Database.open(db_path)
    operator = Actor(role=ActorRole.OPERATOR)

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


def _profile_path(profile: Path | None, name: str) -> Path | None:
    """Ours to PATH, the bare bot to PATH with `.bare` before its suffix."""
    if profile is None or name == "ours":
        return profile
    return profile.with_suffix(f".{name}{profile.suffix}")


@contextmanager
def _profiler(pid: int, path: Path | None) -> Iterator[None]:
    """py-spy sampling `pid` (all threads, without pausing it) while the block runs; its
    collapsed stacks are added to `path`."""
    if path is None:
        yield
        return
    part = path.with_suffix(".part")
    argv = [str(BIN / "py-spy"), "record", "--pid", str(pid), "--nonblocking", "--threads"]
    argv += ["--rate", "200", "--format", "raw", "--output", str(part)]
    spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)  # attached
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        _, err = spy.communicate(timeout=60)
        if part.exists():
            with path.open("a") as out:
                out.write(part.read_text())
            part.unlink()
        else:
            print(f"py-spy: {err.decode(errors='replace')[-500:]}", file=sys.stderr)


async def run(
    patients: int = 30, windows: int = 3, rounds: int = 1, profile: Path | None = None
) -> dict[str, float]:
    for name in ("ours", "bare"):
        if (path := _profile_path(profile, name)) is not None:
            path.write_text("")
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        codes = await _enroll(db_path, patients)
        async with LocalBotApi(token=TOKEN) as api, LocalBotApi(token=BARE_TOKEN) as bare_api:
            ours_env = _env(
                ALSFRS_BOT_TOKEN=TOKEN,
                ALSFRS_API_BASE_URL=api.base_url,
                ALSFRS_DB_PATH=str(db_path),
                # As a real study runs: every account agrees to the privacy notice first.
                ALSFRS_STUDY_FILE=str(write_bench_study(Path(tmp), privacy=True)),
            )
            bare_argv = [sys.executable, str(BARE_BOT), "--token", BARE_TOKEN]
            bare_argv += ["--base-url", bare_api.base_url]
            with (
                _spawn(
                    "ours", api, [str(BIN / "alsfrs-bot"), "run"], ours_env, Path(tmp) / "o"
                ) as ours_bot,
                _spawn("bare", bare_api, bare_argv, _env(), Path(tmp) / "b") as bare_bot,
            ):
                await asyncio.gather(ours_bot.ready(), bare_bot.ready())
                for server in (api, bare_api):  # a shared machine can be slow; no test here
                    server.world.default_timeout = 60.0
                users = [api.user(10_000 + i) for i in range(patients)]
                ours = Side(ours_bot, users, _our_assessment)
                bare = Side(
                    bare_bot, [bare_api.user(20_000 + i) for i in range(patients)], _bare_assessment
                )
                try:
                    await asyncio.gather(
                        *(u.send(f"/start {code}") for u, code in zip(users, codes, strict=True))
                    )
                    # `alsfrs-bot run` is another process: wait for each notice to arrive.
                    await asyncio.gather(
                        *(u.wait_for(lambda m: "I agree" in m.labels) for u in users)
                    )
                    await asyncio.gather(*(u.press("I agree") for u in users))
                    for side in (ours, bare):  # warm-up: imports, caches, connections
                        await side.window(1)
                    for i in range(windows):
                        for side in (ours, bare) if i % 2 == 0 else (bare, ours):
                            with _profiler(side.bot.pid, _profile_path(profile, side.bot.name)):
                                side.windows.append(await side.window(rounds))
                except BaseException:
                    for bot in (ours_bot, bare_bot):
                        print(f"--- {bot.name}'s log\n{bot.tail()}", file=sys.stderr)
                    raise
                ours_calls = sum((w.calls for w in ours.windows), Counter[str]())
            assert not api.violations, api.violations
            assert not bare_api.violations, bare_api.violations
    presses = sum(w.presses for w in ours.windows)
    results: dict[str, float] = {"presses_per_window": float(ours.windows[0].presses)}
    for name, side in (("ours", ours), ("bare", bare)):
        results[f"{name}_per_s"] = side.median(lambda w: w.per_second)
        results[f"{name}_cpu_ms"] = side.median(lambda w: w.cpu_ms)
        results[f"{name}_p50_ms"] = side.median(lambda w: 1000 * statistics.median(w.latencies))
        results[f"{name}_p99_ms"] = side.median(lambda w: 1000 * _percentile(w.latencies, 0.99))
        results[f"{name}_calls"] = side.median(lambda w: w.calls_per_press)
    for method, count in ours_calls.items():
        if method != "getUpdates":
            results[f"ours_calls_{method}"] = count / presses
    results["rate_ratio"] = results["ours_per_s"] / results["bare_per_s"]
    results["cpu_ratio"] = results["ours_cpu_ms"] / results["bare_cpu_ms"]
    results["p99_ratio"] = results["ours_p99_ms"] / results["bare_p99_ms"]
    return results


def report(results: dict[str, float], patients: int, windows: int, rounds: int) -> None:
    print(
        f"assessment throughput: {patients} patients at once, {rounds} assessment(s) of "
        f"{PRESSES_PER_ASSESSMENT} presses each per window, {windows} windows per bot; "
        "medians over windows; each bot in its own process"
    )
    print(
        f"  {'':10} {'presses/s':>10} {'CPU ms/press':>13} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'API calls/press':>16}"
    )
    for name, label in (("bare", "bare PTB"), ("ours", "ours")):
        print(
            f"  {label:10} {results[f'{name}_per_s']:10.1f} {results[f'{name}_cpu_ms']:13.2f}"
            f" {results[f'{name}_p50_ms']:8.1f} {results[f'{name}_p99_ms']:8.1f}"
            f" {results[f'{name}_calls']:16.2f}"
        )
    print(
        f"  ours/bare: presses/s {results['rate_ratio']:.2f} (goal >= 0.75), "
        f"CPU per press {results['cpu_ratio']:.2f}x (goal <= 1.3x), "
        f"p99 {results['p99_ratio']:.2f}x (goal <= 1.5x)"
    )
    calls = ", ".join(
        f"{key.removeprefix('ours_calls_')} {value:.2f}"
        for key, value in sorted(results.items())
        if key.startswith("ours_calls_")
    )
    print(f"  ours, Bot API calls per press: {calls}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--windows", type=int, default=3, help="per bot, at least 3")
    parser.add_argument("--rounds", type=int, default=1, help="assessments per patient per window")
    parser.add_argument("--quick", action="store_true", help="10 patients")
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy collapsed stacks of ours to PATH, of the bare bot beside it",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.patients = 10
    args.windows = max(3, args.windows)
    results = asyncio.run(run(args.patients, args.windows, args.rounds, args.profile))
    report(results, args.patients, args.windows, args.rounds)


if __name__ == "__main__":
    main()
