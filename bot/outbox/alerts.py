"""The alerts job of the outbox: staff alerts that always arrive.

Alerts are written in the transaction of the submission or report that caused them
(`storage.alerts.create_event_alert`). Each pass of this job (`bot.outbox.engine` runs it when woken
and at least every `poll_interval` seconds, sooner when something falls due)

1. gives new alerts their first round (one copy per active staff member's private chat and the
   staff group, if configured) and escalates due, unacknowledged ones as a new round
   (`storage.alert_delivery`);
2. sends every copy that is due, urgent alerts first; copies to different chats go out
   concurrently, copies to one chat in order, through the outbox's transport (proactive, paced
   by `bot/ratelimit.py`);
3. edits every copy of each newly acknowledged alert to show who acknowledged it, when and what
   was done, and of each open alert that a newer submission still meets ("still met on ...").

Each staff member reads alerts in the language of their own chat; the staff group's language is
the study setting `alerts.staff_group_language`.

All time comes from `Services.clock`, so tests move time instead of sleeping.

Failures are judged by the outbox's `RetryPolicy` (`bot/outbox/retry.py`): 5xx, timeouts and
network errors are retried with capped exponential backoff and jitter, without limit (the next
escalation round supersedes a copy still waiting); a 429 that outlasts the rate limiter's own
retries waits its `retry_after`; 403 Forbidden (the staff member blocked the bot, the bot left the
group) and 400 Bad Request are permanent for that copy, which is marked failed; the next
escalation tries that chat again. A copy is marked sent in the transaction that records its
Telegram message id; dying between Telegram's acceptance and that commit (or a request timing
out after reaching Telegram) is the one window in which a copy can arrive twice. The engine's
stop waits for the pass under way, so a normal shutdown does not open it.

Logs name alert and delivery ids and error classes, never a patient's data or a chat id.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, ChatMigrated

from bot.outbox.engine import PolledJob
from bot.outbox.retry import RetryPolicy
from bot.outbox.transport import Transport
from conversations.context import Services
from conversations.screens.alerts import ack_keyboard, alert_message
from locales import translator
from storage import alert_delivery
from storage.alert_delivery import Delivery
from storage.alerts import Alert, alert
from storage.db import Tx

__all__ = ["ALERT_RETRY", "AlertJob"]

log = logging.getLogger(__name__)

# Alerts retry without limit: a copy still waiting is superseded by the next escalation round.
ALERT_RETRY = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(minutes=10))


class AlertJob(PolledJob):
    """Delivers alert copies and acknowledgement edits; see the module docstring."""

    name = "alerts"

    def __init__(
        self,
        services: Services,
        transport: Transport,
        *,
        retry: RetryPolicy = ALERT_RETRY,
        poll_interval: float = 5.0,
        batch: int = 200,
    ) -> None:
        super().__init__(services, retry=retry, poll_interval=poll_interval, batch=batch)
        self._transport = transport

    # -- one pass -------------------------------------------------------------------------------

    async def run_once(self) -> float:
        """One pass: fan out, escalate, send, edit. Returns the seconds until something is due
        next (at most `poll_interval`)."""
        await self._schedule()
        await self._send_due()
        await self._edit_due()
        return await self._next_delay()

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
            return await alert_delivery.rounds_due(
                tx, now=now, group_chat_id=settings.staff_group_chat_id
            )

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

    async def _alerts(self, ids: set[int]) -> dict[int, Alert]:
        async def unit(tx: Tx) -> dict[int, Alert]:
            found: dict[int, Alert] = {}
            for alert_id in sorted(ids):
                current = await alert(tx, alert_id)
                if current is not None:
                    found[alert_id] = current
            return found

        return await self._services.db.read(unit)

    def _language(self, delivery: Delivery) -> str:
        """A staff member's own language; the staff group's is a study setting."""
        if delivery.link_id is None:
            return self._services.study.alerts.staff_group_language
        return delivery.language

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
        t = translator(self._language(latest))
        text = alert_message(t, current, round_=latest.round, zone=self._zone())
        try:
            message_id = await self._transport.send(latest.chat_id, text, ack_keyboard(t, current))
        except Exception as exc:
            now = self._services.clock()
            outcome = self.retry.verdict(exc, latest.attempts + 1, now)
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
        t = translator(self._language(delivery))
        text = alert_message(t, current, round_=delivery.round, zone=self._zone())
        try:
            # An open alert (a follow-up "still met") keeps its Acknowledge button.
            await self._transport.edit(delivery.chat_id, message_id, text, ack_keyboard(t, current))
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                await self._edit_finished(delivery.id, delivery.edit_version)
                return
            await self._edit_failed(delivery, exc)
            return
        except Exception as exc:
            await self._edit_failed(delivery, exc)
            return
        await self._edit_finished(delivery.id, delivery.edit_version)

    async def _edit_finished(self, delivery_id: int, version: int) -> None:
        async def unit(tx: Tx) -> None:
            await alert_delivery.edit_done(tx, delivery_id, version)

        await self._services.db.write(unit)

    async def _edit_failed(self, delivery: Delivery, exc: BaseException) -> None:
        now = self._services.clock()
        outcome = self.retry.verdict(exc, delivery.edit_attempts + 1, now)
        log.info(
            "alert %d copy %d: edit failed (%s)", delivery.alert_id, delivery.id, type(exc).__name__
        )

        async def unit(tx: Tx) -> None:
            await alert_delivery.edit_failed(
                tx, delivery.id, error=outcome.error, now=now, retry_at=outcome.retry_at
            )

        await self._services.db.write(unit)
