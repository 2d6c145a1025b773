"""Every screen with buttons fits a 360 px phone, in both languages and both voices.

Telegram's phone apps draw an inline button on one line and cut a longer label with "…". The
rule tested here: a button alone on its row has at most 24 characters, and a row of n buttons
at most 24 // n characters each (12 for two, 8 for three, 4 for five). At 360 px a button alone
shows about 30 characters of Telegram's font, so the rule keeps a margin for wide letters.

Item screens also hold all five level texts in full in the message body, and the symptom list
every symptom's full wording: the buttons only point to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardMarkup

from conversations.domain.assessment import REVIEW, SYMPTOMS, TUBE, AssessmentState
from conversations.domain.instrument import ITEM_NUMBERS, ITEMS, LEVELS
from conversations.domain.schedule import ScheduleSettings
from conversations.domain.symptom_step import OTHER_TEXT, SymptomAction, SymptomState
from conversations.domain.symptoms import CATALOGUE, OTHER, Severity
from conversations.handlers.schedule import _time_keyboard
from conversations.screens import alerts, reminders
from conversations.screens.assessment import (
    Screen,
    again_screen,
    assessment_screen,
    item_for,
    language_screen,
    start_button,
    symptom_screen,
)
from locales import LANGUAGES, Language, translator
from storage.alerts import Alert
from storage.models import Role

ROW_BUDGET = 24  # characters for a row: one button gets all of it, n buttons 24 // n each


def limit(buttons_in_row: int) -> int:
    return ROW_BUDGET // buttons_in_row


def too_long(keyboard: InlineKeyboardMarkup | None) -> list[str]:
    """Labels that break the rule, each with its row size."""
    if keyboard is None:
        return []
    return [
        f"{button.text!r} ({len(button.text)} > {limit(len(row))} in a row of {len(row)})"
        for row in keyboard.inline_keyboard
        for button in row
        if len(button.text) > limit(len(row))
    ]


ALL_FOUR = dict.fromkeys(ITEM_NUMBERS, 4)


def _symptom_states() -> Iterator[SymptomState]:
    yield SymptomState()
    every = {entry.id: 3 for entry in CATALOGUE}  # all chosen: every label carries its ✓
    yield SymptomState(chosen=every, other_text="x" * 40)
    yield SymptomState(position=OTHER_TEXT)
    for entry in CATALOGUE:
        yield SymptomState(position=f"sev:{entry.id}")
        for severity in Severity:
            yield SymptomState(
                chosen={entry.id: severity.value},
                position=f"sev:{entry.id}",
                other_text="words" if entry.id == OTHER else None,
            )


def _assessment_states() -> Iterator[AssessmentState]:
    for has_tube in (False, True):
        for number in ITEM_NUMBERS:
            answers = {n: 4 for n in ITEM_NUMBERS if n < number}
            yield AssessmentState(answers=answers, has_tube=has_tube, position=str(number))
            for score in LEVELS:  # the chosen answer carries a ✓
                answered = {**ALL_FOUR, number: score}
                yield AssessmentState(
                    answers=answered, has_tube=has_tube, position=str(number), back_to_review=True
                )
        yield AssessmentState(answers={1: 4, 2: 4, 3: 4, 4: 4}, position=TUBE)
        yield AssessmentState(answers=ALL_FOUR, has_tube=has_tube, position=REVIEW)
        for symptoms in _symptom_states():
            yield AssessmentState(
                answers=ALL_FOUR, has_tube=has_tube, position=SYMPTOMS, symptoms=symptoms
            )


def _data(action: SymptomAction | None) -> str:
    return "x"


def _alert(alert_id: int, *, rule: str, kind: str = "decline", acked: bool = False) -> Alert:
    now = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
    return Alert(
        id=alert_id,
        participant_id=1,
        subject="S-DEMO-1",
        kind=kind,  # type: ignore[arg-type]
        rule=rule,
        urgent=True,
        message_key="decline-breathing-low",
        message_args={"new_score": 2, "new_date": "2027-05-03", "limit": 2, "days": 60},
        assessment_id=1,
        created_at=now,
        acknowledged_at=now if acked else None,
        acknowledged_by=1 if acked else None,
        escalations=2,
        next_escalation_at=None,
    )


def every_screen(language: Language) -> Iterator[tuple[str, Screen]]:
    """Every screen with buttons that a patient, a caregiver or staff can reach."""
    t = translator(language)
    for proxy in (False, True):
        voice = "caregiver" if proxy else "patient"
        for state in _assessment_states():
            name = f"{voice} {state.position} {dict(state.answers)} {state.symptoms}"
            screen = assessment_screen(t, state, assessment_id=1, revision=1, proxy=proxy)
            yield name, screen
        for symptoms in _symptom_states():
            screen = symptom_screen(t, symptoms, proxy=proxy, data=_data, standalone=True)
            yield f"{voice} /symptoms {symptoms}", screen
        for role in (Role.PATIENT, Role.CAREGIVER):
            for kind in ("due", "follow_up"):
                yield (
                    f"reminder {role} {kind}",
                    reminders.reminder_screen(
                        t, kind=kind, role=role, subject="S-DEMO-1", participant_id=1
                    ),
                )
    for by in ("you", "patient", "caregiver"):
        yield f"again by {by}", again_screen(t, participant_id=1, at="10:42", by=by, total=31)
    yield "language", language_screen(t)
    for resume in (False, True):
        yield "start", Screen("", start_button(t, 1, resume=resume))
    yield "/time", Screen("", _time_keyboard(ScheduleSettings(), 1))
    zone = ZoneInfo("Europe/Prague")
    rules = ["previous", "baseline", "slope", "item", "breathing", "swallowing"]
    symptom_rules = [entry.id for entry in CATALOGUE]
    many = [_alert(990 + i, rule=r) for i, r in enumerate(rules)]
    many += [_alert(900 + i, rule=r, kind="symptom") for i, r in enumerate(symptom_rules)]
    for page in range(3):
        text, keyboard = alerts.alerts_page(t, many, page, zone=zone)
        yield f"/alerts page {page}", Screen(text, keyboard)
    for alert in many[:2]:
        text, keyboard = alerts.open_view(t, alert, page=0, zone=zone)
        yield f"alert {alert.id} opened", Screen(text, keyboard)
        yield f"alert {alert.id} delivered", Screen("", alerts.ack_keyboard(t, alert))
    for scope in ("a", "l", "p"):
        yield f"what was done ({scope})", Screen("", alerts.action_keyboard(t, scope, 12, 1))
    text, keyboard = alerts.participant_view(t, "S-DEMO-1", 1, many, zone=zone)
    yield "/alerts S-DEMO-1", Screen(text, keyboard)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_fits_one_line_on_a_phone(language: Language) -> None:
    problems = {
        name: bad for name, screen in every_screen(language) if (bad := too_long(screen.keyboard))
    }
    assert problems == {}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("proxy", [False, True])
def test_item_screens_list_all_five_levels_in_full(language: Language, proxy: bool) -> None:
    t = translator(language)
    for it in ITEMS:
        has_tube = it.slug == "cutting-tube"
        state = AssessmentState(answers={}, has_tube=has_tube, position=str(it.number))
        assert item_for(state, it.number) == it
        screen = assessment_screen(t, state, assessment_id=1, revision=1, proxy=proxy)
        for score in LEVELS:
            full = escape(t(it.level_key(score)), quote=False)
            assert f"{score} · {full}" in screen.text, (it.slug, score)
        assert screen.keyboard is not None
        labels = [b.text for row in screen.keyboard.inline_keyboard for b in row]
        for score in LEVELS:
            short = t(it.short_key(score))
            assert f"{score} · {short}" in labels
        # The key words tell the five levels apart.
        assert len({t(it.short_key(score)) for score in LEVELS}) == 5, it.slug


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("proxy", [False, True])
def test_the_symptom_list_holds_every_full_wording(language: Language, proxy: bool) -> None:
    t = translator(language)
    screen = symptom_screen(t, SymptomState(), proxy=proxy, data=_data, standalone=True)
    for entry in CATALOGUE:
        assert escape(t(entry.label_key(proxy=proxy)), quote=False) in screen.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_severity_is_chosen_by_words_not_digits(language: Language) -> None:
    t = translator(language)
    state = SymptomState(position="sev:headache")
    screen = symptom_screen(t, state, proxy=False, data=_data, standalone=True)
    assert screen.keyboard is not None
    labels = [b.text for row in screen.keyboard.inline_keyboard for b in row]
    assert labels[:3] == [t(s.name_key) for s in Severity]
    assert not any(ch.isdigit() for label in labels for ch in label)
    for severity in Severity:
        assert escape(t(severity.explanation_key), quote=False) in screen.text
