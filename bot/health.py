"""The health and metrics endpoint of the running bot (ALSFRS_HEALTH_LISTEN, e.g.
127.0.0.1:9464; off when unset).

    GET /healthz   200 {"ok": true, ...} when the database answers within 5 s and the update
                   loop runs; 503 with what is wrong otherwise
    GET /metrics   Prometheus text format (prometheus-client): updates handled, database
                   commits and units of work, whether the parts are up

Only counts and states: no study ID, no Telegram id, no text ever becomes a label.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any, Final

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from telegram import Update
from telegram.ext import TypeHandler

from conversations.context import AppType
from storage.db import Tx

__all__ = ["HealthServer", "check", "parse_listen"]

log = logging.getLogger(__name__)
_DB_TIMEOUT: Final = 5.0
# Before every other handler group; it only counts, and lets the update go on.
_COUNT_GROUP: Final = -1000


def parse_listen(value: str) -> tuple[str, int]:
    """'127.0.0.1:9464' -> ('127.0.0.1', 9464); '[::1]:9464' works too."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:9464")
    return host.strip("[]"), int(port)


async def _select_one(tx: Tx) -> Any:
    return await tx.scalar("SELECT 1")


async def check(application: AppType) -> dict[str, bool]:
    """Each part and whether it is healthy."""
    services = application.bot_data.services
    database = False
    if services is not None:
        try:
            database = await asyncio.wait_for(services.db.read(_select_one), _DB_TIMEOUT) == 1
        except Exception:  # any failure is "unhealthy", and says nothing about data
            log.warning("health check: the database did not answer")
    updater = application.updater
    updates = application.running and (updater is None or updater.running)
    return {"database": database, "updates": updates}


class _DatabaseCollector(Collector):
    def __init__(self, application: AppType) -> None:
        self._application = application

    def collect(self) -> Iterator[Any]:
        services = self._application.bot_data.services
        commits = CounterMetricFamily("alsfrs_db_commits", "Group commits of the database writer")
        units = CounterMetricFamily("alsfrs_db_units", "Units of work committed")
        up = GaugeMetricFamily("alsfrs_up", "1 when the bot's update loop runs")
        if services is not None:
            commits.add_metric([], services.db.commits)
            units.add_metric([], services.db.units)
        updater = self._application.updater
        up.add_metric(
            [], 1.0 if self._application.running and (updater is None or updater.running) else 0.0
        )
        yield commits
        yield units
        yield up


class HealthServer:
    """Counts updates and serves /healthz and /metrics for one application."""

    def __init__(self, application: AppType) -> None:
        self.application = application
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "alsfrs_updates", "Updates received from Telegram", registry=self.registry
        )
        self.registry.register(_DatabaseCollector(application))
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def register(self) -> None:
        """Count every update, before (and without affecting) the real handlers."""

        async def count(_update: object, _context: Any) -> None:
            self.updates.inc()

        self.application.add_handler(TypeHandler(Update, count), group=_COUNT_GROUP)

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("health and metrics on %s:%d", host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, _request: web.Request) -> web.Response:
        parts = await check(self.application)
        healthy = all(parts.values())
        return web.json_response({"ok": healthy, **parts}, status=200 if healthy else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
