"""The records the repositories return: pydantic models, validated on the way out of SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Account",
    "Actor",
    "ActorRole",
    "AssessmentRecord",
    "AuditEntry",
    "Identity",
    "LinkInfo",
    "Participant",
    "ParticipantStatus",
    "RespondentCheck",
    "Role",
    "Scored",
    "Submission",
    "from_iso",
    "iso",
]

Language = Literal["en", "cs"]


def iso(moment: datetime) -> str:
    """A moment as stored: UTC, ISO 8601, milliseconds, 'Z'. Sorts as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Role(StrEnum):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    STAFF = "staff"


class ActorRole(StrEnum):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    STAFF = "staff"
    OPERATOR = "operator"
    SYSTEM = "system"
    STRANGER = "stranger"


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Actor(_Model):
    """Who does something: a role, the link id of a person in Telegram, and on whose behalf."""

    role: ActorRole
    link_id: int | None = None
    participant_id: int | None = None


class Participant(_Model):
    id: int
    subject: str
    language: Language | None
    status: ParticipantStatus
    has_gastrostomy: bool | None
    created_at: datetime
    site: str | None = None  # the site's id (None: made before sites, not yet adopted)


class Account(_Model):
    id: int
    telegram_user_id: int
    language: Language | None


class LinkInfo(_Model):
    id: int
    role: Role
    participant: Participant | None
    created_at: datetime
    # A staff link's sites; None: study-wide (and always None for patients and caregivers).
    sites: frozenset[str] | None = None

    def covers(self, site: str | None) -> bool:
        """Whether this staff link may see and act for a participant of `site`."""
        return self.sites is None or (site is not None and site in self.sites)


class Identity(_Model):
    """A Telegram account with its active links: what it may do, and for whom."""

    account: Account
    links: tuple[LinkInfo, ...]

    def link_for(self, role: Role) -> LinkInfo | None:
        return next((link for link in self.links if link.role is role), None)

    @property
    def patient_link(self) -> LinkInfo | None:
        return self.link_for(Role.PATIENT)


class AssessmentRecord(_Model):
    id: int
    participant_id: int
    status: Literal["in_progress", "submitted"]
    position: str
    back_to_review: bool
    has_tube: bool | None
    revision: int
    language: Language
    answers: dict[int, int]
    started_at: datetime
    submitted_at: datetime | None
    total: int | None
    item5_variant: Literal["5a", "5b"] | None
    chat_id: int | None
    message_id: int | None
    started_by: int
    started_by_role: Role
    symptoms_state: str = "{}"


class Submission(_Model):
    assessment_id: int
    subject: str
    submitted_at: datetime
    respondent: Role
    respondent_id: int
    language: Language
    item5_variant: Literal["5a", "5b"]
    items: dict[int, int]
    total: int


class Scored(_Model):
    """A submitted assessment as the decline rules read it."""

    assessment_id: int
    submitted_at: datetime
    total: int
    items: dict[int, int]
    item5_variant: str


class RespondentCheck(_Model):
    """Whether a respondent may still act for a participant (read in the acting transaction)."""

    link_active: bool
    participant_status: ParticipantStatus
    subject: str


class AuditEntry(_Model):
    id: int
    at: datetime
    actor_role: str
    actor_id: int | None
    on_behalf_of: str | None
    action: str
    entity: str
    entity_id: int | None
    old_value: str | None
    new_value: str | None
    reason: str | None


class Visit(_Model):
    """A clinic visit entered by staff: its respondent kind is always `clinic`."""

    id: int
    participant_id: int
    subject: str
    status: Literal["draft", "saved"]
    state: str
    revision: int
    label: str | None
    visit_date: date | None
    item5_variant: Literal["5a", "5b"] | None
    items: dict[int, int] | None
    total: int | None
    fvc_percent: int | None
    norris_total: int | None
    norris_bulbar: int | None
    norris_spinal: int | None
    rated_by: int | None
    rated_by_role: Literal["staff", "operator"]
    created_at: datetime
    saved_at: datetime | None
    corrected_at: datetime | None
    chat_id: int | None
    message_id: int | None
    respondent: Literal["clinic"] = "clinic"

    def values(self) -> dict[str, object]:
        """The clinical values, as the audit trail records them (old and new)."""
        return {
            "label": self.label,
            "date": None if self.visit_date is None else self.visit_date.isoformat(),
            "item5_variant": self.item5_variant,
            "items": None if self.items is None else {str(k): v for k, v in self.items.items()},
            "total": self.total,
            "fvc_percent": self.fvc_percent,
            "norris_total": self.norris_total,
            "norris_bulbar": self.norris_bulbar,
            "norris_spinal": self.norris_spinal,
        }


__all__ += ["Visit"]
