"""`--format sdtm`: CDISC SDTM-style DM, QS, AE and RE datasets as CSV.

DM has one row per participant with its site (SITEID: the SDTMIG has it in DM only; the other
datasets reach it through USUBJID). QS has eleven rows per rating (ten items, then the total)
with the project's own test codes (no published CDISC codes exist for the 1996 ALSFRS; see the
data dictionary). AE has one row per reported symptom; RE one per clinic FVC. SAS transport
(.xpt) is not written: no kept library writes it cleanly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from conversations.domain.symptoms import Severity
from conversations.exports.ae import as_text
from conversations.exports.common import (
    ExportFile,
    Study,
    csv_text,
    decimal,
    level_text,
    moment,
    protocol_term,
    symptom_wording,
)
from conversations.exports.dictionary import (
    QS_TESTS,
    QS_TOTAL,
    SDTM_AE,
    SDTM_DM,
    SDTM_QS,
    SDTM_RE,
    SEVERITY_CODES,
    QsTest,
)
from storage.exports import ExportData, ExportRating

__all__ = ["EVALUATOR", "build", "dtc", "usubjid"]

EVALUATOR = {"patient": "STUDY SUBJECT", "caregiver": "CAREGIVER", "clinic": "INVESTIGATOR"}
_TESTS = {(t.number, t.variant): t for t in QS_TESTS}


def usubjid(study: Study, subject: str) -> str:
    return f"{study.id}-{subject}"


def _test(number: int, variant: str) -> QsTest:
    return _TESTS[(number, variant if number == 5 else None)]


def _visit(r: ExportRating) -> str:
    return r.visit or "HOME"


def dtc(r: ExportRating) -> str:
    """--DTC: the clinic visit's date (ISO 8601 date), else the moment of the self-report."""
    return moment(r.submitted_at) if r.visit_date is None else r.visit_date.isoformat()


def _dm(data: ExportData, study: Study) -> Iterator[list[object]]:
    for p in data.participants:
        yield [study.id, "DM", usubjid(study, p.subject), p.subject, p.site]


def _qs(data: ExportData, study: Study) -> Iterator[list[object]]:
    seq: Counter[str] = Counter()
    for r in data.ratings:
        common = [study.id, "QS", usubjid(study, r.subject)]
        tail = [EVALUATOR[r.source], _visit(r), dtc(r)]
        for number in range(1, 11):
            score = r.items[number]
            test = _test(number, r.item5_variant)
            seq[r.subject] += 1
            yield [
                *common,
                seq[r.subject],
                r.key,
                "ALSFRS",
                test.code,
                test.name,
                level_text(number, r.item5_variant, score),
                str(score),
                score,
                *tail,
            ]
        seq[r.subject] += 1
        yield [
            *common,
            seq[r.subject],
            r.key,
            "ALSFRS",
            QS_TOTAL.code,
            QS_TOTAL.name,
            str(r.total),
            str(r.total),
            r.total,
            *tail,
        ]


def _ae(data: ExportData, study: Study) -> Iterator[list[object]]:
    seq: Counter[str] = Counter()
    for s in data.symptoms:
        seq[s.subject] += 1
        yield [
            study.id,
            "AE",
            usubjid(study, s.subject),
            seq[s.subject],
            f"R{s.report_id}-{s.symptom}",
            as_text(s.free_text) if s.free_text else symptom_wording(s),
            protocol_term(s.symptom),
            SEVERITY_CODES[Severity(s.severity)],
            moment(s.reported_at),
        ]


def _re(data: ExportData, study: Study) -> Iterator[list[object]]:
    seq: Counter[str] = Counter()
    for r in data.ratings:
        if r.fvc_percent is None:
            continue
        seq[r.subject] += 1
        value = decimal(r.fvc_percent)
        yield [
            study.id,
            "RE",
            usubjid(study, r.subject),
            seq[r.subject],
            r.key,
            "FVCPP",
            "FVC Percent Predicted",
            value,
            "%",
            r.fvc_percent,
            "%",
            _visit(r),
            dtc(r),
        ]


def build(data: ExportData, study: Study) -> tuple[ExportFile, ...]:
    files = []
    for dataset, rows in ((SDTM_DM, _dm), (SDTM_QS, _qs), (SDTM_AE, _ae), (SDTM_RE, _re)):
        text, count = csv_text(dataset.header, rows(data, study))
        files.append(ExportFile(dataset.file, text, count))
    return tuple(files)
