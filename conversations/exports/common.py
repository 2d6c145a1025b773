"""What every export format shares: the file it produces, the study it belongs to, CSV text, and
the texts of the instrument and the symptoms in both languages. Pure: no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from conversations.domain.instrument import Item5Variant, item
from conversations.domain.symptoms import symptom
from locales import LANGUAGES, Language, Translator
from storage.exports import ExportData, ExportRating, ExportSymptom
from storage.models import iso

__all__ = [
    "LANGS",
    "SOURCES",
    "ExportFile",
    "Study",
    "counts",
    "csv_text",
    "decimal",
    "item_name",
    "level_text",
    "moment",
    "protocol_term",
    "respondent",
    "symptom_wording",
]


@dataclass(frozen=True, slots=True)
class Study:
    """The study an export belongs to (the study file's `[study]`), with its sites' names by id
    (the study file's `[[sites]]`; a study without them has one, `MAIN`)."""

    id: str
    name: str
    sites: tuple[tuple[str, str], ...] = ()

    def site_name(self, site_id: str) -> str | None:
        """The name of the site with this id, None for one the study file does not list."""
        return next((name for sid, name in self.sites if sid == site_id), None)


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export: its name, its text, and how many data rows (or resources) it has."""

    name: str
    text: str
    rows: int


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> tuple[str, int]:
    """RFC 4180 CSV (CRLF line ends, as spreadsheet and REDCap imports expect) and its row count."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        count += 1
    return buffer.getvalue(), count


def decimal(value: float | None) -> str | None:
    """A measured number as written: `82`, `82.5` (no trailing `.0`)."""
    return None if value is None else f"{value:g}"


def respondent(r: ExportRating) -> str:
    """The role of the person who entered a rating: `patient`, `caregiver`, `staff` (a clinic
    rating entered in Telegram) or `operator` (one entered on the command line)."""
    if r.source != "clinic":
        return r.source
    return "operator" if r.rater is None else "staff"


def moment(value: datetime) -> str:
    """A moment as every export writes it: ISO 8601, UTC, milliseconds, 'Z'."""
    return iso(value)


@cache
def _tr(language: Language) -> Translator:
    return Translator(language)


def _variant(number: int, variant: str | None) -> Item5Variant | None:
    return Item5Variant(variant) if number == 5 and variant else None


@cache
def item_name(number: int, variant: str | None, language: Language = "en") -> str:
    return _tr(language)(item(number, _variant(number, variant)).name_key)


@cache
def level_text(number: int, variant: str | None, score: int, language: Language = "en") -> str:
    return _tr(language)(item(number, _variant(number, variant)).level_key(score))


def protocol_term(symptom_id: str) -> str:
    return symptom(symptom_id).protocol_term


@cache
def _wording(symptom_id: str, proxy: bool, language: Language) -> str:
    return _tr(language)(symptom(symptom_id).label_key(proxy=proxy))


def symptom_wording(row: ExportSymptom) -> str:
    """What the respondent chose, in the words and language they saw it in."""
    return _wording(row.symptom, row.respondent == "caregiver", row.language)


def counts(data: ExportData) -> dict[str, int]:
    """The manifest's counts per table."""
    by_source = {s: sum(1 for r in data.ratings if r.source == s) for s in SOURCES}
    return {
        "participants": len(data.participants),
        "withdrawn_participants": sum(1 for p in data.participants if p.status == "withdrawn"),
        "ratings": len(data.ratings),
        **{f"ratings_{source}": n for source, n in by_source.items()},
        "symptom_reports": data.symptom_reports,
        "symptoms": len(data.symptoms),
    }


SOURCES = ("patient", "caregiver", "clinic")
LANGS: tuple[Language, ...] = LANGUAGES
