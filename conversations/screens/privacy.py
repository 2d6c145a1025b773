"""The study's privacy notice for a patient or caregiver, with "I agree" and "Decline", and the
texts around the decision. No I/O: the notice comes from the study settings (`[privacy]`, a
whole text per language) or, by default, from `locales/` filled in with the study's details.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.callbacks import encode_consent
from conversations.screens.assessment import Screen
from locales import Language, Translator

__all__ = ["NoticeSettings", "notice_screen"]


class NoticeSettings(Protocol):
    """What the notice needs from the study settings (`[study]` and `[privacy]`)."""

    @property
    def controller(self) -> str: ...
    @property
    def contact(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def retention_years(self) -> int: ...
    @property
    def version(self) -> str: ...
    @property
    def notice(self) -> Mapping[Language, str]: ...


def notice_text(
    t: Translator, privacy: NoticeSettings, *, study_name: str, site_phone: str, subject: str
) -> str:
    """The notice as HTML: the study's own text for this language, else the default."""
    own = privacy.notice.get(t.language)
    if own:
        body = own
    else:
        body = t(
            "privacy-notice",
            controller=escape(privacy.controller or study_name),
            retention=privacy.retention_years,
            contact=escape(privacy.contact or site_phone or t("privacy-contact-team")),
        )
        if privacy.url:
            body += "\n\n" + t("privacy-full-notice", url=escape(privacy.url, quote=True))
    head = t("privacy-title", subject=escape(subject), version=escape(privacy.version))
    return f"{head}\n\n{body}\n\n{t('privacy-question')}"


def notice_screen(
    t: Translator,
    privacy: NoticeSettings,
    *,
    link_id: int,
    study_name: str,
    site_phone: str,
    subject: str,
) -> Screen:
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("privacy-agree"), callback_data=encode_consent(link_id, agreed=True)
                ),
                InlineKeyboardButton(
                    t("privacy-decline"), callback_data=encode_consent(link_id, agreed=False)
                ),
            ]
        ]
    )
    text = notice_text(t, privacy, study_name=study_name, site_phone=site_phone, subject=subject)
    return Screen(text, keyboard)
