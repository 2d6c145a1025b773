"""Pacing of requests to Telegram.

A reply to a person's own tap or message is paced by that person: it goes out at once and never
queues behind other people's traffic. Proactive sends (reminders, alerts, digests), marked with
`rate_limit_args={"proactive": True}`, pass a global limit (about 30 messages a second) and a
per-chat limit (about one a second), which python-telegram-bot's AIORateLimiter does not give.
Every request, proactive or not, is retried when Telegram answers 429 with `retry_after`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Final

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

__all__ = ["PacedRateLimiter"]

log = logging.getLogger(__name__)
_MAX_CHATS: Final = 20_000


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        overall_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        max_retries: int = 5,
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._per_chat_rate = per_chat_per_second
        self._chats: OrderedDict[object, AsyncLimiter] = OrderedDict()
        self._max_retries = max_retries
        self.retries = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(1, 1 / self._per_chat_rate)
            self._chats[chat_id] = limiter
            if len(self._chats) > _MAX_CHATS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        proactive = bool(rate_limit_args and rate_limit_args.get("proactive"))
        chat_id = data.get("chat_id")
        attempt = 0
        while True:
            try:
                if proactive:
                    async with self._overall:
                        if chat_id is not None:
                            async with self._chat_limiter(chat_id):
                                return await callback(*args, **kwargs)
                        return await callback(*args, **kwargs)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                attempt += 1
                if attempt > self._max_retries:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                self.retries += 1
                log.info(
                    "%s: Telegram asked to wait %.1f s (attempt %d)", endpoint, seconds, attempt
                )
                await asyncio.sleep(seconds + 0.05)
