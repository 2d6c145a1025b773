"""/healthz and /metrics of the running bot (ALSFRS_HEALTH_LISTEN): healthy while the database
answers and updates are polled, 503 when the database does not; counts only, no ids."""

from __future__ import annotations

import socket
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
            assert await response.json() == {"ok": True, "database": True, "updates": True}
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
