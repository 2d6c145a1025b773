"""What the respondent reads when a submission or a symptom report is urgent: plain advice to
call the study site now (its number from the study settings) or, in an emergency, the emergency
services (the study's numbers, in the order the language's text gives them). No other advice.

Any urgent signal counts (`flows.assessment.Outcome.urgent`): an urgent symptom, or any decline
rule the study marks urgent (by default breathing: any fall, or breathless at rest).
"""

from __future__ import annotations

from html import escape
from typing import Protocol

from locales import Translator

__all__ = ["SiteContact", "urgent_advice_text"]


class SiteContact(Protocol):
    """Whom to call (the `[study]` settings): the site's phone and the emergency numbers."""

    @property
    def site_phone(self) -> str: ...

    def emergency_for(self, language: str) -> tuple[str, ...]: ...


def emergency_text(t: Translator, numbers: tuple[str, ...]) -> str:
    """'155 (nebo 112)', '112 (or 155)': the first number to call, and the other that works."""
    if len(numbers) >= 2:
        return t("emergency-number-two", first=numbers[0], second=numbers[1])
    return t("emergency-number-one", first=numbers[0])


def urgent_advice_text(t: Translator, site: SiteContact) -> str:
    """The advice as HTML (bold, escaped): call the site now, or the emergency services."""
    emergency = emergency_text(t, site.emergency_for(t.language))
    if site.site_phone:
        text = t("urgent-call-site", phone=site.site_phone, emergency=emergency)
    else:
        text = t("urgent-call-site-no-phone", emergency=emergency)
    return f"<b>{escape(text, quote=False)}</b>"
