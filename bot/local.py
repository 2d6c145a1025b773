"""Local mode: with no Telegram token, run a local Bot API server and the unmodified bot talking
to it over HTTP, on a demo database of its own, until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from bot.app import build_application, running
from bot.localapi import LocalBotApi
from bot.settings import Settings, StudySettings

__all__ = ["LOCAL_TOKEN", "run_local"]

log = logging.getLogger(__name__)
# Not a secret: the local server accepts any token it was started with.
LOCAL_TOKEN = "1000000001:LOCALMODElocalmodeLOCALMODElocalmode"  # noqa: S105


async def _serve(settings: Settings, study: StudySettings, port: int) -> None:
    api = LocalBotApi(token=LOCAL_TOKEN, port=port)
    await api.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    local = settings.model_copy(
        update={
            "api_base_url": api.base_url,
            "db_path": Path(os.environ.get("ALSFRS_LOCAL_DB_PATH", "data/local-demo.sqlite3")),
        }
    )
    try:
        application = build_application(local, study, token=LOCAL_TOKEN)
        async with running(application, poll_timeout=10):
            print(f"Local mode: the bot runs against {api.url} (no Telegram token set).")
            print("Press Ctrl-C to stop.", flush=True)
            await stop.wait()
    finally:
        await api.stop()
        print("Stopped.", flush=True)


def run_local(settings: Settings, study: StudySettings) -> int:
    port = int(os.environ.get("ALSFRS_LOCAL_PORT", "8080"))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(settings, study, port))
    return 0
