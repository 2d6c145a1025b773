"""A clinic visit entered by staff, as a pure state machine, and the study's visit settings.

Steps, in order: which visit (a label from the study file, or unscheduled), the date (today, or
a past date typed), the clinic-rated ALSFRS (the feeding-tube question, then items 1-10, the
item 5 variant following the tube answer; the whole scale can be skipped when it was not rated),
FVC % of predicted (typed, or skipped), the Norris total and optional bulbar and spinal
subscores (typed, or skipped), then review and save. Typed numbers are range-checked here:
`typed()` returns the next state or a `Refusal` naming the locale message to show.

    VisitError
     ├── StaleVisitAction   an action for a step that is no longer shown
     └── InvalidVisitAction an action this step does not offer
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from conversations.domain.instrument import ITEM_NUMBERS, LEVELS, Item5Variant, total

__all__ = [
    "DATE",
    "FVC",
    "LABEL",
    "NORRIS",
    "NORRIS_BULBAR",
    "NORRIS_SPINAL",
    "REVIEW",
    "SECTIONS",
    "TUBE",
    "UNSCHEDULED",
    "Back",
    "ChooseLabel",
    "Edit",
    "FvcRule",
    "FvcSignal",
    "InvalidVisitAction",
    "NorrisRanges",
    "Rate",
    "Refusal",
    "Save",
    "SetTube",
    "Skip",
    "StaleVisitAction",
    "Today",
    "VisitAction",
    "VisitError",
    "VisitSettings",
    "VisitState",
    "apply",
    "dumps",
    "fvc_signals",
    "loads",
    "parse_date",
    "typed",
]

LABEL: Final = "label"
DATE: Final = "date"
TUBE: Final = "tube"
FVC: Final = "fvc"
NORRIS: Final = "norris"
NORRIS_BULBAR: Final = "norris_bulbar"
NORRIS_SPINAL: Final = "norris_spinal"
REVIEW: Final = "review"
UNSCHEDULED: Final = "unscheduled"
_ITEM_STEPS: Final = tuple(str(n) for n in ITEM_NUMBERS)
STEPS: Final[tuple[str, ...]] = (
    LABEL,
    DATE,
    TUBE,
    *_ITEM_STEPS,
    FVC,
    NORRIS,
    NORRIS_BULBAR,
    NORRIS_SPINAL,
    REVIEW,
)
# What review can send the staff member back to, by section: its first step.
SECTIONS: Final[Mapping[str, str]] = {
    "label": LABEL,
    "date": DATE,
    "alsfrs": TUBE,
    "fvc": FVC,
    "norris": NORRIS,
}
TYPED_STEPS: Final = frozenset({DATE, FVC, NORRIS, NORRIS_BULBAR, NORRIS_SPINAL})


# --- settings ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NorrisRanges(_Strict):
    """The highest score of the Norris total and its subscores at this site.

    Defaults: the Norris ALS scale as commonly used, 34 items scored 0-3 (bulbar 13 items, 0-39;
    limb or "spinal" 21 items, 0-63; total 0-102). The trial record speaks of 22 items: a site
    that records another version sets its own maxima here.
    """

    total_max: Annotated[int, Field(ge=1, le=1000)] = 102
    bulbar_max: Annotated[int, Field(ge=1, le=1000)] = 39
    spinal_max: Annotated[int, Field(ge=1, le=1000)] = 63


class FvcRule(_Strict):
    """FVC % of predicted below `below` (the trial's entry limit, 70 %), or fallen by `min_fall`
    points or more since the previous visit with an FVC."""

    enabled: bool = True
    below: Annotated[int, Field(ge=1, le=150)] = 70
    min_fall: Annotated[int, Field(ge=1, le=150)] = 10
    urgent: bool = False


class VisitSettings(_Strict):
    """The study file's `[visits]` table."""

    # The visits at which the clinic rates function (trial record: ALSFRS at I, III, VI-X).
    labels: tuple[str, ...] = ("I", "III", "VI", "VII", "VIII", "IX", "X")
    # The baseline of the "fell since baseline" rule: the clinic ALSFRS at the first visit
    # when there is one ("clinic"), or always the first self-report ("first_report").
    baseline: Literal["clinic", "first_report"] = "clinic"
    fvc_max: Annotated[int, Field(ge=1, le=300)] = 150
    norris: NorrisRanges = NorrisRanges()
    fvc_rule: FvcRule = FvcRule()

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or len(value) > 20 or len(set(value)) != len(value):
            raise ValueError("1-20 distinct visit labels")
        for label in value:
            if not re.fullmatch(r"[A-Za-z0-9-]{1,12}", label) or label == UNSCHEDULED:
                raise ValueError(f"visit label {label!r}: 1-12 letters, digits or '-'")
        return value


# --- state and actions ------------------------------------------------------------------------


class VisitError(Exception):
    """An action that cannot be applied; the state is unchanged."""


class StaleVisitAction(VisitError):
    """The action belongs to a step that is no longer shown."""


class InvalidVisitAction(VisitError):
    """The action is not one this step offers."""


@dataclass(frozen=True, slots=True)
class ChooseLabel:
    index: int  # into the study's labels; len(labels) is "unscheduled"


@dataclass(frozen=True, slots=True)
class Today:
    pass


@dataclass(frozen=True, slots=True)
class SetTube:
    has_tube: bool


@dataclass(frozen=True, slots=True)
class Rate:
    score: int


@dataclass(frozen=True, slots=True)
class Skip:
    """The field of this step was not measured at this visit."""


@dataclass(frozen=True, slots=True)
class Back:
    pass


@dataclass(frozen=True, slots=True)
class Edit:
    section: str


@dataclass(frozen=True, slots=True)
class Save:
    """At review: save the visit (the flow writes it; the state does not change)."""


VisitAction = ChooseLabel | Today | SetTube | Rate | Skip | Back | Edit | Save


@dataclass(frozen=True, slots=True)
class Refusal:
    """A typed value that is not accepted: the locale key and its arguments."""

    key: str
    args: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VisitState:
    position: str = LABEL
    label: str | None = None
    visit_date: date | None = None
    has_tube: bool | None = None
    items: Mapping[int, int] = field(default_factory=dict)
    alsfrs_skipped: bool = False
    fvc: int | None = None
    norris_total: int | None = None
    norris_bulbar: int | None = None
    norris_spinal: int | None = None
    back_to_review: bool = False

    @property
    def item5_variant(self) -> Item5Variant | None:
        if not self.items or self.has_tube is None:
            return None
        return Item5Variant.for_gastrostomy(self.has_tube)

    @property
    def total(self) -> int | None:
        return total(self.items)

    @property
    def complete(self) -> bool:
        """Ready to save: a visit, a date, and the ALSFRS either complete or skipped."""
        return (
            self.label is not None
            and self.visit_date is not None
            and (self.alsfrs_skipped or self.total is not None)
        )


def _next(state: VisitState, after: str, **changes: object) -> VisitState:
    """Move on from `after`: to review when editing from review (and the section is done)."""
    moved: VisitState = replace(state, **changes)  # type: ignore[arg-type]
    order = STEPS
    step = order[order.index(after) + 1]
    if after in _ITEM_STEPS and after != "10":
        return replace(moved, position=step)
    if after == TUBE:
        return replace(moved, position="1")
    if after == NORRIS and moved.norris_total is None:
        step = REVIEW
    if moved.back_to_review and after in (LABEL, DATE, "10", FVC, NORRIS_SPINAL):
        step = REVIEW
    if moved.back_to_review and after == NORRIS and moved.norris_total is None:
        step = REVIEW
    return replace(moved, position=step)


def apply(
    state: VisitState, action: VisitAction, *, labels: tuple[str, ...], today: date
) -> VisitState:
    """The next state after a button press, or a `VisitError`."""
    at = state.position
    match action:
        case ChooseLabel(index=index):
            if at != LABEL:
                raise StaleVisitAction(at)
            if not 0 <= index <= len(labels):
                raise InvalidVisitAction(f"no visit label {index}")
            chosen = UNSCHEDULED if index == len(labels) else labels[index]
            return _next(state, LABEL, label=chosen)
        case Today():
            if at != DATE:
                raise StaleVisitAction(at)
            return _next(state, DATE, visit_date=today)
        case SetTube(has_tube=has_tube):
            if at != TUBE:
                raise StaleVisitAction(at)
            items = dict(state.items)
            if state.has_tube is not None and state.has_tube != has_tube:
                items.pop(5, None)  # the other variant's answer does not carry over
            return _next(state, TUBE, has_tube=has_tube, items=items, alsfrs_skipped=False)
        case Rate(score=score):
            if at not in _ITEM_STEPS:
                raise StaleVisitAction(at)
            if score not in LEVELS:
                raise InvalidVisitAction(f"score {score}")
            items = {**state.items, int(at): score}
            return _next(state, at, items=items)
        case Skip():
            if at == TUBE:
                # The ALSFRS was not rated at this visit: no items, straight on to FVC.
                moved = replace(state, items={}, has_tube=None, alsfrs_skipped=True)
                return replace(moved, position=REVIEW if state.back_to_review else FVC)
            if at == FVC:
                return _next(state, FVC, fvc=None)
            if at == NORRIS:
                return _next(
                    state, NORRIS, norris_total=None, norris_bulbar=None, norris_spinal=None
                )
            if at == NORRIS_BULBAR:
                return _next(state, NORRIS_BULBAR, norris_bulbar=None)
            if at == NORRIS_SPINAL:
                return _next(state, NORRIS_SPINAL, norris_spinal=None)
            raise InvalidVisitAction(f"nothing to skip at {at}")
        case Back():
            return _back(state)
        case Save():
            if at != REVIEW:
                raise StaleVisitAction(at)
            if not state.complete:
                raise InvalidVisitAction("the visit is not complete")
            return state
        case Edit(section=section):
            if at != REVIEW:
                raise StaleVisitAction(at)
            if section not in SECTIONS:
                raise InvalidVisitAction(section)
            return replace(state, position=SECTIONS[section], back_to_review=True)
    raise InvalidVisitAction(repr(action))


def _back(state: VisitState) -> VisitState:
    at = state.position
    if at == LABEL:
        raise InvalidVisitAction("nothing before the visit label")
    if state.back_to_review and at in SECTIONS.values():
        return replace(state, position=REVIEW)
    if at == REVIEW:
        if state.norris_total is not None:
            return replace(state, position=NORRIS_SPINAL)
        return replace(state, position=NORRIS)
    if at == FVC:
        return replace(state, position=TUBE if state.alsfrs_skipped else "10")
    if at == "1":
        return replace(state, position=TUBE)
    index = STEPS.index(at)
    return replace(state, position=STEPS[index - 1])


# --- typed numbers ----------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """'2026-11-02', '2.11.2026' or '2. 11. 2026'; None when it is not a date."""
    cleaned = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            return date.fromisoformat(cleaned)
        found = re.fullmatch(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})", cleaned)
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        return None
    return None


def _whole_number(text: str) -> int | None:
    cleaned = text.strip().rstrip("%").strip()
    return int(cleaned) if re.fullmatch(r"\d{1,4}", cleaned) else None


def typed(
    state: VisitState, text: str, *, settings: VisitSettings, today: date
) -> VisitState | Refusal:
    """A typed answer at a step that takes one (date, FVC, Norris): the next state, or why not."""
    at = state.position
    if at not in TYPED_STEPS:
        return Refusal("visit-tap-please")
    if at == DATE:
        when = parse_date(text)
        if when is None:
            return Refusal("visit-date-invalid")
        if when > today:
            return Refusal("visit-date-future")
        return _next(state, DATE, visit_date=when)
    number = _whole_number(text)
    limits = {
        FVC: settings.fvc_max,
        NORRIS: settings.norris.total_max,
        NORRIS_BULBAR: settings.norris.bulbar_max,
        NORRIS_SPINAL: settings.norris.spinal_max,
    }
    top = limits[at]
    if number is None or not 0 <= number <= top:
        return Refusal(f"visit-{at.replace('_', '-')}-range", {"max": top})
    field_name = {
        FVC: "fvc",
        NORRIS: "norris_total",
        NORRIS_BULBAR: "norris_bulbar",
        NORRIS_SPINAL: "norris_spinal",
    }[at]
    return _next(state, at, **{field_name: number})


# --- persistence of a draft -------------------------------------------------------------------


def dumps(state: VisitState) -> str:
    return json.dumps(
        {
            "position": state.position,
            "label": state.label,
            "date": None if state.visit_date is None else state.visit_date.isoformat(),
            "has_tube": state.has_tube,
            "items": {str(k): v for k, v in state.items.items()},
            "alsfrs_skipped": state.alsfrs_skipped,
            "fvc": state.fvc,
            "norris_total": state.norris_total,
            "norris_bulbar": state.norris_bulbar,
            "norris_spinal": state.norris_spinal,
            "back_to_review": state.back_to_review,
        },
        sort_keys=True,
    )


def loads(text: str) -> VisitState:
    data = json.loads(text or "{}")
    if not data:
        return VisitState()
    return VisitState(
        position=str(data["position"]),
        label=data["label"],
        visit_date=None if data["date"] is None else date.fromisoformat(data["date"]),
        has_tube=data["has_tube"],
        items={int(k): int(v) for k, v in data["items"].items()},
        alsfrs_skipped=bool(data["alsfrs_skipped"]),
        fvc=data["fvc"],
        norris_total=data["norris_total"],
        norris_bulbar=data["norris_bulbar"],
        norris_spinal=data["norris_spinal"],
        back_to_review=bool(data["back_to_review"]),
    )


# --- the FVC rule -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FvcSignal:
    """The FVC rule fired: `low` (below the threshold) or `fall` (since the previous visit)."""

    kind: Literal["low", "fall"]
    urgent: bool
    message_key: str
    message_args: Mapping[str, str | int]


def fvc_signals(
    new: tuple[date, int], previous: tuple[date, int] | None, rule: FvcRule
) -> list[FvcSignal]:
    """The FVC rule for a visit's FVC % (`new`: date and value) against the previous visit that
    had one. Below the threshold fires only when the previous FVC was not already below it (a
    standing condition does not alert twice); a fall of `min_fall` points or more always fires.
    """
    if not rule.enabled:
        return []
    when, value = new
    args: dict[str, str | int] = {"new_fvc": value, "new_date": when.isoformat()}
    signals: list[FvcSignal] = []
    if previous is not None:
        before_date, before = previous
        args |= {"old_fvc": before, "old_date": before_date.isoformat()}
        if before - value >= rule.min_fall:
            signals.append(
                FvcSignal("fall", rule.urgent, "decline-fvc-fall", {**args, "fall": before - value})
            )
    already_low = previous is not None and previous[1] < rule.below
    if value < rule.below and not already_low:
        signals.append(
            FvcSignal("low", rule.urgent, "decline-fvc-low", {**args, "limit": rule.below})
        )
    return signals
