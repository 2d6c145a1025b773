"""`--format csv`: one row per submitted rating (the dictionary's `RATINGS`), with the
participant's site."""

from __future__ import annotations

from conversations.exports.common import (
    ExportFile,
    Study,
    csv_text,
    decimal,
    moment,
    respondent,
)
from conversations.exports.dictionary import RATINGS
from storage.exports import ExportData, ExportRating

__all__ = ["build"]


def _row(r: ExportRating, site: str) -> list[object]:
    return [
        r.subject,
        site,
        r.key,
        moment(r.submitted_at),
        r.source,
        r.visit,
        None if r.visit_date is None else r.visit_date.isoformat(),
        respondent(r),
        r.rater,
        r.language,
        r.item5_variant,
        *(r.items[n] for n in range(1, 11)),
        r.total,
        decimal(r.fvc_percent),
        r.norris_total,
    ]


def build(data: ExportData, study: Study) -> tuple[ExportFile, ...]:
    sites = data.sites()
    text, rows = csv_text(RATINGS.header, (_row(r, sites[r.subject]) for r in data.ratings))
    return (ExportFile(RATINGS.file, text, rows),)
