"""Adverse symptoms: the patient-facing catalogue, severity grades, and triage of a report.

The catalogue follows the clinical reference (shared/reference/alsfrs.md): what a patient can
feel, in the reference's order, each mapped to the protocol's adverse-event term and a default
urgency. Each reported symptom is graded 1 mild, 2 moderate, 3 severe. A report is urgent when
the symptom is urgent, when it is urgent-when-severe and severe, or (by default) when any
symptom is severe. Urgent means: staff are alerted at once and the respondent is told to call the
study site now. Texts are locale keys (`locales/*/safety.ftl`); no I/O here.

    ValueError
     └── InvalidReport   unknown symptom, severity outside 1-3, misplaced or bad free text
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

__all__ = [
    "CATALOGUE",
    "NONE_KEY",
    "OTHER",
    "QUESTION_KEY",
    "SEVERITY_QUESTION_KEY",
    "SYMPTOMS",
    "InvalidReport",
    "Report",
    "Severity",
    "Symptom",
    "SymptomSettings",
    "Triage",
    "Urgency",
    "is_urgent",
    "question_key",
    "symptom",
    "triage",
    "validate",
    "visible",
]

OTHER: Final = "other"
QUESTION_KEY: Final = "symptoms-question"
NONE_KEY: Final = "symptoms-none"
SEVERITY_QUESTION_KEY: Final = "severity-question"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    URGENT_WHEN_SEVERE = "urgent_when_severe"


class Severity(IntEnum):
    """The protocol's grades: 1 = mild, 2 = moderate, 3 = severe."""

    MILD = 1
    MODERATE = 2
    SEVERE = 3

    @property
    def name_key(self) -> str:
        return f"severity-{self.value}"

    @property
    def explanation_key(self) -> str:
        return f"severity-{self.value}-explanation"


@dataclass(frozen=True, slots=True)
class Symptom:
    """One entry of the patient-facing list."""

    id: str
    protocol_term: str
    urgency: Urgency
    free_text: bool = False

    def label_key(self, *, proxy: bool) -> str:
        """The wording for the patient, or for a caregiver answering about the patient."""
        return f"symptom-{self.id.replace('_', '-')}" + ("-proxy" if proxy else "")


CATALOGUE: Final[tuple[Symptom, ...]] = (
    Symptom("headache", "headache", Urgency.URGENT_WHEN_SEVERE),
    Symptom("injection_site", "injection-site complication", Urgency.URGENT_WHEN_SEVERE),
    Symptom("meningism", "meningism", Urgency.URGENT),
    Symptom("leg_weakness", "paraplegia (new neurological deficit)", Urgency.URGENT),
    Symptom("bladder", "urinary incontinence (new neurological deficit)", Urgency.URGENT),
    Symptom("breathing", "respiratory failure", Urgency.URGENT),
    Symptom("fever", "infection (leukocytosis)", Urgency.URGENT_WHEN_SEVERE),
    Symptom("neck_arm", "cervical spine stenosis", Urgency.ROUTINE),
    Symptom("urination", "cystitis", Urgency.ROUTINE),
    Symptom("sweating", "hyperhidrosis", Urgency.ROUTINE),
    Symptom(OTHER, "other adverse event", Urgency.ROUTINE, free_text=True),
)
SYMPTOMS: Final[Mapping[str, Symptom]] = MappingProxyType({s.id: s for s in CATALOGUE})


def symptom(symptom_id: str) -> Symptom:
    """The catalogue entry with that id; KeyError for an unknown one."""
    return SYMPTOMS[symptom_id]


def question_key(*, proxy: bool) -> str:
    """The question whether there is any new symptom, for the patient or for a caregiver."""
    return QUESTION_KEY + ("-proxy" if proxy else "")


class SymptomSettings(BaseModel):
    """The study file's `[symptoms]` table.

    `urgency` overrides a symptom's default urgency by id; `any_severe_is_urgent` makes every
    symptom graded severe urgent (the project's rule); `other_max_length` limits the free text.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    urgency: Mapping[str, Urgency] = Field(default_factory=dict)
    any_severe_is_urgent: bool = True
    other_max_length: Annotated[int, Field(ge=1, le=4000)] = 500

    @field_validator("urgency")
    @classmethod
    def _known_symptoms(cls, value: Mapping[str, Urgency]) -> Mapping[str, Urgency]:
        unknown = sorted(set(value) - set(SYMPTOMS))
        if unknown:
            raise ValueError(f"unknown symptom ids {unknown}; known: {sorted(SYMPTOMS)}")
        return MappingProxyType(dict(value))  # read-only, like the rest of the model

    @field_serializer("urgency")
    def _plain_urgency(self, value: Mapping[str, Urgency]) -> dict[str, Urgency]:
        return dict(value)

    def urgency_of(self, symptom_id: str) -> Urgency:
        return self.urgency.get(symptom_id, symptom(symptom_id).urgency)


class InvalidReport(ValueError):
    """A report that cannot be accepted; nothing of it should be stored."""


@dataclass(frozen=True, slots=True)
class Report:
    """One reported symptom with its severity (1-3); free text only for `other`."""

    symptom_id: str
    severity: int
    free_text: str | None = None


@dataclass(frozen=True, slots=True)
class Triage:
    """The validated reports (free text stripped) and those that make the answer urgent."""

    reports: tuple[Report, ...]
    urgent_reports: tuple[Report, ...]

    @property
    def urgent(self) -> bool:
        return bool(self.urgent_reports)


# Letters that draw nothing: Hangul fillers, the braille blank, the halfwidth Hangul filler.
_BLANK_LETTERS: Final = frozenset("\u115f\u1160\u3164\u2800\uffa0")


def visible(text: str) -> bool:
    """Whether `text` shows anything: not only spaces, controls, format characters (zero-width
    spaces, joiners, direction marks), unassigned code points, lone combining marks or blank
    letters."""
    return any(
        unicodedata.category(char)[0] not in "CZM" and char not in _BLANK_LETTERS for char in text
    )


def validate(report: Report, settings: SymptomSettings | None = None) -> Report:
    """The report as it should be stored (free text stripped, otherwise as given), or raise.

    Escaping the free text for display is the caller's job.
    """
    settings = settings or SymptomSettings()
    entry = SYMPTOMS.get(report.symptom_id)
    if entry is None:
        raise InvalidReport(f"unknown symptom {report.symptom_id!r}")
    severity = report.severity
    if not isinstance(severity, int) or isinstance(severity, bool) or severity not in (1, 2, 3):
        raise InvalidReport(f"severity {report.severity!r} is not 1, 2 or 3")
    if not entry.free_text:
        if report.free_text is not None:
            raise InvalidReport(f"free text is only for {OTHER!r}, not {entry.id!r}")
        return Report(entry.id, int(report.severity))
    text = (report.free_text or "").strip()
    if not visible(text):
        raise InvalidReport(f"{OTHER!r} needs a description")
    if len(text) > settings.other_max_length:
        raise InvalidReport(
            f"the description has {len(text)} characters; at most "
            f"{settings.other_max_length} are allowed"
        )
    return Report(entry.id, int(report.severity), text)


def is_urgent(report: Report, settings: SymptomSettings | None = None) -> bool:
    """Whether this one (valid) report calls for an urgent alert."""
    settings = settings or SymptomSettings()
    urgency = settings.urgency_of(report.symptom_id)
    severe = report.severity == Severity.SEVERE
    return (
        urgency is Urgency.URGENT
        or (urgency is Urgency.URGENT_WHEN_SEVERE and severe)
        or (settings.any_severe_is_urgent and severe)
    )


def triage(reports: Sequence[Report], settings: SymptomSettings | None = None) -> Triage:
    """Validate one answer to the symptom question (empty: "none") and decide its urgency.

    Each symptom may appear once; the result keeps the order given.
    """
    settings = settings or SymptomSettings()
    valid = tuple(validate(report, settings) for report in reports)
    seen: set[str] = set()
    for report in valid:
        if report.symptom_id in seen:
            raise InvalidReport(f"symptom {report.symptom_id!r} is reported twice")
        seen.add(report.symptom_id)
    urgent = tuple(report for report in valid if is_urgent(report, settings))
    return Triage(reports=valid, urgent_reports=urgent)
