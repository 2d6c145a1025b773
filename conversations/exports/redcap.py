"""`--format redcap`: a REDCap data dictionary for the participant's form (study ID and site)
and the repeating instrument `alsfrs`, and the matching import CSV (per record its participant
row, then its ratings); both take their field names from `dictionary.REDCAP_FIELDS`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from conversations.exports.common import ExportFile, Study, csv_text, decimal
from conversations.exports.dictionary import (
    REDCAP_DICTIONARY,
    REDCAP_FIELDS,
    REDCAP_FORM,
    REDCAP_IMPORT,
    REDCAP_PARTICIPANT_FORM,
    item_key,
)
from storage.exports import ExportData, ExportRating

__all__ = ["build", "redcap_date"]

COMPLETE = 2


def redcap_date(r: ExportRating) -> str:
    """REDCap's `datetime_seconds_ymd`: `YYYY-MM-DD HH:MM:SS` (UTC)."""
    return r.submitted_at.strftime("%Y-%m-%d %H:%M:%S")


def _dictionary() -> Iterator[Sequence[object]]:
    for field in REDCAP_FIELDS:
        yield [
            field.name,
            field.form,
            "",
            field.type,
            field.label,
            field.choices,
            "",
            field.validation,
            field.minimum,
            field.maximum,
            "",
            field.branching,
            "" if field.branching else "y",
            "",
            "",
            "",
            "",
            "",
        ]


def _items(r: ExportRating) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for field in REDCAP_FIELDS:
        if field.name.startswith("alsfrs_q"):
            key = field.name.removeprefix("alsfrs_q")
            number = int(key.rstrip("ab"))
            asked = item_key(number, r.item5_variant) == key
            out[field.name] = r.items[number] if asked else None
    return out


def _participant(subject: str, site: str) -> list[object]:
    """A record's row of the participant form (not repeating): its study ID and site."""
    values: dict[str, object] = {name: None for name in REDCAP_IMPORT.header}
    values.update(
        {"record_id": subject, "site": site, f"{REDCAP_PARTICIPANT_FORM}_complete": COMPLETE}
    )
    return [values[name] for name in REDCAP_IMPORT.header]


def _rating(r: ExportRating, instance: int) -> list[object]:
    """A rating's row: an instance of the repeating `alsfrs` form."""
    values: dict[str, object] = {
        "record_id": r.subject,
        "redcap_repeat_instrument": REDCAP_FORM,
        "redcap_repeat_instance": instance,
        "site": None,
        f"{REDCAP_PARTICIPANT_FORM}_complete": None,
        "alsfrs_rating_id": r.key,
        "alsfrs_date": redcap_date(r),
        "alsfrs_source": r.source,
        "alsfrs_visit": r.visit,
        "alsfrs_visit_date": None if r.visit_date is None else r.visit_date.isoformat(),
        "alsfrs_language": r.language,
        "alsfrs_item5_variant": r.item5_variant,
        **_items(r),
        "alsfrs_total": r.total,
        "alsfrs_fvc_percent": decimal(r.fvc_percent),
        "alsfrs_norris_total": r.norris_total,
        f"{REDCAP_FORM}_complete": COMPLETE,
    }
    return [values[name] for name in REDCAP_IMPORT.header]


def _data(data: ExportData) -> Iterator[list[object]]:
    """Per record (in study ID order) its participant row, then its ratings in time order."""
    ratings: dict[str, list[ExportRating]] = {p.subject: [] for p in data.participants}
    for r in data.ratings:
        ratings[r.subject].append(r)
    for p in data.participants:
        yield _participant(p.subject, p.site)
        for instance, r in enumerate(ratings[p.subject], start=1):
            yield _rating(r, instance)


def build(data: ExportData, study: Study) -> tuple[ExportFile, ...]:
    dictionary, fields = csv_text(REDCAP_DICTIONARY.header, _dictionary())
    rows, count = csv_text(REDCAP_IMPORT.header, _data(data))
    return (
        ExportFile(REDCAP_DICTIONARY.file, dictionary, fields),
        ExportFile(REDCAP_IMPORT.file, rows, count),
    )
