"""The outbox's one way to reach Telegram: send or edit an HTML message, with an optional inline
keyboard, as a proactive request (`bot.ratelimit.PacedRateLimiter` paces it globally and per chat
and honours 429 `retry_after` itself a few times). Errors are raised as python-telegram-bot's
exceptions, for `bot.outbox.retry` to judge; unit tests pass a fake with the same two methods."""

from __future__ import annotations

from typing import Any, Final, Protocol

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import ExtBot

__all__ = ["TelegramTransport", "Transport"]

PROACTIVE: Final[dict[str, Any]] = {"proactive": True}


class Transport(Protocol):
    """How the outbox reaches Telegram (a fake in unit tests)."""

    async def send(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> int:
        """Send an HTML message; returns its message id."""
        ...

    async def edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        """Replace an HTML message's text and its buttons (None removes them)."""
        ...


class TelegramTransport:
    """The application's bot, with every request marked proactive for the rate limiter."""

    def __init__(self, bot: ExtBot[Any]) -> None:
        # The application's bot is typed ExtBot[dict]; its rate limiter takes dict arguments.
        self._bot = bot

    async def send(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> int:
        message = await self._bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            rate_limit_args=PROACTIVE,
        )
        return message.message_id

    async def edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        await self._bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            rate_limit_args=PROACTIVE,
        )
