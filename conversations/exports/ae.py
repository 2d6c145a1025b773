"""`--format ae`: the symptom reports alone, one row per symptom (the dictionary's `AE`).

Free text is written as text: a spreadsheet must not run it, so a leading `=`, `+`, `-` or `@`
is prefixed with `'` (OWASP's CSV-injection rule); the database keeps the original.
"""

from __future__ import annotations

from conversations.exports.common import (
    ExportFile,
    Study,
    csv_text,
    moment,
    protocol_term,
    symptom_wording,
)
from conversations.exports.dictionary import AE
from storage.exports import ExportData, ExportSymptom

__all__ = ["as_text", "build"]


def as_text(value: str | None) -> str | None:
    """Free text that a spreadsheet shows and never evaluates."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _row(s: ExportSymptom, site: str) -> list[object]:
    return [
        s.subject,
        site,
        s.report_id,
        moment(s.reported_at),
        s.respondent,
        s.symptom,
        symptom_wording(s),
        protocol_term(s.symptom),
        s.severity,
        "true" if s.urgent else "false",
        as_text(s.free_text),
        s.alert_id,
        s.assessment_id,
    ]


def build(data: ExportData, study: Study) -> tuple[ExportFile, ...]:
    sites = data.sites()
    text, rows = csv_text(AE.header, (_row(s, sites[s.subject]) for s in data.symptoms))
    return (ExportFile(AE.file, text, rows),)
