"""Benchmark: the full export (`alsfrs-bot export --all DIR`) of 1,000 participants x 40
submissions, with symptom reports and their alerts (tests/export_seed.py), from a real SQLite
database. Prints the time of the one read, of each format, and of the whole export with the
manifest and the file writes.

    python benchmarks/export_bench.py [participants] [submissions]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.output import write_files
from bot.settings import DEFAULT_SITE_ID
from conversations.exports import FORMATS, MANIFEST, Study, build, manifest
from conversations.flows import export
from storage.db import Database
from storage.models import from_iso
from tests.export_seed import seed

__all__ = ["main", "run"]

STUDY = Study(id="NCT03828123", name="benchmark")


async def run(participants: int, submissions: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.sqlite3")
        try:
            started = time.perf_counter()
            await seed(db, participants=participants, submissions=submissions)
            timings["seed (not part of the export)"] = time.perf_counter() - started
            started = time.perf_counter()
            data = await export.read(db, default_site=DEFAULT_SITE_ID)
            timings["read"] = time.perf_counter() - started
        finally:
            await db.close()
        built = []
        for fmt in FORMATS:
            started = time.perf_counter()
            built += [(fmt, f) for f in build(fmt, data, STUDY)]
            timings[f"format {fmt}"] = time.perf_counter() - started
        started = time.perf_counter()
        about = manifest(data, STUDY, built, now=from_iso("2026-11-17T09:00:00Z"), subject=None)
        files = [(f.name, f.text.encode()) for _, f in built]
        files.append((MANIFEST, json.dumps(about, indent=2).encode()))
        write_files(Path(tmp) / "out", files, force=False)
        timings["manifest + write"] = time.perf_counter() - started
        timings["megabytes written"] = sum(len(b) for _, b in files) / 1e6
    export_total = sum(
        v for k, v in timings.items() if k == "read" or k.startswith(("format", "manifest"))
    )
    timings["full export (read + formats + write)"] = export_total
    return timings


def main() -> None:
    participants = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    submissions = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    print(f"export of {participants} participants x {submissions} submissions", flush=True)
    for name, value in asyncio.run(run(participants, submissions)).items():
        unit = "" if name == "megabytes written" else " s"
        print(f"  {name:<40} {value:8.2f}{unit}", flush=True)


if __name__ == "__main__":
    main()
