"""Heartbeat and the staff's one message after downtime (issue 12), over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.outbox.downtime import heartbeat_path
from tests.conftest import Harness
from tests.test_e2e_hardening import _staff


async def test_staff_are_told_once_after_downtime(harness: Harness) -> None:
    async with harness.bot():
        nurse = await _staff(harness)
        await nurse.settle()
    path = heartbeat_path(harness.db_path)
    beat = json.loads(path.read_text())["beat"]
    assert path.stat().st_mode & 0o777 == 0o600
    seen = len(nurse.bot_messages)
    harness.clock.advance(timedelta(minutes=14))  # short: no notice
    async with harness.bot():
        await nurse.settle(quiet=0.5)
    assert len(nurse.bot_messages) == seen
    harness.clock.advance(timedelta(hours=2))
    async with harness.bot():
        notice = await nurse.wait_for("was not running")
        await nurse.settle(quiet=0.5)
    assert "Reminders and alerts that fell due meanwhile are going out now" in notice.content
    assert len([m for m in nurse.bot_messages if "was not running" in m.content]) == 1
    assert beat != json.loads(path.read_text())["beat"]
    async with harness.bot():  # started again at once: nothing more
        await nurse.settle(quiet=0.5)
    assert len([m for m in nurse.bot_messages if "was not running" in m.content]) == 1
