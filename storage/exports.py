"""The one read behind every export: participants, submitted ratings and reported symptoms, as
typed rows, in one read transaction. SQL only; the formats are `conversations.exports`.

A rating's `source` is who rated: `patient` or `caregiver` (the submitting link's role) for a
submitted assessment, `clinic` for a saved clinic visit with an ALSFRS rating (`UNION ALL` of the
visits table into `_RATINGS`, with its `visit` label, `visit_date`, `fvc_percent` and
`norris_total`). A rating is identified by `key`: `A<assessment id>` or `V<visit id>`, so the two
id spaces never collide in any format. No Telegram id or name is read.

Every participant belongs to a site (issue 16); one made before sites and not yet adopted
(`participants.site` NULL) is read as the study's default site, given by the caller, so that an
export never has a participant without one. An export of one site (`site`) keeps only that
site's participants and everything about them, in SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from storage.db import Row, Tx
from storage.models import ParticipantStatus, from_iso

__all__ = [
    "ExportData",
    "ExportParticipant",
    "ExportRating",
    "ExportSymptom",
    "Source",
    "read",
]

Source = Literal["patient", "caregiver", "clinic"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class ExportParticipant(_Row):
    subject: str
    status: ParticipantStatus
    enrolled_at: datetime
    site: str  # the site's id (the study's default for a participant not yet adopted)


class ExportRating(_Row):
    """One submitted ALSFRS rating: a self-report (`assessment_id`) or a clinic visit's
    (`visit_id`), never both. `rater` is the internal id of the rating person's study link (never
    a Telegram id; `None` for a clinic visit entered by the operator on the command line).
    `visit`, `visit_date`, `fvc_percent` and `norris_total` are set by clinic ratings only;
    `submitted_at` is when the rating was submitted (for a visit: saved), `language` is the
    language a self-report was taken in (`None` for a clinic rating)."""

    assessment_id: int | None = None
    visit_id: int | None = None
    subject: str
    source: Source
    rater: int | None
    visit: str | None = None
    visit_date: date | None = None
    submitted_at: datetime
    language: Literal["en", "cs"] | None
    item5_variant: Literal["5a", "5b"]
    items: dict[int, int]
    total: int
    fvc_percent: float | None = None
    norris_total: int | None = None

    @model_validator(mode="after")
    def _one_origin(self) -> ExportRating:
        clinic = self.source == "clinic"
        if (self.visit_id is not None) != clinic or (self.assessment_id is not None) == clinic:
            raise ValueError("a rating is an assessment or (clinic) a visit, exactly one")
        return self

    @property
    def key(self) -> str:
        """The rating's identifier in every format: `A12` (assessment 12) or `V3` (visit 3)."""
        return f"A{self.assessment_id}" if self.visit_id is None else f"V{self.visit_id}"


class ExportSymptom(_Row):
    """One symptom of a submitted symptom report, with the staff alert it raised."""

    report_id: int
    subject: str
    reported_at: datetime
    respondent: Literal["patient", "caregiver"]
    respondent_link: int
    language: Literal["en", "cs"]
    assessment_id: int | None
    symptom: str
    severity: int
    free_text: str | None
    urgent: bool
    alert_id: int | None


class ExportData(_Row):
    participants: tuple[ExportParticipant, ...]
    ratings: tuple[ExportRating, ...]
    symptoms: tuple[ExportSymptom, ...]
    symptom_reports: int
    last_audit_id: int | None

    def sites(self) -> dict[str, str]:
        """Each participant's site, by study ID."""
        return {p.subject: p.site for p in self.participants}


# `COALESCE(site, ?)`: the default site of a participant not yet adopted (the first parameter).
_PARTICIPANTS = (
    "SELECT * FROM (SELECT subject, status, created_at, COALESCE(site, ?) AS site"
    " FROM participants)"
)

# Self-reports (submitted assessments) and clinic ALSFRS ratings (saved visits with items), one
# shape; `kind` orders an assessment before a visit submitted in the same millisecond.
_RATINGS = (
    "SELECT * FROM ("
    "SELECT 'A' AS kind, a.id, p.subject, p.site, l.role AS source, l.id AS rater, NULL AS visit,"
    " NULL AS visit_date, a.submitted_at, a.language, a.item5_variant, a.total,"
    " (SELECT group_concat(item || ':' || score) FROM answers WHERE assessment_id = a.id) AS items,"
    " NULL AS fvc_percent, NULL AS norris_total"
    " FROM assessments a JOIN participants p ON p.id = a.participant_id"
    " JOIN links l ON l.id = a.submitted_by WHERE a.status = 'submitted'"
    " UNION ALL "
    "SELECT 'V', v.id, p.subject, p.site, 'clinic', v.rated_by, v.label, v.visit_date,"
    " v.saved_at, NULL,"
    " v.item5_variant, v.total,"
    " (SELECT group_concat(key || ':' || value) FROM json_each(v.items)),"
    " v.fvc_percent, v.norris_total"
    " FROM visits v JOIN participants p ON p.id = v.participant_id"
    " WHERE v.status = 'saved' AND v.items IS NOT NULL"
    ")"
)

# The alert a symptom raised is written in the report's transaction, with the report's moment.
_SYMPTOMS = (
    "SELECT r.id, p.subject, r.submitted_at, l.role AS respondent, l.id AS link, r.language,"
    " r.assessment_id, r.urgent AS report_urgent, i.symptom, i.severity, i.free_text,"
    " al.id AS alert_id, al.urgent AS alert_urgent"
    " FROM symptom_reports r JOIN participants p ON p.id = r.participant_id"
    " JOIN links l ON l.id = r.submitted_by"
    " JOIN symptom_report_items i ON i.report_id = r.id"
    " LEFT JOIN alerts al ON al.id = (SELECT MIN(x.id) FROM alerts x"
    "  WHERE x.participant_id = r.participant_id AND x.kind = 'symptom'"
    "  AND x.rule = i.symptom AND x.created_at = r.submitted_at)"
    " WHERE r.status = 'submitted'"
)


def _items(text: object) -> dict[int, int]:
    return {int(k): int(v) for k, v in (pair.split(":") for pair in str(text).split(","))}


def _rating(row: Row) -> ExportRating:
    clinic = row["kind"] == "V"
    fvc, visit_date = row["fvc_percent"], row["visit_date"]
    return ExportRating(
        assessment_id=None if clinic else row["id"],
        visit_id=row["id"] if clinic else None,
        subject=row["subject"],
        source=row["source"],
        rater=row["rater"],
        visit=row["visit"],
        visit_date=None if visit_date is None else date.fromisoformat(visit_date),
        submitted_at=from_iso(row["submitted_at"]),
        language=row["language"],
        item5_variant=row["item5_variant"],
        items=_items(row["items"]),
        total=row["total"],
        fvc_percent=None if fvc is None else float(fvc),
        norris_total=row["norris_total"],
    )


def _symptom(row: Row) -> ExportSymptom:
    urgent = row["alert_urgent"] if row["alert_id"] is not None else row["report_urgent"]
    return ExportSymptom(
        report_id=row["id"],
        subject=row["subject"],
        reported_at=from_iso(row["submitted_at"]),
        respondent=row["respondent"],
        respondent_link=row["link"],
        language=row["language"],
        assessment_id=row["assessment_id"],
        symptom=row["symptom"],
        severity=row["severity"],
        free_text=row["free_text"],
        urgent=bool(urgent),
        alert_id=row["alert_id"],
    )


def _only(
    subject_column: str, site_column: str, subject: str | None, site: str | None, default_site: str
) -> tuple[str, tuple[object, ...]]:
    """The conditions (each starting with AND) and parameters of one participant and/or one
    site, a participant not yet adopted counting as the default site's."""
    where = ""
    params: tuple[object, ...] = ()
    if subject is not None:
        where += f" AND {subject_column} = ? COLLATE NOCASE"
        params += (subject,)
    if site is not None:
        where += f" AND COALESCE({site_column}, ?) = ?"
        params += (default_site, site.strip().upper())
    return where, params


async def read(
    tx: Tx, *, default_site: str, subject: str | None = None, site: str | None = None
) -> ExportData:
    """Everything an export holds, optionally for one participant and/or one site (its id, any
    case), in a stable order: by subject, then time, then id. `default_site` is the site of a
    participant made before sites and not yet adopted."""
    where, params = _only("subject", "site", subject, site, default_site)
    joined, joined_params = _only("p.subject", "p.site", subject, site, default_site)
    people = await tx.all(
        _PARTICIPANTS + " WHERE 1" + where + " ORDER BY subject", (default_site, *params)
    )
    ratings = await tx.all(
        _RATINGS + " WHERE 1" + where + " ORDER BY subject, submitted_at, kind, id", params
    )
    symptoms = await tx.all(
        _SYMPTOMS + joined + " ORDER BY p.subject, r.submitted_at, r.id, i.rowid", joined_params
    )
    reports = await tx.scalar(
        "SELECT COUNT(*) FROM symptom_reports r JOIN participants p ON p.id = r.participant_id"
        " WHERE r.status = 'submitted'" + joined,
        joined_params,
    )
    last_audit = await tx.scalar("SELECT MAX(id) FROM audit")
    return ExportData(
        participants=tuple(
            ExportParticipant(
                subject=row["subject"],
                status=ParticipantStatus(row["status"]),
                enrolled_at=from_iso(row["created_at"]),
                site=row["site"],
            )
            for row in people
        ),
        ratings=tuple(_rating(row) for row in ratings),
        symptoms=tuple(_symptom(row) for row in symptoms),
        symptom_reports=int(reports or 0),
        last_audit_id=None if last_audit is None else int(last_audit),
    )
