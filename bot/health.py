"""The health and metrics endpoint of the running bot (ALSFRS_HEALTH_LISTEN, e.g.
127.0.0.1:9464; off when unset).

    GET /healthz   200 {"ok": true, ...} when the database answers within 5 s, the update
                   loop runs, and no urgent alert has reached nobody for longer than
                   ALSFRS_HEALTH_ALERT_MAX_MINUTES (default 30); 503 with what is wrong otherwise
    GET /metrics   Prometheus text format (prometheus-client): updates handled, database
                   commits and units of work, whether the parts are up, the outbox backlog and
                   its oldest age, alerts raised/delivered/acknowledged, send retries and 429s,
                   and the press->reply latency histogram

Only counts and states: no study ID, no Telegram id, no text ever becomes a label.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Final

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from telegram import Update
from telegram.ext import TypeHandler

from conversations.context import AppType
from storage.db import Tx
from storage.monitoring import OutboxState, outbox_state

__all__ = ["HealthServer", "check", "parse_listen"]

log = logging.getLogger(__name__)
_DB_TIMEOUT: Final = 5.0
# Before every other handler group; it only counts, and lets the update go on.
_COUNT_GROUP: Final = -1000
# After every other handler group: the press has been answered and its reply sent.
_REPLIED_GROUP: Final = 1000


def parse_listen(value: str) -> tuple[str, int]:
    """'127.0.0.1:9464' -> ('127.0.0.1', 9464); '[::1]:9464' works too."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:9464")
    return host.strip("[]"), int(port)


async def _select_one(tx: Tx) -> Any:
    return await tx.scalar("SELECT 1")


async def _state(application: AppType) -> OutboxState | None:
    services = application.bot_data.services
    if services is None:
        return None
    try:
        return await asyncio.wait_for(services.db.read(outbox_state), _DB_TIMEOUT)
    except Exception:  # any failure is "unhealthy", and says nothing about data
        log.warning("health check: the outbox state could not be read")
        return None


async def check(application: AppType) -> dict[str, bool]:
    """Each part and whether it is healthy."""
    services = application.bot_data.services
    database = False
    alerts = False
    if services is not None:
        try:
            database = await asyncio.wait_for(services.db.read(_select_one), _DB_TIMEOUT) == 1
        except Exception:  # any failure is "unhealthy", and says nothing about data
            log.warning("health check: the database did not answer")
        state = await _state(application) if database else None
        if state is not None:
            oldest = state.oldest_urgent_undelivered_at
            limit = timedelta(minutes=services.settings.health_alert_max_minutes)
            alerts = oldest is None or services.clock() - oldest <= limit
    updater = application.updater
    updates = application.running and (updater is None or updater.running)
    return {"database": database, "updates": updates, "urgent_alerts": alerts}


class _OutboxCollector(Collector):
    """The outbox and alert figures of the last snapshot (taken on each /metrics request)."""

    def __init__(self, server: HealthServer) -> None:
        self._server = server

    def collect(self) -> Iterator[Any]:
        state = self._server.snapshot
        application = self._server.application
        services = application.bot_data.services
        now = services.clock() if services is not None else None
        backlog = GaugeMetricFamily("alsfrs_outbox_backlog", "Deliveries waiting to go out")
        oldest = GaugeMetricFamily(
            "alsfrs_outbox_oldest_seconds", "Age of the oldest waiting alert delivery"
        )
        urgent = GaugeMetricFamily(
            "alsfrs_urgent_alert_undelivered_seconds",
            "Age of the oldest urgent alert that has reached nobody (0: none)",
        )
        raised = CounterMetricFamily("alsfrs_alerts_raised", "Alerts raised")
        delivered = CounterMetricFamily("alsfrs_alerts_delivered", "Alerts delivered")
        acknowledged = CounterMetricFamily("alsfrs_alerts_acknowledged", "Alerts acknowledged")
        retries = CounterMetricFamily(
            "alsfrs_send_retries", "Outbox send attempts beyond the first"
        )
        too_many = CounterMetricFamily(
            "alsfrs_telegram_429", "Requests Telegram answered with 429 (and were retried)"
        )
        if state is not None and now is not None:
            backlog.add_metric([], state.backlog)
            age = state.oldest_pending_at
            oldest.add_metric([], max(0.0, (now - age).total_seconds()) if age else 0.0)
            age = state.oldest_urgent_undelivered_at
            urgent.add_metric([], max(0.0, (now - age).total_seconds()) if age else 0.0)
            raised.add_metric([], state.alerts_raised)
            delivered.add_metric([], state.alerts_delivered)
            acknowledged.add_metric([], state.alerts_acknowledged)
            retries.add_metric([], state.send_retries)
        too_many.add_metric([], float(getattr(application.bot.rate_limiter, "retries", 0)))
        yield from (backlog, oldest, urgent, raised, delivered, acknowledged, retries, too_many)


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
        self.latency = Histogram(
            "alsfrs_press_reply_seconds",
            "From a button press reaching the bot to the end of its handling (the reply sent)",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.snapshot: OutboxState | None = None
        self._pressed: dict[int, float] = {}
        self.registry.register(_DatabaseCollector(application))
        self.registry.register(_OutboxCollector(self))
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def register(self) -> None:
        """Count every update, before (and without affecting) the real handlers."""

        async def count(update: Update, _context: Any) -> None:
            self.updates.inc()
            if update.callback_query is not None:
                if len(self._pressed) > 10_000:  # presses that never finished (a stop)
                    self._pressed.clear()
                self._pressed[update.update_id] = time.perf_counter()

        async def replied(update: Update, _context: Any) -> None:
            started = self._pressed.pop(update.update_id, None)
            if started is not None:
                self.latency.observe(time.perf_counter() - started)

        self.application.add_handler(TypeHandler(Update, count), group=_COUNT_GROUP)
        self.application.add_handler(TypeHandler(Update, replied), group=_REPLIED_GROUP)

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
        self.snapshot = await _state(self.application)
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
