"""Logging holds no health data: the real `alsfrs-bot run` at DEBUG, driven through a symptom
report with "something else" text, an assessment and a withdrawal with a reason, and then the
whole log file is searched for every planted value. The log file is private (0600)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import stat
from pathlib import Path

from bot import logs
from tests.conftest import BIN, TOKEN, Harness
from tests.e2e_helpers import answer_items

TELEGRAM_ID = 864_209_753  # unlikely to appear in a log line by chance
OTHER_TEXT = "zqplanted tinnitus wobble"
REASON = "zqplanted-moving-abroad"
SCORES = {1: 4, 2: 3, 3: 4, 4: 2, 5: 3, 6: 4, 7: 1, 8: 4, 9: 3, 10: 2}


def _logged(path: Path, needle: str) -> bool:
    return path.exists() and needle in path.read_text(encoding="utf-8")


async def _wait_for(path: Path, needle: str) -> None:
    for _ in range(300):  # 30 s: the bot runs in another process and only its log tells
        if _logged(path, needle):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{needle!r} not logged within 30 s")


async def test_a_debug_run_logs_no_answer_text_or_telegram_id(harness: Harness) -> None:
    log_file = harness.tmp / "logs" / "bot.log"
    env = {**harness.env, "ALSFRS_LOG_LEVEL": "DEBUG", "ALSFRS_LOG_FILE": str(log_file)}
    bot = await asyncio.create_subprocess_exec(str(BIN), "run", env=env)
    try:
        await _wait_for(log_file, " ready")
        enrolled = json.loads((await harness.cli("enroll", "S901", "--json")).stdout)
        pat = harness.api.user(TELEGRAM_ID, first_name="Planted")
        await pat.send(f"/start {enrolled['patient_code']}")
        await pat.send("/symptoms")
        await pat.press("Something else")
        await pat.send(OTHER_TEXT)
        await pat.press("Mild")
        await pat.press("Done")
        assert "saved for the study team" in pat.last_message().content
        await pat.send("/assess")
        await answer_items(pat, SCORES)
        await pat.press("Submit")
        await harness.cli("withdraw", "S901", "--reason", REASON)
        assert [row["total"] for row in await harness.export_rows()] == ["30"]
    finally:
        bot.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.wait(), 30)
    assert code == 0
    text = log_file.read_text(encoding="utf-8")
    assert " DEBUG " in text  # the run was at DEBUG
    for planted in (OTHER_TEXT, "tinnitus", REASON, str(TELEGRAM_ID), enrolled["patient_code"]):
        assert planted not in text, f"{planted!r} in the log"
    assert TOKEN.split(":")[1] not in text
    # No SQL statement (with its bound answers) reaches the log.
    assert not re.search(r"\b(INSERT|UPDATE|SELECT|DELETE)\b", text)
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_library_floors_hold_even_if_a_library_lowers_its_level(tmp_path: Path) -> None:
    target = tmp_path / "out.log"
    target.write_text("", encoding="utf-8")
    target.chmod(0o644)
    handler = logs.configure("DEBUG", target)
    try:
        logging.getLogger("aiosqlite").setLevel(logging.DEBUG)
        logging.getLogger("aiosqlite").debug("executing %s", "INSERT planted-value")
        logging.getLogger("httpx").info("POST https://api.telegram.org/botSECRET/sendMessage")
        logging.getLogger("telegram.ext.ExtBot").debug("planted update payload")
        logging.getLogger("storage.db").debug("our own debug line")
        handler.flush()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        logging.getLogger("aiosqlite").setLevel(logs.FLOORS["aiosqlite"])
    text = target.read_text(encoding="utf-8")
    assert "our own debug line" in text
    assert "planted" not in text
    assert "SECRET" not in text
    # An existing log file is made private too.
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
