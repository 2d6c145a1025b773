"""The outbox engine: one loop that delivers everything the bot sends on its own initiative.

What goes out is decided in the transaction that caused it (an alert, a reminder row, a digest)
and delivered by a *job* plugged into this engine (`bot.outbox.alerts.AlertJob`,
`bot.outbox.reminders.ReminderJob`). A job does one pass when asked (`run_once`) and says how
soon it has something to do again; every job sends through the one `Transport` and judges
failures with the one `RetryPolicy`.

Waking: `Services.wake_outbox()` (called after a commit that queued something) sets the one
event that the engine watches; it then runs a pass of every job. Otherwise each job runs when
its own next due time comes, and at least every `poll_interval` seconds: that poll is how
changes committed by another process (the CLI) are noticed. Each job has its own lane inside the
engine's task, so a reminder fan-out to thousands of chats never holds an urgent alert back;
all sends share the application's rate limiter.

`start`, `stop` and `flush` are the engine's whole API for `bot/app.py` and the tests. Stopping
lets the passes under way finish (their sends and commits), so a normal shutdown does not
leave a sent message unrecorded; a pass cut short by the timeout leaves its rows pending for
the next start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeVar

from bot.outbox.retry import RetryPolicy
from conversations.context import Services

__all__ = ["Job", "Outbox", "PolledJob"]

log = logging.getLogger(__name__)
_MIN_SLEEP: Final = 0.02

J = TypeVar("J", bound="Job")


class Job(Protocol):
    """One kind of outgoing message, plugged into the engine."""

    name: str

    async def setup(self) -> None:
        """Start-up work before the first pass (e.g. rebuilding a schedule)."""
        ...

    async def run_once(self) -> float:
        """One pass: send what is due. Returns the seconds until something is due next."""
        ...

    def halt(self) -> None:
        """Start no new work: the engine is stopping (the pass under way finishes)."""
        ...


class PolledJob:
    """The common part of a job that reads what is due from the database on every pass (alerts,
    the on-call e-mail): no set-up, a retry policy, a poll interval and a batch size, and a stop
    flag that its sends look at between messages."""

    name = "job"

    def __init__(
        self, services: Services, *, retry: RetryPolicy, poll_interval: float, batch: int
    ) -> None:
        self._services = services
        self.retry = retry
        self.poll_interval = poll_interval
        self._batch = batch
        self._stopping = False

    async def setup(self) -> None:
        """Nothing to prepare: every pass reads what is due from the database."""

    def halt(self) -> None:
        self._stopping = True


@dataclass(eq=False)
class _Lane:
    job: Job
    event: asyncio.Event = field(default_factory=asyncio.Event)
    started: int = 0
    done: int = 0


class Outbox:
    """The delivery engine; see the module docstring."""

    def __init__(
        self, services: Services, jobs: Sequence[Job], *, poll_interval: float = 5.0
    ) -> None:
        self._services = services
        self._lanes = [_Lane(job) for job in jobs]
        self.poll_interval = poll_interval
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._progress = asyncio.Condition()

    def job(self, kind: type[J]) -> J:
        """The engine's job of a type (tests, the benchmark)."""
        for lane in self._lanes:
            if isinstance(lane.job, kind):
                return lane.job
        raise LookupError(f"no {kind.__name__} in this outbox")

    # -- lifecycle ------------------------------------------------------------------------------

    def wake(self) -> None:
        """Run a pass of every job now (safe to call at any time, any number of times)."""
        for lane in self._lanes:
            lane.event.set()

    async def start(self) -> None:
        """Run every job's start-up work, then the loop (in its own task)."""
        if self._task is not None:
            return
        for lane in self._lanes:
            await lane.job.setup()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Let the passes under way finish, then end the loop; cancel what outlasts `timeout`."""
        task, self._task = self._task, None
        self._stopping = True
        for lane in self._lanes:
            lane.job.halt()
        if task is None:
            return
        self.wake()
        self._services.wake_outbox()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.warning("the outbox did not finish within %.0f s; cancelling it", timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def flush(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wake every job and wait until each has done a whole pass that began after this call
        (tests, and anyone who wants "delivered by now, unless Telegram refused")."""
        goals = [(lane, lane.started + 1) for lane in self._lanes]
        self.wake()
        async with asyncio.timeout(timeout), self._progress:
            await self._progress.wait_for(lambda: all(lane.done >= goal for lane, goal in goals))

    # -- the loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._doorbell())
            for lane in self._lanes:
                group.create_task(self._lane(lane), name=f"outbox-{lane.job.name}")

    async def _doorbell(self) -> None:
        """Turn `Services.wake_outbox()` into a pass of every job."""
        bell = self._services.outbox_bell
        while not self._stopping:
            await bell.wait()
            bell.clear()
            self.wake()

    async def _lane(self, lane: _Lane) -> None:
        while not self._stopping:
            lane.event.clear()
            lane.started += 1
            try:
                delay = await lane.job.run_once()
            except Exception:
                log.exception("an outbox pass of %s failed; trying again shortly", lane.job.name)
                delay = self.poll_interval
            finally:
                lane.done += 1
                async with self._progress:
                    self._progress.notify_all()
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(min(delay, self.poll_interval), _MIN_SLEEP)):
                    await lane.event.wait()
