"""Pacing of requests to Telegram.

A reply to a person's own tap or message is paced by that person: it goes out at once and never
queues behind other people's traffic. Proactive sends (reminders, alerts, digests), marked with
`rate_limit_args={"proactive": True}`, pass a per-chat limit (about one a second) and then a
global one (about 30 messages a second); python-telegram-bot's AIORateLimiter gives only the
global one. Replies do not wait, but they are counted, and proactive sends leave room for them.
Every request, proactive or not, is retried when Telegram answers 429 with `retry_after`.

The global limit (`Pacer`) counts what the server can count. Telegram counts a message when it
arrives, somewhere between our sending it and its answer, and we cannot know when. So a message
counts here from the moment it is let go until a second after its answer: whatever the delay on
the way (a busy event loop, a garbage collection, the network), the server never sees more than
the limit in any second, and a slow server slows us down by itself. Sends are also spread evenly
(`1/rate` apart), so there is no burst after a pause. A leaky bucket (AIORateLimiter's
AsyncLimiter) does both wrong: it lets a second's worth out at once after a pause, and counts
departures, which bunch up on the way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Final

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

__all__ = ["PacedRateLimiter", "Pacer"]

log = logging.getLogger(__name__)
_PRUNE_AT: Final = 4096


class Pacer:
    """At most `limit` requests in any `window` seconds as a server counts them on arrival, and
    at most `rate` a second, evenly spaced. `acquire` before a request, `release` after its
    answer. Waiters go in the order they came; `reserve` places are left for requests that do
    not wait (`begin` ... `release`)."""

    def __init__(
        self,
        rate: float,
        *,
        limit: int | None = None,
        window: float = 1.0,
        reserve: int = 0,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._limit = limit if limit is not None else max(1, math.floor(rate * window))
        if not 0 <= reserve < self._limit:
            raise ValueError("reserve must leave room under the limit")
        self._window = window
        self._reserve = reserve
        self._answered: deque[float] = deque()  # when the requests of the last window answered
        self._in_flight = 0
        self._next = 0.0  # the earliest moment of the next evenly spaced release
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()

    def _counted(self, now: float) -> int:
        while self._answered and self._answered[0] <= now - self._window:
            self._answered.popleft()
        return self._in_flight + len(self._answered)

    def _due(self, now: float) -> float:
        """When the next waiter may go: `math.inf` until an answer comes."""
        due = self._next
        if self._counted(now) >= self._limit - self._reserve:
            due = max(due, self._answered[0] + self._window if self._answered else math.inf)
        return due

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                due = self._due(now)
                if due <= now:
                    break
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(None if due == math.inf else due - now):
                        await self._changed.wait()
            # Evenly spaced from when this one was due: a late wake-up is made up, but by one
            # interval at most, so an idle spell never turns into a burst.
            self._next = max(self._next, now - self._interval) + self._interval
            self._in_flight += 1

    def begin(self) -> None:
        """Count a request that does not wait (a reply to a person)."""
        now = asyncio.get_running_loop().time()
        self._next = max(self._next, now) + self._interval
        self._in_flight += 1

    def release(self) -> None:
        """The request was answered (or failed): it counts for one more window."""
        self._in_flight -= 1
        self._answered.append(asyncio.get_running_loop().time())
        self._changed.set()


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        overall_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        max_retries: int = 5,
        reserve_for_replies: int = 1,
    ) -> None:
        self._overall = Pacer(overall_per_second, reserve=reserve_for_replies)
        self._chat_interval = 1.0 / per_chat_per_second
        self._chat_next: dict[object, float] = {}
        self._prune_at = _PRUNE_AT
        self._max_retries = max_retries
        self.retries = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _chat_slot(self, chat_id: object, now: float) -> float:
        """Take the chat's next slot: now, or `1 / per_chat_per_second` after its previous one."""
        slot = max(now, self._chat_next.get(chat_id, now))
        self._chat_next[chat_id] = slot + self._chat_interval
        if len(self._chat_next) > self._prune_at:
            self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}
            self._prune_at = max(_PRUNE_AT, 2 * len(self._chat_next))
        return slot

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat_id: object,
        proactive: bool,
    ) -> bool | JSONDict | list[JSONDict]:
        loop = asyncio.get_running_loop()
        if proactive:
            if chat_id is not None:
                # Wait for the chat's turn without holding a global place (usually enough) ...
                ahead = self._chat_next.get(chat_id, 0.0) - loop.time()
                if ahead > 0:
                    await asyncio.sleep(ahead)
            await self._overall.acquire()
            if chat_id is not None:
                # ... and take it only now, so that a wait for the global place cannot bring
                # two messages to one chat closer than the per-chat interval.
                now = loop.time()
                slot = self._chat_slot(chat_id, now)
                if slot > now:
                    try:
                        await asyncio.sleep(slot - now)
                    except BaseException:
                        self._overall.release()
                        raise
        else:  # a new message in reply to a person: counted, never waits
            self._chat_slot(chat_id, loop.time())
            self._overall.begin()
        try:
            return await callback(*args, **kwargs)
        finally:
            self._overall.release()

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
        # Most requests are a reply's answer or edit: not counted, nothing to wait for, so
        # they go straight out (the hot path of a press).
        paced = proactive or (chat_id is not None and endpoint.startswith("send"))
        attempt = 0
        while True:
            try:
                if not paced:
                    return await callback(*args, **kwargs)
                return await self._send(callback, args, kwargs, endpoint, chat_id, proactive)
            except RetryAfter as exc:
                attempt += 1
                if attempt > self._max_retries:
                    raise
                with warnings.catch_warnings():  # PTB 22 warns that the type will change
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                self.retries += 1
                log.info(
                    "%s: Telegram asked to wait %.1f s (attempt %d)", endpoint, seconds, attempt
                )
                await asyncio.sleep(seconds + 0.05)
