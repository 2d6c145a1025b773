"""The study file the benchmarks run `alsfrs-bot run` with: the shipped one with a site phone (a
bot with a token refuses to start without one) and without the privacy notice (the benchmarks'
accounts are linked by the benchmark itself; the notice has its own tests), plus any `replace`
of `key = value` lines a benchmark needs."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from bot.settings import DEFAULT_STUDY_FILE

__all__ = ["bench_study_text", "write_bench_study"]


def bench_study_text(replace: dict[str, str] | None = None) -> str:
    text = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
    text = re.sub(r'(?m)^site_phone = ".*"$', 'site_phone = "+420 222 333 444"', text)
    text = re.sub(r"(?m)^\[privacy\]$", "[privacy]\nask = false", text)
    for key, value in (replace or {}).items():
        text, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
        assert count == 1, f"the study file has no {key}"
    return text


def write_bench_study(folder: Path, replace: dict[str, str] | None = None) -> Path:
    path = folder / "study.toml"
    path.write_text(bench_study_text(replace), encoding="utf-8")
    return path
