"""The study file the benchmarks run `alsfrs-bot run` with: the shipped one with a site phone (a
bot with a token refuses to start without one), without the privacy notice unless `privacy`
(the assessment benchmark's accounts agree to it first, as a real study's do), plus any
`replace` of `key = value` lines a benchmark needs."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from bot.settings import DEFAULT_STUDY_FILE

__all__ = ["bench_study_text", "write_bench_study"]


def bench_study_text(replace: dict[str, str] | None = None, *, privacy: bool = False) -> str:
    text = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
    text = re.sub(r'(?m)^site_phone = ".*"$', 'site_phone = "+420 222 333 444"', text)
    if not privacy:
        text = re.sub(r"(?m)^\[privacy\]$", "[privacy]\nask = false", text)
    for key, value in (replace or {}).items():
        text, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
        assert count == 1, f"the study file has no {key}"
    return text


def write_bench_study(
    folder: Path, replace: dict[str, str] | None = None, *, privacy: bool = False
) -> Path:
    path = folder / "study.toml"
    path.write_text(bench_study_text(replace, privacy=privacy), encoding="utf-8")
    return path
