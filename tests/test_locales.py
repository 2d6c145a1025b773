"""Every key exists in both languages, every message formats, and no text is left empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from locales import (
    LANGUAGES,
    Language,
    MissingTranslation,
    language_from_telegram,
    message_ids,
    translator,
)

ROOT = Path(__file__).resolve().parents[1]


def test_every_key_exists_in_english_and_czech() -> None:
    en, cs = message_ids("en"), message_ids("cs")
    assert en, "no English messages found"
    assert en - cs == set(), f"missing in Czech: {sorted(en - cs)}"
    assert cs - en == set(), f"missing in English: {sorted(cs - en)}"


def _arguments(text: str) -> set[str]:
    return set(re.findall(r"\{\s*\$([a-z_]+)", text))


def test_both_languages_use_the_same_arguments() -> None:
    sources = {lang: _source(lang) for lang in LANGUAGES}
    for key in message_ids("en"):
        found = {}
        for lang, text in sources.items():
            found[lang] = _arguments(_block(text, key))
        assert found["en"] == found["cs"], (key, found)


def _source(language: Language) -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / "locales" / language).glob("*.ftl")))


def _block(text: str, key: str) -> str:
    found = re.search(rf"^{re.escape(key)} =(.*?)(?=^[a-zA-Z][\w-]* =|^#|\Z)", text, re.M | re.S)
    assert found, key
    return found.group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_formats_to_non_empty_text(language: Language) -> None:
    t = translator(language)
    source = _source(language)
    for key in message_ids(language):
        names = _arguments(_block(source, key))
        for reference in re.findall(r"\{\s*([a-z][\w-]*)\s*\}", _block(source, key)):
            names |= _arguments(_block(source, reference))
        args: dict[str, str | int | float] = dict.fromkeys(names, 2)
        assert t(key, **args).strip(), key


def test_a_missing_key_is_an_error_not_a_silent_blank() -> None:
    with pytest.raises(MissingTranslation):
        translator("en")("no-such-key")


def test_kept_texts_are_the_same_and_arguments_still_count() -> None:
    en = translator("en")
    assert en("tube-no") == en("tube-no") == "No gastrostomy"
    with pytest.raises(MissingTranslation):
        en("no-such-key")
    with pytest.raises(MissingTranslation):  # a failed lookup is not kept as a blank
        en("no-such-key")
    cs = translator("cs")
    assert "2 body" in cs("change-lower", total=36, points=2, date="x")
    assert "5 bodů" in cs("change-lower", total=36, points=5, date="x")


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


def test_the_side_by_side_instrument_texts_are_up_to_date() -> None:
    from locales.instrument_doc import DOC, main, render

    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/instrument-texts.md is out of date: run python -m locales.instrument_doc"
    )
    assert main(["--check"]) == 0
