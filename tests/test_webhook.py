"""Webhook mode: the bot registers its webhook with a secret, serves it with
python-telegram-bot's own server, refuses updates without the secret and answers the others;
switching back to polling deletes the webhook without dropping pending updates."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from bot.app import build_application, running
from bot.settings import Settings
from bot.webhook import run_options, secret_token
from tests.conftest import TOKEN, Harness
from tests.test_health import free_port


def _update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    person = {"id": user_id, "is_bot": False, "first_name": "Web"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Web"},
            "from": person,
            "text": text,
        },
    }


def test_the_secret_is_stable_and_a_setting_wins() -> None:
    base = Settings(bot_token=TOKEN)  # type: ignore[arg-type]
    assert secret_token(base) == secret_token(Settings(bot_token=TOKEN))  # type: ignore[arg-type]
    assert TOKEN.split(":")[1] not in secret_token(base)
    chosen = Settings(bot_token=TOKEN, webhook_secret="s" * 32)  # type: ignore[arg-type]
    assert secret_token(chosen) == "s" * 32


async def test_webhook_mode_refuses_updates_without_the_secret(harness: Harness) -> None:
    user = harness.api.user(5_550_001)
    user.chat.known_to_bot = True  # it wrote to the bot before (the update is made by hand)
    async with webhook_mode(harness) as options:
        assert options["drop_pending_updates"] is False
        assert harness.api.world.webhook_url == "https://bot.example.org/telegram"
        url = f"http://127.0.0.1:{options['port']}/telegram"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=_update(1, user.id, "/help")) as response:
                assert response.status == 403
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "x" * 64}
            async with http.post(url, json=_update(2, user.id, "/help"), headers=wrong) as r:
                assert r.status == 403
            assert user.chat.messages == []
            right = {"X-Telegram-Bot-Api-Secret-Token": options["secret_token"]}
            async with http.post(url, json=_update(3, user.id, "/help"), headers=right) as r:
                assert r.status == 200
        await harness.api.wait_until(lambda: bool(user.chat.messages), what="a reply")
    # Back to polling: the webhook is deleted and the bot polls again.
    async with running(harness.application(), poll_timeout=1):
        assert harness.api.world.webhook_url == ""


@asynccontextmanager
async def webhook_mode(harness: Harness) -> AsyncIterator[dict[str, Any]]:
    """The bot as `alsfrs-bot run` starts it with ALSFRS_WEBHOOK_URL set; yields its options."""
    settings = harness.settings().model_copy(
        update={
            "webhook_url": "https://bot.example.org/telegram",
            "webhook_listen": f"127.0.0.1:{free_port()}",
        }
    )
    options = run_options(settings)
    application = build_application(settings, harness.study, clock=harness.clock)
    await application.initialize()
    assert application.post_init is not None
    assert application.updater is not None
    await application.post_init(application)
    await application.start()
    try:
        await application.updater.start_webhook(**options)
        yield options
    finally:
        await application.updater.stop()
        await application.stop()
        assert application.post_shutdown is not None
        await application.shutdown()
        await application.post_shutdown(application)


async def test_switching_modes_loses_no_update_and_handles_none_twice(harness: Harness) -> None:
    user = harness.api.user(5_550_002)
    async with harness.bot():
        await user.send("/help")
    handled = len(user.chat.bot_messages)
    assert handled == 1
    # Written while no bot runs, then while the webhook is set: Telegram keeps both until they
    # are delivered (setting the webhook must not drop what is pending).
    await user.send("/language", wait=False)
    async with webhook_mode(harness):
        assert harness.api.world.webhook_url == "https://bot.example.org/telegram"
        await user.send("/language", wait=False)
    # Back to polling: the held updates arrive once each; the one handled before does not.
    async with running(harness.application(), poll_timeout=1) as app:
        assert harness.api.world.webhook_url == ""
        await harness.api.wait_until(
            lambda: len(user.chat.bot_messages) >= handled + 2, what="the held updates' replies"
        )
        await user.chat.settle()
        assert app.update_processor.duplicates == 0  # type: ignore[attr-defined]
    replies = user.chat.bot_messages
    assert len(replies) == handled + 2, [m.content[:40] for m in replies]
    assert all(reply.labels for reply in replies[-2:]), "the /language replies have buttons"
    # Polling -> webhook -> polling once more: nothing old comes back.
    async with webhook_mode(harness):
        pass
    async with harness.bot():
        await user.chat.settle()
    assert len(user.chat.bot_messages) == handled + 2
