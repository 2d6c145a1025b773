"""What staff read in an alert, and what its buttons carry: pure rendering, no I/O.

An alert's own sentence is its `message_key` (the `decline-*` keys in `locales/*/safety.ftl`, the
symptom alert keys) formatted with its `message_args`. Those texts are plain text, so the whole
formatted sentence is HTML-escaped (which escapes every argument, the study ID included), and it
is cut before escaping so that a long free-text argument can never push a message past
Telegram's 4096 characters. The frame around it (`locales/*/alerts.ftl`: URGENT, ESCALATION n,
when it was raised, who acknowledged it and when) is HTML with escaped arguments. Staff are
named by their staff link number, never by a Telegram name.

The buttons' data is the `alert` kind of `conversations.callbacks` (ack on a delivered copy;
alk/alo acknowledge or open one alert from /alerts; alp a page of /alerts).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import tzinfo
from html import escape
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.callbacks import encode_alert
from locales import MissingTranslation, Translator
from storage.alerts import Alert

__all__ = [
    "BODY_MAX",
    "PAGE_SIZE",
    "ack_keyboard",
    "alert_body",
    "alert_message",
    "alerts_page",
    "open_view",
]

log = logging.getLogger(__name__)

BODY_MAX: Final = 3000  # characters of the alert's own sentence; the frame adds < 400
PAGE_SIZE: Final = 8  # alerts per /alerts page: 8 lines of < 250 characters, 18 buttons


def alert_body(t: Translator, alert: Alert) -> str:
    """The alert's own sentence in the reader's language, HTML-escaped, at most BODY_MAX
    characters as displayed. A key this version does not know still gives a useful line."""
    args: dict[str, str | int | float] = {**alert.message_args, "subject": alert.subject}
    try:
        text = t(alert.message_key, **args)
    except (MissingTranslation, ValueError):
        log.warning("alert %d: message %s could not be formatted", alert.id, alert.message_key)
        text = t("alert-fallback", subject=alert.subject, what=_what(t, alert))
    if len(text) > BODY_MAX:
        text = text[: BODY_MAX - 1] + "…"
        text += "\u2069" * max(0, text.count("\u2068") - text.count("\u2069"))  # close isolates
    return escape(text, quote=False)


def _what(t: Translator, alert: Alert) -> str:
    """A short name of the rule (or symptom) that raised the alert."""
    args: dict[str, str | int | float] = dict(alert.message_args)
    for key in (f"alert-rule-{alert.rule}", f"alert-symptom-{alert.rule.replace('_', '-')}"):
        if t.has(key):
            try:
                return t(key, **args)  # the slope rule names its window: `days`
            except ValueError:
                break
    return t(f"alert-kind-{alert.kind}")


def alert_message(t: Translator, alert: Alert, *, round_: int, zone: tzinfo) -> str:
    """A copy of the alert as staff receive it: round 0 is the first sending, round n the n-th
    escalation. Once acknowledged, it says by whom and when."""
    title = "alert-title-urgent" if alert.urgent else "alert-title-routine"
    lines = [t(title, id=str(alert.id))]
    if round_ > 0:
        lines.append(t("alert-escalation", round=round_))
    lines += [alert_body(t, alert), "", t("alert-raised", when=t.moment(alert.created_at, zone))]
    if alert.acknowledged_at is not None and alert.acknowledged_by is not None:
        lines.append(
            t(
                "alert-acknowledged",
                staff=str(alert.acknowledged_by),
                when=t.moment(alert.acknowledged_at, zone),
            )
        )
    return "\n".join(lines)


def ack_keyboard(t: Translator, alert: Alert) -> InlineKeyboardMarkup | None:
    """The Acknowledge button of a delivered copy; none once the alert is acknowledged."""
    if alert.acknowledged_at is not None:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button-acknowledge"), callback_data=encode_alert("ack", alert.id)
                )
            ]
        ]
    )


def open_view(
    t: Translator, alert: Alert, *, page: int, zone: tzinfo
) -> tuple[str, InlineKeyboardMarkup]:
    """One alert opened from /alerts: the whole alert, Acknowledge (while open) and Back."""
    text = alert_message(t, alert, round_=alert.escalations, zone=zone)
    rows = []
    if alert.acknowledged_at is None:
        rows.append(
            [
                InlineKeyboardButton(
                    t("button-acknowledge"), callback_data=encode_alert("alk", alert.id, page)
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                t("button-alerts-back"), callback_data=encode_alert("alp", None, page)
            )
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def _line(t: Translator, alert: Alert, zone: tzinfo) -> str:
    key = "alerts-line-urgent" if alert.urgent else "alerts-line-routine"
    line = t(
        key,
        id=str(alert.id),
        subject=escape(alert.subject, quote=False),
        what=escape(_what(t, alert), quote=False),
        when=t.moment(alert.created_at, zone),
    )
    if alert.escalations:
        line += " " + t("alerts-escalated", count=alert.escalations)
    return line


def alerts_page(
    t: Translator, open_alerts: Sequence[Alert], page: int, *, zone: tzinfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of open alerts (the caller orders them: urgent first, then oldest), with an
    Open and an Acknowledge button for each. A page stays far below 4096 characters."""
    count = len(open_alerts)
    if count == 0:
        return t("alerts-empty"), None
    pages = -(-count // PAGE_SIZE)
    page = max(0, min(page, pages - 1))
    shown = open_alerts[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [t("alerts-header", page=page + 1, pages=pages, count=count), ""]
    lines += [_line(t, alert, zone) for alert in shown]
    lines += ["", t("alerts-hint")]
    rows = [
        [
            InlineKeyboardButton(
                t("button-open-alert", id=str(alert.id)),
                callback_data=encode_alert("alo", alert.id, page),
            ),
            InlineKeyboardButton(
                t("button-acknowledge-alert", id=str(alert.id)),
                callback_data=encode_alert("alk", alert.id, page),
            ),
        ]
        for alert in shown
    ]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                t("button-previous"), callback_data=encode_alert("alp", None, page - 1)
            )
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(
                t("button-next"), callback_data=encode_alert("alp", None, page + 1)
            )
        )
    if nav:
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)
