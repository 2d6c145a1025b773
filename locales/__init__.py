"""Every sentence a person reads, per language, as Fluent (.ftl) resources.

`Translator` loads `locales/<lang>/*.ftl` once (one per language, `translator(lang)`) and formats
messages by key; a message without arguments is formatted once and kept. The project's own
date formatting (Babel) lives here too, so that a date reads naturally in each language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from babel.dates import format_date, format_datetime
from fluent.runtime import FluentBundle, FluentResource

__all__ = [
    "LANGUAGES",
    "Language",
    "MissingTranslation",
    "Translator",
    "isolate",
    "language_from_telegram",
    "message_ids",
    "translator",
]

Language = Literal["en", "cs"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "cs")
_ROOT: Final = Path(__file__).resolve().parent
_BABEL_LOCALE: Final[Mapping[Language, str]] = {"en": "en_GB", "cs": "cs_CZ"}


# Bidirectional classes that can reorder what follows them: right-to-left letters and numbers,
# and the explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_REORDERING: Final = frozenset(
    {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def isolate(value: str) -> str:
    """`value` unchanged, or wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE when
    it holds anything that could reorder the rest of the line (a U+202E in a participant's text
    must not reverse a staff alert). Fluent's own `use_isolating` would wrap every argument."""
    if any(unicodedata.bidirectional(char) in _REORDERING for char in value):
        return "\u2068" + value + "\u2069"
    return value


class MissingTranslation(KeyError):
    """A key that a language does not define: a programming error, never shown to a person."""


def _resources(language: Language) -> list[str]:
    folder = _ROOT / language
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.ftl"))]


def message_ids(language: Language) -> set[str]:
    """All message ids that a language defines (used by the completeness test)."""
    bundle = FluentBundle([language], use_isolating=False)
    for text in _resources(language):
        bundle.add_resource(FluentResource(text))
    return set(bundle._messages)


class Translator:
    """Formats messages of one language. Arguments are plain values; the caller escapes HTML."""

    def __init__(self, language: Language) -> None:
        self.language: Language = language
        self._bundle = FluentBundle([language], use_isolating=False)
        for text in _resources(language):
            resource = FluentResource(text)
            junk = [
                str(getattr(e, "content", ""))[:80]
                for e in resource.body
                if type(e).__name__ == "Junk"
            ]
            if junk:
                raise ValueError(f"locale {language}: unparsable {junk}")
            self._bundle.add_resource(resource)
        # A text without arguments is formatted once (most buttons, headers, notices); the
        # others keep their looked-up pattern. Resources never change after loading.
        self._static: dict[str, str] = {}
        self._patterns: dict[str, Any] = {}

    def __call__(self, key: str, **args: str | int | float) -> str:
        if not args:
            static = self._static.get(key)
            if static is None:
                static = self._static[key] = self._format(key, args)
            return static
        return self._format(key, args)

    def _format(self, key: str, args: dict[str, str | int | float]) -> str:
        pattern = self._patterns.get(key)
        if pattern is None:
            if not self._bundle.has_message(key):
                raise MissingTranslation(f"{self.language}: {key}")
            pattern = self._bundle.get_message(key).value
            if pattern is None:
                raise MissingTranslation(f"{self.language}: {key} has no value")
            self._patterns[key] = pattern
        safe = {k: isolate(v) if isinstance(v, str) else v for k, v in args.items()}
        text, errors = self._bundle.format_pattern(pattern, safe)
        if errors:
            raise ValueError(f"{self.language}: {key}: {errors}")
        return str(text)

    def has(self, key: str) -> bool:
        return bool(self._bundle.has_message(key))

    def date(self, value: date) -> str:
        """A date as a person writes it: '3 November 2026', '3. listopadu 2026'."""
        return str(format_date(value, format="long", locale=_BABEL_LOCALE[self.language]))

    def moment(self, value: datetime, zone: tzinfo) -> str:
        """A moment in a time zone: '3 November 2026, 14:05'."""
        locale = _BABEL_LOCALE[self.language]
        local = value.astimezone(zone)
        day = format_date(local.date(), format="long", locale=locale)
        clock = format_datetime(local, format="HH:mm", tzinfo=zone, locale=locale)
        return f"{day}, {clock}"


@cache
def translator(language: Language) -> Translator:
    return Translator(language)


def language_from_telegram(code: str | None) -> Language:
    """Telegram's `language_code` to ours: Czech or Slovak read Czech, everything else English."""
    if code and code.split("-")[0].lower() in {"cs", "sk"}:
        return "cs"
    return "en"
