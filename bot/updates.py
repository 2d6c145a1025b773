"""Update processing: updates of different chats run concurrently, updates of one chat run in
the order they came, one at a time. A person's double tap is handled after their first tap.
An update delivered twice (same update_id, e.g. re-sent after a network hiccup) runs once."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import OrderedDict
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
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self.duplicates = 0

    def _first_time(self, update: object) -> bool:
        if not isinstance(update, Update):
            return True
        if update.update_id in self._seen:
            return False
        self._seen[update.update_id] = None
        if len(self._seen) > _REMEMBERED_UPDATES:
            self._seen.popitem(last=False)
        return True

    @staticmethod
    def _key(update: object) -> int:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not self._first_time(update):
            self.duplicates += 1
            log.info("ignored a duplicate delivery of an update")
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            return
        key = self._key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
