"""The alert delivery worker: alerts that always arrive.

Alerts are written in the transaction of the submission or report that caused them
(`storage.alerts.create_alert`, the outbox). This worker, started with the application, turns
them into messages: every pass it

1. gives new alerts their first round (one copy per active staff member's private chat and the
   staff group, if configured) and escalates due, unacknowledged ones as a new round
   (`storage.alert_delivery`);
2. sends every copy that is due, urgent alerts first; copies to different chats go out
   concurrently, copies to one chat in order, all as proactive sends through the application's
   rate limiter (`bot/ratelimit.py`: global and per-chat pacing, 429 `retry_after` honoured);
3. edits every copy of each newly acknowledged alert to show who acknowledged it and when.

It runs when woken (`Services.wake_alerts()`, which the code that commits an alert calls) and
otherwise at least every `poll_interval` seconds, sooner when something falls due. All time comes
from `Services.clock`, so tests move time instead of sleeping.

Failures: 5xx, timeouts and network errors are retried with exponential backoff and jitter; a
429 that outlasts the rate limiter's own retries waits its `retry_after`; 403 Forbidden (the
staff member blocked the bot, the bot left the group) and 400 Bad Request are permanent for that
copy, which is marked failed; the next escalation tries that chat again. A copy is marked sent in
the transaction that records its Telegram message id; dying between Telegram's acceptance and
that commit (or a request timing out after reaching Telegram) is the one window in which a copy
can arrive twice. Stopping waits for the pass under way, so a normal shutdown does not open it.

Logs name alert and delivery ids and error classes, never a patient's data or a chat id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from conversations.context import AppType, Services
from conversations.screens.alerts import ack_keyboard, alert_message
from locales import translator
from storage import alert_delivery
from storage.alert_delivery import Delivery
from storage.alerts import Alert, alert
from storage.db import Tx

__all__ = [
    "AlertWorker",
    "TelegramTransport",
    "Transport",
    "start",
    "stop",
    "wake",
    "worker_of",
]

log = logging.getLogger(__name__)
_PROACTIVE: Final[dict[str, Any]] = {"proactive": True}
_MIN_SLEEP: Final = 0.02


class Transport(Protocol):
    """How the worker reaches Telegram (a fake in unit tests)."""

    async def send(self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None) -> int:
        """Send an HTML message; returns its message id."""
        ...

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        """Replace an HTML message's text and remove its buttons."""
        ...


class TelegramTransport:
    """The application's bot, with every request marked proactive for the rate limiter."""

    def __init__(self, application: AppType) -> None:
        # AppType names ExtBot[None]; the application's PacedRateLimiter takes dict arguments.
        self._bot = application.bot

    async def send(self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None) -> int:
        message = await self._bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            rate_limit_args=_PROACTIVE,
        )
        return message.message_id

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        await self._bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=None,
            rate_limit_args=_PROACTIVE,
        )


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What to do after a failed request: retry at `retry_at`, or never (None)."""

    error: str
    retry_at: datetime | None


def _describe(exc: BaseException) -> str:
    """An error for the database: the class, plus Telegram's own words for refusals (which
    never contain message text). Network errors give only their class: their messages may
    quote URLs."""
    name = type(exc).__name__
    if isinstance(exc, Forbidden | BadRequest | ChatMigrated):
        return f"{name}: {exc}"[:200]
    return name


class AlertWorker:
    """Delivers alert copies and acknowledgement edits; see the module docstring."""

    def __init__(
        self,
        services: Services,
        transport: Transport,
        *,
        poll_interval: float = 5.0,
        retry_base: float = 2.0,
        retry_cap: float = 600.0,
        batch: int = 200,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._services = services
        self._transport = transport
        self.poll_interval = poll_interval
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._batch = batch
        self._jitter = jitter
        self._event = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._progress = asyncio.Condition()
        self.passes_started = 0
        self.passes_done = 0

    # -- lifecycle ------------------------------------------------------------------------------

    def wake(self) -> None:
        """Run a pass now (safe to call at any time, from any handler, any number of times)."""
        self._event.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name="alert-delivery")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Let the pass under way finish (its sends and their commits), then end the loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._event.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.warning("alert delivery did not finish within %.0f s; cancelling it", timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def flush(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wake the worker and wait until a whole pass that began after this call has ended
        (tests, and anyone who wants "delivered by now, unless Telegram refused")."""
        goal = self.passes_started + 1
        self.wake()
        async with asyncio.timeout(timeout), self._progress:
            await self._progress.wait_for(lambda: self.passes_done >= goal)

    async def _loop(self) -> None:
        while not self._stopping:
            self._event.clear()
            try:
                delay = await self.run_once()
            except Exception:
                log.exception("an alert delivery pass failed; trying again shortly")
                delay = self.poll_interval
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(delay, _MIN_SLEEP)):
                    await self._event.wait()

    # -- one pass -------------------------------------------------------------------------------

    async def run_once(self) -> float:
        """One pass: fan out, escalate, send, edit. Returns the seconds until something is due
        next (at most `poll_interval`)."""
        self.passes_started += 1
        try:
            await self._schedule()
            await self._send_due()
            await self._edit_due()
            return await self._next_delay()
        finally:
            self.passes_done += 1
            async with self._progress:
                self._progress.notify_all()

    async def _schedule(self) -> None:
        services = self._services
        settings = services.study.alerts
        now = services.clock()

        async def unit(tx: Tx) -> tuple[list[int], list[tuple[int, int]]]:
            group = settings.staff_group_chat_id
            queued = await alert_delivery.fan_out_new(
                tx, group_chat_id=group, now=now, limit=self._batch
            )
            escalated = await alert_delivery.escalate_due(
                tx,
                group_chat_id=group,
                now=now,
                urgent_every=settings.urgent_escalation,
                routine_every=settings.routine_escalation,
                limit=self._batch,
            )
            return queued, escalated

        async def pending(tx: Tx) -> bool:
            return await alert_delivery.rounds_due(tx, now=now)

        if not await services.db.read(pending):
            return  # nothing to decide: no write transaction (and no fsync) on an idle poll
        queued, escalated = await services.db.write(unit)
        if queued:
            log.info("alerts %s queued for delivery", queued)
        for alert_id, round_ in escalated:
            log.warning("alert %d unacknowledged: escalation round %d", alert_id, round_)

    async def _next_delay(self) -> float:
        async def unit(tx: Tx) -> datetime | None:
            return await alert_delivery.next_due(tx)

        due = await self._services.db.read(unit)
        if due is None:
            return self.poll_interval
        seconds = (due - self._services.clock()).total_seconds()
        return min(self.poll_interval, max(0.0, seconds))

    def _backoff(self, attempt: int) -> timedelta:
        """Exponential backoff with "equal jitter": between half and all of base * 2^(n-1)."""
        ceiling = min(self.retry_cap, self.retry_base * 2 ** min(attempt - 1, 30))
        return timedelta(seconds=ceiling * (0.5 + 0.5 * self._jitter()))

    def _outcome(self, exc: BaseException, attempt: int, now: datetime) -> _Outcome:
        error = _describe(exc)
        if isinstance(exc, RetryAfter):
            with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            return _Outcome(error, now + timedelta(seconds=seconds))
        if isinstance(exc, Forbidden | BadRequest | ChatMigrated):
            return _Outcome(error, None)
        return _Outcome(error, now + self._backoff(attempt))

    async def _alerts(self, ids: set[int]) -> dict[int, Alert]:
        async def unit(tx: Tx) -> dict[int, Alert]:
            found: dict[int, Alert] = {}
            for alert_id in sorted(ids):
                current = await alert(tx, alert_id)
                if current is not None:
                    found[alert_id] = current
            return found

        return await self._services.db.read(unit)

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self._services.study.study.timezone)

    # -- sending --------------------------------------------------------------------------------

    async def _send_due(self) -> None:
        services = self._services
        now = services.clock()

        async def unit(tx: Tx) -> list[Delivery]:
            return await alert_delivery.due_deliveries(tx, now=now, limit=self._batch)

        due = await services.db.read(unit)
        if not due:
            return
        alerts = await self._alerts({d.alert_id for d in due})
        by_chat: dict[int, list[Delivery]] = {}
        for delivery in due:  # already urgent first; each chat keeps that order
            by_chat.setdefault(delivery.chat_id, []).append(delivery)
        await asyncio.gather(*(self._send_chat(rows, alerts) for rows in by_chat.values()))

    async def _send_chat(self, rows: list[Delivery], alerts: dict[int, Alert]) -> None:
        for delivery in rows:
            if self._stopping:
                return
            try:
                await self._send_one(delivery, alerts.get(delivery.alert_id))
            except Exception:
                log.exception("alert delivery %d could not be processed", delivery.id)

    async def _send_one(self, delivery: Delivery, current: Alert | None) -> None:
        db = self._services.db

        async def fresh(tx: Tx) -> tuple[Delivery | None, Alert | None]:
            return await alert_delivery.copy_of(tx, delivery.id), await alert(tx, delivery.alert_id)

        latest, current = await db.read(fresh)  # a press may have acknowledged it meanwhile
        if latest is None or current is None or latest.status != "pending":
            return
        if not latest.link_active:

            async def drop(tx: Tx) -> bool:
                return await alert_delivery.cancel(tx, delivery.id, reason="link revoked")

            await db.write(drop)
            return
        t = translator(latest.language)
        text = alert_message(t, current, round_=latest.round, zone=self._zone())
        try:
            message_id = await self._transport.send(latest.chat_id, text, ack_keyboard(t, current))
        except Exception as exc:
            now = self._services.clock()
            outcome = self._outcome(exc, latest.attempts + 1, now)
            level = logging.WARNING if outcome.retry_at is None else logging.INFO
            log.log(
                level,
                "alert %d copy %d: attempt %d failed (%s)%s",
                latest.alert_id,
                latest.id,
                latest.attempts + 1,
                type(exc).__name__,
                "; giving this copy up" if outcome.retry_at is None else "; will retry",
            )

            if isinstance(exc, ChatMigrated):
                log.warning(
                    "the staff group is now a supergroup: set alerts.staff_group_chat_id = %d"
                    " in the study file",
                    exc.new_chat_id,
                )

            async def failed(tx: Tx) -> None:
                await alert_delivery.record_failure(
                    tx, delivery.id, error=outcome.error, now=now, retry_at=outcome.retry_at
                )

            await db.write(failed)
            return
        sent_at = self._services.clock()

        async def sent(tx: Tx) -> None:
            await alert_delivery.mark_sent(tx, delivery.id, message_id=message_id, now=sent_at)

        await db.write(sent)

    # -- acknowledgement edits ------------------------------------------------------------------

    async def _edit_due(self) -> None:
        services = self._services
        now = services.clock()

        async def unit(tx: Tx) -> list[Delivery]:
            return await alert_delivery.due_edits(tx, now=now, limit=self._batch)

        due = await services.db.read(unit)
        if not due:
            return
        alerts = await self._alerts({d.alert_id for d in due})
        by_chat: dict[int, list[Delivery]] = {}
        for delivery in due:
            by_chat.setdefault(delivery.chat_id, []).append(delivery)
        await asyncio.gather(*(self._edit_chat(rows, alerts) for rows in by_chat.values()))

    async def _edit_chat(self, rows: list[Delivery], alerts: dict[int, Alert]) -> None:
        for delivery in rows:
            current = alerts.get(delivery.alert_id)
            if self._stopping or current is None or delivery.message_id is None:
                continue
            try:
                await self._edit_one(delivery, current, delivery.message_id)
            except Exception:
                log.exception("alert copy %d could not be updated", delivery.id)

    async def _edit_one(self, delivery: Delivery, current: Alert, message_id: int) -> None:
        t = translator(delivery.language)
        text = alert_message(t, current, round_=delivery.round, zone=self._zone())
        try:
            await self._transport.edit(delivery.chat_id, message_id, text)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                await self._edit_finished(delivery.id)
                return
            await self._edit_failed(delivery, exc)
            return
        except Exception as exc:
            await self._edit_failed(delivery, exc)
            return
        await self._edit_finished(delivery.id)

    async def _edit_finished(self, delivery_id: int) -> None:
        async def unit(tx: Tx) -> None:
            await alert_delivery.edit_done(tx, delivery_id)

        await self._services.db.write(unit)

    async def _edit_failed(self, delivery: Delivery, exc: BaseException) -> None:
        now = self._services.clock()
        outcome = self._outcome(exc, delivery.edit_attempts + 1, now)
        log.info(
            "alert %d copy %d: edit failed (%s)", delivery.alert_id, delivery.id, type(exc).__name__
        )

        async def unit(tx: Tx) -> None:
            await alert_delivery.edit_failed(
                tx, delivery.id, error=outcome.error, now=now, retry_at=outcome.retry_at
            )

        await self._services.db.write(unit)


# --- wiring into the application -----------------------------------------------------------------

_WORKERS: weakref.WeakKeyDictionary[Any, AlertWorker] = weakref.WeakKeyDictionary()


def start(application: AppType, **options: Any) -> AlertWorker:
    """Start delivery for an application whose services are set (call from post_init). The
    services' `wake_alerts` then wakes this worker."""
    services = application.bot_data.services
    if services is None:
        raise RuntimeError("alert delivery needs the services (start it in post_init)")
    existing = _WORKERS.get(application)
    if existing is not None:
        return existing
    worker = AlertWorker(services, TelegramTransport(application), **options)
    services.wake_alerts = worker.wake
    _WORKERS[application] = worker
    worker.start()
    worker.wake()
    return worker


async def stop(application: AppType) -> None:
    """Stop delivery (idempotent): call before the bot's connection and the database close."""
    worker = _WORKERS.pop(application, None)
    if worker is None:
        return
    await worker.stop()
    services = application.bot_data.services
    if services is not None and services.wake_alerts == worker.wake:
        services.wake_alerts = _ignore


def wake(application: AppType) -> None:
    """Deliver now: call after committing a transaction that created alerts."""
    worker = _WORKERS.get(application)
    if worker is not None:
        worker.wake()


def worker_of(application: AppType) -> AlertWorker | None:
    return _WORKERS.get(application)


def _ignore() -> None:
    return None
