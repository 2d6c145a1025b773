"""The on-call e-mail end to end (issue 16): the real bot and its outbox against the local Bot
API over HTTP, a real SMTP server (`aiosmtpd`) on 127.0.0.1, and a moved clock. An urgent alert
left unacknowledged reaches the on-call address once; an acknowledged one does not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import AlertSettings
from tests.conftest import Harness
from tests.e2e_helpers import acknowledge
from tests.test_e2e_alerts import copies, raise_alert, worker
from tests.test_e2e_roles import make_staff
from tests.test_oncall_email import ONCALL, Smtp, smtp

__all__ = ["smtp"]  # the fixture


async def test_an_unacknowledged_urgent_alert_reaches_the_oncall_address_once(
    harness: Harness, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALSFRS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ALSFRS_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("ALSFRS_SMTP_STARTTLS", "false")
    harness.study = harness.study.model_copy(update={"alerts": AlertSettings(oncall_email=ONCALL)})
    async with harness.bot() as app:
        nurse = await make_staff(harness, 9001)
        await harness.enroll("S401")
        await harness.enroll("S402")
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
    assert len(smtp.inbox.received) == 1
    mail = smtp.inbox.received[0]
    assert smtp.inbox.recipients == [[ONCALL]]
    assert f"urgent alert #{left}" in str(mail["Subject"])
    assert "S401" in str(mail["Subject"])
    assert "S402" not in mail.get_content()
    assert "fell" not in mail.get_content()
