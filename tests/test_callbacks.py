"""Callback data is untrusted: only exact, known shapes parse, and all fit in 64 bytes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from telegram import CallbackQuery, Chat, Message, MessageEntity, Update, User
from telegram.ext import Application, CallbackQueryHandler, MessageHandler

from conversations.callbacks import (
    KINDS,
    AckPress,
    AgainPress,
    AlertPress,
    AssessmentPress,
    ConsentPress,
    LanguagePress,
    MenuPress,
    PagePress,
    Press,
    ReportPress,
    TimePress,
    VisitPress,
    encode,
    encode_action,
    encode_language,
    encode_menu,
    kind_of,
    parse,
)
from conversations.context import CONTEXT_TYPES
from conversations.domain import visit as v
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
from conversations.handlers import COMMANDS, PRESSES, register

ACTIONS: list[Action] = [
    Answer(0),
    Answer(4),
    Back(),
    SetTube(True),
    SetTube(False),
    AskTube(),
    Edit(1),
    Edit(10),
    Submit(),
]


@pytest.mark.parametrize("action", ACTIONS)
def test_round_trip_within_telegram_limit(action: object) -> None:
    data = encode_action(999_999_999_999, 999_999_999, action)  # type: ignore[arg-type]
    assert len(data.encode()) <= 64
    assert parse(data) == AssessmentPress(999_999_999_999, 999_999_999, action)  # type: ignore[arg-type]


def test_menu_and_language() -> None:
    assert parse(encode_menu("assess")) == MenuPress("assess")
    assert parse(encode_language("cs")) == LanguagePress("cs")


@pytest.mark.parametrize(
    "forged",
    [
        "",
        None,
        "a:1:1:s5",
        "a:1:1:s-1",
        "a:x:1:s1",
        "a:1:1:e11",
        "a:1:1:e0",
        "a:1:1:S ",
        "a:1:1:t2",
        "l:de",
        "m:drop",
        "a:1:1:s1:extra",
        "a" * 65,
        "a:1:1:s1\n",
        "é" * 40,
    ],
)
def test_forged_or_tampered_data_does_not_parse(forged: str | None) -> None:
    assert parse(forged) is None


# --- one codec for every kind of button ------------------------------------------------------

_BIG = 999_999_999_999  # the largest id a button can carry (12 digits)
_SYMPTOM_ACTIONS: list[SymptomAction] = [
    Pick(0),
    Pick(10),
    Grade(1),
    Grade(3),
    Unpick(),
    NoSymptoms(),
    Finish(),
]
_VISIT_ACTIONS: list[v.VisitAction] = [
    v.ChooseLabel(0),
    v.ChooseLabel(20),
    v.Today(),
    v.SetTube(True),
    v.SetTube(False),
    v.Rate(0),
    v.Rate(4),
    v.Skip(),
    v.Back(),
    *(v.Edit(section) for section in v.SECTIONS),
    v.Save(),
]
EVERY_PRESS: list[Press] = [
    *(
        AssessmentPress(aid, rev, action)
        for aid, rev in ((1, 0), (_BIG, 999_999_999))
        for action in ACTIONS
    ),
    *(AssessmentPress(7, 3, Symptoms(a)) for a in _SYMPTOM_ACTIONS),
    *(ReportPress(5, 2, a) for a in [*_SYMPTOM_ACTIONS, None]),
    ReportPress(_BIG, 999_999_999, Pick(3)),
    *(MenuPress(w) for w in ("assess", "history", "symptoms", "join", "leave")),
    *(MenuPress(w, _BIG) for w in ("assess", "history", "symptoms", "join")),
    LanguagePress("en"),
    LanguagePress("cs"),
    PagePress(0),
    PagePress(999_999),
    AlertPress("ack", _BIG),
    AlertPress("alk", 12, 3),
    AckPress("a", _BIG, "c"),
    AckPress("l", 12, "o", 3),
    AckPress("p", 7, "n", upto=_BIG),
    AlertPress("alo", _BIG, 999_999),
    AlertPress("alp", None, 0),
    AlertPress("alp", None, 999_999),
    TimePress(1),
    TimePress(_BIG, time(0, 0)),
    TimePress(3, time(23, 59)),
    TimePress(3, time(8, 30)),
    *(
        VisitPress(vid, rev, action)
        for vid, rev in ((1, 0), (_BIG, 999_999_999))
        for action in _VISIT_ACTIONS
    ),
    AgainPress(1),
    AgainPress(_BIG),
    ConsentPress(1, agreed=True),
    ConsentPress(_BIG, agreed=False),
]


def test_every_kind_of_button_is_covered_by_the_round_trip() -> None:
    assert {kind_of(press).name for press in EVERY_PRESS} == {kind.name for kind in KINDS}


@pytest.mark.parametrize("press", EVERY_PRESS, ids=repr)
def test_every_press_round_trips_and_fits_in_64_bytes(press: Press) -> None:
    data = encode(press)
    assert len(data.encode()) <= 64
    assert parse(data) == press
    assert kind_of(press).parse(data) == press


def test_kind_prefixes_are_distinct() -> None:
    prefixes = [prefix for kind in KINDS for prefix in kind.prefixes]
    assert len(prefixes) == len(set(prefixes))
    assert all(":" not in prefix for prefix in prefixes)


@pytest.mark.parametrize(
    "data",
    [
        "ack:1:2",  # ack takes no page
        "alk:1",  # alk needs a page
        "aa:a:1:c:2",  # a copy's acknowledgement takes no page
        "aa:l:1:c",  # a list's needs one
        "aa:a:1:x",  # no such action
        "alp:1:2",
        "rt:1:2400",
        "rt:1:1260",
        "rt:x",
        "pg:-1",
        "a:1:1:s5",
        "r:1:1:S",
        "m:other",
        "l:de",
        "v:1:1:l21",
        "v:1:1:s5",
        "v:1:1:ex",
        "ack:1\n",
        "x" * 65,
    ],
)
def test_near_misses_parse_as_nothing(data: str) -> None:
    assert parse(data) is None


def _routes() -> list[CallbackQueryHandler[Any, Any]]:
    application = Application.builder().token("1:x").context_types(CONTEXT_TYPES).build()
    register(application)
    return [h for h in application.handlers[0] if isinstance(h, CallbackQueryHandler)]


def _query(data: str) -> Update:
    user = User(1, "Pat", is_bot=False)
    return Update(1, callback_query=CallbackQuery("q", user, "chat", data=data))


@pytest.mark.parametrize(
    "data",
    [encode(press) for press in EVERY_PRESS]
    # (Telegram's callback data is 1-64 bytes: an empty one never arrives.)
    + ["nonsense", "a:1:1:s9", "ack:1:2", "m:assess:", "pg:1:2", "rt:1:2500", "x" * 70],
)
def test_each_press_reaches_exactly_one_route(data: str) -> None:
    """Whatever the registration order: no two routes accept the same data, and none is left
    unanswered (data of no kind goes to the invalid-button route)."""
    matching = [route for route in _routes() if route.check_update(_query(data))]
    assert len(matching) == 1


def test_every_kind_has_exactly_one_route() -> None:
    routes = _routes()
    assert len(routes) == len(KINDS) + 1  # plus the invalid-button route
    assert set(PRESSES) == {kind.name for kind in KINDS}


def test_known_commands_are_not_also_sent_to_the_help_fallback() -> None:
    application = Application.builder().token("1:x").context_types(CONTEXT_TYPES).build()
    register(application)
    fallback = [
        h
        for h in application.handlers[0]
        if isinstance(h, MessageHandler) and h.callback.__name__ == "help_command"
    ]
    assert len(fallback) == 1

    def command(text: str) -> Update:
        name = text.split()[0]
        message = Message(
            1,
            datetime.now(UTC),
            Chat(1, "private"),
            text=text,
            from_user=User(1, "Pat", False),
            entities=[MessageEntity("bot_command", 0, len(name))],
        )
        return Update(2, message=message)

    for name, _ in COMMANDS:
        assert not fallback[0].check_update(command(f"/{name} S001")), name
        assert not fallback[0].check_update(command(f"/{name}@alsfrs_bot")), name
    assert fallback[0].check_update(command("/nonsense"))
    assert fallback[0].check_update(command("/assessment"))  # not /assess
