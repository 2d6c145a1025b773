"""Pacing (`bot.ratelimit`), on a fast time scale: what a server counting arrivals in a sliding
window sees, however late requests arrive; per-chat spacing; replies never wait; 429 retried."""

from __future__ import annotations

import asyncio
import random
import warnings
from collections.abc import Callable, Coroutine
from itertools import pairwise
from typing import Any

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.ratelimit import PacedRateLimiter, Pacer

Callback = Callable[..., Coroutine[Any, Any, bool]]


def densest(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_a_server_never_sees_more_than_the_limit_whatever_the_delays() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(200, limit=10, window=0.1)  # 10 in any 0.1 s, at most one per 5 ms
    rng = random.Random(7)
    arrivals: list[float] = []
    releases: list[float] = []

    async def request() -> None:
        await pacer.acquire()
        releases.append(loop.time())
        try:
            await asyncio.sleep(rng.uniform(0, 0.04))  # on the way: delays that vary
            arrivals.append(loop.time())
            await asyncio.sleep(rng.uniform(0, 0.01))  # the answer's way back
        finally:
            pacer.release()

    await asyncio.gather(*(request() for _ in range(60)))
    assert densest(arrivals, 0.1) <= 10
    # Evenly spaced: a late wake-up is made up by one interval at most, never by a burst.
    ordered = sorted(releases)
    assert all(c - a >= 0.0045 for a, c in zip(ordered, ordered[2:], strict=False))


async def test_no_burst_after_a_pause_and_replies_are_counted() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(100, limit=5, window=0.05, reserve=1)
    pacer.begin()  # a reply: goes at once, but counts
    replied = loop.time()
    pacer.release()
    moments = []
    for _ in range(3):
        await pacer.acquire()
        moments.append(loop.time())
        pacer.release()
    assert moments[0] - replied >= 0.01  # the reply took a place
    assert moments[2] - moments[0] >= 0.01  # spaced: a late wake-up is made up by one at most


def _retry_after(seconds: int) -> RetryAfter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(seconds)


async def test_proactive_sends_to_one_chat_are_spaced_and_replies_do_not_wait() -> None:
    loop = asyncio.get_running_loop()
    limiter = PacedRateLimiter(overall_per_second=1000, per_chat_per_second=20)
    sent: list[tuple[str, float]] = []

    def callback(kind: str) -> Callback:
        async def send() -> bool:
            sent.append((kind, loop.time()))
            return True

        return send

    async def proactive() -> None:
        await limiter.process_request(
            callback("proactive"), (), {}, "sendMessage", {"chat_id": 1}, {"proactive": True}
        )

    started = loop.time()
    tasks = [asyncio.create_task(proactive()) for _ in range(3)]
    await asyncio.sleep(0.01)
    await limiter.process_request(callback("reply"), (), {}, "sendMessage", {"chat_id": 1}, None)
    await asyncio.gather(*tasks)
    assert sent[1] == ("reply", sent[1][1])  # between proactive ones, without waiting
    assert sent[1][1] - started < 0.02
    proactive_times = [moment for kind, moment in sent if kind == "proactive"]
    # One a chat every 50 ms; a late wake-up may be made up, by a few milliseconds.
    assert all(b - a >= 0.035 for a, b in pairwise(proactive_times))
    assert proactive_times[2] - proactive_times[0] >= 0.095


async def test_429_is_retried_after_the_time_telegram_asks_for() -> None:
    limiter = PacedRateLimiter()
    calls = 0

    async def send() -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _retry_after(0)
        return True

    assert await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert (calls, limiter.retries) == (2, 1)


async def test_answers_and_edits_never_queue_behind_the_global_limit() -> None:
    loop = asyncio.get_running_loop()
    limiter = PacedRateLimiter(overall_per_second=2, per_chat_per_second=1)
    gate = asyncio.Event()

    async def held() -> bool:
        await gate.wait()
        return True

    async def instant() -> bool:
        return True

    # The global limit is taken by proactive sends still in flight ...
    busy = [
        asyncio.create_task(
            limiter.process_request(
                held, (), {}, "sendMessage", {"chat_id": n}, {"proactive": True}
            )
        )
        for n in range(4)
    ]
    await asyncio.sleep(0.01)
    # ... and a person's press is still answered and its message edited at once.
    started = loop.time()
    for endpoint, data in (
        ("answerCallbackQuery", {"callback_query_id": "1"}),
        ("editMessageText", {"chat_id": 9, "message_id": 3}),
        ("sendMessage", {"chat_id": 9}),
    ):
        assert await limiter.process_request(instant, (), {}, endpoint, data, None) is True
    assert loop.time() - started < 0.01
    gate.set()
    await asyncio.gather(*busy)
