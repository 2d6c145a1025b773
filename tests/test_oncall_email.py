"""On-call e-mails about urgent alerts left unacknowledged (issue 16), against a real SMTP
server: `aiosmtpd` on 127.0.0.1 and a free port, started by each test. The outbox's alerts job
and on-call job are driven pass by pass with a clock the test moves."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.outbox.alerts import ALERT_RETRY
from bot.outbox.downtime import DowntimeJob, heartbeat_path
from bot.outbox.mail import SmtpMailer
from bot.outbox.oncall import OncallEmailJob
from bot.settings import AlertSettings, Settings, StudySettings
from storage import alert_emails
from storage.alert_emails import AlertEmail
from storage.db import Tx
from storage.models import iso
from tests.test_alerts import World, _world

ONCALL = "oncall@site.example"
DELAY = timedelta(minutes=15)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server accepted; `refuse` makes it answer 451 to every message."""

    received: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@dataclass
class Smtp:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp(_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Setup:
    world: World
    job: OncallEmailJob

    async def rows(self) -> list[AlertEmail]:
        async def unit(tx: Tx) -> list[AlertEmail]:
            return await alert_emails.emails(tx)

        return await self.world.db.read(unit)

    async def passes(self) -> None:
        """One pass of the alerts job (Telegram rounds), then one of the on-call job."""
        await self.world.worker.run_once()
        await self.job.run_once()


def _job(world: World, port: int) -> OncallEmailJob:
    study: StudySettings = world.services.study.model_copy(
        update={"alerts": AlertSettings(oncall_email=ONCALL)}
    )
    settings = Settings(
        db_path=world.services.settings.db_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_timeout_seconds=5,
    )
    services = replace(world.services, study=study, settings=settings)
    mailer = SmtpMailer(settings)
    return OncallEmailJob(
        services, mailer, sender=mailer.sender, retry=replace(ALERT_RETRY, jitter=lambda: 1.0)
    )


@pytest.fixture
async def setup(tmp_path: Path, smtp: Smtp) -> AsyncIterator[Setup]:
    world = await _world(tmp_path)
    try:
        yield Setup(world, _job(world, smtp.port))
    finally:
        await world.db.close()


async def test_an_unacknowledged_urgent_alert_is_emailed_once_after_the_delay(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    alert_id = await world.alert(urgent=True)
    await setup.passes()  # round 0 goes out on Telegram
    world.clock.advance(DELAY - timedelta(seconds=1))
    await setup.passes()
    assert smtp.inbox.received == []
    world.clock.advance(timedelta(seconds=1))
    await setup.passes()
    assert len(smtp.inbox.received) == 1
    mail = smtp.inbox.received[0]
    assert smtp.inbox.recipients == [[ONCALL]]
    body = mail.get_content()
    text = str(mail["Subject"]) + "\n" + body
    assert f"#{alert_id}" in text
    assert "S001" in text
    assert "Telegram" in body
    assert "25 November 2026, 10:00" in body  # raised at 09:00 UTC, Prague time
    for clinical in (" 26", "30", "decline", "fell", "2026-11-20", "points"):
        assert clinical not in text
    # More passes, and a restarted job reading the same database, send nothing more.
    await setup.passes()
    world.clock.advance(timedelta(minutes=5))
    await setup.passes()
    await _job(world, smtp.port).run_once()
    assert len(smtp.inbox.received) == 1
    rows = await setup.rows()
    assert [(r.alert_id, r.round, r.status) for r in rows] == [(alert_id, 0, "sent")]
    assert "alert.email" in await world.actions()


async def test_each_escalation_round_gets_its_own_single_email(setup: Setup, smtp: Smtp) -> None:
    world = setup.world
    await world.alert(urgent=True)
    await setup.passes()
    world.clock.advance(DELAY)
    await setup.passes()
    world.clock.advance(timedelta(minutes=45))  # the urgent escalation (60 min): round 1
    await setup.passes()
    assert len(smtp.inbox.received) == 1
    world.clock.advance(DELAY)
    await setup.passes()
    await setup.passes()
    assert len(smtp.inbox.received) == 2
    assert [r.round for r in await setup.rows()] == [0, 1]


async def test_no_email_when_acknowledged_in_time(setup: Setup, smtp: Smtp) -> None:
    world = setup.world
    alert_id = await world.alert(urgent=True)
    await setup.passes()
    world.clock.advance(timedelta(minutes=10))
    await world.ack(alert_id, 9001)
    await setup.passes()
    world.clock.advance(timedelta(hours=3))
    await setup.passes()
    assert smtp.inbox.received == []
    assert await setup.rows() == []


async def test_an_email_acknowledged_before_it_went_out_is_cancelled(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    alert_id = await world.alert(urgent=True)
    await setup.passes()
    world.clock.advance(DELAY)
    smtp.inbox.refuse = True
    await setup.passes()  # queued, refused
    await world.ack(alert_id, 9002)
    smtp.inbox.refuse = False
    world.clock.advance(timedelta(minutes=5))
    await setup.passes()
    assert smtp.inbox.received == []
    assert [r.status for r in await setup.rows()] == ["cancelled"]


async def test_routine_alerts_are_not_emailed(setup: Setup, smtp: Smtp) -> None:
    world = setup.world
    await world.alert(urgent=False)
    await setup.passes()
    world.clock.advance(timedelta(hours=2))
    await setup.passes()
    assert smtp.inbox.received == []


async def test_a_refusing_server_delays_the_email_without_losing_it(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    await world.alert(urgent=True)
    await setup.passes()
    world.clock.advance(DELAY)
    smtp.inbox.refuse = True
    await setup.passes()
    world.clock.advance(timedelta(seconds=2))
    await setup.passes()
    assert smtp.inbox.received == []
    (row,) = await setup.rows()
    assert row.status == "pending"
    assert row.attempts == 2
    assert row.last_error is not None
    assert "SMTP" in row.last_error
    assert ONCALL not in row.last_error
    smtp.inbox.refuse = False
    await setup.passes()  # not due yet: backoff
    assert smtp.inbox.received == []
    world.clock.advance(timedelta(seconds=4))
    await setup.passes()
    await setup.passes()
    assert len(smtp.inbox.received) == 1
    assert [r.status for r in await setup.rows()] == ["sent"]


async def test_a_server_that_is_down_delays_the_email_without_losing_it(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    smtp.stop()
    await world.alert(urgent=True)
    await setup.passes()
    world.clock.advance(DELAY)
    await setup.passes()
    (row,) = await setup.rows()
    assert (row.status, row.attempts) == ("pending", 1)
    smtp.start()
    world.clock.advance(timedelta(seconds=2))
    await setup.passes()
    await setup.passes()
    assert len(smtp.inbox.received) == 1
    assert [r.status for r in await setup.rows()] == ["sent"]


def test_settings_check_the_address() -> None:
    assert AlertSettings(oncall_email=ONCALL).oncall_email_delay == DELAY
    with pytest.raises(ValueError, match="oncall_email"):
        AlertSettings(oncall_email="not an address")


async def test_the_downtime_notice_is_emailed_once_and_survives_a_down_server(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    services = setup.job._services  # the on-call address and the SMTP server
    path = heartbeat_path(services.settings.db_path)
    path.write_text(json.dumps({"beat": iso(world.clock() - timedelta(hours=3))}))
    mailer = SmtpMailer(services.settings)
    retry = replace(ALERT_RETRY, jitter=lambda: 1.0)
    smtp.stop()
    job = DowntimeJob(services, world.transport, retry, mailer=mailer, sender=mailer.sender)
    await job.setup()
    await job.run_once()
    assert smtp.inbox.received == []
    assert len([t for _, _, t, _ in world.transport.sent if "was not running" in t]) == 2
    smtp.start()
    world.clock.advance(timedelta(seconds=2))
    restarted = DowntimeJob(services, world.transport, retry, mailer=mailer, sender=mailer.sender)
    await restarted.setup()  # the notice waits in the heartbeat file
    await restarted.run_once()
    await restarted.run_once()
    assert len(smtp.inbox.received) == 1
    assert "was not running" in smtp.inbox.received[0].get_content()
    assert smtp.inbox.recipients == [[ONCALL]]
    assert len([t for _, _, t, _ in world.transport.sent if "was not running" in t]) == 2
