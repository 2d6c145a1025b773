"""Enrollment and access as use cases, shared by the staff commands and the `alsfrs-bot` CLI:
enroll a participant, issue single-use codes, find a participant by study ID, pause, resume and
withdraw them, revoke a caregiver's or staff member's access, and the reads staff see (the
participant overview, one participant's record, the staff list).

Each function is one transaction (`Database.write` or `Database.read`); every change is audited by
`storage.people`. Nothing here knows about Telegram: callers pass the actor and render the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from conversations.context import Services
from conversations.flows import sites, visits
from storage import assessments, consent, people, schedules
from storage.db import Tx
from storage.models import Actor, Participant, ParticipantStatus, Role, Submission, iso
from storage.people import SUBJECT_PATTERN, DuplicateSubject, LinkRow, Overview, canonical_subject
from storage.sites import Sites

__all__ = [
    "SUBJECT_PATTERN",
    "DuplicateSubject",
    "LinkRow",
    "Overview",
    "OverviewPage",
    "ParticipantRecord",
    "Relinked",
    "Revocation",
    "canonical_subject",
    "change_status",
    "enroll_participant",
    "find_participant",
    "invite",
    "invite_caregiver",
    "link_row",
    "overview_page",
    "participant_overview",
    "participant_record",
    "relink_patient",
    "revoke_access",
    "site_staff_chats",
    "staff_chats",
    "staff_members",
]


# --- codes -----------------------------------------------------------------------------------


async def invite(
    services: Services,
    role: Role,
    participant_id: int | None,
    actor: Actor,
    *,
    sites: Sites = None,
) -> tuple[str, str]:
    """A new single-use code for `role` (a staff code for `sites`, None: study-wide); returns
    (code, expires_at ISO)."""
    now = services.clock()
    ttl = services.study.enrollment.code_ttl

    async def unit(tx: Tx) -> str:
        return await people.create_invitation(
            tx,
            role=role,
            participant_id=participant_id,
            actor=actor,
            now=now,
            ttl=ttl,
            sites=sites,
        )

    return await services.db.write(unit), iso(now + ttl)


async def invite_caregiver(
    services: Services, subject: str, actor: Actor
) -> tuple[str, str] | None:
    """A new single-use caregiver code for the participant with this study ID; returns (code,
    expires_at ISO), or None when there is no such participant."""
    now = services.clock()
    ttl = services.study.enrollment.code_ttl

    async def unit(tx: Tx) -> str | None:
        found = await people.get_participant(tx, subject)
        if found is None:
            return None
        return await people.create_invitation(
            tx, role=Role.CAREGIVER, participant_id=found.id, actor=actor, now=now, ttl=ttl
        )

    code = await services.db.write(unit)
    return None if code is None else (code, iso(now + ttl))


@dataclass(frozen=True, slots=True)
class Relinked:
    """A new patient link: the participant's study ID as stored, and the code (None when the
    participant has withdrawn and no link is issued) with its expiry (ISO)."""

    subject: str
    code: str | None
    expires_at: str | None


async def relink_patient(services: Services, subject: str, actor: Actor) -> Relinked | None:
    """A new single-use patient code for the participant with this study ID, in one transaction
    that also ends every earlier unused patient code. None when there is no such participant;
    no code for a withdrawn participant."""
    now = services.clock()
    ttl = services.study.enrollment.code_ttl

    async def unit(tx: Tx) -> Relinked | None:
        found = await people.get_participant(tx, subject)
        if found is None:
            return None
        if found.status is ParticipantStatus.WITHDRAWN:
            return Relinked(found.subject, None, None)
        await people.expire_codes(
            tx, found.id, actor=actor, now=now, role=Role.PATIENT, reason="new patient link"
        )
        code = await people.create_invitation(
            tx, role=Role.PATIENT, participant_id=found.id, actor=actor, now=now, ttl=ttl
        )
        return Relinked(found.subject, code, iso(now + ttl))

    return await services.db.write(unit)


async def enroll_participant(
    services: Services,
    subject: str,
    language: str | None,
    actor: Actor,
    *,
    onset_month: str | None = None,
    site: str | None = None,
) -> tuple[str, str, str]:
    """Create a participant at `site` (the study's default site when None) with a patient code
    and a caregiver code, in one transaction, with the month of symptom onset when given
    ('YYYY-MM', checked by `visits.parse_onset`). Returns (patient_code, caregiver_code,
    expires_at ISO); raises `DuplicateSubject`."""
    now = services.clock()
    ttl: timedelta = services.study.enrollment.code_ttl
    if site is None:
        site = services.study.default_site_id
    else:
        found = services.study.find_site(site)
        if found is None:
            raise sites.UnknownSite(site)
        site = found.id  # the id as the study file spells it
    zone = services.study.site(site).timezone
    own_zone = None if zone == services.study.schedule.timezone else zone

    async def unit(tx: Tx) -> tuple[str, str]:
        participant = await people.create_participant(
            tx, subject=subject, language=language, actor=actor, now=now, site=site
        )
        if own_zone is not None:  # reminders on the site's clock, not the study's
            await schedules.set_override(
                tx,
                participant.id,
                schedules.ScheduleOverride(timezone=own_zone),
                actor=actor,
                now=now,
                reason="the site's time zone",
            )
        if onset_month is not None:
            await visits.record_onset(tx, participant.id, onset_month, actor=actor, now=now)
        codes = []
        for role in (Role.PATIENT, Role.CAREGIVER):
            codes.append(
                await people.create_invitation(
                    tx, role=role, participant_id=participant.id, actor=actor, now=now, ttl=ttl
                )
            )
        return codes[0], codes[1]

    patient_code, caregiver_code = await services.db.write(unit)
    return patient_code, caregiver_code, iso(now + ttl)


# --- participants ----------------------------------------------------------------------------


async def find_participant(services: Services, subject: str) -> Participant | None:
    """The participant with this study ID, or None."""

    async def unit(tx: Tx) -> Participant | None:
        return await people.get_participant(tx, subject)

    return await services.db.read(unit)


async def change_status(
    services: Services,
    subject: str,
    status: ParticipantStatus,
    actor: Actor,
    *,
    reason: str | None = None,
) -> bool | None:
    """Pause, resume or withdraw a participant, audited. Returns whether the status changed
    (withdrawn is final), or None when there is no such participant."""
    now = services.clock()

    async def unit(tx: Tx) -> bool | None:
        found = await people.get_participant(tx, subject)
        if found is None:
            return None
        changed = await people.set_status(tx, found, status, actor=actor, now=now, reason=reason)
        if changed and status is ParticipantStatus.WITHDRAWN:
            # No outstanding code may link anyone to a withdrawn participant.
            await people.expire_codes(tx, found.id, actor=actor, now=now, reason="withdrawn")
            # Every account is unlinked and its Telegram id removed; the study record stays.
            await consent.erase_accounts(tx, found.id, actor=actor, now=now)
        return changed

    return await services.db.write(unit)


@dataclass(frozen=True, slots=True)
class OverviewPage:
    """One page of the participant overview and the number of participants in all."""

    count: int
    rows: list[Overview]


async def overview_page(
    services: Services, page: int, page_size: int, *, sites: Sites = None
) -> OverviewPage:
    """The overview lines of page `page` (from 0) of `page_size` lines about participants of
    `sites` (None: all), in one snapshot with their count."""

    async def unit(tx: Tx) -> OverviewPage:
        count = await people.count_participants(tx, sites=sites)
        rows = await people.overview(tx, offset=page * page_size, limit=page_size, sites=sites)
        return OverviewPage(count, rows)

    return await services.db.read(unit)


async def participant_overview(services: Services, *, sites: Sites = None) -> list[Overview]:
    """Every participant (of `sites`) with status, last two totals and open alerts, by study
    ID."""

    async def unit(tx: Tx) -> list[Overview]:
        return await people.overview(tx, sites=sites)

    return await services.db.read(unit)


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    """One participant as staff inspect them: submissions (newest first) and every link."""

    participant: Participant
    submissions: list[Submission]
    links: list[LinkRow]


async def participant_record(
    services: Services, subject: str, *, limit: int | None = None
) -> ParticipantRecord | None:
    """The record of the participant with this study ID (at most `limit` submissions), or None
    when there is no such participant."""

    async def unit(tx: Tx) -> ParticipantRecord | None:
        found = await people.get_participant(tx, subject)
        if found is None:
            return None
        subs = await assessments.submissions(tx, participant_id=found.id, limit=limit)
        links = await people.participant_links(tx, found.id)
        return ParticipantRecord(found, subs, links)

    return await services.db.read(unit)


# --- staff and access ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Revocation:
    """A revoked link, and for a staff link the Telegram chat whose staff menu should go."""

    link: LinkRow
    staff_chat: int | None


async def revoke_access(
    services: Services, link_id: int, actor: Actor, *, reason: str | None = None
) -> Revocation | None:
    """End a caregiver's or staff member's access at once, audited; None when there is no such
    active caregiver or staff link."""
    now = services.clock()

    async def unit(tx: Tx) -> Revocation | None:
        revoked = await people.revoke_link(tx, link_id, actor=actor, now=now, reason=reason)
        if revoked is None:
            return None
        chat = None
        if revoked.role is Role.STAFF:
            chat = await people.telegram_id_of_link(tx, revoked.id)
        return Revocation(revoked, chat)

    return await services.db.write(unit)


async def link_row(services: Services, link_id: int) -> LinkRow | None:
    """One link (any role, active or not), with its participant's study ID and site."""

    async def unit(tx: Tx) -> LinkRow | None:
        return await people.link(tx, link_id)

    return await services.db.read(unit)


async def staff_members(services: Services) -> list[LinkRow]:
    """Every active staff link."""

    async def unit(tx: Tx) -> list[LinkRow]:
        return await people.staff_links(tx)

    return await services.db.read(unit)


async def staff_chats(services: Services) -> list[tuple[int, str | None]]:
    """(Telegram user id, language) of every active staff member, for their command menu."""
    return await services.db.read(people.staff_accounts)


async def site_staff_chats(services: Services, site: str | None) -> list[tuple[int, str | None]]:
    """(Telegram user id, language) of the active staff members of `site` and the study-wide
    ones: who may hear about a participant of that site."""

    async def unit(tx: Tx) -> list[tuple[int, str | None]]:
        return await people.site_staff_accounts(tx, site)

    return await services.db.read(unit)
