"""Every key exists in both languages, every message formats, and no text is left empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from locales import LANGUAGES, MissingTranslation, language_from_telegram, message_ids, translator

ROOT = Path(__file__).resolve().parents[1]


def test_every_key_exists_in_english_and_czech() -> None:
    en, cs = message_ids("en"), message_ids("cs")
    assert en, "no English messages found"
    assert en - cs == set(), f"missing in Czech: {sorted(en - cs)}"
    assert cs - en == set(), f"missing in English: {sorted(cs - en)}"


def _arguments(text: str) -> set[str]:
    return set(re.findall(r"\{\s*\$([a-z_]+)", text))


def test_both_languages_use_the_same_arguments() -> None:
    sources = {lang: "\n".join(p.read_text() for p in (ROOT / "locales" / lang).glob("*.ftl"))
               for lang in LANGUAGES}
    for key in message_ids("en"):
        found = {}
        for lang, text in sources.items():
            block = re.search(rf"^{re.escape(key)} =(.*?)(?=^\S|\Z)", text, re.M | re.S)
            assert block, (lang, key)
            found[lang] = _arguments(block.group(1))
        assert found["en"] == found["cs"], (key, found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_formats_to_non_empty_text(language: str) -> None:
    t = translator(language)  # type: ignore[arg-type]
    args = {"minutes": 15, "answered": 3, "number": 4, "name": "X", "label": "L", "score": 4,
            "text": "T", "total": 30, "points": 2, "date": "D"}
    for key in message_ids(language):  # type: ignore[arg-type]
        assert t(key, **args).strip(), key


def test_a_missing_key_is_an_error_not_a_silent_blank() -> None:
    with pytest.raises(MissingTranslation):
        translator("en")("no-such-key")


def test_czech_plurals_and_dates() -> None:
    cs = translator("cs")
    assert "2 body méně" in cs("change-lower", total=36, points=2, date="x")
    assert "5 bodů méně" in cs("change-lower", total=36, points=5, date="x")
    assert "1 bod méně" in cs("change-lower", total=36, points=1, date="x")
    from datetime import date

    assert cs.date(date(2026, 11, 3)) == "3. listopadu 2026"
    assert translator("en").date(date(2026, 11, 3)) == "3 November 2026"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("cs", "cs"), ("sk", "cs"), ("cs-CZ", "cs"), ("en", "en"), ("de", "en"), (None, "en")],
)
def test_language_from_telegram(code: str | None, expected: str) -> None:
    assert language_from_telegram(code) == expected
