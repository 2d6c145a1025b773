"""Thin python-telegram-bot handlers: who is asking, which flow to call, which screen to show.

`register` adds every handler from ONE routing table. The routes are disjoint by construction,
so no update can reach two of them and the order they are added in does not matter:

- each command has its own name; text starting with any other command gets the help;
- each kind of button is routed by its own kind in `conversations.callbacks` (distinct
  prefixes, exact patterns), and data that parses as no kind goes to the invalid-button reply;
- other private text goes to the free-text handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from conversations import callbacks
from conversations.callbacks import Kind
from conversations.context import AppContext
from conversations.handlers import access, alerts, patient, privacy, schedule, staff
from conversations.handlers import symptoms as symptom_handlers
from conversations.handlers import visits as visit_handlers

__all__ = ["COMMANDS", "PRESSES", "register"]

Callback = Callable[[Update, AppContext], Coroutine[Any, Any, None]]

# Every command: (name, callback). All are private-chat commands.
COMMANDS: Final[tuple[tuple[str, Callback], ...]] = (
    ("start", patient.start),
    ("assess", patient.assess),
    ("cancel", patient.cancel),
    ("symptoms", symptom_handlers.symptoms),
    ("history", patient.history),
    ("language", patient.language),
    ("help", patient.help_command),
    ("alerts", alerts.show_alerts),
    ("name", alerts.name_command),
    ("note", alerts.note_command),
    ("schedule", schedule.schedule_command),
    ("time", schedule.time_command),
    *staff.STAFF_COMMANDS,
    *visit_handlers.VISIT_COMMANDS,
)

# Every kind of button (by its name in `callbacks.KINDS`) and the handler that answers it.
PRESSES: Final[dict[str, Callback]] = {
    "assessment": patient.on_press,
    "report": patient.on_press,
    "menu": patient.on_press,
    "language": patient.on_press,
    "page": patient.on_press,
    "alert": alerts.on_alert_press,
    "ack": alerts.on_alert_press,
    "time": schedule.on_time_press,
    "visit": visit_handlers.on_visit_press,
    "again": patient.on_press,
    "consent": privacy.on_consent_press,
}


def kind_matcher(kind: Kind) -> Callable[[object], bool]:
    """The route's pattern: data that parses as exactly this kind."""

    def matches(data: object) -> bool:
        if not isinstance(data, str):
            return False
        press = callbacks.parse(data)
        return press is not None and callbacks.kind_of(press) is kind

    return matches


def unparsable(data: object) -> bool:
    """The invalid-button route: data that is no kind of ours (forged, old or foreign)."""
    return not isinstance(data, str) or callbacks.parse(data) is None


def _known_command(names: list[str]) -> filters.MessageFilter:
    alternatives = "|".join(re.escape(name) for name in names)
    return filters.Regex(re.compile(rf"^/(?:{alternatives})(?:@\w+)?(?:\s|$)", re.IGNORECASE))


def register(application: Application[Any, AppContext, Any, Any, Any, Any]) -> None:
    # New messages only: an edited message is not new input (a corrected number must not be
    # applied to whatever step is shown by then).
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    names = [name for name, _ in COMMANDS]
    if len(set(names)) != len(names):
        raise ValueError("a command is routed twice")
    missing = {kind.name for kind in callbacks.KINDS} ^ set(PRESSES)
    if missing:
        raise ValueError(f"button kinds without exactly one route: {sorted(missing)}")
    # Until a respondent agrees to the privacy notice, nothing else answers them (issue 16).
    application.add_handler(TypeHandler(Update, privacy.gate), group=-2)
    application.add_handler(CallbackQueryHandler(access.press_on_foreign_message), group=-1)
    for name, callback in COMMANDS:
        application.add_handler(CommandHandler(name, callback, filters=private))
    for kind in callbacks.KINDS:
        application.add_handler(
            CallbackQueryHandler(PRESSES[kind.name], pattern=kind_matcher(kind))
        )
    application.add_handler(CallbackQueryHandler(patient.on_press, pattern=unparsable))
    application.add_handler(MessageHandler(private & ~filters.COMMAND, patient.free_text))
    application.add_handler(
        MessageHandler(private & filters.COMMAND & ~_known_command(names), patient.help_command)
    )
    application.add_error_handler(patient.on_error)
