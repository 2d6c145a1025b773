"""Update processing: updates of different chats run concurrently, updates of one chat run in
the order they came, one at a time. A person's double tap is handled after their first tap.
An update delivered twice (same update_id, e.g. re-sent after a network hiccup) runs once.

This runs for every update, so it is kept cheap: a chat with nothing in progress (the usual
case) costs two dict operations; only a chat with an update in progress gets a queue of
waiting futures, handed on in order when each update finishes."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerChatUpdateProcessor"]

log = logging.getLogger(__name__)
_REMEMBERED_UPDATES: Final = 10_000


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        # A chat is here while one of its updates runs; the queue holds the ones waiting.
        self._busy: dict[int, deque[asyncio.Future[None]]] = {}
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()
        self.duplicates = 0

    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen.add(update_id)
        self._seen_order.append(update_id)
        if len(self._seen_order) > _REMEMBERED_UPDATES:
            self._seen.discard(self._seen_order.popleft())
        return True

    @staticmethod
    def _key(update: Update) -> int:
        chat = update.effective_chat
        if chat is not None:
            return chat.id
        user = update.effective_user
        if user is not None:
            return user.id
        return 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        if not self._first_time(update.update_id):
            self.duplicates += 1
            log.info("ignored a duplicate delivery of an update")
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            return
        key = self._key(update)
        waiting = self._busy.get(key)
        if waiting is None:
            self._busy[key] = deque()
        else:
            turn = asyncio.get_running_loop().create_future()
            waiting.append(turn)
            try:
                await turn
            except BaseException:
                if not turn.cancelled() and turn.done():
                    self._hand_on(key)  # our turn came as we were cancelled: pass it on
                elif turn in waiting:
                    waiting.remove(turn)
                if inspect.iscoroutine(coroutine):
                    coroutine.close()
                raise
        try:
            await coroutine
        finally:
            self._hand_on(key)

    def _hand_on(self, key: int) -> None:
        """The running update of chat `key` is done: the next one in line may go."""
        waiting = self._busy[key]
        while waiting:
            turn = waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        del self._busy[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
