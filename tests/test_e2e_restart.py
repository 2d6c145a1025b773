"""Nothing is lost: the bot stopped or killed mid-assessment continues where the person was."""

from __future__ import annotations

import asyncio
import os
import signal

from tests.conftest import BIN, Harness
from tests.e2e_helpers import answer_items, tap_score

SCORES = {1: 3, 2: 4, 3: 2, 4: 4, 5: 1, 6: 3, 7: 2, 8: 4, 9: 3, 10: 4}  # total 30


async def test_a_new_application_on_the_same_database_resumes(harness: Harness) -> None:
    async with harness.bot():
        ada = await harness.join("S101", 2001)
        await ada.send("/assess")
        for score in (3, 4, 2):
            await tap_score(ada, score)
        assert "Question 4 of 10" in ada.last_message().content
    async with harness.bot():
        await ada.send("/start")
        assert "3 of 10 answered" in ada.last_message().content
        await ada.press("Continue the assessment")
        assert "Question 4 of 10" in ada.last_message().content
        await answer_items(ada, SCORES)
        assert "Total: 30 of 40" in ada.last_message().content
        await ada.press("Submit")
    rows = await harness.export_rows()
    assert [int(rows[0][f"item_{n}"]) for n in range(1, 11)] == [SCORES[n] for n in range(1, 11)]


async def _start_process(harness: Harness) -> asyncio.subprocess.Process:
    before = harness.api.calls["setMyCommands"]
    process = await asyncio.create_subprocess_exec(
        str(BIN),
        "run",
        env=harness.env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=(harness.tmp / "bot.log").open("ab"),
        start_new_session=True,
    )
    for _ in range(300):
        if harness.api.calls["setMyCommands"] > before and harness.api.calls["getUpdates"]:
            return process
        if process.returncode is not None:
            log = (harness.tmp / "bot.log").read_text()[-3000:]
            raise AssertionError(f"alsfrs-bot run exited early:\n{log}")
        await asyncio.sleep(0.05)
    raise AssertionError("alsfrs-bot run did not start polling")


async def test_killed_process_loses_nothing_it_confirmed(harness: Harness) -> None:
    process = await _start_process(harness)
    try:
        bea = await harness.join("S102", 2002)
        await bea.send("/assess")
        await answer_items(bea, SCORES, stop_after=6)
        assert "Question 7 of 10" in bea.last_message().content
    finally:
        os.kill(process.pid, signal.SIGKILL)  # no shutdown, no flush: as a power cut would
        await process.wait()
    process = await _start_process(harness)
    try:
        await bea.send("/assess")
        resumed = bea.last_message().content
        assert "Question 7 of 10" in resumed
        await bea.press("Back")
        assert "Answer given: 3 · " in bea.last_message().content  # item 6 kept
        await answer_items(bea, SCORES)
        await bea.press("Submit")
        assert "30 of 40" in bea.last_message().content
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0
    rows = await harness.export_rows()
    assert len(rows) == 1
    assert rows[0]["total"] == "30"
