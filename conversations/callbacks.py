"""Callback data: what a button carries, encoded compactly (always under Telegram's 64 bytes)
and parsed as untrusted input. Anything that does not parse exactly is `None`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from conversations.domain.assessment import (
    Action,
    Answer,
    AskTube,
    Back,
    Edit,
    SetTube,
    Submit,
    Symptoms,
)
from conversations.domain.symptom_step import Finish, Grade, NoSymptoms, Pick, SymptomAction, Unpick

__all__ = [
    "AssessmentPress",
    "LanguagePress",
    "MenuPress",
    "PagePress",
    "Press",
    "ReportPress",
    "encode_action",
    "encode_language",
    "encode_menu",
    "encode_page",
    "encode_report",
    "parse",
]

_SYMPTOM_OPS: Final = r"y(?:10|[0-9])|v[1-3]|u|n|d"
_ASSESSMENT: Final = re.compile(
    rf"^a:(\d{{1,12}}):(\d{{1,9}}):(s[0-4]|b|t[01]|T|e(?:10|[1-9])|S|{_SYMPTOM_OPS})$"
)
_REPORT: Final = re.compile(rf"^r:(\d{{1,12}}):(\d{{1,9}}):(b|{_SYMPTOM_OPS})$")
_MENU: Final = re.compile(r"^m:(assess|history|symptoms|join|leave)(?::(\d{1,12}))?$")
_LANGUAGE: Final = re.compile(r"^l:(en|cs)$")
_PAGE: Final = re.compile(r"^pg:(\d{1,6})$")


@dataclass(frozen=True, slots=True)
class AssessmentPress:
    assessment_id: int
    revision: int
    action: Action


@dataclass(frozen=True, slots=True)
class ReportPress:
    """A button of a symptom report made with /symptoms; Back is `action=None`."""

    report_id: int
    revision: int
    action: SymptomAction | None


@dataclass(frozen=True, slots=True)
class MenuPress:
    what: str
    target: int | None = None  # a participant id (assess, history) or an assessment id (join)


@dataclass(frozen=True, slots=True)
class LanguagePress:
    language: str


@dataclass(frozen=True, slots=True)
class PagePress:
    """Staff: a page of the participant list."""

    page: int


Press = AssessmentPress | ReportPress | MenuPress | LanguagePress | PagePress


def _symptom_op(action: SymptomAction) -> str:
    match action:
        case Pick(index=index):
            return f"y{index}"
        case Grade(severity=severity):
            return f"v{severity}"
        case Unpick():
            return "u"
        case NoSymptoms():
            return "n"
        case Finish():
            return "d"
    raise ValueError(f"{action!r} has no button")


def encode_report(report_id: int, revision: int, action: SymptomAction | None) -> str:
    op = "b" if action is None else _symptom_op(action)
    return f"r:{report_id}:{revision}:{op}"


def encode_action(assessment_id: int, revision: int, action: Action) -> str:
    match action:
        case Symptoms(action=inner):
            op = _symptom_op(inner)
        case Answer(score=score):
            op = f"s{score}"
        case Back():
            op = "b"
        case SetTube(has_tube=has_tube):
            op = f"t{int(has_tube)}"
        case AskTube():
            op = "T"
        case Edit(number=number):
            op = f"e{number}"
        case Submit():
            op = "S"
    return f"a:{assessment_id}:{revision}:{op}"


def encode_menu(what: str, target: int | None = None) -> str:
    return f"m:{what}" if target is None else f"m:{what}:{target}"


def encode_page(page: int) -> str:
    return f"pg:{page}"


def encode_language(language: str) -> str:
    return f"l:{language}"


def _symptom_action(op: str) -> SymptomAction | None:
    kind, arg = op[0], op[1:]
    if kind == "y":
        return Pick(int(arg))
    if kind == "v":
        return Grade(int(arg))
    if kind == "u":
        return Unpick()
    if kind == "n":
        return NoSymptoms()
    if kind == "d":
        return Finish()
    return None


def _action(op: str) -> Action:
    inner = _symptom_action(op)
    if inner is not None:
        return Symptoms(inner)
    kind, arg = op[0], op[1:]
    if kind == "s":
        return Answer(int(arg))
    if kind == "b":
        return Back()
    if kind == "t":
        return SetTube(arg == "1")
    if kind == "T":
        return AskTube()
    if kind == "e":
        return Edit(int(arg))
    return Submit()


def parse(data: str | None) -> Press | None:
    if not data or len(data.encode()) > 64:
        return None
    if match := _ASSESSMENT.fullmatch(data):
        return AssessmentPress(int(match.group(1)), int(match.group(2)), _action(match.group(3)))
    if match := _REPORT.fullmatch(data):
        op = match.group(3)
        return ReportPress(
            int(match.group(1)), int(match.group(2)), None if op == "b" else _symptom_action(op)
        )
    if match := _MENU.fullmatch(data):
        target = match.group(2)
        return MenuPress(match.group(1), None if target is None else int(target))
    if match := _LANGUAGE.fullmatch(data):
        return LanguagePress(match.group(1))
    if match := _PAGE.fullmatch(data):
        return PagePress(int(match.group(1)))
    return None
