"""Per-chat ordering (`bot.updates`): one chat's updates one at a time in order, other chats
alongside, duplicates run once, nothing left behind, a cancelled waiter does not block."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    user = User(chat_id, "Pat", is_bot=False)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_one_chat_in_order_other_chats_alongside() -> None:
    processor = PerChatUpdateProcessor()
    log: list[str] = []
    release = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        log.append(f"start {name}")
        if wait:
            await release.wait()
        await asyncio.sleep(0)
        log.append(f"end {name}")

    first = asyncio.create_task(processor.do_process_update(_update(1, 7), work("a1", wait=True)))
    second = asyncio.create_task(processor.do_process_update(_update(2, 7), work("a2")))
    third = asyncio.create_task(processor.do_process_update(_update(3, 7), work("a3")))
    other = asyncio.create_task(processor.do_process_update(_update(4, 8), work("b1")))
    await other  # another chat does not wait for chat 7
    assert log == ["start a1", "start b1", "end b1"]
    release.set()
    await asyncio.gather(first, second, third)
    assert log[3:] == ["end a1", "start a2", "end a2", "start a3", "end a3"]
    assert processor._busy == {}


async def test_a_duplicate_runs_once() -> None:
    processor = PerChatUpdateProcessor()
    runs: list[int] = []

    async def work() -> None:
        runs.append(1)

    await processor.do_process_update(_update(5, 1), work())
    await processor.do_process_update(_update(5, 1), work())
    assert runs == [1]
    assert processor.duplicates == 1


async def test_a_failing_or_cancelled_update_does_not_block_its_chat() -> None:
    processor = PerChatUpdateProcessor()
    gate = asyncio.Event()
    done: list[str] = []

    async def blocked() -> None:
        await gate.wait()
        raise RuntimeError("handler failed")

    async def work(name: str) -> None:
        done.append(name)

    first = asyncio.create_task(processor.do_process_update(_update(1, 3), blocked()))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(processor.do_process_update(_update(2, 3), work("cancelled")))
    last = asyncio.create_task(processor.do_process_update(_update(3, 3), work("last")))
    await asyncio.sleep(0)
    waiting.cancel()
    gate.set()
    results = await asyncio.gather(first, waiting, last, return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert isinstance(results[1], asyncio.CancelledError)
    assert done == ["last"]
    assert processor._busy == {}
