"""Rendering: an assessment state (or a result) to the text and buttons a person sees.

Pure functions from state and a translator to `Screen`; no I/O. Every string comes from the
locale; values put into HTML are escaped here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.callbacks import encode_action, encode_again, encode_language, encode_menu
from conversations.domain.assessment import (
    REVIEW,
    SYMPTOMS,
    TUBE,
    Answer,
    AskTube,
    AssessmentState,
    Back,
    Edit,
    SetTube,
    Submit,
    Symptoms,
)
from conversations.domain.instrument import ITEM_NUMBERS, LEVELS, Item, Item5Variant, item
from conversations.domain.symptom_step import (
    OTHER_TEXT,
    Finish,
    Grade,
    NoSymptoms,
    Pick,
    SymptomAction,
    SymptomState,
    Unpick,
)
from conversations.domain.symptoms import CATALOGUE, OTHER, Severity, Symptom
from conversations.domain.symptoms import SYMPTOMS as SYMPTOM_BY_ID
from locales import Translator

__all__ = [
    "Screen",
    "again_screen",
    "answer_button",
    "answer_label",
    "assessment_screen",
    "change_line",
    "item_for",
    "join_keyboard",
    "language_screen",
    "short_key",
    "start_button",
    "submitted_screen",
    "symptom_screen",
    "symptoms_summary",
]


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def item_for(state: AssessmentState, number: int) -> Item:
    if number != 5:
        return item(number)
    return item(5, Item5Variant.for_gastrostomy(bool(state.has_tube)))


def answer_label(t: Translator, it: Item, score: int) -> str:
    """The score with the level's full text, as the body and the review show it."""
    return t("answer-label", score=score, text=t(it.level_key(score)))


def answer_button(t: Translator, it: Item, score: int) -> str:
    """The score with a key word or two: a button must fit one line on a phone."""
    return t("answer-button", score=score, word=t(it.short_key(score)))


def assessment_screen(
    t: Translator,
    state: AssessmentState,
    *,
    assessment_id: int,
    revision: int,
    proxy: bool,
    max_text: int = 500,
) -> Screen:
    """The message for the current step: an item, the feeding-tube question, or review."""

    def data(action: Answer | Back | SetTube | AskTube | Edit | Submit | Symptoms) -> str:
        return encode_action(assessment_id, revision, action)

    if state.position == SYMPTOMS:

        def symptom_data(action: SymptomAction | None) -> str:
            return data(Back() if action is None else Symptoms(action))

        return symptom_screen(
            t, state.symptoms, proxy=proxy, data=symptom_data, standalone=False, max_text=max_text
        )

    back = _button(t("button-back"), data(Back()))
    if state.position == REVIEW:
        lines = [t("review-header"), ""]
        for number in ITEM_NUMBERS:
            it = item_for(state, number)
            score = state.answers[number]
            lines.append(
                escape(
                    t(
                        "review-line",
                        number=number,
                        name=t(it.name_key),
                        label=answer_label(t, it, score),
                    ),
                    quote=False,
                )
            )
        lines += ["", escape(symptoms_summary(t, state.symptoms), quote=False)]
        lines += ["", t("review-total", total=state.total or 0), "", t("review-hint")]
        edits = [_button(t("button-edit", number=n), data(Edit(n))) for n in ITEM_NUMBERS]
        submit = _button(t("button-submit"), data(Submit()))
        return Screen(
            "\n".join(lines), InlineKeyboardMarkup([edits[:5], edits[5:], [back, submit]])
        )
    if state.position == TUBE:
        text = "\n".join(
            [t("tube-header"), "", t("tube-question-proxy" if proxy else "tube-question")]
        )
        tube_rows = [
            [_button(t("tube-yes"), data(SetTube(True)))],
            [_button(t("tube-no"), data(SetTube(False)))],
            [back],
        ]
        return Screen(text, InlineKeyboardMarkup(tube_rows))
    number = int(state.position)
    it = item_for(state, number)
    chosen = state.answers.get(number)
    lines = [
        t("question-header", number=number, name=escape(t(it.name_key), quote=False)),
        "",
        escape(t(it.question_key(proxy=proxy)), quote=False),
        "",
        escape(t("question-compare"), quote=False),
    ]
    lines.append("")
    lines += [escape(answer_label(t, it, score), quote=False) for score in LEVELS]
    if number == 5:
        lines += ["", escape(t("tube-known-yes" if state.has_tube else "tube-known-no"))]
    if chosen is not None:
        label = answer_label(t, it, chosen)
        lines += ["", escape(t("question-current", label=label), quote=False)]
    rows: list[list[InlineKeyboardButton]] = []
    for score in LEVELS:
        label = answer_button(t, it, score)
        if score == chosen:
            label = t("answer-chosen", label=label)
        rows.append([_button(label, data(Answer(score)))])
    if number == 5:
        rows.append([_button(t("button-change-tube"), data(AskTube()))])
    if number != 1 or state.back_to_review:
        rows.append([back])
    return Screen("\n".join(lines), InlineKeyboardMarkup(rows))


def change_line(
    t: Translator, total: int, previous_total: int | None, previous_date: date | None
) -> str:
    if previous_total is None or previous_date is None:
        return t("change-first")
    when = t.date(previous_date)
    diff = total - previous_total
    if diff < 0:
        return t("change-lower", total=total, points=-diff, date=when)
    if diff > 0:
        return t("change-higher", total=total, points=diff, date=when)
    return t("change-same", total=total, date=when)


def submitted_screen(
    t: Translator,
    *,
    total: int,
    submitted_on: date,
    previous_total: int | None,
    previous_date: date | None,
) -> Screen:
    lines = [
        t("submitted-title"),
        "",
        escape(change_line(t, total, previous_total, previous_date), quote=False),
    ]
    if previous_total is None:
        lines.insert(2, t("submitted-total", total=total))
    return Screen("\n".join(lines))


def again_screen(t: Translator, *, participant_id: int, at: str, by: str, total: int) -> Screen:
    """Before a second assessment on the same day: when and by whom (`by`: you, patient or
    caregiver) today's was submitted, and whether to start another."""
    rows = [
        [_button(t("button-start-another"), encode_again(participant_id))],
        [_button(t("button-not-now"), encode_menu("leave"))],
    ]
    who = t(f"submitted-by-{by}")
    text = t("already-submitted-today", time=at, who=who, total=total)
    return Screen(text, InlineKeyboardMarkup(rows))


def start_button(t: Translator, participant_id: int, *, resume: bool) -> InlineKeyboardMarkup:
    """Start (or continue) the participant's assessment."""
    label = t("button-continue" if resume else "button-start")
    return InlineKeyboardMarkup([[_button(label, encode_menu("assess", participant_id))]])


def join_keyboard(t: Translator, assessment_id: int) -> InlineKeyboardMarkup:
    """Someone else's assessment is under way: continue it, or leave it alone."""
    return InlineKeyboardMarkup(
        [
            [_button(t("button-join"), encode_menu("join", assessment_id))],
            [_button(t("button-leave"), encode_menu("leave"))],
        ]
    )


def language_screen(t: Translator) -> Screen:
    rows = [
        [_button("English", encode_language("en"))],
        [_button("Čeština", encode_language("cs"))],
    ]
    return Screen(t("language-prompt"), InlineKeyboardMarkup(rows))


def short_key(entry: Symptom) -> str:
    """A key word or two for the symptom's button; the full wording is in the body."""
    return entry.label_key(proxy=False) + "-short"


def _symptom_name(t: Translator, symptom_id: str, *, proxy: bool) -> str:
    return t(SYMPTOM_BY_ID[symptom_id].label_key(proxy=proxy))


def symptoms_summary(t: Translator, state: SymptomState) -> str:
    """One line for review: the symptoms reported with their severity, or none."""
    if not state.chosen:
        return t("review-symptoms-none")
    parts = []
    for entry in CATALOGUE:
        if entry.id in state.chosen:
            name = (
                state.other_text
                if entry.id == OTHER and state.other_text
                else t(entry.label_key(proxy=False))
            )
            parts.append(
                t(
                    "symptom-with-severity",
                    name=name,
                    severity=t(Severity(state.chosen[entry.id]).name_key),
                )
            )
    return t("review-symptoms", list="; ".join(parts))


def symptom_screen(
    t: Translator,
    state: SymptomState,
    *,
    proxy: bool,
    data: Callable[[SymptomAction | None], str],
    standalone: bool,
    max_text: int = 500,
) -> Screen:
    """The symptom question (a list of symptoms, each graded), a severity question, or the
    request for a short description. `data(None)` is the Back (or Cancel) button."""
    back = _button(
        t(
            "button-cancel"
            if standalone and state.grading is None and state.position != OTHER_TEXT
            else "button-back"
        ),
        data(None),
    )
    if state.position == OTHER_TEXT:
        text = "\n".join([t("symptoms-header"), "", t("symptom-other-prompt", max=max_text)])
        return Screen(text, InlineKeyboardMarkup([[back]]))
    grading = state.grading
    if grading is not None:
        name = _symptom_name(t, grading, proxy=proxy)
        if grading == OTHER and state.other_text:
            name = f"{name}: {state.other_text}"
        lines = [f"<b>{escape(name, quote=False)}</b>", "", t("severity-question"), ""]
        rows: list[list[InlineKeyboardButton]] = []
        for level in Severity:
            lines.append(
                t(
                    "severity-line",
                    name=escape(t(level.name_key), quote=False),
                    explanation=escape(t(level.explanation_key), quote=False),
                )
            )
            label = t("severity-button", name=t(level.name_key))
            if state.chosen.get(grading) == level.value:
                label = t("answer-chosen", label=label)
            rows.append([_button(label, data(Grade(level.value)))])
        if grading in state.chosen:
            rows.append([_button(t("button-remove-symptom"), data(Unpick()))])
        rows.append([back])
        return Screen("\n".join(lines), InlineKeyboardMarkup(rows))
    lines = [
        t("symptoms-header"),
        "",
        escape(t("symptoms-question-proxy" if proxy else "symptoms-question"), quote=False),
        "",
        escape(t("symptoms-hint-standalone" if standalone else "symptoms-hint"), quote=False),
    ]
    lines.append("")
    for entry in CATALOGUE:
        full = escape(t(entry.label_key(proxy=proxy)), quote=False)
        short = escape(t(short_key(entry)), quote=False)
        lines.append(t("symptom-line", short=short, text=full))
    if state.chosen:
        lines += ["", escape(symptoms_summary(t, state), quote=False)]
    rows = []
    if not state.chosen and not standalone:
        rows.append([_button(t("symptoms-none"), data(NoSymptoms()))])
    for index, entry in enumerate(CATALOGUE):
        label = t(short_key(entry))
        if entry.id in state.chosen:
            label = t("answer-chosen", label=label)
        rows.append([_button(label, data(Pick(index)))])
    if state.chosen:
        rows.append([_button(t("button-symptoms-done"), data(Finish()))])
    rows.append([back])
    return Screen("\n".join(lines), InlineKeyboardMarkup(rows))
