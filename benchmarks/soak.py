"""Soak: concurrent assessments while the bot process is killed with SIGKILL at random moments.

The bot runs as `alsfrs-bot run` against a local Bot API server (as in
`assessment_throughput.py`), on one database, for N cycles (default 50): start it, let P patients
press through assessments at once, SIGKILL it after a random moment, start it again. An answer is
*confirmed* when the person saw the bot's reply to the press (the bot commits before it replies);
a submission likewise. At the end every confirmed answer and submission must be in the database
(0 lost), and no assessment may be submitted that nobody pressed Submit for, nor a participant
hold two open assessments (0 duplicated).

    python benchmarks/soak.py [--cycles 50] [--patients 8] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.assessment_throughput import (
    BIN,
    TOKEN,
    BotProcess,
    _enroll,
    _env,
    _spawn,
)
from benchmarks.study import write_bench_study
from localapi import LocalBotApi, SimUser

_QUESTION = re.compile(r"Question (\d+) of 10")
_DATA = re.compile(r"a:(\d+):\d+:(\w+)")


@dataclass
class Tally:
    confirmed: set[tuple[int, int]] = field(default_factory=set)  # (assessment, item)
    submitted: set[int] = field(default_factory=set)  # assessments whose Submit was confirmed
    submit_pressed: set[int] = field(default_factory=set)  # pressed, confirmed or not
    presses: int = 0


def _choice(user: SimUser) -> tuple[str, str] | None:
    """The label to press on the person's newest keyboard and its callback data."""
    message = user.chat.keyboard_message()
    if message is None:
        return None
    buttons = {
        str(b["text"]): str(b.get("callback_data", ""))
        for row in (message.reply_markup or {}).get("inline_keyboard", [])
        for b in row
    }
    wanted_labels = ("Submit", "No gastrostomy", "None", "Continue it", "Start another")
    for wanted in wanted_labels:
        if wanted in buttons:
            return wanted, buttons[wanted]
    for label, data in buttons.items():
        if label.startswith("3 · ") or label.startswith("Continue"):
            return label, data
    return None


async def _patient(user: SimUser, tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await _step(user, tally)
        except AssertionError:  # the bot is down or the screen moved on: look again
            await asyncio.sleep(0.1)


async def _step(user: SimUser, tally: Tally) -> None:
    choice = _choice(user)
    if choice is None:
        await user.send("/assess", wait=False)
        await user.wait_for(timeout=10)
        return
    label, data = choice
    before = user.chat.keyboard_message()
    question = _QUESTION.search(before.content) if before else None
    found = _DATA.fullmatch(data)
    if found and found[2] == "S":
        tally.submit_pressed.add(int(found[1]))
    tally.presses += 1
    await user.press(label, timeout=10)  # answered: the bot committed and replied
    if found is None:
        return
    assessment, op = int(found[1]), found[2]
    if op == "S":
        tally.submitted.add(assessment)
    elif op.startswith("s") and question is not None:
        tally.confirmed.add((assessment, int(question[1])))


async def _cycle(
    api: LocalBotApi, bot: BotProcess, users: list[SimUser], tally: Tally, rng: random.Random
) -> None:
    await bot.ready()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(_patient(u, tally, stop)) for u in users]
    await asyncio.sleep(rng.uniform(0.2, 2.5))
    bot.process.kill()  # SIGKILL: no shutdown of any kind
    bot.process.wait()
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _check(db_path: Path, tally: Tally) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        answers = set(conn.execute("SELECT assessment_id, item FROM answers").fetchall())
        submitted = {
            row[0] for row in conn.execute("SELECT id FROM assessments WHERE status = 'submitted'")
        }
        two_open = conn.execute(
            "SELECT COUNT(*) FROM (SELECT participant_id FROM assessments"
            " WHERE status = 'in_progress' GROUP BY participant_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
    return {
        "answers confirmed": len(tally.confirmed),
        "answers found": len(tally.confirmed & answers),
        "submissions confirmed": len(tally.submitted),
        "submissions found": len(tally.submitted & submitted),
        "submissions in database": len(submitted),
        "lost": len(tally.confirmed - answers) + len(tally.submitted - submitted),
        "duplicated": len(submitted - tally.submit_pressed) + int(two_open),
    }


def _study_file(folder: Path) -> Path:
    return write_bench_study(folder)


async def run(cycles: int = 50, patients: int = 8, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "soak.sqlite3"
        codes = await _enroll(db_path, patients)
        async with LocalBotApi(token=TOKEN) as api:
            api.world.default_timeout = 30.0
            env = _env(
                ALSFRS_BOT_TOKEN=TOKEN,
                ALSFRS_API_BASE_URL=api.base_url,
                ALSFRS_DB_PATH=str(db_path),
                ALSFRS_STUDY_FILE=str(_study_file(Path(tmp))),
            )
            users = [api.user(30_000 + i) for i in range(patients)]
            argv = [str(BIN / "alsfrs-bot"), "run"]
            started = time.monotonic()
            for number in range(cycles + 1):
                api.calls.clear()
                with _spawn("soak", api, argv, env, Path(tmp) / f"bot{number}.log") as bot:
                    if number == 0:
                        await bot.ready()
                        await asyncio.gather(
                            *(u.send(f"/start {c}") for u, c in zip(users, codes, strict=True))
                        )
                        continue
                    try:
                        await _cycle(api, bot, users, tally, rng)
                    except BaseException:
                        print(f"--- the bot's log\n{bot.tail()}", file=sys.stderr)
                        raise
            results = _check(db_path, tally)
            results["cycles"] = cycles
            results["presses"] = tally.presses
            results["seconds"] = round(time.monotonic() - started)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--patients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.cycles, args.patients, args.seed))
    print(
        f"soak: {results['cycles']} SIGKILL cycles, {args.patients} patients at once, "
        f"{results['presses']} presses in {results['seconds']} s"
    )
    for key in ("answers confirmed", "answers found", "submissions confirmed"):
        print(f"  {key}: {results[key]}")
    print(f"  submissions found: {results['submissions found']}")
    print(f"  submissions in the database: {results['submissions in database']}")
    print(f"  lost: {results['lost']} (goal 0), duplicated: {results['duplicated']} (goal 0)")
    if results["lost"] or results["duplicated"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
