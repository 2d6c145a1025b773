"""Benchmark: evaluating the decline rules must not get slower as a participant's history grows.

Builds a real temporary SQLite database (storage.db.Database, the project's migrations) with one
participant who has 1 earlier submission and one who has 1,000 (weekly), then times, per new
submission, what the bot will do on submit: fetch only the window that `safety.window()` asks
for (bounded by `previous_count` and `since`, through the index `assessments_submitted`), fetch
the baseline (the first submission), and run `safety.evaluate()`. Prints the mean time per
submission for each history length and the ratios. The cost follows what is in the window, not
the history: 1,000 weekly submissions put 12 in the 90-day window against 1 for a history of 1,
so the 1,000/1 ratio is somewhat above 1; a history of 13 (the shortest that fills the window)
against 1,000 isolates the length of the history and should be close to 1.0. For contrast, the
cost of fetching the whole 1,000-submission history instead.

    python benchmarks/decline_rules.py

The timed path is the bot's own (`conversations.flows.safety.decline_history`);
`fetch_window` stays here only to check the query plan, and `fetch_all` for the contrast.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from conversations.domain.instrument import ITEM_NUMBERS
from conversations.domain.safety import DeclineRules, Point, Window, evaluate
from conversations.flows.safety import decline_history
from storage.db import Database, Row, Tx
from storage.models import from_iso, iso

__all__ = ["fetch_all", "fetch_baseline", "fetch_window", "main", "run"]

NOW: Final = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
# 13 weekly submissions are the shortest history that fills the 90-day window (12 in it).
HISTORIES: Final = (1, 13, 1000)
REPEATS: Final = 300
WARMUP: Final = 30
CONTRAST_REPEATS: Final = 30  # the unbounded fetch is slow; fewer samples suffice
_LOWERED_FIRST: Final = (9, 8, 7, 6, 4, 2, 1, 5, 3, 10)

_COLUMNS: Final = "id, submitted_at, total, item5_variant"
_WINDOW_SQL: Final = f"""
WITH chosen AS (
    SELECT * FROM (
        SELECT {_COLUMNS} FROM assessments
        WHERE participant_id = ? AND status = 'submitted' AND submitted_at < ?
        ORDER BY submitted_at DESC, id DESC
        LIMIT ?
    )
    UNION
    SELECT {_COLUMNS} FROM assessments
    WHERE participant_id = ? AND status = 'submitted' AND submitted_at >= ? AND submitted_at < ?
)
SELECT c.id, c.submitted_at, c.total, c.item5_variant, a.item, a.score
FROM chosen AS c JOIN answers AS a ON a.assessment_id = c.id
ORDER BY c.submitted_at DESC, c.id DESC, a.item
"""
_BASELINE_SQL: Final = f"""
WITH first AS (
    SELECT {_COLUMNS} FROM assessments
    WHERE participant_id = ? AND status = 'submitted'
    ORDER BY submitted_at, id
    LIMIT 1
)
SELECT f.id, f.submitted_at, f.total, f.item5_variant, a.item, a.score
FROM first AS f JOIN answers AS a ON a.assessment_id = f.id
ORDER BY a.item
"""
_ALL_SQL: Final = """
SELECT s.id, s.submitted_at, s.total, s.item5_variant, a.item, a.score
FROM assessments AS s JOIN answers AS a ON a.assessment_id = s.id
WHERE s.participant_id = ? AND s.status = 'submitted' AND s.submitted_at < ?
ORDER BY s.submitted_at DESC, s.id DESC, a.item
"""


def _points(rows: Sequence[Row]) -> list[Point]:
    """Rows of (assessment, item, score), grouped into points in the order given."""
    points: list[Point] = []
    current: int | None = None
    items: dict[int, int] = {}
    head: Row | None = None
    for row in [*rows, None]:
        if row is None or row["id"] != current:
            if head is not None:
                points.append(
                    Point(
                        submitted_at=from_iso(head["submitted_at"]),
                        total=head["total"],
                        items=items,
                        item5_variant=head["item5_variant"],
                    )
                )
            if row is None:
                break
            current, head, items = row["id"], row, {}
        items[int(row["item"])] = int(row["score"])
    return points


async def fetch_window(
    tx: Tx, participant_id: int, wanted: Window, before: datetime
) -> list[Point]:
    """The earlier submissions `wanted` asks for, newest first; nothing older is read."""
    since = None if wanted.since is None else iso(wanted.since)
    rows = await tx.all(
        _WINDOW_SQL,
        (
            participant_id,
            iso(before),
            wanted.previous_count,
            participant_id,
            since,  # NULL: "submitted_at >= NULL" selects nothing
            iso(before),
        ),
    )
    return _points(rows)


async def fetch_baseline(tx: Tx, participant_id: int) -> Point | None:
    """The participant's first submission (a clinic baseline would take precedence later)."""
    found = _points(await tx.all(_BASELINE_SQL, (participant_id,)))
    return found[0] if found else None


async def fetch_all(tx: Tx, participant_id: int, before: datetime) -> list[Point]:
    """Every earlier submission: what the window avoids. For contrast only."""
    return _points(await tx.all(_ALL_SQL, (participant_id, iso(before))))


def _scores(total: int) -> dict[int, int]:
    scores = {n: 4 for n in ITEM_NUMBERS}
    deficit = 40 - total
    while deficit > 0:
        for n in _LOWERED_FIRST:
            if deficit and scores[n] > 0:
                scores[n] -= 1
                deficit -= 1
    return scores


def _total_weeks_ago(weeks: int) -> int:
    """A slow synthetic decline: 20 points now, one more point per four weeks back, up to 40."""
    return min(40, 20 + weeks // 4)


async def _seed(db: Database, subject: str, telegram_user_id: int, count: int) -> int:
    """One participant with `count` weekly submissions before NOW; returns the participant id."""
    created = NOW - timedelta(weeks=count + 1)

    async def unit(tx: Tx) -> int:
        pid = await tx.execute(
            "INSERT INTO participants (subject, language, created_at) VALUES (?, 'en', ?)",
            (subject, iso(created)),
        )
        account = await tx.execute(
            "INSERT INTO accounts (telegram_user_id, language, created_at) VALUES (?, 'en', ?)",
            (telegram_user_id, iso(created)),
        )
        link = await tx.execute(
            "INSERT INTO links (account_id, participant_id, role, created_at)"
            " VALUES (?, ?, 'patient', ?)",
            (account, pid, iso(created)),
        )
        for weeks in range(count, 0, -1):
            at = NOW - timedelta(weeks=weeks)
            scores = _scores(_total_weeks_ago(weeks))
            aid = await tx.execute(
                "INSERT INTO assessments (participant_id, status, position, has_tube, language,"
                " started_at, started_by, submitted_at, submitted_by, item5_variant, total)"
                " VALUES (?, 'submitted', 'review', 0, 'en', ?, ?, ?, ?, '5a', ?)",
                (pid, iso(at - timedelta(minutes=5)), link, iso(at), link, sum(scores.values())),
            )
            await tx.executemany(
                "INSERT INTO answers (assessment_id, item, score, variant, answered_by,"
                " answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (aid, n, score, "5a" if n == 5 else None, link, iso(at))
                    for n, score in scores.items()
                ],
            )
        return pid

    return await db.write(unit)


async def _check_plan(db: Database) -> list[str]:
    async def unit(tx: Tx) -> list[str]:
        rows = await tx.all("EXPLAIN QUERY PLAN " + _WINDOW_SQL, (1, "x", 1, 1, "x", "x"))
        return [str(row["detail"]) for row in rows]

    plan = await db.read(unit)
    if not any("assessments_submitted" in line for line in plan):
        raise RuntimeError(f"the window query does not use assessments_submitted: {plan}")
    return plan


async def _submit_once(
    db: Database, participant_id: int, rules: DeclineRules, *, unbounded: bool = False
) -> tuple[float, int]:
    """One new submission: milliseconds for fetch + evaluate, and how many points were fetched."""
    new = Point(submitted_at=NOW, total=18, items=_scores(18), item5_variant="5a")

    async def unit(tx: Tx) -> tuple[list[Point], Point | None]:
        if unbounded:
            history = await fetch_all(tx, participant_id, NOW)
            return history, await fetch_baseline(tx, participant_id)
        # The bot's own submit path (conversations.flows.safety), excluding no assessment (id 0).
        previous, base = await decline_history(
            tx,
            participant_id=participant_id,
            exclude=0,
            rules=rules,
            now=NOW,
            choice="clinic",
            zone=UTC,
        )
        return previous, None if base is None else base.point

    start = time.perf_counter()
    previous, baseline = await db.read(unit)
    signals = evaluate(new, previous, baseline, rules)
    elapsed = (time.perf_counter() - start) * 1000
    assert signals, "the synthetic new submission should fire some rule"
    return elapsed, len(previous)


async def run() -> dict[str, float]:
    """Mean ms per submission for each history length, the ratios, and the unbounded contrast.

    The history lengths take turns within each round, so that a busy machine slows them alike.
    """
    rules = DeclineRules()
    results: dict[str, float] = {}
    samples: dict[int, list[float]] = {count: [] for count in HISTORIES}
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            ids = {
                count: await _seed(db, f"S{count:04d}", 100_000 + count, count)
                for count in HISTORIES
            }
            await _check_plan(db)
            for round_ in range(WARMUP + REPEATS):
                for count, pid in ids.items():
                    elapsed, fetched = await _submit_once(db, pid, rules)
                    results[f"history_{count}_fetched"] = float(fetched)
                    if round_ >= WARMUP:
                        samples[count].append(elapsed)
            longest = max(HISTORIES)
            contrast = [
                await _submit_once(db, ids[longest], rules, unbounded=True)
                for _ in range(CONTRAST_REPEATS)
            ]
        finally:
            await db.close()
    for count, values in samples.items():
        results[f"history_{count}_ms"] = statistics.fmean(values)
        results[f"history_{count}_median_ms"] = statistics.median(values)
    results[f"unbounded_{longest}_ms"] = statistics.fmean(ms for ms, _ in contrast)
    results[f"unbounded_{longest}_fetched"] = float(contrast[-1][1])
    results["ratio"] = results["history_1000_ms"] / results["history_1_ms"]
    results["ratio_full_window"] = results["history_1000_ms"] / results["history_13_ms"]
    return results


def main() -> None:
    results = asyncio.run(run())
    print(f"decline rules: fetch window + baseline + evaluate, mean of {REPEATS} submissions")
    for count in HISTORIES:
        print(
            f"  {count:>5} earlier submissions: {results[f'history_{count}_ms']:.3f} ms"
            f" per submission (median {results[f'history_{count}_median_ms']:.3f} ms,"
            f" {results[f'history_{count}_fetched']:.0f} fetched)"
        )
    print(f"  ratio 1000 / 1:  {results['ratio']:.2f}")
    print(f"  ratio 1000 / 13: {results['ratio_full_window']:.2f} (same window, longer history)")
    longest = max(HISTORIES)
    print(
        f"  for contrast, fetching all {longest}: {results[f'unbounded_{longest}_ms']:.3f} ms"
        f" per submission ({results[f'unbounded_{longest}_fetched']:.0f} fetched)"
    )


if __name__ == "__main__":
    main()
