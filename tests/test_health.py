"""/healthz and /metrics of the running bot (ALSFRS_HEALTH_LISTEN): healthy while the database
answers and updates are polled, 503 when the database does not; counts only, no ids."""

from __future__ import annotations

import socket
import sqlite3
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.app import build_application, running
from tests.conftest import Harness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_healthz_and_metrics(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    settings = harness.settings().model_copy(update={"health_listen": f"127.0.0.1:{port}"})
    application = build_application(settings, harness.study, clock=harness.clock)
    async with running(application, poll_timeout=1), aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{port}"
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {
                "ok": True,
                "database": True,
                "updates": True,
                "urgent_alerts": True,
            }
        stranger = harness.api.user(735_911_246)
        await stranger.send("/start")
        await stranger.send("hello")
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200
            text = await response.text()
        counts = {
            line.split()[0]: float(line.split()[1])
            for line in text.splitlines()
            if line and not line.startswith("#")
        }
        assert counts["alsfrs_updates_total"] >= 2
        assert counts["alsfrs_up"] == 1
        assert counts["alsfrs_db_units_total"] >= 0
        assert "735911246" not in text
        # The database stops answering: unhealthy.
        services = application.bot_data.services
        assert services is not None

        async def broken(_unit: Any) -> Any:
            raise RuntimeError("disk gone")

        monkeypatch.setattr(services.db, "read", broken)
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["database"] is False


async def test_an_urgent_alert_that_reached_nobody_makes_the_bot_unhealthy(
    harness: Harness,
) -> None:
    port = free_port()
    settings = harness.settings().model_copy(
        update={"health_listen": f"127.0.0.1:{port}", "health_alert_max_minutes": 10}
    )
    await harness.enroll("S001")
    application = build_application(settings, harness.study, clock=harness.clock)
    async with running(application, poll_timeout=1), aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{port}"
        now = harness.clock()
        with sqlite3.connect(harness.db_path) as conn:  # no staff: it cannot be delivered
            conn.execute(
                "INSERT INTO alerts (participant_id, kind, rule, urgent, message_key,"
                " message_args, created_at) VALUES (1, 'symptom', 'x', 1, 'k', '{}', ?)",
                (now.isoformat().replace("+00:00", "Z"),),
            )
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        harness.clock.advance(timedelta(minutes=11))
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["urgent_alerts"] is False
        user = harness.api.user(4242)
        await user.send("/start")
        await user.press_data(user.last_message().message_id, "m:assess")
        async with http.get(f"{base}/metrics") as response:
            text = await response.text()
    counts = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert counts["alsfrs_alerts_raised_total"] == 1
    assert counts["alsfrs_alerts_delivered_total"] == 0
    assert counts["alsfrs_alerts_acknowledged_total"] == 0
    assert counts["alsfrs_urgent_alert_undelivered_seconds"] >= 660
    assert counts["alsfrs_outbox_backlog"] == 0
    assert counts["alsfrs_send_retries_total"] == 0
    assert counts["alsfrs_telegram_429_total"] == 0
    assert counts["alsfrs_press_reply_seconds_count"] == 1
