"""Callback data: every button's data, all kinds, encoded compactly (always under Telegram's 64
bytes) and parsed as untrusted input. Anything that does not parse exactly is `None`.

One registry (`KINDS`): each kind of button has its own prefix before the first ":" and one
anchored pattern, so the kinds are disjoint by construction: a press reaches exactly one handler
whatever the order they are registered in (`conversations.handlers.register` routes each kind by
its pattern). Adding a button means adding a kind here, with its encode and its parse.

    a:<assessment>:<revision>:<op>   a press in an assessment (op: s0-s4, b, t0/t1, T, e1-e10,
                                     S, and the symptom step's y0-y10, v1-v3, u, n, d)
    r:<report>:<revision>:<op>       a press in a /symptoms report (b, or a symptom op)
    m:<what>[:<target>]              menu: assess, history, symptoms, join, leave
    l:<en|cs>                        language
    pg:<page>                        staff: a page of the participant list
    ack:<alert>                      staff: acknowledge a delivered alert
    alk|alo:<alert>:<page>           staff, in /alerts: acknowledge, or open, one alert
    alp:<page>                       staff: a page of /alerts
    aa:<scope>:<id>:<act>[:<page>]   staff: acknowledge with what was done (act: c called, v visit
                                     arranged, n no action, o other); scope a: one alert from its
                                     copy, l: one alert in /alerts (with page), p: every open
                                     alert of participant <id>
    rt:<participant>[:<HHMM>]        /time: show the choices, or pick one
    v:<visit>:<revision>:<op>        staff, a clinic visit (op: l0-l20 label, d today, t0/t1,
                                     s0-s4, k skip, b back, e<section>, S save)
    ag:<participant>                 start another assessment on a day that has one already
    pn:<link>:<a|d>                  the privacy notice for one link: agree, or decline
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Final

from conversations.domain import visit as visit_steps
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
from conversations.domain.symptom_step import (
    Finish,
    Grade,
    NoSymptoms,
    Pick,
    SymptomAction,
    Unpick,
)

__all__ = [
    "ACK_ACTIONS",
    "KINDS",
    "AckPress",
    "AgainPress",
    "AlertPress",
    "AssessmentPress",
    "ConsentPress",
    "Kind",
    "LanguagePress",
    "MenuPress",
    "PagePress",
    "Press",
    "ReportPress",
    "TimePress",
    "VisitPress",
    "encode",
    "encode_ack",
    "encode_action",
    "encode_again",
    "encode_alert",
    "encode_consent",
    "encode_language",
    "encode_menu",
    "encode_page",
    "encode_report",
    "encode_time",
    "encode_visit",
    "kind_of",
    "parse",
]

_SYMPTOM_OPS: Final = r"y(?:10|[0-9])|v[1-3]|u|n|d"


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


@dataclass(frozen=True, slots=True)
class AlertPress:
    """Staff: `what` is ack (a delivered copy), alk (acknowledge in /alerts), alo (open one in
    /alerts) or alp (a page of /alerts); `page` is the /alerts page to return to."""

    what: str
    alert_id: int | None
    page: int = 0


@dataclass(frozen=True, slots=True)
class AckPress:
    """Staff: acknowledge with an action. `scope` a (one alert, on its copy), l (one alert, in
    /alerts, returning to `page`) or p (every open alert of participant `target` up to alert
    `upto`, the newest the staff member was shown: one raised later is not acknowledged unseen)."""

    scope: str
    target: int
    action: str
    page: int = 0
    upto: int = 0


ACK_ACTIONS: Final = {"c": "called", "v": "visit", "n": "none", "o": "other"}


@dataclass(frozen=True, slots=True)
class TimePress:
    """/time: show the choices for a participant (`choice` None), or pick one."""

    participant_id: int
    choice: time | None = None


@dataclass(frozen=True, slots=True)
class VisitPress:
    """Staff: a button of a clinic visit being entered."""

    visit_id: int
    revision: int
    action: visit_steps.VisitAction


@dataclass(frozen=True, slots=True)
class AgainPress:
    """Start another assessment for this participant although one was submitted today."""

    participant_id: int


@dataclass(frozen=True, slots=True)
class ConsentPress:
    """Agree to (True) or decline (False) the privacy notice for one of the account's links."""

    link_id: int
    agreed: bool


Press = (
    AssessmentPress
    | ReportPress
    | MenuPress
    | LanguagePress
    | PagePress
    | AlertPress
    | AckPress
    | TimePress
    | VisitPress
    | AgainPress
    | ConsentPress
)

_VISIT_SECTIONS: Final = {"l": "label", "d": "date", "a": "alsfrs", "f": "fvc", "n": "norris"}


def _visit_op(action: visit_steps.VisitAction) -> str:
    match action:
        case visit_steps.ChooseLabel(index=index):
            return f"l{index}"
        case visit_steps.Today():
            return "d"
        case visit_steps.SetTube(has_tube=has_tube):
            return f"t{int(has_tube)}"
        case visit_steps.Rate(score=score):
            return f"s{score}"
        case visit_steps.Skip():
            return "k"
        case visit_steps.Back():
            return "b"
        case visit_steps.Edit(section=section):
            return "e" + next(k for k, v in _VISIT_SECTIONS.items() if v == section)
        case visit_steps.Save():
            return "S"
    raise ValueError(f"{action!r} has no button")


def _visit_action(op: str) -> visit_steps.VisitAction:
    kind, arg = op[0], op[1:]
    if kind == "l":
        return visit_steps.ChooseLabel(int(arg))
    if kind == "d":
        return visit_steps.Today()
    if kind == "t":
        return visit_steps.SetTube(arg == "1")
    if kind == "s":
        return visit_steps.Rate(int(arg))
    if kind == "k":
        return visit_steps.Skip()
    if kind == "b":
        return visit_steps.Back()
    if kind == "e":
        return visit_steps.Edit(_VISIT_SECTIONS[arg])
    return visit_steps.Save()


def encode_visit(visit_id: int, revision: int, action: visit_steps.VisitAction) -> str:
    return f"v:{visit_id}:{revision}:{_visit_op(action)}"


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


def encode_alert(what: str, alert_id: int | None = None, page: int = 0) -> str:
    return encode(AlertPress(what, alert_id, page))


def encode_time(participant_id: int, choice: time | None = None) -> str:
    return encode(TimePress(participant_id, choice))


def encode_again(participant_id: int) -> str:
    return encode(AgainPress(participant_id))


def encode_consent(link_id: int, *, agreed: bool) -> str:
    return encode(ConsentPress(link_id, agreed))


def encode(press: Press) -> str:
    """The callback data of any press."""
    match press:
        case AssessmentPress(assessment_id=aid, revision=rev, action=action):
            return encode_action(aid, rev, action)
        case ReportPress(report_id=rid, revision=rev, action=action):
            return encode_report(rid, rev, action)
        case MenuPress(what=what, target=target):
            return encode_menu(what, target)
        case LanguagePress(language=language):
            return encode_language(language)
        case PagePress(page=page):
            return encode_page(page)
        case AlertPress(what="alp", page=page):
            return f"alp:{page}"
        case AlertPress(what="ack", alert_id=alert_id):
            return f"ack:{alert_id}"
        case AlertPress(what=what, alert_id=alert_id, page=page):
            return f"{what}:{alert_id}:{page}"
        case AckPress(scope="l", target=target, action=action, page=page):
            return f"aa:l:{target}:{action}:{page}"
        case AckPress(scope="p", target=target, action=action, upto=upto):
            return f"aa:p:{target}:{action}:{upto}"
        case AckPress(scope=scope, target=target, action=action):
            return f"aa:{scope}:{target}:{action}"
        case TimePress(participant_id=pid, choice=None):
            return f"rt:{pid}"
        case TimePress(participant_id=pid, choice=choice):
            assert choice is not None
            return f"rt:{pid}:{choice.strftime('%H%M')}"
        case VisitPress(visit_id=vid, revision=rev, action=action):
            return encode_visit(vid, rev, action)
        case AgainPress(participant_id=pid):
            return f"ag:{pid}"
        case ConsentPress(link_id=link_id, agreed=agreed):
            return f"pn:{link_id}:{'a' if agreed else 'd'}"
    raise ValueError(f"{press!r} has no callback data")


# --- parsing: one anchored pattern per kind ------------------------------------------------


def _assessment(m: re.Match[str]) -> Press:
    return AssessmentPress(int(m[1]), int(m[2]), _action(m[3]))


def _report(m: re.Match[str]) -> Press:
    return ReportPress(int(m[1]), int(m[2]), None if m[3] == "b" else _symptom_action(m[3]))


def _menu(m: re.Match[str]) -> Press:
    return MenuPress(m[1], None if m[2] is None else int(m[2]))


def _alert(m: re.Match[str]) -> Press | None:
    what, first, second = m[1], int(m[2]), m[3]
    if what == "ack" and second is None:
        return AlertPress("ack", first, 0)
    if what in ("alk", "alo") and second is not None:
        return AlertPress(what, first, int(second))
    if what == "alp" and second is None and first < 1_000_000:
        return AlertPress("alp", None, first)
    return None


def _ack(m: re.Match[str]) -> Press | None:
    scope, target, action, extra = m[1], int(m[2]), m[3], m[4]
    if (scope == "a") != (extra is None):
        return None
    if scope == "l":
        return None if int(extra) >= 1_000_000 else AckPress(scope, target, action, int(extra))
    if scope == "p":
        return AckPress(scope, target, action, upto=int(extra))
    return AckPress(scope, target, action)


def encode_ack(scope: str, target: int, action: str, page: int = 0, upto: int = 0) -> str:
    return encode(AckPress(scope, target, action, page, upto))


def _time(m: re.Match[str]) -> Press:
    choice = None if m[2] is None else time(int(m[2]), int(m[3]))
    return TimePress(int(m[1]), choice)


def _visit(m: re.Match[str]) -> Press:
    return VisitPress(int(m[1]), int(m[2]), _visit_action(m[3]))


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of button: its prefix (before the first ":"), its anchored pattern, its press."""

    name: str
    prefixes: tuple[str, ...]
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str]], Press | None]
    press_type: type

    def parse(self, data: str) -> Press | None:
        found = self.pattern.fullmatch(data)
        return None if found is None else self.build(found)


KINDS: Final[tuple[Kind, ...]] = (
    Kind(
        "assessment",
        ("a",),
        re.compile(
            rf"a:(\d{{1,12}}):(\d{{1,9}}):(s[0-4]|b|t[01]|T|e(?:10|[1-9])|S|{_SYMPTOM_OPS})"
        ),
        _assessment,
        AssessmentPress,
    ),
    Kind(
        "report",
        ("r",),
        re.compile(rf"r:(\d{{1,12}}):(\d{{1,9}}):(b|{_SYMPTOM_OPS})"),
        _report,
        ReportPress,
    ),
    Kind(
        "menu",
        ("m",),
        re.compile(r"m:(assess|history|symptoms|join|leave)(?::(\d{1,12}))?"),
        _menu,
        MenuPress,
    ),
    Kind(
        "language", ("l",), re.compile(r"l:(en|cs)"), lambda m: LanguagePress(m[1]), LanguagePress
    ),
    Kind("page", ("pg",), re.compile(r"pg:(\d{1,6})"), lambda m: PagePress(int(m[1])), PagePress),
    Kind(
        "alert",
        ("ack", "alk", "alo", "alp"),
        re.compile(r"(ack|alk|alo|alp):(\d{1,12})(?::(\d{1,6}))?"),
        _alert,
        AlertPress,
    ),
    Kind(
        "ack",
        ("aa",),
        re.compile(r"aa:([alp]):(\d{1,12}):([cvno])(?::(\d{1,12}))?"),
        _ack,
        AckPress,
    ),
    Kind(
        "time",
        ("rt",),
        re.compile(r"rt:(\d{1,12})(?::([01]\d|2[0-3])([0-5]\d))?"),
        _time,
        TimePress,
    ),
    Kind(
        "visit",
        ("v",),
        re.compile(r"v:(\d{1,12}):(\d{1,9}):(l(?:1[0-9]|20|[0-9])|d|t[01]|s[0-4]|k|b|e[ldafn]|S)"),
        _visit,
        VisitPress,
    ),
    Kind(
        "again",
        ("ag",),
        re.compile(r"ag:(\d{1,12})"),
        lambda m: AgainPress(int(m[1])),
        AgainPress,
    ),
    Kind(
        "consent",
        ("pn",),
        re.compile(r"pn:(\d{1,12}):([ad])"),
        lambda m: ConsentPress(int(m[1]), m[2] == "a"),
        ConsentPress,
    ),
)
_BY_PREFIX: Final = {prefix: kind for kind in KINDS for prefix in kind.prefixes}
_BY_TYPE: Final = {kind.press_type: kind for kind in KINDS}


def kind_of(press: Press) -> Kind:
    return _BY_TYPE[type(press)]


def parse(data: str | None) -> Press | None:
    """Untrusted callback data to a press, or None when it is not exactly one of ours."""
    if not data or len(data.encode()) > 64:
        return None
    kind = _BY_PREFIX.get(data.split(":", 1)[0])
    return None if kind is None else kind.parse(data)
