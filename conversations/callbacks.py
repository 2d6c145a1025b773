"""Callback data: what a button carries, encoded compactly (always under Telegram's 64 bytes)
and parsed as untrusted input. Anything that does not parse exactly is `None`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from conversations.assessment import Action, Answer, AskTube, Back, Edit, SetTube, Submit

__all__ = [
    "AssessmentPress",
    "LanguagePress",
    "MenuPress",
    "PagePress",
    "Press",
    "encode_action",
    "encode_language",
    "encode_menu",
    "encode_page",
    "parse",
]

_ASSESSMENT: Final = re.compile(r"^a:(\d{1,12}):(\d{1,9}):(s[0-4]|b|t[01]|T|e(?:10|[1-9])|S)$")
_MENU: Final = re.compile(r"^m:(assess|history|join|leave)(?::(\d{1,12}))?$")
_LANGUAGE: Final = re.compile(r"^l:(en|cs)$")
_PAGE: Final = re.compile(r"^pg:(\d{1,6})$")


@dataclass(frozen=True, slots=True)
class AssessmentPress:
    assessment_id: int
    revision: int
    action: Action


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


Press = AssessmentPress | MenuPress | LanguagePress | PagePress


def encode_action(assessment_id: int, revision: int, action: Action) -> str:
    match action:
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


def _action(op: str) -> Action:
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
    if match := _MENU.fullmatch(data):
        target = match.group(2)
        return MenuPress(match.group(1), None if target is None else int(target))
    if match := _LANGUAGE.fullmatch(data):
        return LanguagePress(match.group(1))
    if match := _PAGE.fullmatch(data):
        return PagePress(int(match.group(1)))
    return None
