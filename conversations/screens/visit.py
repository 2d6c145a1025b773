"""What staff see while entering a clinic visit: each step's text and buttons, and review.

The ALSFRS items are the assessment's own item screens (`screens.assessment.assessment_screen`,
the caregiver wording: the clinician rates someone else), with their buttons re-pointed at the
visit (`v:` callbacks): one wording and one layout for home and clinic. No I/O.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations import callbacks
from conversations.callbacks import AssessmentPress, encode_visit
from conversations.domain import assessment as steps
from conversations.domain import visit as v
from conversations.domain.instrument import ITEM_NUMBERS
from conversations.screens.assessment import Screen, assessment_screen
from locales import Translator

__all__ = ["review_lines", "saved_screen", "visit_screen"]


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def _as_visit_action(action: steps.Action) -> v.VisitAction | None:
    """An item screen's button, as the visit's action (the tube change is not offered there:
    Back from item 1 reaches the gastrostomy question)."""
    match action:
        case steps.Answer(score=score):
            return v.Rate(score)
        case steps.Back():
            return v.Back()
    return None


def _item_screen(
    t: Translator, state: v.VisitState, *, visit_id: int, revision: int, header: str
) -> Screen:
    borrowed = assessment_screen(
        t,
        steps.AssessmentState(
            answers=dict(state.items), has_tube=state.has_tube, position=state.position
        ),
        assessment_id=0,
        revision=0,
        proxy=True,
    )
    rows: list[list[InlineKeyboardButton]] = []
    keyboard = borrowed.keyboard.inline_keyboard if borrowed.keyboard else ()
    for row in keyboard:
        new_row = []
        for button in row:
            press = callbacks.parse(str(button.callback_data))
            if not isinstance(press, AssessmentPress):
                continue
            action = _as_visit_action(press.action)
            if action is not None:
                new_row.append(_button(button.text, encode_visit(visit_id, revision, action)))
        if new_row:
            rows.append(new_row)
    if state.position == "1":
        rows.append([_button(t("visit-back"), encode_visit(visit_id, revision, v.Back()))])
    text = "\n".join([header, escape(t("visit-item-rater")), "", borrowed.text])
    return Screen(text, InlineKeyboardMarkup(rows))


def _header(t: Translator, subject: str, state: v.VisitState) -> str:
    if state.label is None:
        return t("visit-header", subject=escape(subject))
    return t("visit-header-label", subject=escape(subject), label=_label(t, state.label))


def _label(t: Translator, label: str) -> str:
    return t("visit-unscheduled") if label == v.UNSCHEDULED else escape(label)


def review_lines(t: Translator, state: v.VisitState) -> list[str]:
    """The visit's values, one per line (review, and the saved confirmation)."""
    lines = [t("visit-review-label", label=_label(t, state.label or ""))]
    if state.visit_date is not None:
        lines.append(t("visit-review-date", date=t.date(state.visit_date)))
    total = None if state.alsfrs_skipped else state.total
    variant = state.item5_variant
    if total is None or variant is None:
        lines.append(t("visit-review-alsfrs-none"))
    else:
        lines.append(
            t("visit-review-alsfrs", total=total, variant=t(f"visit-variant-{variant.value}"))
        )
        scores = " ".join(str(state.items[n]) for n in ITEM_NUMBERS)
        lines.append(t("visit-review-items", items=scores))
    if state.fvc is None:
        lines.append(t("visit-review-fvc-none"))
    else:
        lines.append(t("visit-review-fvc", fvc=state.fvc))
    if state.norris_total is None:
        lines.append(t("visit-review-norris-none"))
    else:
        lines.append(t("visit-review-norris", total=state.norris_total))
        none = t("visit-subscore-none")
        lines.append(
            t(
                "visit-review-norris-subscores",
                bulbar=none if state.norris_bulbar is None else str(state.norris_bulbar),
                spinal=none if state.norris_spinal is None else str(state.norris_spinal),
            )
        )
    return lines


def visit_screen(
    t: Translator,
    state: v.VisitState,
    *,
    subject: str,
    visit_id: int,
    revision: int,
    settings: v.VisitSettings,
) -> Screen:
    """The message for the visit's current step."""

    def data(action: v.VisitAction) -> str:
        return encode_visit(visit_id, revision, action)

    header = _header(t, subject, state)
    back = _button(t("visit-back"), data(v.Back()))
    skip = _button(t("visit-not-measured"), data(v.Skip()))
    at = state.position
    if at == v.LABEL:
        labels = [_button(label, data(v.ChooseLabel(i))) for i, label in enumerate(settings.labels)]
        rows = [labels[i : i + 4] for i in range(0, len(labels), 4)]
        rows.append([_button(t("visit-unscheduled"), data(v.ChooseLabel(len(settings.labels))))])
        return Screen(f"{header}\n\n{t('visit-label-question')}", InlineKeyboardMarkup(rows))
    if at == v.DATE:
        text = f"{header}\n\n{escape(t('visit-date-question'))}"
        keyboard = [[_button(t("visit-today"), data(v.Today()))], [back]]
        return Screen(text, InlineKeyboardMarkup(keyboard))
    if at == v.TUBE:
        text = f"{header}\n\n{escape(t('visit-tube-question'))}"
        keyboard = [
            [_button(t("visit-tube-no"), data(v.SetTube(False)))],
            [_button(t("visit-tube-yes"), data(v.SetTube(True)))],
            [_button(t("visit-not-rated"), data(v.Skip()))],
            [back],
        ]
        return Screen(text, InlineKeyboardMarkup(keyboard))
    if at in (v.FVC, v.NORRIS, v.NORRIS_BULBAR, v.NORRIS_SPINAL):
        top = {
            v.FVC: settings.fvc_max,
            v.NORRIS: settings.norris.total_max,
            v.NORRIS_BULBAR: settings.norris.bulbar_max,
            v.NORRIS_SPINAL: settings.norris.spinal_max,
        }[at]
        question = t(f"visit-{at.replace('_', '-')}-question", max=top)
        return Screen(f"{header}\n\n{escape(question)}", InlineKeyboardMarkup([[skip], [back]]))
    if at == v.REVIEW:
        lines = [header, "", t("visit-review-title"), ""]
        lines += [escape(line, quote=False) for line in review_lines(t, state)]
        edits = [
            _button(t(f"visit-edit-{section}"), data(v.Edit(section))) for section in v.SECTIONS
        ]
        rows = [edits[:3], edits[3:], [back, _button(t("visit-save"), data(v.Save()))]]
        return Screen("\n".join(lines), InlineKeyboardMarkup(rows))
    return _item_screen(t, state, visit_id=visit_id, revision=revision, header=header)


def saved_screen(t: Translator, state: v.VisitState, *, subject: str, alerts: int) -> Screen:
    assert state.visit_date is not None
    lines = [
        t(
            "visit-saved",
            label=_label(t, state.label or ""),
            subject=escape(subject),
            date=t.date(state.visit_date),
        ),
        "",
        *(escape(line, quote=False) for line in review_lines(t, state)),
    ]
    if alerts:
        lines += ["", t("visit-saved-alerts", count=alerts)]
    return Screen("\n".join(lines))
