"""The on-call e-mail end to end (issue 16): the real bot and its outbox against the local Bot
API over HTTP, a real SMTP server (`aiosmtpd`) on 127.0.0.1, and a moved clock. An urgent alert
left unacknowledged reaches the on-call address of its participant's site once; an acknowledged
one does not; the notice after downtime reaches every site's address once."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.outbox.downtime import heartbeat_path
from bot.settings import AlertSettings
from conversations.context import AppType
from localapi import SimUser
from tests.conftest import Harness
from tests.e2e_helpers import acknowledge
from tests.test_e2e_alerts import copies, raise_alert, worker
from tests.test_e2e_roles import make_staff
from tests.test_oncall_email import (
    BRNO,
    BRNO_ONCALL,
    ONCALL,
    PRAHA,
    PRAHA_ONCALL,
    Smtp,
    smtp,
    with_sites,
)

__all__ = ["smtp"]  # the fixture


def _smtp_env(monkeypatch: pytest.MonkeyPatch, smtp: Smtp) -> None:
    monkeypatch.setenv("ALSFRS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ALSFRS_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("ALSFRS_SMTP_STARTTLS", "false")


async def leave_one_acknowledge_one(
    harness: Harness, app: AppType, nurse: SimUser, smtp: Smtp
) -> int:
    """Urgent alerts for S401 (left unacknowledged) and S402 (acknowledged at once); no e-mail
    before 15 minutes, then passes until 25 minutes. Returns S401's alert id."""
    left = await raise_alert(harness, app, "S401", urgent=True)
    seen = await raise_alert(harness, app, "S402", urgent=True)
    await worker(app).flush()
    assert copies(nurse.chat, left)
    await acknowledge(nurse, copies(nurse.chat, seen)[0])
    harness.clock.advance(timedelta(minutes=14))
    await worker(app).flush()
    assert smtp.inbox.received == []
    harness.clock.advance(timedelta(minutes=1))
    await worker(app).flush()
    await worker(app).flush()
    harness.clock.advance(timedelta(minutes=10))
    await worker(app).flush()
    return left


async def test_an_unacknowledged_urgent_alert_reaches_the_oncall_address_once(
    harness: Harness, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _smtp_env(monkeypatch, smtp)
    harness.study = harness.study.model_copy(update={"alerts": AlertSettings(oncall_email=ONCALL)})
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)
        await harness.enroll("S401")
        await harness.enroll("S402")
        left = await leave_one_acknowledge_one(harness, app, nurse, smtp)
    assert len(smtp.inbox.received) == 1
    mail = smtp.inbox.received[0]
    assert smtp.inbox.recipients == [[ONCALL]]
    assert f"urgent alert #{left}" in str(mail["Subject"])
    assert "S401" in str(mail["Subject"])
    assert "S402" not in mail.get_content()
    assert "fell" not in mail.get_content()


async def test_an_urgent_alert_reaches_its_sites_oncall_address_only(
    harness: Harness, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _smtp_env(monkeypatch, smtp)
    # Two sites with their own addresses and none study-wide: the job runs on the sites' alone.
    harness.study = with_sites(harness.study, study_wide=None)
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)  # study-wide staff: sees both sites' alerts
        await harness.enroll("S401", site=BRNO)
        await harness.enroll("S402", site=PRAHA)
        left = await leave_one_acknowledge_one(harness, app, nurse, smtp)
    async with harness.bot() as app:  # started again: nothing more
        await worker(app).flush()
    assert smtp.inbox.recipients == [[BRNO_ONCALL]]
    mail = smtp.inbox.received[0]
    assert f"urgent alert #{left}" in str(mail["Subject"])
    assert "S401" in str(mail["Subject"])
    assert "S402" not in mail.get_content()


async def test_the_downtime_notice_reaches_each_sites_oncall_address_once(
    harness: Harness, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _smtp_env(monkeypatch, smtp)
    # Olomouc shares Brno's address; every site has its own, so the study-wide one gets nothing.
    harness.study = with_sites(harness.study, olomouc=BRNO_ONCALL)
    async with harness.bot():
        nurse = await make_staff(harness, 9001)
        await nurse.settle()
    assert heartbeat_path(harness.db_path).exists()
    harness.clock.advance(timedelta(hours=2))
    async with harness.bot() as app:
        await nurse.wait_for("was not running")
        await worker(app).flush()
        await worker(app).flush()
    async with harness.bot() as app:  # started again at once: nothing more
        await worker(app).flush()
    assert sorted(smtp.inbox.recipients) == [[BRNO_ONCALL], [PRAHA_ONCALL]]
    assert ONCALL not in str(smtp.inbox.recipients)
    for mail in smtp.inbox.received:
        assert "was not running" in mail.get_content()


async def test_a_sites_address_without_an_smtp_server_is_warned_about(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("ALSFRS_SMTP_HOST", raising=False)
    harness.study = with_sites(harness.study, study_wide=None)
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        async with harness.bot():
            pass
    assert any("ALSFRS_SMTP_HOST is not" in r.getMessage() for r in caplog.records)
