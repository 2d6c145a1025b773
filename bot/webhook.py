"""Webhook mode: with ALSFRS_WEBHOOK_URL set, Telegram posts updates to the bot instead of the
bot polling for them. python-telegram-bot's own webhook server listens on ALSFRS_WEBHOOK_LISTEN
(default 127.0.0.1:8443, behind the operator's reverse proxy, which terminates HTTPS).

Telegram sends the secret token in `X-Telegram-Bot-Api-Secret-Token` with every update; a
request without it is refused (403) by python-telegram-bot. The secret is ALSFRS_WEBHOOK_SECRET,
or else derived from the bot token (HMAC-SHA256), so it is stable across restarts, needs no
storage and cannot be guessed without the token.

Switching modes loses nothing: polling starts by deleting the webhook and webhook mode starts
by setting it, neither drops pending updates, and an update delivered twice is recognised and
ignored (bot/updates.py).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlparse

from telegram import Update

from bot.settings import Settings

__all__ = ["run_options", "secret_token"]


def secret_token(settings: Settings) -> str:
    """What Telegram must send in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Za-z0-9_-)."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    if settings.bot_token is None:
        raise ValueError("webhook mode needs ALSFRS_BOT_TOKEN")
    key = settings.bot_token.get_secret_value().encode()
    return hmac.new(key, b"alsfrs-bot webhook secret", hashlib.sha256).hexdigest()


def run_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `Application.run_webhook` / `Updater.start_webhook`."""
    if not settings.webhook_url:
        raise ValueError("ALSFRS_WEBHOOK_URL is not set")
    host, _, port = settings.webhook_listen.rpartition(":")
    return {
        "listen": host.strip("[]"),
        "port": int(port),
        "url_path": urlparse(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret_token(settings),
        "allowed_updates": Update.ALL_TYPES,
        "drop_pending_updates": False,
    }
