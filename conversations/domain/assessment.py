"""One ALSFRS assessment as a pure state machine: answer, go back, fix the feeding-tube answer,
change an answer at review, submit, resume. No Telegram and no SQL: every transition is a pure
function from a state and an action to the next state, or an `AssessmentError`.

Steps, in order: items 1-4, the feeding-tube question (only when the tube status is not known),
item 5 in the variant that status gives, items 6-10, the adverse-symptom question
(`conversations.domain.symptom_step`; answered once, its report goes to staff at once), then review.
After submit nothing changes.

    AssessmentError
     ├── StaleAction     the action was meant for another step (an old button, a replay)
     ├── AlreadySubmitted
     └── InvalidAction   an action that makes no sense at this step (a forged button)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from conversations.domain import symptom_step
from conversations.domain.instrument import ITEM_NUMBERS, LEVELS, Item5Variant, total
from conversations.domain.symptom_step import SymptomAction, SymptomState

__all__ = [
    "REVIEW",
    "STEPS",
    "SYMPTOMS",
    "TUBE",
    "Action",
    "AlreadySubmitted",
    "Answer",
    "AskTube",
    "AssessmentError",
    "AssessmentState",
    "Back",
    "Edit",
    "InvalidAction",
    "SetTube",
    "StaleAction",
    "Status",
    "Submit",
    "Symptoms",
    "apply",
    "new_assessment",
    "resume",
]

TUBE: Final = "tube"
SYMPTOMS: Final = "symptoms"
REVIEW: Final = "review"
STEPS: Final[tuple[str, ...]] = ("1", "2", "3", "4", TUBE, "5", "6", "7", "8", "9", "10", SYMPTOMS)


class Status(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class AssessmentError(Exception):
    """An action that cannot be applied; the state is unchanged."""


class StaleAction(AssessmentError):
    """The action belongs to a step that is no longer shown."""


class AlreadySubmitted(AssessmentError):
    """The assessment was submitted; it never changes afterwards."""


class InvalidAction(AssessmentError):
    """The action is not one this step offers."""


@dataclass(frozen=True, slots=True)
class Answer:
    score: int


@dataclass(frozen=True, slots=True)
class Back:
    pass


@dataclass(frozen=True, slots=True)
class SetTube:
    has_tube: bool


@dataclass(frozen=True, slots=True)
class AskTube:
    """From item 5: correct the remembered feeding-tube answer."""


@dataclass(frozen=True, slots=True)
class Edit:
    """From review: change the answer to one item."""

    number: int


@dataclass(frozen=True, slots=True)
class Submit:
    pass


@dataclass(frozen=True, slots=True)
class Symptoms:
    """An action of the adverse-symptom question."""

    action: SymptomAction


Action = Answer | Back | SetTube | AskTube | Edit | Submit | Symptoms


def _frozen(scores: Mapping[int, int]) -> Mapping[int, int]:
    return MappingProxyType(dict(scores))


@dataclass(frozen=True, slots=True)
class AssessmentState:
    """Everything that decides what the respondent sees next."""

    answers: Mapping[int, int] = field(default_factory=lambda: _frozen({}))
    has_tube: bool | None = None
    position: str = "1"
    back_to_review: bool = False
    status: Status = Status.IN_PROGRESS
    symptoms: SymptomState = field(default_factory=SymptomState)

    @property
    def item5_variant(self) -> Item5Variant | None:
        if 5 not in self.answers or self.has_tube is None:
            return None
        return Item5Variant.for_gastrostomy(self.has_tube)

    @property
    def total(self) -> int | None:
        return total(self.answers)

    @property
    def complete(self) -> bool:
        return self.total is not None

    @property
    def item_number(self) -> int | None:
        """The item shown now, or None on the tube question and at review."""
        return int(self.position) if self.position.isdigit() else None

    @property
    def answered_count(self) -> int:
        return len(self.answers)


def new_assessment(has_tube: bool | None) -> AssessmentState:
    """A fresh assessment; `has_tube` is what was remembered from the last one (or None)."""
    return AssessmentState(has_tube=has_tube)


def _first_open_step(state: AssessmentState) -> str:
    for number in ITEM_NUMBERS:
        if number not in state.answers:
            if number == 5 and state.has_tube is None:
                return TUBE
            return str(number)
    return REVIEW if state.symptoms.done else SYMPTOMS


def resume(state: AssessmentState) -> AssessmentState:
    """Where a respondent continues after a pause or a restart: the first unanswered step."""
    if state.status is Status.SUBMITTED:
        return state
    return replace(state, position=_first_open_step(state), back_to_review=False)


def _next_step(state: AssessmentState, after: str) -> str:
    if state.back_to_review:
        # Changing one answer from review goes back to review, unless that change left an
        # item open (a new tube status asks item 5 again).
        return _first_open_step(state)
    index = STEPS.index(after) + 1
    while index < len(STEPS):
        step = STEPS[index]
        if (step == TUBE and state.has_tube is not None) or (
            step == SYMPTOMS and state.symptoms.done
        ):
            index += 1
            continue
        return step
    return REVIEW if state.complete and state.symptoms.done else _first_open_step(state)


def _previous_step(state: AssessmentState) -> str:
    if state.back_to_review:
        return REVIEW if state.complete else _first_open_step(state)
    if state.position == REVIEW:
        return "10"
    if state.position == SYMPTOMS:
        return "10"
    index = STEPS.index(state.position) - 1
    if index < 0:
        raise InvalidAction("there is no step before the first item")
    step = STEPS[index]
    if step == TUBE:
        # The tube answer is corrected from item 5 with its own button; Back skips it.
        step = "4"
    return step


def apply(state: AssessmentState, action: Action, *, max_text: int = 500) -> AssessmentState:
    """The state after `action`, or an AssessmentError with the state unchanged. `max_text` is
    the study's limit for the "something else" description."""
    if state.status is Status.SUBMITTED:
        raise AlreadySubmitted("the assessment was submitted")
    position = state.position
    match action:
        case Answer(score=score):
            number = state.item_number
            if number is None:
                raise InvalidAction(f"no item to answer at {position}")
            if score not in LEVELS:
                raise InvalidAction(f"score {score} is not a level")
            if number == 5 and state.has_tube is None:
                raise InvalidAction("item 5 needs the tube status first")
            answered = replace(state, answers=_frozen({**state.answers, number: score}))
            nxt = _next_step(answered, position)
            return replace(
                answered, position=nxt, back_to_review=answered.back_to_review and nxt != REVIEW
            )
        case SetTube(has_tube=has_tube):
            if position != TUBE:
                raise InvalidAction("the tube question is not shown")
            answers = dict(state.answers)
            if state.has_tube is not None and state.has_tube != has_tube:
                # Item 5 was answered in the other variant: that answer no longer applies.
                answers.pop(5, None)
            return replace(state, has_tube=has_tube, answers=_frozen(answers), position="5")
        case AskTube():
            if position != "5":
                raise InvalidAction("the tube answer is changed from item 5")
            return replace(state, position=TUBE)
        case Back():
            if position == SYMPTOMS:
                inner = symptom_step.back(state.symptoms)
                if inner is not None:
                    return replace(state, symptoms=inner)
            return replace(
                state,
                position=_previous_step(state),
                back_to_review=False,
            )
        case Symptoms(action=inner_action):
            if position != SYMPTOMS:
                raise InvalidAction("the symptom question is not shown")
            try:
                inner_state = symptom_step.step(state.symptoms, inner_action, max_text=max_text)
            except symptom_step.StepError as exc:
                raise InvalidAction(str(exc)) from exc
            moved = replace(state, symptoms=inner_state)
            if inner_state.done:
                return replace(moved, position=_first_open_step(moved), back_to_review=False)
            return moved
        case Edit(number=number):
            if position != REVIEW:
                raise InvalidAction("answers are changed from review")
            if number not in ITEM_NUMBERS:
                raise InvalidAction(f"no item {number}")
            return replace(state, position=str(number), back_to_review=True)
        case Submit():
            if position != REVIEW or not state.complete or not state.symptoms.done:
                raise InvalidAction("only a complete assessment at review can be submitted")
            return replace(state, status=Status.SUBMITTED)
    raise InvalidAction(f"unknown action {action!r}")
