"""The fuzz test of `tests/test_fuzz.py` at bench size: 10,000 generated updates (new ones each
run) against one real bot over HTTP. `make test` runs 2,000, the same ones every run.

    python benchmarks/fuzz.py [--updates 10000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=10_000)
    args = parser.parse_args(argv)
    env = {**os.environ, "ALSFRS_FUZZ_UPDATES": str(args.updates), "ALSFRS_FUZZ_RANDOM": "1"}
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["tests/test_fuzz.py"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    verdict = "no failure" if result.returncode == 0 else "FAILED"
    print(
        f"fuzz: {args.updates} generated updates against the real bot in {seconds:.0f} s: {verdict}"
    )
    if result.returncode != 0:
        print(result.stdout[-6000:], file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
