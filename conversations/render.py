"""Rendering: an assessment state (or a result) to the text and buttons a person sees.

Pure functions from state and a translator to `Screen`; no I/O. Every string comes from the
locale; values put into HTML are escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.assessment import (
    REVIEW,
    TUBE,
    Answer,
    AskTube,
    AssessmentState,
    Back,
    Edit,
    SetTube,
    Submit,
)
from conversations.callbacks import encode_action, encode_language, encode_menu
from conversations.instrument import ITEM_NUMBERS, LEVELS, Item, Item5Variant, item
from locales import Translator

__all__ = [
    "Screen",
    "answer_label",
    "assessment_screen",
    "change_line",
    "item_for",
    "language_screen",
    "start_button",
    "submitted_screen",
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
    return t("answer-label", score=score, text=t(it.level_key(score)))


def assessment_screen(
    t: Translator, state: AssessmentState, *, assessment_id: int, revision: int, proxy: bool
) -> Screen:
    """The message for the current step: an item, the feeding-tube question, or review."""

    def data(action: Answer | Back | SetTube | AskTube | Edit | Submit) -> str:
        return encode_action(assessment_id, revision, action)

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
    if number == 5:
        lines += ["", escape(t("tube-known-yes" if state.has_tube else "tube-known-no"))]
    if chosen is not None:
        label = answer_label(t, it, chosen)
        lines += ["", escape(t("question-current", label=label), quote=False)]
    rows: list[list[InlineKeyboardButton]] = []
    for score in LEVELS:
        label = answer_label(t, it, score)
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


def start_button(t: Translator, *, resume: bool) -> InlineKeyboardMarkup:
    label = t("button-continue" if resume else "button-start")
    return InlineKeyboardMarkup([[_button(label, encode_menu("assess"))]])


def language_screen(t: Translator) -> Screen:
    rows = [
        [_button("English", encode_language("en"))],
        [_button("Čeština", encode_language("cs"))],
    ]
    return Screen(t("language-prompt"), InlineKeyboardMarkup(rows))
