"""The typed context every handler receives: `context.services` reaches the database, the
settings and the clock through one object, instead of string-keyed dictionaries."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from conversations.flows.safety import SafetyConfig
from storage.db import Database

if TYPE_CHECKING:
    from bot.settings import Settings, StudySettings

__all__ = ["CONTEXT_TYPES", "AppBot", "AppContext", "BotData", "Services", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    db: Database
    settings: Settings
    study: StudySettings
    clock: Callable[[], datetime] = utc_now
    # The outbox's one wake event (`bot/outbox/engine.py` watches it): set it after committing
    # anything the outbox delivers, so that delivery starts at once instead of at its next poll.
    outbox_bell: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)
    # Repeats of an audited event within its hour (`flows.accounts`): the first is audited, the
    # rest counted here and audited as one count when the hour is over.
    repeats: dict[tuple[Any, ...], int] = field(default_factory=dict, repr=False, compare=False)
    # Telegram accounts with nothing waiting for agreement to the privacy notice, as last read
    # (`flows.privacy.pending`): the consent gate skips its read for them. Linking an account
    # forgets it (`flows.accounts.redeem`); the notice version changes only with a restart.
    consent_clear: set[int] = field(default_factory=set, repr=False, compare=False)

    def wake_outbox(self) -> None:
        """Deliver now: call after committing alerts, reminders or anything else queued."""
        self.outbox_bell.set()

    @property
    def safety(self) -> SafetyConfig:
        return SafetyConfig.of(self.study)


class BotData:
    """Application-wide state: the services, set once at start-up, and the keyboards this
    process already retired (a double tap must not retire one twice: Telegram answers 400)."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.retired: OrderedDict[tuple[int, int], None] = OrderedDict()

    def retire_once(self, chat_id: int, message_id: int) -> bool:
        """True the first time a message's keyboard is retired (the last 10,000 remembered)."""
        key = (chat_id, message_id)
        if key in self.retired:
            return False
        self.retired[key] = None
        if len(self.retired) > 10_000:
            self.retired.popitem(last=False)
        return True


# The bot passes `rate_limit_args` as a dict (see bot/ratelimit.py: {"proactive": True}).
AppBot = ExtBot[dict[str, Any]]


class AppContext(CallbackContext[AppBot, dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not initialised (post_init has not run)")
        return services


AppType = Application[AppBot, AppContext, dict[Any, Any], dict[Any, Any], BotData, Any]

CONTEXT_TYPES: ContextTypes[AppContext, dict[Any, Any], dict[Any, Any], BotData] = ContextTypes(
    context=AppContext, bot_data=BotData
)
