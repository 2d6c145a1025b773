"""Build the python-telegram-bot Application: handlers, typed context, per-chat ordering,
pacing, the command menu in both languages, and the database opened and closed with it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application

from bot import maintenance, outbox
from bot.health import HealthServer, parse_listen
from bot.ratelimit import PacedRateLimiter
from bot.settings import Settings, StudySettings
from bot.updates import PerChatUpdateProcessor
from conversations import handlers
from conversations.context import CONTEXT_TYPES, AppType, Services, utc_now
from conversations.flows import sites
from conversations.handlers import patient, staff
from conversations.handlers import schedule as schedule_handlers
from locales import LANGUAGES, translator
from storage.db import Database

__all__ = ["build_application", "register_commands", "running"]

log = logging.getLogger(__name__)


async def register_commands(application: AppType) -> None:
    """The command menu, in English by default and in each language for its users."""
    for language in LANGUAGES:
        t = translator(language)
        menu = (*patient.COMMANDS, *schedule_handlers.COMMANDS)
        commands = [BotCommand(name, t(key)) for name, key in menu]
        await application.bot.set_my_commands(commands, language_code=language)
        if language == "en":
            await application.bot.set_my_commands(commands)


def build_application(
    settings: Settings,
    study: StudySettings,
    *,
    clock: Callable[[], datetime] = utc_now,
    token: str | None = None,
) -> AppType:
    secret = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not secret:
        raise ValueError("a bot token is needed to build the application")

    monitors: list[HealthServer] = []  # /healthz and /metrics, when ALSFRS_HEALTH_LISTEN is set

    async def post_init(application: AppType) -> None:
        db = await Database.open(settings.db_path)
        application.bot_data.services = Services(db=db, settings=settings, study=study, clock=clock)
        await sites.adopt_unassigned(application.bot_data.services)  # enrolled before sites
        await register_commands(application)
        await staff.refresh_staff_menus(application.bot, application.bot_data.services)
        await outbox.start(application)  # alerts, reminders, the missed digest
        maintenance.start(application, settings)  # the daily backup, when configured
        for monitor in monitors:
            await monitor.start(*parse_listen(settings.health_listen or ""))
        log.info("bot @%s ready", application.bot.username)

    async def post_stop(application: AppType) -> None:
        # The outbox ends while the bot can still finish and record the sends under way.
        await outbox.stop(application)

    async def post_shutdown(application: AppType) -> None:
        for monitor in monitors:
            await monitor.stop()
        await outbox.stop(application)
        services = application.bot_data.services
        if services is not None:
            await services.db.close()
            application.bot_data.services = None

    builder: Any = (
        Application.builder()
        .token(secret)
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(256))
        .rate_limiter(PacedRateLimiter())
        .connection_pool_size(64)
        .pool_timeout(10.0)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    application: AppType = builder.build()
    handlers.register(application)
    if settings.health_listen:
        monitors.append(HealthServer(application))
        monitors[0].register()
    return application


@asynccontextmanager
async def running(application: AppType, *, poll_timeout: int = 10) -> AsyncIterator[AppType]:
    """Run the application with long polling inside an existing event loop (tests, local mode),
    doing what `run_polling` does: initialise, post_init, start, poll; and the reverse."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
