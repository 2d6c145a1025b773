"""`make bench`: every benchmark, each printing ratios measured side by side in one run."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCHMARKS = (
    "alert_burden",
    "assessment_throughput",
    "decline_rules",
    "reminder_fanout",
    "export_bench",
    "soak",
    "fuzz",
)
# Arguments for a benchmark whose own default is too long for `make bench`.
ARGUMENTS: dict[str, list[str]] = {"soak": ["--cycles", "5"]}


def main() -> None:
    for name in BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}", flush=True)
        if name in ARGUMENTS:
            module.main(ARGUMENTS[name])
        else:
            module.main()
        print(flush=True)


if __name__ == "__main__":
    main()
