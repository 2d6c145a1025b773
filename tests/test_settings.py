"""Settings: a bad or missing setting names itself, exits with code 2 and shows no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, load_study

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "alsfrs-bot"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=60,
        check=False,
    )


def test_the_default_study_file_is_valid() -> None:
    study = load_study(None)
    assert study.study.id == "NCT03828123"
    assert study.enrollment.code_ttl_days == 14
    assert study.study.timezone == "Europe/Prague"


def test_defaults_and_file_url() -> None:
    settings = Settings(api_base_url="http://127.0.0.1:9999/bot")
    assert settings.file_base_url == "http://127.0.0.1:9999/file/bot"
    assert Settings().api_base_url == "https://api.telegram.org/bot"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ALSFRS_BOT_TOKEN": "not-a-token"}, "ALSFRS_BOT_TOKEN"),
        ({"ALSFRS_API_BASE_URL": "ftp://x"}, "ALSFRS_API_BASE_URL"),
        ({"ALSFRS_LOG_LEVEL": "LOUD"}, "ALSFRS_LOG_LEVEL"),
        ({"ALSFRS_STUDY_FILE": "/nonexistent/study.toml"}, "ALSFRS_STUDY_FILE"),
    ],
)
def test_a_bad_setting_exits_2_naming_it(env: dict[str, str], named: str, tmp_path: Path) -> None:
    result = run_cli("export", env={"ALSFRS_DB_PATH": str(tmp_path / "db.sqlite3"), **env})
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_study_file_names_the_field(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text('[study]\nid = "X"\nname = "Y"\ntimezone = "Mars/Olympus"\n')
    result = run_cli(
        "export",
        env={"ALSFRS_STUDY_FILE": str(study), "ALSFRS_DB_PATH": str(tmp_path / "d.sqlite3")},
    )
    assert result.returncode == 2
    assert "ALSFRS_STUDY_FILE" in result.stderr
    assert "timezone" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_newer_than_the_code_exits_2(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = run_cli("export", env={"ALSFRS_DB_PATH": str(path)})
    assert result.returncode == 2
    assert "ALSFRS_DB_PATH" in result.stderr
    assert "newer" in result.stderr
    assert "Traceback" not in result.stderr
