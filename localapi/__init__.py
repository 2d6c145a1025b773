"""A local Bot API server speaking enough of Telegram's HTTP API for this bot, for tests and
local mode, plus simulated users driving it."""

from localapi.errors import ApiError
from localapi.formatting import FormattedText, entities_to_html, format_text, parse_html
from localapi.model import ApiCall, CallbackAnswer, SimEvent, SimMessage, StoredFile, Violation
from localapi.server import LocalBotApi
from localapi.sim import SimChat, SimUser, World

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "FormattedText",
    "LocalBotApi",
    "SimChat",
    "SimEvent",
    "SimMessage",
    "SimUser",
    "StoredFile",
    "Violation",
    "World",
    "entities_to_html",
    "format_text",
    "parse_html",
]
