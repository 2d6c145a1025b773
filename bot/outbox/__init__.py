"""The outbox: one delivery engine for everything the bot sends on its own initiative.

    engine.py      the loop: one wake event, one lane per job, start / stop / flush
    transport.py   send or edit an HTML message through the paced bot (one for all jobs)
    retry.py       one retry policy: capped exponential backoff with jitter, 429 retry_after,
                   403/400 permanent
    alerts.py      job: staff alerts, their escalation rounds and acknowledgement edits
    reminders.py   job: assessment reminders, follow-ups and the staff's missed digest
    downtime.py    job: the heartbeat, and the staff's one message after downtime
    oncall.py      job: e-mails about urgent alerts left unacknowledged, to the on-call
                   address of the alert's site
    mail.py        e-mail through the SMTP server of the settings (aiosmtplib)

`start(application)` in post_init builds the engine with every job; `stop(application)` in
post_stop and post_shutdown; `outbox_of(application)` for tests and the benchmark.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from bot.outbox.alerts import AlertJob
from bot.outbox.downtime import DowntimeJob
from bot.outbox.engine import Job, Outbox
from bot.outbox.mail import Mailer, SmtpMailer
from bot.outbox.oncall import OncallEmailJob
from bot.outbox.reminders import ReminderJob
from bot.outbox.retry import RetryPolicy
from bot.outbox.transport import TelegramTransport, Transport
from conversations.context import AppType

__all__ = [
    "AlertJob",
    "DowntimeJob",
    "Job",
    "Mailer",
    "OncallEmailJob",
    "Outbox",
    "ReminderJob",
    "RetryPolicy",
    "SmtpMailer",
    "TelegramTransport",
    "Transport",
    "outbox_of",
    "start",
    "stop",
]

log = logging.getLogger(__name__)
_ENGINES: weakref.WeakKeyDictionary[Any, Outbox] = weakref.WeakKeyDictionary()


async def start(application: AppType, **options: Any) -> Outbox:
    """Build and start the outbox of an application whose services are set (call from
    post_init): alerts, reminders and the missed digest. `options` go to the engine."""
    services = application.bot_data.services
    if services is None:
        raise RuntimeError("the outbox needs the services (start it in post_init)")
    existing = _ENGINES.get(application)
    if existing is not None:
        return existing
    transport = TelegramTransport(application.bot)
    mailer: SmtpMailer | None = None
    if services.study.oncall_addresses():  # any site's own or the study-wide address
        if services.settings.smtp_host is None:
            log.warning(
                "an on-call address (sites.oncall_email or alerts.oncall_email) is set but"
                " ALSFRS_SMTP_HOST is not: no e-mails"
            )
        else:
            mailer = SmtpMailer(services.settings)
    jobs: list[Job] = [
        AlertJob(services, transport),
        ReminderJob(services, transport),
        DowntimeJob(services, transport, mailer=mailer, sender=services.settings.smtp_from),
    ]
    if mailer is not None:
        jobs.append(OncallEmailJob(services, mailer, sender=mailer.sender))
    engine = Outbox(services, jobs, **options)
    await engine.start()  # rebuilds the reminder schedule from the database first
    _ENGINES[application] = engine
    engine.wake()
    return engine


async def stop(application: AppType) -> None:
    """Stop the outbox (idempotent): call before the bot's connection and the database close."""
    engine = _ENGINES.pop(application, None)
    if engine is not None:
        await engine.stop()


def outbox_of(application: AppType) -> Outbox:
    """The running outbox of an application (tests, the benchmark)."""
    return _ENGINES[application]
