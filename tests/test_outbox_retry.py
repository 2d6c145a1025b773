"""The outbox's one retry policy (`bot.outbox.retry`): capped exponential backoff with jitter,
Telegram's 429 `retry_after` honoured, 403/400 permanent, network errors retried."""

from __future__ import annotations

import random
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.outbox.alerts import ALERT_RETRY
from bot.outbox.reminders import REMINDER_RETRY
from bot.outbox.retry import Failure, RetryPolicy, classify, describe

NOW = datetime(2027, 5, 17, 8, 0, tzinfo=UTC)


def _retry_after(seconds: int) -> RetryAfter:
    with warnings.catch_warnings():  # PTB 22 itself warns while building one
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(seconds)


def _policy(jitter: float, **options: object) -> RetryPolicy:
    return RetryPolicy(
        base=timedelta(seconds=2),
        cap=timedelta(minutes=10),
        jitter=lambda: jitter,
        **options,  # type: ignore[arg-type]
    )


def test_backoff_doubles_per_attempt_and_stops_at_the_cap() -> None:
    policy = _policy(1.0)
    waits = [policy.backoff(n).total_seconds() for n in range(1, 12)]
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    assert policy.backoff(10_000) == timedelta(minutes=10)  # no overflow far beyond the cap


@pytest.mark.parametrize("attempt", [1, 2, 5, 9, 10, 40])
def test_jitter_keeps_every_wait_between_half_and_all_of_the_ceiling(attempt: int) -> None:
    ceiling = min(600.0, 2.0 * 2 ** (attempt - 1))
    assert _policy(0.0).backoff(attempt).total_seconds() == ceiling / 2
    assert _policy(0.999999).backoff(attempt).total_seconds() == pytest.approx(ceiling, rel=1e-5)
    rng = random.Random(9)
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(minutes=10), jitter=rng.random)
    waits = [policy.backoff(attempt).total_seconds() for _ in range(500)]
    assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
    assert len(set(waits)) > 400  # spread, so that many chats failing at once do not retry at once


@pytest.mark.parametrize(
    "error",
    [
        NetworkError("Bad Gateway"),
        TimedOut(),
        NetworkError("httpx.ConnectError"),
        TelegramError("x"),
    ],
)
def test_network_errors_timeouts_and_5xx_are_retried_with_backoff(error: TelegramError) -> None:
    verdict = _policy(1.0).verdict(error, 3, NOW)
    assert verdict.failure is Failure.RETRY
    assert verdict.retry_at == NOW + timedelta(seconds=8)


def test_429_waits_telegrams_retry_after_not_the_backoff() -> None:
    verdict = _policy(1.0).verdict(_retry_after(37), 1, NOW)
    assert verdict.failure is Failure.RETRY
    assert verdict.retry_at == NOW + timedelta(seconds=37)
    assert verdict.error == "RetryAfter"


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Failure.BLOCKED),
        (BadRequest("Bad Request: chat not found"), Failure.REJECTED),
        (ChatMigrated(-100777), Failure.REJECTED),
    ],
)
def test_403_and_400_are_permanent_for_that_copy(error: TelegramError, failure: Failure) -> None:
    for attempt in (1, 2, 50):
        verdict = _policy(1.0).verdict(error, attempt, NOW)
        assert verdict.failure is failure
        assert verdict.retry_at is None
    assert classify(error) is failure
    assert describe(error).startswith(type(error).__name__ + ": ")  # Telegram's own words


def test_max_attempts_ends_retrying_even_for_a_429() -> None:
    policy = _policy(1.0, max_attempts=3)
    assert policy.verdict(NetworkError("x"), 2, NOW).retry_at is not None
    assert policy.verdict(NetworkError("x"), 3, NOW).retry_at is None
    assert policy.verdict(_retry_after(5), 3, NOW).retry_at is None


def test_network_errors_are_described_by_class_only() -> None:
    secret = "https://api.telegram.org/bot123:SECRET/sendMessage"
    assert describe(NetworkError(secret)) == "NetworkError"
    assert describe(TimedOut(secret)) == "TimedOut"
    assert len(describe(BadRequest("x" * 500))) == 200


def test_each_job_uses_the_one_policy_with_its_own_numbers() -> None:
    assert isinstance(ALERT_RETRY, RetryPolicy)
    assert isinstance(REMINDER_RETRY, RetryPolicy)
    assert ALERT_RETRY.max_attempts is None  # a later escalation round supersedes a copy
    assert REMINDER_RETRY.max_attempts == 5
    assert REMINDER_RETRY.backoff(40) <= REMINDER_RETRY.cap
