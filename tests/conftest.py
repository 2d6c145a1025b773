"""Shared fixtures: a local Bot API server, the real bot running against it over HTTP, an
injectable clock, and the `alsfrs-bot` CLI run as an operator would run it."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.settings import DEFAULT_STUDY_FILE, Settings, StudySettings, load_study
from conversations.context import AppType, Services
from conversations.flows import enrollment
from localapi import LocalBotApi, SimUser
from storage.db import Database
from storage.models import Actor, ActorRole

TOKEN = "123456789:TESTtokenTESTtokenTESTtokenTESTtok"
BIN = Path(sys.executable).parent / "alsfrs-bot"
OPERATOR = Actor(role=ActorRole.OPERATOR)


def busy(app: AppType) -> bool:
    """Whether the bot has fetched updates it has not finished handling (for `settle`)."""
    return app.update_queue.qsize() > 0 or app.update_processor.current_concurrent_updates > 0


@dataclass
class Clock:
    """Real time plus an offset that a test may move forward."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def without_privacy_notice(study: StudySettings) -> StudySettings:
    return study.model_copy(update={"privacy": study.privacy.model_copy(update={"ask": False})})


@dataclass
class Harness:
    api: LocalBotApi
    tmp: Path
    clock: Clock = field(default_factory=Clock)
    # Tests written before the privacy notice (issue 16) link accounts without it; the notice's
    # own tests (tests/test_e2e_privacy.py) turn it back on.
    study: StudySettings = field(default_factory=lambda: without_privacy_notice(load_study(None)))
    running: AppType | None = None

    @property
    def db_path(self) -> Path:
        return self.tmp / "alsfrs.sqlite3"

    @property
    def env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ALSFRS_")}
        return {
            **clean,
            "ALSFRS_BOT_TOKEN": TOKEN,
            "ALSFRS_API_BASE_URL": self.api.base_url,
            "ALSFRS_DB_PATH": str(self.db_path),
            "ALSFRS_STUDY_FILE": str(self.study_file()),
        }

    def study_file(self, site_phone: str = "+420 222 333 444") -> Path:
        """The shipped study file with a site phone (a token needs one), for `alsfrs-bot run`."""
        text = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
        path = self.tmp / f"study-{site_phone.replace(' ', '') or 'no-phone'}.toml"
        text = re.sub(r'(?m)^site_phone = ".*"$', f'site_phone = "{site_phone}"', text)
        if not self.study.privacy.ask:  # as the in-process bot's settings (see the fixture)
            text = re.sub(r"(?m)^\[privacy\]$", "[privacy]\nask = false", text)
        path.write_text(text, encoding="utf-8")
        return path

    def settings(self) -> Settings:
        return Settings(
            bot_token=TOKEN,  # type: ignore[arg-type]
            api_base_url=self.api.base_url,
            db_path=self.db_path,
        )

    def application(self) -> AppType:
        return build_application(self.settings(), self.study, clock=self.clock)

    @asynccontextmanager
    async def bot(self) -> AsyncIterator[AppType]:
        async with running(self.application(), poll_timeout=1) as app:
            self.api.world.client_busy = lambda: busy(app)
            self.running = app
            try:
                yield app
            finally:
                self.running = None
                self.api.world.client_busy = lambda: False

    async def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `alsfrs-bot ARGS` in a subprocess without blocking the local server's loop."""
        process = await asyncio.create_subprocess_exec(
            str(BIN),
            *args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        result = subprocess.CompletedProcess(
            list(args), process.returncode or 0, out.decode(), err.decode()
        )
        if check and result.returncode != 0:
            raise AssertionError(f"alsfrs-bot {' '.join(args)} failed: {result.stderr}")
        return result

    @asynccontextmanager
    async def services(self) -> AsyncIterator[Services]:
        """The running bot's services, or (no bot running) services on the same database."""
        if self.running is not None and self.running.bot_data.services is not None:
            yield self.running.bot_data.services
            return
        db = await Database.open(self.db_path)
        try:
            yield Services(db=db, settings=self.settings(), study=self.study, clock=self.clock)
        finally:
            await db.close()

    async def enroll(
        self, subject: str, language: str | None = None, *, site: str | None = None
    ) -> dict[str, str]:
        """Enroll as the operator's `alsfrs-bot enroll` does, through the same flow but in this
        process (the CLI's own output is tested where the CLI is the subject); at `site`, else
        the study's default site."""
        async with self.services() as services:
            patient, caregiver, until = await enrollment.enroll_participant(
                services, subject, language, OPERATOR, site=site
            )
        return {
            "subject": subject,
            "patient_code": patient,
            "caregiver_code": caregiver,
            "expires_at": until,
        }

    async def export_rows(self) -> list[dict[str, str]]:
        import csv
        import io

        result = await self.cli("export", "--format", "csv")
        return list(csv.DictReader(io.StringIO(result.stdout)))

    async def join(
        self, subject: str, user_id: int, *, language: str | None = None, tg_language: str = "en"
    ) -> SimUser:
        """Enroll a participant and open the patient link as that person."""
        enrolled = await self.enroll(subject, language)
        user = self.api.user(user_id, first_name="Pat", language_code=tg_language)
        await user.send(f"/start {enrolled['patient_code']}")
        return user


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert [str(v) for v in server.violations] == [], "the bot broke a Telegram limit"


@pytest.fixture
def harness(api: LocalBotApi, tmp_path: Path) -> Harness:
    return Harness(api=api, tmp=tmp_path)


@pytest.fixture
async def app(harness: Harness) -> AsyncIterator[AppType]:
    async with harness.bot() as application:
        yield application
