"""The outbox engine (`bot.outbox.engine`) with fake jobs: one wake event from `Services`, one
lane per job (a slow fan-out never holds an alert back), flush, stop, and failures survived.
The real jobs are driven end to end in tests/test_e2e_alerts.py and tests/test_e2e_reminders.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.outbox import Outbox
from bot.settings import Settings, load_study
from conversations.context import Services
from storage.db import Database


@dataclass
class FakeJob:
    name: str
    delay: float = 60.0  # "nothing due for a minute": only a wake runs another pass
    passes: int = 0
    halted: bool = False
    gate: asyncio.Event | None = None  # when set, a pass waits for it (a long fan-out)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    fail: int = 0  # passes that raise
    set_up: bool = False

    async def setup(self) -> None:
        self.set_up = True

    async def run_once(self) -> float:
        self.passes += 1
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise RuntimeError("a broken pass")
        return self.delay

    def halt(self) -> None:
        self.halted = True


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    db = await Database.open(tmp_path / "outbox.sqlite3")
    try:
        yield Services(db=db, settings=Settings(db_path=tmp_path / "o.db"), study=load_study(None))
    finally:
        await db.close()


async def _until(condition: Callable[[], bool], timeout: float = 2.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110  (polling fake jobs' counters)
            await asyncio.sleep(0.005)


async def test_one_wake_from_the_services_runs_a_pass_of_every_job(services: Services) -> None:
    alerts, reminders = FakeJob("alerts"), FakeJob("reminders")
    engine = Outbox(services, [alerts, reminders], poll_interval=60)
    await engine.start()
    try:
        assert alerts.set_up
        assert reminders.set_up
        await _until(lambda: alerts.passes == reminders.passes == 1)  # the first pass
        services.wake_outbox()  # what a handler does after committing an alert
        await _until(lambda: alerts.passes == reminders.passes == 2)
        await asyncio.sleep(0.1)
        assert alerts.passes == reminders.passes == 2  # nothing more without a wake or a due time
    finally:
        await engine.stop()


async def test_a_long_reminder_fan_out_does_not_hold_an_alert_back(services: Services) -> None:
    alerts, reminders = FakeJob("alerts"), FakeJob("reminders", gate=asyncio.Event())
    engine = Outbox(services, [alerts, reminders], poll_interval=60)
    await engine.start()
    try:
        await reminders.entered.wait()
        await _until(lambda: alerts.passes == 1)
        services.wake_outbox()
        await _until(lambda: alerts.passes == 2)  # while the reminders are still sending
        assert reminders.passes == 1
        assert reminders.gate is not None
        reminders.gate.set()
        await engine.flush()
        assert reminders.passes >= 2
    finally:
        await engine.stop()


async def test_flush_waits_for_a_whole_pass_begun_after_it(services: Services) -> None:
    job = FakeJob("alerts")
    engine = Outbox(services, [job], poll_interval=60)
    await engine.start()
    try:
        await _until(lambda: job.passes == 1)
        for expected in (2, 3):
            await engine.flush()
            assert job.passes == expected
    finally:
        await engine.stop()


async def test_a_job_is_run_again_when_it_says_something_falls_due(services: Services) -> None:
    job = FakeJob("reminders", delay=0.05)
    engine = Outbox(services, [job], poll_interval=60)
    await engine.start()
    try:
        await _until(lambda: job.passes >= 4)  # no wake needed
    finally:
        await engine.stop()
    capped = FakeJob("alerts", delay=3600)
    engine = Outbox(services, [capped], poll_interval=0.05)  # the poll: changes by the CLI
    await engine.start()
    try:
        await _until(lambda: capped.passes >= 3)
    finally:
        await engine.stop()


async def test_a_failing_pass_is_logged_and_the_loop_goes_on(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    job = FakeJob("alerts", fail=1)
    engine = Outbox(services, [job], poll_interval=60)
    with caplog.at_level(logging.ERROR, logger="bot.outbox.engine"):
        await engine.start()
        try:
            await _until(lambda: job.passes == 1)
            await engine.flush()  # the loop survived: a second pass ran
            assert job.passes == 2
        finally:
            await engine.stop()
    assert "an outbox pass of alerts failed" in caplog.text


async def test_stop_lets_the_pass_under_way_finish_and_starts_no_other(
    services: Services,
) -> None:
    job = FakeJob("reminders", gate=asyncio.Event())
    engine = Outbox(services, [job], poll_interval=60)
    await engine.start()
    await job.entered.wait()
    stopping = asyncio.create_task(engine.stop())
    await asyncio.sleep(0.05)
    assert job.halted
    assert not stopping.done()  # waiting for the sends under way
    assert job.gate is not None
    job.gate.set()
    await stopping
    assert job.passes == 1
    services.wake_outbox()
    await asyncio.sleep(0.05)
    assert job.passes == 1


async def test_stop_cancels_a_pass_that_outlasts_the_timeout(services: Services) -> None:
    job = FakeJob("reminders", gate=asyncio.Event())  # Telegram never answers
    engine = Outbox(services, [job], poll_interval=60)
    await engine.start()
    await job.entered.wait()
    await engine.stop(timeout=0.05)
    assert job.passes == 1
