"""Work the running bot does for its operator: the daily backup (ALSFRS_BACKUP_DAILY into
ALSFRS_BACKUP_DIR, keeping ALSFRS_BACKUP_KEEP copies), first a minute after start, then every
24 hours. A failed backup is logged as an error and tried again at the next run; it never
stops the bot."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Final

from bot.settings import Settings
from conversations.context import AppType
from storage import backup as backups
from storage.db import StorageError

__all__ = ["BACKUP_EVERY", "backup_once", "start"]

log = logging.getLogger(__name__)
BACKUP_EVERY: Final = timedelta(hours=24)
_FIRST: Final = timedelta(minutes=1)


async def backup_once(settings: Settings) -> backups.BackupInfo | None:
    """One backup now, in a thread; None (and an error logged) when it failed."""
    if settings.backup_dir is None:
        return None
    try:
        info = await asyncio.to_thread(
            backups.backup, settings.db_path, settings.backup_dir, keep=settings.backup_keep
        )
    except (StorageError, OSError) as exc:
        log.error("the daily backup failed: %s", exc)
        return None
    log.info("backup written: %s (%d bytes)", info.path.name, info.size)
    return info


def start(application: AppType, settings: Settings) -> None:
    """Schedule the daily backup when the settings ask for it."""
    if not settings.backup_daily or application.job_queue is None:
        return

    async def job(_context: Any) -> None:
        await backup_once(settings)

    application.job_queue.run_repeating(
        job, interval=BACKUP_EVERY, first=_FIRST, name="daily-backup"
    )
    log.info("daily backups on, keeping the newest %d", settings.backup_keep)
