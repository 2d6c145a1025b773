"""Callback data is untrusted: only exact, known shapes parse, and all fit in 64 bytes."""

from __future__ import annotations

import pytest

from conversations.callbacks import (
    AssessmentPress,
    LanguagePress,
    MenuPress,
    encode_action,
    encode_language,
    encode_menu,
    parse,
)
from conversations.domain.assessment import Answer, AskTube, Back, Edit, SetTube, Submit

ACTIONS = [
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
