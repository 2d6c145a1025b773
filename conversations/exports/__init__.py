"""Exports for trial data managers: one module per format on top of one read of the data
(`conversations.flows.export.read`, returning `storage.exports.ExportData`). Each format is a
pure function from that data to files; `manifest()` describes a full export for an auditor.
The columns, codes and texts of every format come from `dictionary` (docs/data-dictionary.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Final

from conversations.exports import ae, fhir, ratings_csv, redcap, sdtm
from conversations.exports.common import ExportFile, Study, counts, moment
from storage.exports import ExportData

__all__ = ["FORMATS", "MANIFEST", "ExportFile", "Study", "build", "manifest"]

Builder = Callable[[ExportData, Study], tuple[ExportFile, ...]]
FORMATS: Final[Mapping[str, Builder]] = MappingProxyType(
    {
        "csv": ratings_csv.build,
        "fhir": fhir.build,
        "sdtm": sdtm.build,
        "redcap": redcap.build,
        "ae": ae.build,
    }
)
MANIFEST: Final = "manifest.json"


def build(fmt: str, data: ExportData, study: Study) -> tuple[ExportFile, ...]:
    return FORMATS[fmt](data, study)


def manifest(
    data: ExportData,
    study: Study,
    files: Sequence[tuple[str, ExportFile]],
    *,
    now: datetime,
    subject: str | None,
    site: str | None = None,
) -> dict[str, object]:
    """What was exported (format, rows and sha256 per file; only `subject` and/or only `site`
    when given), counts per table, and the database's last audit id, so that an auditor can
    check completeness."""
    return {
        "study": study.id,
        "exported_at": moment(now),
        "subject": subject,
        "site": site,
        "last_audit_id": data.last_audit_id,
        "counts": counts(data),
        "files": [
            {
                "name": f.name,
                "format": fmt,
                "rows": f.rows,
                "bytes": len(f.text.encode("utf-8")),
                "sha256": hashlib.sha256(f.text.encode("utf-8")).hexdigest(),
            }
            for fmt, f in files
        ],
    }
