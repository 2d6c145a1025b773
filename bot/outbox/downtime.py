"""Job: the heartbeat, and the staff's one message after downtime (issue 12).

The running bot writes a heartbeat every minute into a small file beside the database
(`<ALSFRS_DB_PATH>-heartbeat.json`, mode 0600). At start-up, a heartbeat older than
ALSFRS_DOWNTIME_NOTICE_MINUTES (default 15) means the bot was not running: every active staff
member gets one message saying from when to when, and that overdue reminders and alerts are now
going out. The notice waits in the same file until each staff chat has it, so a crash or a
failing Telegram does not lose or repeat it; sends go through the outbox's transport and retry
policy like every other message the bot sends on its own. With on-call addresses (each site's
`[[sites]] oncall_email`, else the study-wide `[alerts] oncall_email`) and an SMTP server
(ALSFRS_SMTP_HOST), every distinct address gets the notice by e-mail too (`mailer`), once,
retried by the same policy apart from the Telegram copies.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.outbox.mail import Mailer, message
from bot.outbox.retry import RetryPolicy
from bot.outbox.transport import Transport
from conversations.context import Services
from conversations.flows import enrollment
from locales import language_from_telegram, translator
from storage.models import from_iso, iso

__all__ = ["BEAT_EVERY", "DowntimeJob", "heartbeat_path"]

log = logging.getLogger(__name__)
BEAT_EVERY: Final = 60.0  # seconds


def heartbeat_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-heartbeat.json")


class DowntimeJob:
    name = "downtime"

    def __init__(
        self,
        services: Services,
        transport: Transport,
        retry: RetryPolicy | None = None,
        *,
        mailer: Mailer | None = None,
        sender: str = "",
    ) -> None:
        self._services = services
        self._transport = transport
        self._mailer = mailer
        self._sender = sender
        self._retry = retry or RetryPolicy()
        self._path = heartbeat_path(services.settings.db_path)
        self._state: dict[str, Any] = {}
        self._halted = False

    def _load(self) -> dict[str, Any]:
        try:
            found = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def _save(self) -> None:
        part = self._path.with_name(self._path.name + ".part")
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(self._state, out)
        os.replace(part, self._path)

    async def setup(self) -> None:
        now = self._services.clock()
        self._state = self._load()
        beat = self._state.get("beat")
        limit = timedelta(minutes=self._services.settings.downtime_notice_minutes)
        if isinstance(beat, str) and not self._state.get("notice"):
            last = from_iso(beat)
            if now - last > limit:
                chats = [chat for chat, _ in await enrollment.staff_chats(self._services)]
                log.warning("the bot was not running for %s", now - last)
                addresses = self._services.study.oncall_addresses()  # distinct, every site's
                self._state["notice"] = {
                    "from": beat,
                    "to": iso(now),
                    "pending": chats,
                    "attempts": 0,
                    "retry_at": None,
                    "emails": list(addresses) if self._mailer is not None else [],
                    "email_attempts": 0,
                    "email_retry_at": None,
                }
        self._state["beat"] = iso(now)
        self._save()

    async def run_once(self) -> float:
        now = self._services.clock()
        self._state["beat"] = iso(now)
        wait = BEAT_EVERY
        notice = self._state.get("notice")
        if notice and not self._halted:
            email_at = notice.get("email_retry_at")
            if notice.get("emails") and (email_at is None or from_iso(email_at) <= now):
                await self._deliver_emails(notice, now)
            retry_at = notice.get("retry_at")
            if notice["pending"] and (retry_at is None or from_iso(retry_at) <= now):
                await self._deliver(notice, now)
            if not notice["pending"] and not notice.get("emails"):
                self._state.pop("notice", None)
            else:
                for waiting, key in (
                    (notice["pending"], "retry_at"),
                    (notice.get("emails"), "email_retry_at"),
                ):
                    if waiting:
                        due = from_iso(notice[key]) if notice.get(key) else now
                        wait = min(wait, max(0.05, (due - now).total_seconds()))
        self._save()
        return wait

    async def _deliver(self, notice: dict[str, Any], now: datetime) -> None:
        languages = dict(await enrollment.staff_chats(self._services))
        zone = ZoneInfo(self._services.study.study.timezone)
        for chat in list(notice["pending"]):
            t = translator(language_from_telegram(languages.get(chat)))
            text = t(
                "downtime-notice",
                start=t.moment(from_iso(notice["from"]), zone),
                end=t.moment(from_iso(notice["to"]), zone),
            )
            try:
                await self._transport.send(chat, text)
            except Exception as exc:  # judged by the one retry policy
                notice["attempts"] += 1
                verdict = self._retry.verdict(exc, notice["attempts"], now)
                if verdict.retry_at is None:
                    log.warning("a downtime notice could not be delivered: %s", verdict.error)
                    notice["pending"].remove(chat)
                    continue
                notice["retry_at"] = iso(verdict.retry_at)
                return
            notice["pending"].remove(chat)
            self._save()  # a chat that has it never gets it again

    async def _deliver_emails(self, notice: dict[str, Any], now: datetime) -> None:
        if self._mailer is None:
            notice["emails"] = []
            return
        study = self._services.study
        zone = ZoneInfo(study.study.timezone)
        for address in list(notice["emails"]):
            t = translator(study.oncall_language(address))  # the site's own language
            body = t(
                "downtime-notice",
                start=t.moment(from_iso(notice["from"]), zone),
                end=t.moment(from_iso(notice["to"]), zone),
            )
            mail = message(
                sender=self._sender,
                to=address,
                subject=t("email-downtime-subject", study=study.study.id),
                body=body,
            )
            try:
                await self._mailer.send(mail)
            except Exception as exc:  # judged by the one retry policy
                notice["email_attempts"] = notice.get("email_attempts", 0) + 1
                verdict = self._retry.verdict(exc, notice["email_attempts"], now)
                if verdict.retry_at is None:
                    log.warning("a downtime e-mail could not be delivered: %s", verdict.error)
                    notice["emails"].remove(address)
                    continue
                log.info("a downtime e-mail failed (%s); will retry", verdict.error)
                notice["email_retry_at"] = iso(verdict.retry_at)
                return
            notice["emails"].remove(address)
            self._save()  # an address that has it never gets it again

    def halt(self) -> None:
        self._halted = True
