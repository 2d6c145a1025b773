"""On-call e-mails about urgent alerts left unacknowledged (issue 16), against a real SMTP
server: `aiosmtpd` on 127.0.0.1 and a free port, started by each test. The outbox's alerts job
and on-call job are driven pass by pass with a clock the test moves. The e-mail goes to the
on-call address of the alert's participant's site, the study-wide one for a site without its
own (the tests under "sites")."""

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
from bot.settings import AlertSettings, Settings, Site, StudySettings, load_study
from storage import alert_emails, people
from storage.alert_emails import AlertEmail
from storage.db import Tx
from storage.models import iso
from tests.test_alerts import OPERATOR, World, _world

ONCALL = "oncall@site.example"
DELAY = timedelta(minutes=15)
# Sites (issue 16): the study-wide ONCALL is only the fallback of a site without its own address.
BRNO, PRAHA, OLOMOUC = "CZ-BRNO", "CZ-PRAHA", "CZ-OLOMOUC"
BRNO_ONCALL = "oncall@brno.example"
PRAHA_ONCALL = "oncall@praha.example"


def with_sites(
    study: StudySettings, *, study_wide: str | None = ONCALL, olomouc: str | None = None
) -> StudySettings:
    """The study with three sites: Brno (the default) and Praha with their own on-call
    addresses, Olomouc with `olomouc` (None: the study-wide `study_wide`, if any)."""
    return study.model_copy(
        update={
            "alerts": AlertSettings(oncall_email=study_wide),
            "sites": (
                Site(id=BRNO, name="FN Brno", oncall_email=BRNO_ONCALL),
                Site(id=PRAHA, name="VFN Praha", oncall_email=PRAHA_ONCALL),
                Site(id=OLOMOUC, name="FN Olomouc", oncall_email=olomouc),
            ),
        }
    )


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


def _job(world: World, port: int, study: StudySettings | None = None) -> OncallEmailJob:
    """The on-call job on the world's database with the SMTP server at `port`, for the study
    (default: the world's, with the study-wide address ONCALL and no sites)."""
    if study is None:
        study = world.services.study.model_copy(
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


# --- sites (issue 16): each alert's e-mail goes to its participant's site's address ----------


async def _participant(world: World, subject: str, site: str | None) -> int:
    now = world.clock()

    async def unit(tx: Tx) -> int:
        found = await people.create_participant(
            tx, subject=subject, language="cs", actor=OPERATOR, now=now, site=site
        )
        return found.id

    return await world.db.write(unit)


def _sent_to(smtp: Smtp) -> dict[str, list[str]]:
    """Each recipient address -> the subjects of the e-mails it got, in order."""
    got: dict[str, list[str]] = {}
    for to, mail in zip(smtp.inbox.recipients, smtp.inbox.received, strict=True):
        for address in to:
            got.setdefault(address, []).append(str(mail["Subject"]))
    return got


async def test_an_urgent_alert_is_emailed_to_its_sites_address_only(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    job = _job(world, smtp.port, with_sites(world.services.study))
    brno = await _participant(world, "S101", BRNO)
    praha = await _participant(world, "S102", PRAHA)
    left = await world.alert(urgent=True, participant_id=brno)
    seen = await world.alert(urgent=True, participant_id=praha)

    async def passes() -> None:
        await world.worker.run_once()
        await job.run_once()

    await passes()  # round 0 of both goes out on Telegram
    world.clock.advance(timedelta(minutes=10))
    await world.ack(seen, 9001)  # Praha's alert is seen in time
    world.clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    await passes()
    assert smtp.inbox.received == []
    world.clock.advance(timedelta(seconds=1))
    await passes()
    assert smtp.inbox.recipients == [[BRNO_ONCALL]]
    (subject,) = _sent_to(smtp)[BRNO_ONCALL]
    assert f"urgent alert #{left}" in subject
    assert "S101" in subject
    body = smtp.inbox.received[0].get_content()
    assert "S102" not in body
    assert "Telegram" in body
    # More passes, and a restarted job on the same database, send nothing more to anyone.
    await passes()
    world.clock.advance(timedelta(minutes=30))  # still before round 1 (60 min)
    await passes()
    await _job(world, smtp.port, with_sites(world.services.study)).run_once()
    assert smtp.inbox.recipients == [[BRNO_ONCALL]]
    rows = await setup.rows()
    assert [(r.alert_id, r.round, r.address, r.status) for r in rows] == [
        (left, 0, BRNO_ONCALL, "sent")
    ]


async def test_a_site_without_its_own_address_falls_back_to_the_study_wide_one(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    job = _job(world, smtp.port, with_sites(world.services.study))
    olomouc = await _participant(world, "S103", OLOMOUC)
    await world.alert(urgent=True, participant_id=olomouc)
    await world.alert(urgent=True)  # S001: no site yet, so the default site's (Brno's)
    await world.worker.run_once()
    world.clock.advance(DELAY)
    await world.worker.run_once()
    await job.run_once()
    await job.run_once()
    sent = _sent_to(smtp)
    assert sorted(sent) == sorted([ONCALL, BRNO_ONCALL])
    assert len(sent[ONCALL]) == 1
    assert "S103" in sent[ONCALL][0]
    assert len(sent[BRNO_ONCALL]) == 1
    assert "S001" in sent[BRNO_ONCALL][0]
    assert PRAHA_ONCALL not in sent


async def test_a_site_with_no_address_at_all_gets_no_email(setup: Setup, smtp: Smtp) -> None:
    world = setup.world
    # No study-wide address: only the sites' own (the job runs on those alone).
    job = _job(world, smtp.port, with_sites(world.services.study, study_wide=None))
    olomouc = await _participant(world, "S103", OLOMOUC)
    praha = await _participant(world, "S102", PRAHA)
    await world.alert(urgent=True, participant_id=olomouc)
    left = await world.alert(urgent=True, participant_id=praha)
    await world.worker.run_once()
    world.clock.advance(DELAY)
    await world.worker.run_once()
    await job.run_once()
    await job.run_once()
    assert smtp.inbox.recipients == [[PRAHA_ONCALL]]
    assert [(r.alert_id, r.address) for r in await setup.rows()] == [(left, PRAHA_ONCALL)]


def test_the_oncall_addresses_are_every_sites_distinct_one() -> None:
    base = load_study(None)
    assert base.model_copy(update={"alerts": AlertSettings()}).oncall_addresses() == ()
    assert base.model_copy(
        update={"alerts": AlertSettings(oncall_email=ONCALL)}
    ).oncall_addresses() == (ONCALL,)
    assert with_sites(base).oncall_addresses() == (BRNO_ONCALL, PRAHA_ONCALL, ONCALL)
    assert with_sites(base, study_wide=None).oncall_addresses() == (BRNO_ONCALL, PRAHA_ONCALL)
    shared = with_sites(base, olomouc=BRNO_ONCALL)
    assert shared.oncall_addresses() == (BRNO_ONCALL, PRAHA_ONCALL)
    assert shared.site(OLOMOUC).oncall_email == BRNO_ONCALL


async def test_the_downtime_notice_reaches_every_sites_address_once(
    setup: Setup, smtp: Smtp
) -> None:
    world = setup.world
    # Every site has its own address (Olomouc shares Brno's): the study-wide one gets nothing.
    study = with_sites(world.services.study, olomouc=BRNO_ONCALL)
    services = replace(setup.job._services, study=study)
    path = heartbeat_path(services.settings.db_path)
    path.write_text(json.dumps({"beat": iso(world.clock() - timedelta(hours=3))}))
    mailer = SmtpMailer(services.settings)
    retry = replace(ALERT_RETRY, jitter=lambda: 1.0)
    job = DowntimeJob(services, world.transport, retry, mailer=mailer, sender=mailer.sender)
    await job.setup()
    await job.run_once()
    await job.run_once()
    restarted = DowntimeJob(services, world.transport, retry, mailer=mailer, sender=mailer.sender)
    await restarted.setup()
    await restarted.run_once()
    assert sorted(smtp.inbox.recipients) == [[BRNO_ONCALL], [PRAHA_ONCALL]]
    for mail in smtp.inbox.received:
        assert "was not running" in mail.get_content()


async def test_the_email_tells_the_time_on_the_sites_clock(setup: Setup, smtp: Smtp) -> None:
    world = setup.world
    study = world.services.study.model_copy(
        update={
            "sites": (
                Site(id=BRNO, name="FN Brno", oncall_email=BRNO_ONCALL),
                Site(id="UK-LONDON", name="London", timezone="Europe/London", oncall_email=ONCALL),
            )
        }
    )
    job = _job(world, smtp.port, study)
    london = await _participant(world, "S104", "UK-LONDON")
    await world.alert(urgent=True, participant_id=london)
    await world.worker.run_once()
    world.clock.advance(DELAY)
    await world.worker.run_once()
    await job.run_once()
    [mail] = smtp.inbox.received
    assert smtp.inbox.recipients == [[ONCALL]]
    body = mail.get_content()
    assert "25 November 2026, 09:00" in body  # raised at 09:00 UTC: London's clock, not Prague's
    assert "10:00" not in body


async def test_each_sites_email_is_in_that_sites_language(setup: Setup, smtp: Smtp) -> None:
    world = setup.world
    assert world.services.study.alerts.oncall_email_language == "en"
    study = world.services.study.model_copy(
        update={
            "sites": (
                Site(id=BRNO, name="FN Brno", oncall_email=BRNO_ONCALL, oncall_email_language="cs"),
                Site(id=PRAHA, name="VFN Praha", oncall_email=PRAHA_ONCALL),
            )
        }
    )
    assert study.oncall_language(BRNO_ONCALL) == "cs"
    assert study.oncall_language(PRAHA_ONCALL) == "en"
    job = _job(world, smtp.port, study)
    for subject, site in (("S105", BRNO), ("S106", PRAHA)):
        await world.alert(urgent=True, participant_id=await _participant(world, subject, site))
    await world.worker.run_once()
    world.clock.advance(DELAY)
    await world.worker.run_once()
    await job.run_once()
    bodies = {
        to[0]: mail.get_content()
        for to, mail in zip(smtp.inbox.recipients, smtp.inbox.received, strict=True)
    }
    assert "listopadu" in bodies[BRNO_ONCALL]  # Czech
    assert "November" in bodies[PRAHA_ONCALL]
