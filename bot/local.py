"""Local mode: with no Telegram token, the whole system on this computer. The local Bot API
server, the unmodified bot talking to it over HTTP, and the web chat page on the same server
(127.0.0.1, ALSFRS_LOCAL_PORT), where one person can act as the demo staff member, patient,
caregiver and a stranger. The bot runs on the demo database (ALSFRS_LOCAL_DB_PATH, seeded on
first use, never the study's ALSFRS_DB_PATH) until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.app import build_application, running
from bot.demo import DEMO_PEOPLE, DEMO_SUBJECT, DemoError, demo_db_path, demo_study, ensure_demo
from bot.settings import Settings, StudySettings
from conversations.context import AppType, utc_now
from localapi import LocalBotApi
from localapi.webview import PageConfig, Persona
from storage.db import StorageError

__all__ = ["LOCAL_BOT_USERNAME", "LOCAL_TOKEN", "LocalMode", "local_mode", "run_local"]

log = logging.getLogger(__name__)
# Not a secret: the local server accepts any token it was started with.
LOCAL_TOKEN = "1000000001:LOCALMODElocalmodeLOCALMODElocalmode"  # noqa: S105
LOCAL_BOT_USERNAME = "alsfrs_local_bot"
LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class LocalMode:
    """A running local system: the server (with its simulated people), the bot, the page."""

    api: LocalBotApi
    application: AppType
    db_path: Path
    seeded: bool

    @property
    def url(self) -> str:
        """The chat page."""
        return f"{self.api.url}/"


def _page(db_path: Path) -> PageConfig:
    return PageConfig(
        personas=[
            Persona(
                key=person.key,
                user_id=person.user_id,
                name=person.first_name,
                subject=DEMO_SUBJECT if person.key in ("patient", "caregiver") else None,
            )
            for person in DEMO_PEOPLE
        ],
        language="en",
        demo={"subject": DEMO_SUBJECT, "database": str(db_path), "reset": "make demo-reset"},
    )


@asynccontextmanager
async def local_mode(
    settings: Settings,
    study: StudySettings,
    *,
    port: int | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> AsyncIterator[LocalMode]:
    """Seed the demo database if needed, then run the server with the page and the bot."""
    db_path, study = demo_db_path(settings), demo_study(study)
    seeded = await ensure_demo(db_path, study, clock())
    api = LocalBotApi(
        token=LOCAL_TOKEN,
        host=LOCAL_HOST,
        port=settings.local_port if port is None else port,
        bot_username=LOCAL_BOT_USERNAME,
    )
    api.page = _page(db_path)
    for person in DEMO_PEOPLE:
        user = api.user(person.user_id, first_name=person.first_name, language_code="en")
        # The linked people opened the bot once (with their link), so it may write to them.
        user.chat.known_to_bot = person.role is not None
    await api.start()
    try:
        local = settings.model_copy(update={"api_base_url": api.base_url, "db_path": db_path})
        application = build_application(local, study, token=LOCAL_TOKEN, clock=clock)
        async with running(application, poll_timeout=10):
            yield LocalMode(api=api, application=application, db_path=db_path, seeded=seeded)
    finally:
        await api.stop()


async def _serve(settings: Settings, study: StudySettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with local_mode(settings, study) as system:
        made = "created" if system.seeded else "reused"
        print("Local mode (no ALSFRS_BOT_TOKEN): nothing is sent to Telegram.")
        print(f"Demo study {DEMO_SUBJECT} {made} in {system.db_path} (reset: make demo-reset).")
        print(f"Open {system.url} in a browser. Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    print("Stopped.", flush=True)


def run_local(settings: Settings, study: StudySettings) -> int:
    """`alsfrs-bot run` without a token. Exit 0 after Ctrl-C; 2 when it cannot start."""
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(settings, study))
    except (DemoError, StorageError) as exc:
        print(f"alsfrs-bot: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(
                f"alsfrs-bot: port {settings.local_port} on {LOCAL_HOST} is in use; "
                "set ALSFRS_LOCAL_PORT to another port",
                file=sys.stderr,
            )
            return 2
        raise
    return 0
