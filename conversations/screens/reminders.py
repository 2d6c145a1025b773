"""Reminders as people see them: the texts and buttons of a reminder and of the staff digest of
missed assessments. The plan behind them is `conversations.flows.schedules`.

Pure: no Telegram I/O, no SQL. Every sentence comes from `locales/*/reminders.ftl`; values put
into HTML are escaped here.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.callbacks import encode_menu
from conversations.domain.schedule import ReminderKind
from conversations.screens.assessment import Screen
from locales import Translator
from storage.models import Role
from storage.schedules import MissedNotice

__all__ = ["DIGEST_PART_LIMIT", "digest_parts", "reminder_screen"]

# Telegram allows 4096 characters a message; a digest longer than this is sent in parts.
DIGEST_PART_LIMIT: Final = 3500


def reminder_screen(
    t: Translator, *, kind: str, role: Role, subject: str, participant_id: int
) -> Screen:
    """A reminder (DUE) or follow-up for the patient or a caregiver, with a `Start now` button
    that starts or resumes the assessment for that participant."""
    follow_up = kind == ReminderKind.FOLLOW_UP.value
    key = "reminder-follow-up" if follow_up else "reminder-due"
    caregiver = role is Role.CAREGIVER
    text = t(f"{key}-caregiver", subject=escape(subject)) if caregiver else t(key)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("reminder-button-start"),
                    callback_data=encode_menu("assess", participant_id),
                )
            ]
        ]
    )
    return Screen(text, keyboard)


def digest_parts(t: Translator, day: date, notices: list[MissedNotice]) -> list[str]:
    """The staff digest of one day: a header and one line per missed assessment, in as few
    messages as Telegram's length limit allows."""
    lines = [
        t(
            "digest-line",
            subject=escape(notice.subject),
            date=t.date(date.fromisoformat(notice.cycle_key)),
        )
        for notice in notices
    ]
    header = t("digest-header", date=t.date(day), count=len(notices))
    parts: list[str] = []
    current = [header, ""]
    size = len(header) + 1
    for line in lines:
        if size + len(line) + 1 > DIGEST_PART_LIMIT and len(current) > 2:
            parts.append("\n".join(current))
            continued = t("digest-continued", date=t.date(day))
            current, size = [continued, ""], len(continued) + 1
        current.append(line)
        size += len(line) + 1
    parts.append("\n".join([*current, "", t("digest-footer")]))
    return parts
