"""The outbox's one retry policy: what a failed Telegram request means and when to try again.

Every engine job (alerts, reminders, the missed digest) hands the exception to `RetryPolicy.verdict`
and stores what it returns:

- 429 `RetryAfter` that outlasted the rate limiter's own retries: try again after Telegram's
  `retry_after`;
- 403 `Forbidden` (the person blocked the bot, the bot left the group) and 400 `BadRequest` or
  `ChatMigrated`: permanent for that copy, never retried;
- anything else (network errors, timeouts, 5xx): retried with capped exponential backoff and
  "equal jitter", between half and all of min(cap, base * 2^(attempt-1)), until `max_attempts`
  (if set) have been made.

The error text kept for the database is the exception class, plus Telegram's own words for a
refusal (which never quote message text); network errors give only their class, since their
messages may quote URLs (and so the token).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.warnings import PTBDeprecationWarning

__all__ = ["Failure", "RetryPolicy", "Verdict", "classify", "describe"]


class Failure(StrEnum):
    """Why a request failed, as far as retrying is concerned."""

    BLOCKED = "blocked"  # 403: the person blocked the bot, or the chat is gone
    REJECTED = "rejected"  # 400: Telegram refused this message; sending it again will not help
    RETRY = "retry"  # 429, a network error, a timeout, a 5xx: worth another try


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, Forbidden):
        return Failure.BLOCKED
    if isinstance(exc, BadRequest | ChatMigrated):
        return Failure.REJECTED
    return Failure.RETRY


def describe(exc: BaseException) -> str:
    """An error for the database (see the module docstring)."""
    name = type(exc).__name__
    if isinstance(exc, Forbidden | BadRequest | ChatMigrated):
        return f"{name}: {exc}"[:200]
    return name


def _retry_after(exc: RetryAfter) -> timedelta:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait if isinstance(wait, timedelta) else timedelta(seconds=float(wait))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do after a failed request: try again at `retry_at`, or never (None)."""

    failure: Failure
    error: str
    retry_at: datetime | None


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; see the module docstring. `jitter` returns a
    number in [0, 1) (tests pin it)."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=10)
    max_attempts: int | None = None
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, attempt: int) -> timedelta:
        """The wait after failed attempt number `attempt` (1 for the first)."""
        base = self.base.total_seconds()
        ceiling = min(self.cap.total_seconds(), base * 2 ** min(max(attempt, 1) - 1, 30))
        return timedelta(seconds=ceiling * (0.5 + 0.5 * self.jitter()))

    def verdict(self, exc: BaseException, attempt: int, now: datetime) -> Verdict:
        """What to do after attempt number `attempt` (1 for the first) failed with `exc`."""
        failure, error = classify(exc), describe(exc)
        if failure is not Failure.RETRY:
            return Verdict(failure, error, None)
        if self.max_attempts is not None and attempt >= self.max_attempts:
            return Verdict(failure, error, None)
        if isinstance(exc, RetryAfter):
            return Verdict(failure, error, now + _retry_after(exc))
        return Verdict(failure, error, now + self.backoff(attempt))
