"""Logging for the process: where log lines go and which libraries may speak at which level.

No log line at any level may hold a participant's answer, free text, a Telegram id or the bot
token. Our own modules log counts, pseudonymous study IDs and row ids only; libraries that log
the data they carry are held above the level where they do so, however low ALSFRS_LOG_LEVEL is:

- aiosqlite at DEBUG logs every statement with its bound values (answers, symptom texts,
  withdrawal reasons, Telegram ids);
- httpx/httpcore log every request URL, and the URL holds the bot token;
- python-telegram-bot at DEBUG logs the token, every request and every update (names, texts);
- APScheduler logs every run of every job.

The floor is enforced twice: on the library's logger, and by a filter on our handler, so that a
library resetting its own logger's level still cannot reach the log. A log file
(ALSFRS_LOG_FILE) is created readable by its owner only.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final

from telegram.error import NetworkError

__all__ = ["FLOORS", "FORMAT", "LibraryFloor", "OneLineNetworkErrors", "configure", "open_private"]

FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FLOORS: Final[dict[str, int]] = {
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "aiohttp.access": logging.WARNING,
}


def _floor_of(name: str) -> int:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        floor = FLOORS.get(".".join(parts[:end]))
        if floor is not None:
            return floor
    return logging.NOTSET


class LibraryFloor(logging.Filter):
    """Drops a record from a library below that library's floor (see FLOORS)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= _floor_of(record.name)


class OneLineNetworkErrors(logging.Filter):
    """Telegram unreachable is an expected condition, not a bug: one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, NetworkError):
            record.msg = f"{record.getMessage()} [{type(exc).__name__}: {exc}]"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def open_private(path: Path) -> None:
    """Create `path` (if missing) readable and writable by its owner only, and make sure an
    existing file is so too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_CREAT | os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def configure(level: str | int, file: Path | None = None) -> logging.Handler:
    """Send log lines at `level` and above to stderr, or to `file` (created 0600). Returns the
    handler it installed (tests remove it again)."""
    for name, floor in FLOORS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor or logger.level < floor:
            logger.setLevel(floor)
    handler: logging.Handler
    if file is None:
        handler = logging.StreamHandler()
    else:
        open_private(file)
        handler = logging.FileHandler(file, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(LibraryFloor())
    handler.addFilter(OneLineNetworkErrors())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    return handler
