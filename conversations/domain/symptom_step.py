"""The adverse-symptom question as a pure step: choose any number of symptoms from the list,
grade each 1-3, describe "something else" in a few words, or answer "None" with one tap.

Used at the end of every assessment (before review) and on its own with /symptoms. No Telegram
and no SQL. Positions: LIST (the question with the symptom buttons), `sev:<id>` (the severity
question for one symptom), OTHER_TEXT (waiting for the free-text description), DONE.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final

from conversations.domain.symptoms import CATALOGUE, OTHER, SYMPTOMS, Report, visible

__all__ = [
    "DONE",
    "LIST",
    "OTHER_TEXT",
    "Describe",
    "Finish",
    "Grade",
    "NoSymptoms",
    "Pick",
    "StepError",
    "SymptomAction",
    "SymptomState",
    "Unpick",
    "back",
    "dumps",
    "loads",
    "reports",
    "step",
]

LIST: Final = "list"
OTHER_TEXT: Final = "other"
DONE: Final = "done"


class StepError(ValueError):
    """An action that does not fit the current position (a stale or forged button)."""


@dataclass(frozen=True, slots=True)
class Pick:
    """Open the severity question of a symptom (or the description, for "something else")."""

    index: int  # position in CATALOGUE


@dataclass(frozen=True, slots=True)
class Grade:
    severity: int


@dataclass(frozen=True, slots=True)
class Unpick:
    """Remove the symptom whose severity question is shown."""


@dataclass(frozen=True, slots=True)
class Describe:
    text: str


@dataclass(frozen=True, slots=True)
class NoSymptoms:
    pass


@dataclass(frozen=True, slots=True)
class Finish:
    pass


SymptomAction = Pick | Grade | Unpick | Describe | NoSymptoms | Finish


def _frozen(chosen: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(chosen))


@dataclass(frozen=True, slots=True)
class SymptomState:
    chosen: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    other_text: str | None = None
    position: str = LIST

    @property
    def done(self) -> bool:
        return self.position == DONE

    @property
    def grading(self) -> str | None:
        """The symptom whose severity question is shown, if any."""
        return self.position[4:] if self.position.startswith("sev:") else None


def step(state: SymptomState, action: SymptomAction, *, max_text: int = 500) -> SymptomState:
    """The next state, or StepError with the state unchanged."""
    if state.done:
        raise StepError("the symptom question was already answered")
    match action:
        case Pick(index=index):
            if state.position != LIST or not 0 <= index < len(CATALOGUE):
                raise StepError("no such symptom button here")
            entry = CATALOGUE[index]
            if entry.free_text and not state.other_text:
                return replace(state, position=OTHER_TEXT)
            return replace(state, position=f"sev:{entry.id}")
        case Grade(severity=severity):
            grading = state.grading
            if grading is None or severity not in (1, 2, 3):
                raise StepError("no severity question here")
            return replace(
                state, chosen=_frozen({**state.chosen, grading: severity}), position=LIST
            )
        case Unpick():
            grading = state.grading
            if grading is None:
                raise StepError("no symptom to remove here")
            kept = {k: v for k, v in state.chosen.items() if k != grading}
            other = None if grading == OTHER else state.other_text
            return replace(state, chosen=_frozen(kept), other_text=other, position=LIST)
        case Describe(text=text):
            if state.position != OTHER_TEXT:
                raise StepError("no description was asked for")
            cleaned = " ".join(text.split())
            if not visible(cleaned) or len(cleaned) > max_text:
                raise StepError("the description is empty or too long")
            return replace(state, other_text=cleaned, position=f"sev:{OTHER}")
        case NoSymptoms():
            if state.position != LIST:
                raise StepError("'None' is on the list")
            return SymptomState(position=DONE)
        case Finish():
            if state.position != LIST:
                raise StepError("'Done' is on the list")
            return replace(state, position=DONE)
    raise StepError(f"unknown action {action!r}")


def back(state: SymptomState) -> SymptomState | None:
    """Back from a severity or description question returns to the list; from the list there
    is nothing before (None: the caller decides where Back goes)."""
    if state.position in (LIST, DONE):
        return None
    if state.position == OTHER_TEXT or state.grading is not None:
        return replace(state, position=LIST)
    return None


def reports(state: SymptomState) -> list[Report]:
    """The chosen symptoms as reports, in the catalogue's order."""
    out = []
    for entry in CATALOGUE:
        if entry.id in state.chosen:
            text = state.other_text if entry.id == OTHER else None
            out.append(Report(entry.id, state.chosen[entry.id], text))
    return out


assert set(SYMPTOMS) == {entry.id for entry in CATALOGUE}


def dumps(state: SymptomState) -> str:
    """The state as stored with an assessment or a report in progress (JSON)."""
    return json.dumps(
        {"chosen": dict(state.chosen), "other_text": state.other_text, "position": state.position},
        sort_keys=True,
        ensure_ascii=False,
    )


def loads(text: str | None) -> SymptomState:
    """The state from its stored JSON; an empty or missing text is a fresh question."""
    data = json.loads(text or "{}")
    if not data:
        return SymptomState()
    return SymptomState(
        chosen={str(k): int(v) for k, v in data.get("chosen", {}).items()},
        other_text=data.get("other_text"),
        position=str(data.get("position", LIST)),
    )
