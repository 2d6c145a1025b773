"""The reminders job of the outbox: decides, from the database and the clock, which reminders,
follow-ups and staff missed-assessment digests are due, records each decision and delivers it.

How it keeps time
-----------------
The database is the schedule; the job keeps only a min-heap of each active participant's next
wake-up (a float and an int per participant). At start-up (`setup`, i.e. `rebuild`) it reads
every active participant in pages, plans them (`conversations.domain.schedule`) and fills the
heap; participants with deliveries left pending by a crash are due at once.

`bot.outbox.engine` runs a pass (`tick`) when woken, when the earliest wake-up comes (the heap's
top, the next staff digest, the next retry) and at least every poll interval. Each tick first
reads the audit trail after the last entry it saw: every change (a submission, a pause or
resume, a schedule change, a new link) of every process, the bot or the CLI, is audited with the
participant it concerns, so those participants are re-planned within one poll without any
handler having to call in here.

All time comes from `services.clock`; tests move an injected clock and `await tick()`.

Deciding and delivering
-----------------------
For each participant due, one write unit re-reads the inputs, plans, and records every send
`pending` returns (`storage.schedules.record_reminder`: the UNIQUE (participant, cycle, kind) row
and one pending delivery per recipient) in the same transaction; then the deliveries still
wanted are sent and their outcome written. A crash between the two leaves them pending, and the
next start-up sends them once, if their window is still open and it is not quiet hours. Before
sending, a pending delivery is dropped when the window has closed, a later reminder superseded
it, the assessment was submitted after it was decided, the participant is no longer active or
the account's link has ended.

Sends go through the outbox's transport (proactive: `bot.ratelimit.PacedRateLimiter` spaces
them globally and per chat and honours 429 `retry_after`). A fixed pool of workers takes
participants from one iterator, so memory does not grow with a fan-out's size. Failures are
judged by the outbox's `RetryPolicy`: 403 (the person blocked the bot) and 400 fail the delivery
for good; a 429 waits its `retry_after`; network errors are retried with capped, jittered
backoff, at most `REMINDER_RETRY.max_attempts` times in all. Logs name participants only by
their pseudonymous study ID.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time as monotonic_time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.outbox.retry import Failure, RetryPolicy, Verdict
from bot.outbox.transport import Transport
from conversations.context import Services
from conversations.domain.schedule import (
    ReminderKind,
    ReminderPlan,
    ScheduleSettings,
    after_quiet_hours,
    digest_at,
    in_quiet_hours,
    next_wakeup,
    pending,
)
from conversations.flows.schedules import plan_for
from conversations.screens.reminders import digest_parts, reminder_screen
from locales import translator
from storage import schedules
from storage.db import Tx
from storage.models import ParticipantStatus
from storage.schedules import DeliveryState, DigestDelivery, ReminderDelivery, ReminderInputs

__all__ = ["REMINDER_RETRY", "ReminderJob", "ReminderStats"]

log = logging.getLogger(__name__)

_RETRY_LATER: Final = timedelta(minutes=2)  # after a failed unit of work
_POLL_SECONDS: Final = 5.0  # the longest a pass reports as "due next" (the engine polls anyway)
# Five tries in all (a minute, two, four, eight between them): a reminder's window is days.
REMINDER_RETRY: Final = RetryPolicy(
    base=timedelta(minutes=1), cap=timedelta(minutes=30), max_attempts=5
)


@dataclass
class ReminderStats:
    """Counts since start-up, for logs, tests and the benchmark."""

    decided: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    retried: int = 0
    digests_sent: int = 0
    ticks: int = 0
    rebuild_seconds: float = 0.0
    rebuilt_participants: int = 0


@dataclass
class _Decision:
    subject: str
    ready: list[ReminderDelivery] = field(default_factory=list)
    wake: datetime | None = None


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


class ReminderJob:
    """See the module docstring. One per outbox (`bot.outbox.start`)."""

    name = "reminders"

    def __init__(
        self,
        services: Services,
        transport: Transport,
        *,
        retry: RetryPolicy = REMINDER_RETRY,
        workers: int = 48,
        page_size: int = 1000,
    ) -> None:
        self._services = services
        self._transport = transport
        self.retry = retry
        self._workers = workers
        self._page_size = page_size
        self._heap: list[tuple[float, int]] = []
        self._wake: dict[int, float] = {}
        self._digest_wake: datetime | None = None
        self._audit_seen = 0
        self._lock = asyncio.Lock()
        self._sending: set[int] = set()
        self._stopping = False
        self.stats = ReminderStats()

    # --- time ---------------------------------------------------------------------------------

    @property
    def _settings(self) -> ScheduleSettings:
        return self._services.study.schedule

    def _now(self) -> datetime:
        return self._services.clock().astimezone(UTC)

    def _set_wake(self, participant_id: int, wake: datetime | None) -> None:
        if wake is None:
            self._wake.pop(participant_id, None)
            return
        stamp = _ts(wake)
        if self._wake.get(participant_id) == stamp:
            return
        self._wake[participant_id] = stamp
        heapq.heappush(self._heap, (stamp, participant_id))

    def _drop_stale(self) -> None:
        while self._heap and self._wake.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)

    def _pop_due(self, now: datetime) -> list[int]:
        due: list[int] = []
        limit = _ts(now)
        while self._heap:
            self._drop_stale()
            if not self._heap or self._heap[0][0] > limit:
                break
            _, participant_id = heapq.heappop(self._heap)
            del self._wake[participant_id]
            due.append(participant_id)
        return due

    def next_wakeup(self) -> datetime | None:
        """The earliest moment the scheduler has something to do, or None."""
        self._drop_stale()
        top = datetime.fromtimestamp(self._heap[0][0], UTC) if self._heap else None
        return _earliest(top, self._digest_wake)

    def wake_of(self, participant_id: int) -> datetime | None:
        """When a participant is next looked at (None: not until something changes)."""
        stamp = self._wake.get(participant_id)
        return None if stamp is None else datetime.fromtimestamp(stamp, UTC)

    # --- start-up -----------------------------------------------------------------------------

    def _plan_wake(self, found: ReminderInputs, now: datetime) -> datetime | None:
        try:
            plan = plan_for(found, self._settings, now)
        except ValueError:
            log.exception("the schedule of %s cannot be planned", found.subject)
            return None
        return next_wakeup(plan, found.sent, now)

    async def rebuild(self) -> int:
        """Rebuild every wake-up from the database. Returns the number of active participants."""
        async with self._lock:
            started = monotonic_time.perf_counter()
            now = self._now()
            self._heap.clear()
            self._wake.clear()
            self._audit_seen = await self._services.db.read(schedules.last_audit_id)
            after, count = 0, 0
            while True:
                page = await self._read_page(after)
                if not page:
                    break
                for found in page:
                    self._set_wake(found.participant_id, self._plan_wake(found, now))
                after, count = page[-1].participant_id, count + len(page)
            for participant_id in await self._services.db.read(schedules.participants_with_pending):
                self._set_wake(participant_id, now)
            self._digest_wake = now
            self.stats.rebuild_seconds = monotonic_time.perf_counter() - started
            self.stats.rebuilt_participants = count
            log.info(
                "reminder schedule rebuilt: %d active participants in %.2f s",
                count,
                self.stats.rebuild_seconds,
            )
            return count

    async def _read_page(self, after: int) -> list[ReminderInputs]:
        size = self._page_size

        async def unit(tx: Tx) -> list[ReminderInputs]:
            return await schedules.inputs_page(tx, after_id=after, limit=size)

        return await self._services.db.read(unit)

    # --- ticks --------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Do everything due now: re-plan what changed, send what is due, the staff digest."""
        async with self._lock:
            self.stats.ticks += 1
            changed = await self._changes()
            due = self._pop_due(self._now())
            participants = sorted(set(changed) | set(due))
            if participants:
                await self._run_workers(participants)
            await self._digest()

    # --- the engine's side ----------------------------------------------------------------------

    async def setup(self) -> None:
        await self.rebuild()

    async def run_once(self) -> float:
        """A tick; returns the seconds until the next wake-up (at most the poll interval)."""
        await self.tick()
        wake = self.next_wakeup()
        if wake is None:
            return _POLL_SECONDS
        return min(_POLL_SECONDS, max(0.0, (wake - self._now()).total_seconds()))

    def halt(self) -> None:
        """Start no new participant; sends under way finish and are recorded."""
        self._stopping = True

    async def stop(self) -> None:
        """Halt and wait for the tick under way (anything cut short stays pending)."""
        self.halt()
        async with self._lock:
            pass

    async def _changes(self) -> list[int]:
        seen = self._audit_seen

        async def unit(tx: Tx) -> tuple[list[int], int]:
            return await schedules.audit_changes(tx, after_id=seen)

        changed, self._audit_seen = await self._services.db.read(unit)
        return changed

    async def _run_workers(self, participants: Iterable[int]) -> None:
        todo = iter(participants)

        async def worker() -> None:
            for participant_id in todo:
                if self._stopping:
                    return
                await self._guarded(participant_id)

        await asyncio.gather(*(worker() for _ in range(self._workers)))

    async def _guarded(self, participant_id: int) -> None:
        try:
            await self._participant(participant_id)
        except Exception:
            log.exception("reminders of participant #%d failed; trying again later", participant_id)
            self._set_wake(participant_id, self._now() + _RETRY_LATER)

    async def _participant(self, participant_id: int) -> None:
        now = self._now()
        settings = self._settings
        # No reminder to an account that has not agreed to the current privacy notice.
        privacy = self._services.study.privacy
        consent_version = privacy.version if privacy.ask else None

        async def decide(tx: Tx) -> _Decision:
            found = await schedules.inputs(tx, participant_id)
            if found is None:
                return _Decision(subject="")
            plan = plan_for(found, settings, now)
            sent = set(found.sent)
            for send in pending(plan, sent, now):
                if send.kind is ReminderKind.MISSED:
                    await schedules.record_missed(
                        tx, participant_id, cycle_key=send.cycle_key, planned_at=send.at, now=now
                    )
                else:
                    assert plan.cycle is not None
                    await schedules.record_reminder(
                        tx,
                        participant_id,
                        cycle_key=send.cycle_key,
                        kind=send.kind.value,
                        planned_at=send.at,
                        expires_at=plan.cycle.closes_at,
                        to=await schedules.recipients(
                            tx, participant_id, consent_version=consent_version
                        ),
                        now=now,
                    )
                sent.add(send.key)
                self.stats.decided += 1
            decision = _Decision(subject=found.subject, wake=next_wakeup(plan, sent, now))
            await self._judge(tx, found, plan, now, decision)
            return decision

        decision = await self._services.db.write(decide)
        if decision.ready:
            retry = await self._deliver(decision.ready)
            decision.wake = _earliest(decision.wake, retry)
        if decision.wake is not None and decision.wake <= now:
            decision.wake = now + timedelta(seconds=1)  # never spin on one participant
        self._set_wake(participant_id, decision.wake)

    async def _judge(
        self,
        tx: Tx,
        found: ReminderInputs,
        plan: ReminderPlan,
        now: datetime,
        decision: _Decision,
    ) -> None:
        """Drop pending deliveries that are no longer wanted; keep those to send now in
        `decision.ready` and move `decision.wake` to when the others may go."""
        waiting = await schedules.reminder_deliveries(tx, found.participant_id)
        if not waiting:
            return
        latest = max(delivery.reminder_id for delivery in waiting)
        quiet = in_quiet_hours(now.astimezone(ZoneInfo(plan.timezone)).time(), self._settings)
        for delivery in waiting:
            reason = _unwanted(delivery, found, latest, now)
            if reason is not None:
                await schedules.drop_delivery(tx, delivery.id, outcome=reason, now=now)
                self.stats.dropped += 1
            elif delivery.retry_at is not None and delivery.retry_at > now:
                decision.wake = _earliest(decision.wake, delivery.retry_at)
            elif quiet:
                end = after_quiet_hours(now, plan.timezone, self._settings)
                decision.wake = _earliest(decision.wake, end)
            elif delivery.id not in self._sending:
                decision.ready.append(delivery)

    async def _deliver(self, deliveries: list[ReminderDelivery]) -> datetime | None:
        """Send, then record every outcome in one unit. Returns when to retry, if needed."""
        results: list[tuple[ReminderDelivery, Verdict | None]] = []
        self._sending.update(delivery.id for delivery in deliveries)
        try:
            for delivery in deliveries:
                assert delivery.role is not None
                screen = reminder_screen(
                    translator(delivery.language),
                    kind=delivery.kind,
                    role=delivery.role,
                    subject=delivery.subject,
                    participant_id=delivery.participant_id,
                )
                results.append((delivery, await self._send(delivery, screen.text, screen.keyboard)))
        finally:
            retry = await self._record(results)
            self._sending.difference_update(delivery.id for delivery in deliveries)
        return retry

    async def _send(
        self,
        delivery: ReminderDelivery | DigestDelivery,
        text: str,
        keyboard: InlineKeyboardMarkup | None,
    ) -> Verdict | None:
        """Send one message; None when it went out, else what the retry policy makes of it."""
        try:
            await self._transport.send(delivery.chat_id, text, keyboard)
        except Exception as exc:
            return self.retry.verdict(exc, delivery.attempts + 1, self._now())
        return None

    async def _record(
        self, results: list[tuple[ReminderDelivery, Verdict | None]]
    ) -> datetime | None:
        if not results:
            return None
        now = self._now()
        retry_at: datetime | None = None
        for delivery, verdict in results:
            if verdict is None:
                continue
            if verdict.failure is Failure.BLOCKED:
                log.info("a reminder of %s was not delivered: the bot is blocked", delivery.subject)
            elif verdict.failure is Failure.REJECTED:
                log.warning("a reminder of %s was refused: %s", delivery.subject, verdict.error)
            retry_at = _earliest(retry_at, verdict.retry_at)

        async def unit(tx: Tx) -> None:
            for delivery, verdict in results:
                await self._close(tx, delivery.id, verdict, now)

        await self._services.db.write(unit)
        return retry_at

    async def _close(
        self,
        tx: Tx,
        delivery_id: int,
        verdict: Verdict | None,
        now: datetime,
        parts_sent: int | None = None,
    ) -> None:
        if verdict is None:
            self.stats.sent += 1
            await schedules.finish_delivery(
                tx, delivery_id, DeliveryState.SENT, now=now, parts_sent=parts_sent
            )
        elif verdict.retry_at is not None:
            self.stats.retried += 1
            await schedules.postpone_delivery(
                tx,
                delivery_id,
                retry_at=verdict.retry_at,
                outcome=verdict.failure.value,
                parts_sent=parts_sent,
            )
        else:
            self.stats.failed += 1
            await schedules.finish_delivery(
                tx,
                delivery_id,
                DeliveryState.FAILED,
                now=now,
                outcome=verdict.failure.value,
                parts_sent=parts_sent,
            )

    # --- the staff digest ---------------------------------------------------------------------

    def _digest_day(self, now: datetime) -> date:
        """The latest study-local day whose digest time has come."""
        settings = self._settings
        day = now.astimezone(settings.zone).date()
        return day if digest_at(settings, day) <= now else day - timedelta(days=1)

    async def _digest(self) -> None:
        now = self._now()
        settings = self._settings
        day = self._digest_day(now)
        until = digest_at(settings, day)

        async def look(tx: Tx) -> tuple[bool, int, list[DigestDelivery]]:
            exists = await schedules.digest_exists(tx, day)
            waiting = 0 if exists else await schedules.awaiting_digest(tx, until=until)
            return exists, waiting, await schedules.digest_deliveries(tx)

        exists, waiting, deliveries = await self._services.db.read(look)
        if not exists and waiting:

            async def create(tx: Tx) -> list[DigestDelivery]:
                digest_id = await schedules.create_digest(tx, day, until=until, now=now)
                if digest_id is not None:
                    log.info("staff digest of %s: %d missed assessments", day, waiting)
                return await schedules.digest_deliveries(tx)

            deliveries = await self._services.db.write(create)
        retry = await self._deliver_digests(deliveries, now)
        self._digest_wake = _earliest(digest_at(settings, day + timedelta(days=1)), retry)

    async def _deliver_digests(
        self, deliveries: list[DigestDelivery], now: datetime
    ) -> datetime | None:
        retry_at: datetime | None = None
        texts: dict[tuple[int, str, frozenset[str] | None], list[str]] = {}
        for delivery in deliveries:
            if delivery.retry_at is not None and delivery.retry_at > now:
                retry_at = _earliest(retry_at, delivery.retry_at)
                continue
            if not delivery.staff:
                await self._services.db.write(
                    _dropper(delivery.id, "unlinked", now)  # no longer staff
                )
                self.stats.dropped += 1
                continue
            key = (delivery.digest_id, delivery.language, delivery.sites)
            if key not in texts:
                texts[key] = await self._digest_texts(delivery)
            parts = texts[key]
            if not parts:  # nothing missed at this staff member's sites
                await self._services.db.write(_dropper(delivery.id, "other-sites", now))
                continue
            verdict: Verdict | None = None
            sent = delivery.parts_sent
            for part in parts[delivery.parts_sent :]:
                verdict = await self._send(delivery, part, None)
                if verdict is not None:
                    break
                sent += 1
            if verdict is None:
                self.stats.digests_sent += 1
            elif verdict.retry_at is not None:
                retry_at = _earliest(retry_at, verdict.retry_at)
            else:
                log.warning("a staff digest was not delivered: %s", verdict.failure.value)

            async def unit(
                tx: Tx,
                delivery: DigestDelivery = delivery,
                verdict: Verdict | None = verdict,
                sent: int = sent,
            ) -> None:
                await self._close(tx, delivery.id, verdict, now, sent)

            await self._services.db.write(unit)
        return retry_at

    async def _digest_texts(self, delivery: DigestDelivery) -> list[str]:
        digest_id = delivery.digest_id

        async def unit(tx: Tx) -> list[schedules.MissedNotice]:
            return await schedules.digest_notices(tx, digest_id, sites=delivery.sites)

        notices = await self._services.db.read(unit)
        if not notices:
            return []
        return digest_parts(translator(delivery.language), delivery.day, notices)


def _unwanted(
    delivery: ReminderDelivery, found: ReminderInputs, latest: int, now: datetime
) -> str | None:
    """Why a pending reminder delivery should no longer go out, or None."""
    if found.status is not ParticipantStatus.ACTIVE:
        return "inactive"
    if delivery.expires_at <= now:
        return "expired"
    if found.last_submission is not None and found.last_submission >= delivery.decided_at:
        return "submitted"
    if delivery.reminder_id != latest:
        return "superseded"
    if delivery.role is None:
        return "unlinked"
    return None


def _dropper(delivery_id: int, outcome: str, now: datetime) -> Callable[[Tx], Awaitable[None]]:
    async def unit(tx: Tx) -> None:
        await schedules.drop_delivery(tx, delivery_id, outcome=outcome, now=now)

    return unit
