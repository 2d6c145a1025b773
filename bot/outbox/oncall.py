"""The on-call job of the outbox: urgent alerts that reach someone when no one reads Telegram.

An urgent alert still unacknowledged `[alerts] oncall_email_minutes` (default 15) after one of
its rounds went out to Telegram (`bot/outbox/alerts.py`) is also e-mailed to the on-call address
of its participant's site (`[[sites]] oncall_email`, else the study-wide `[alerts] oncall_email`;
`StudySettings.site(...).oncall_email`), once per address and round; a site without either gets
no e-mail. Each pass

1. queues one `alert_emails` row (migration 0011) per such round, in one transaction, with the
   address chosen there from the sites' addresses (`_addresses`, read from the study settings on
   every pass); the table's UNIQUE key is what makes it once, across restarts too;
2. sends every due row through the `Mailer` (`bot/outbox/mail.py`), unless the alert was
   acknowledged meanwhile (then the row is cancelled). A failure (the server refuses, is down,
   times out) is judged by the alerts' retry policy: tried again with capped backoff, without
   limit, so it is delayed and never lost.

The message holds the pseudonymous study ID, "urgent alert #N", when it was raised and "open
Telegram to see it": nothing clinical, as e-mail is not a secure channel. A row is marked sent
after the server accepted the message; dying between the two is the one window in which the
e-mail can arrive twice.

Logs name alert and e-mail ids and error classes, never an address or a patient's data.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.outbox.alerts import ALERT_RETRY
from bot.outbox.engine import PolledJob
from bot.outbox.mail import Mailer, message
from bot.outbox.retry import RetryPolicy
from conversations.context import Services
from locales import translator
from storage import alert_emails
from storage.alert_emails import AlertEmail, OncallAddresses
from storage.db import Tx

__all__ = ["OncallEmailJob"]

log = logging.getLogger(__name__)


class OncallEmailJob(PolledJob):
    """E-mails unacknowledged urgent alerts to their sites' on-call addresses; see the module
    docstring."""

    name = "oncall-email"

    def __init__(
        self,
        services: Services,
        mailer: Mailer,
        *,
        sender: str,
        retry: RetryPolicy = ALERT_RETRY,
        poll_interval: float = 5.0,
        batch: int = 50,
    ) -> None:
        super().__init__(services, retry=retry, poll_interval=poll_interval, batch=batch)
        self._mailer = mailer
        self._sender = sender

    @property
    def _addresses(self) -> OncallAddresses:
        """Each site's on-call address; a participant without a listed site gets the default
        site's, as `StudySettings.site` falls back."""
        study = self._services.study
        return OncallAddresses(
            by_site={site.id: site.oncall_email for site in study.site_infos()},
            fallback=study.site(None).oncall_email,
        )

    async def run_once(self) -> float:
        addresses = self._addresses
        if not addresses.any:
            return self.poll_interval
        await self._queue(addresses)
        await self._send_due()
        return await self._next_delay(addresses)

    async def _queue(self, addresses: OncallAddresses) -> None:
        services = self._services
        now = services.clock()
        delay = services.study.alerts.oncall_email_delay

        async def waiting(tx: Tx) -> bool:
            return await alert_emails.rounds_waiting(tx, addresses=addresses, now=now, delay=delay)

        if not await services.db.read(waiting):
            return

        async def unit(tx: Tx) -> list[tuple[int, int, str]]:
            return await alert_emails.queue_due(tx, addresses=addresses, now=now, delay=delay)

        for alert_id, round_, _ in await services.db.write(unit):
            log.warning(
                "alert %d round %d unacknowledged: e-mailing its site's on-call address",
                alert_id,
                round_,
            )

    async def _next_delay(self, addresses: OncallAddresses) -> float:
        delay = self._services.study.alerts.oncall_email_delay

        async def unit(tx: Tx) -> float | None:
            due = await alert_emails.next_due(tx, addresses=addresses, delay=delay)
            return None if due is None else (due - self._services.clock()).total_seconds()

        seconds = await self._services.db.read(unit)
        if seconds is None:
            return self.poll_interval
        return min(self.poll_interval, max(0.0, seconds))

    async def _send_due(self) -> None:
        now = self._services.clock()

        async def unit(tx: Tx) -> list[AlertEmail]:
            return await alert_emails.sendable(tx, now=now, limit=self._batch)

        for row in await self._services.db.read(unit):
            if self._stopping:
                return
            try:
                await self._send_one(row.id)
            except Exception:
                log.exception("alert e-mail %d could not be processed", row.id)

    async def _send_one(self, email_id: int) -> None:
        db = self._services.db

        async def fresh(tx: Tx) -> AlertEmail | None:
            return await alert_emails.email(tx, email_id)

        row = await db.read(fresh)  # acknowledged meanwhile?
        if row is None or row.status != "pending":
            return
        if row.acknowledged:

            async def drop(tx: Tx) -> None:
                await alert_emails.cancel(tx, email_id, reason="acknowledged")

            await db.write(drop)
            return
        study = self._services.study
        t = translator(study.site(row.site).oncall_email_language)
        zone = ZoneInfo(study.site(row.site).timezone)  # the on-call team's own clock
        args: dict[str, str | int | float] = {
            "study": study.study.id,
            "number": row.alert_id,
            "subject": row.subject,
            "time": t.moment(row.raised_at, zone),
        }
        mail = message(
            sender=self._sender,
            to=row.address,
            subject=t("email-alert-subject", **args),
            body=t("email-alert-body", **args),
        )
        try:
            await self._mailer.send(mail)
        except Exception as exc:
            now = self._services.clock()
            outcome = self.retry.verdict(exc, row.attempts + 1, now)
            log.warning(
                "alert %d e-mail %d: attempt %d failed (%s)%s",
                row.alert_id,
                row.id,
                row.attempts + 1,
                type(exc).__name__,
                "; giving it up" if outcome.retry_at is None else "; will retry",
            )

            async def failed(tx: Tx) -> None:
                await alert_emails.record_failure(
                    tx, email_id, error=outcome.error, now=now, retry_at=outcome.retry_at
                )

            await db.write(failed)
            return
        sent_at = self._services.clock()

        async def sent(tx: Tx) -> None:
            await alert_emails.mark_sent(tx, email_id, now=sent_at)

        await db.write(sent)
        log.info(
            "alert %d round %d e-mailed to its site's on-call address", row.alert_id, row.round
        )
