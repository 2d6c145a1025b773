"""The demo study of local mode: who the demo people are, the demo database (never the real
one), seeding it on first use and resetting it.

Seeding goes through the storage layer as the real thing does: a participant `S-DEMO-1`, single-use
invitations redeemed by fixed demo Telegram accounts (a staff member, the patient, a caregiver),
a few submitted assessments over the previous weeks, answered by the patient and once by the
caregiver, two clinic visits (I and III: clinic ALSFRS and FVC) and the month of symptom onset.
A fourth demo account, the stranger, is linked to nothing. The database is marked as
demo data in its audit trail; `alsfrs-bot demo-reset` deletes only a database so marked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from bot.settings import Settings, StudySettings
from conversations.flows import demo
from conversations.flows import visits as visit_flows
from conversations.flows.safety import SafetyConfig
from storage import consent, people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, Role
from storage.visits import VisitValues

__all__ = [
    "DEMO_PEOPLE",
    "DEMO_SITE_PHONE",
    "DEMO_SUBJECT",
    "DemoError",
    "DemoPerson",
    "demo_db_path",
    "demo_study",
    "ensure_demo",
    "reset_demo",
]

log = logging.getLogger(__name__)

DEMO_SUBJECT: Final = "S-DEMO-1"
# The site phone of the demo study: all zeros, plainly not a number anyone could reach. Local
# mode always uses it, so that a demo never hands out the real site's number.
DEMO_SITE_PHONE: Final = "+420 000 000 000"


class DemoError(Exception):
    """The demo database cannot be used or reset; the message says why and names the setting."""


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A simulated Telegram user of local mode. `role` None: linked to nothing (a stranger)."""

    key: str
    user_id: int
    first_name: str
    role: Role | None


DEMO_PEOPLE: Final[tuple[DemoPerson, ...]] = (
    DemoPerson("staff", 7_100_001, "Dana", Role.STAFF),
    DemoPerson("patient", 7_100_002, "Pavel", Role.PATIENT),
    DemoPerson("caregiver", 7_100_003, "Eva", Role.CAREGIVER),
    DemoPerson("stranger", 7_100_004, "Sam", None),
)

# Weeks before today, who answered, and the ten scores (totals 36, 36, 35, 35): a gentle decline
# that sets off no decline rule by itself (no item falls by 2, the slope stays under one point a
# month, breathing and swallowing stay put), so that a sharp fall today stands out.
_HISTORY: Final[tuple[tuple[int, Role, dict[int, int]], ...]] = (
    (8, Role.PATIENT, {1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 4, 7: 3, 8: 4, 9: 3, 10: 4}),
    (6, Role.PATIENT, {1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 4, 7: 3, 8: 4, 9: 3, 10: 4}),
    (4, Role.CAREGIVER, {1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 3, 7: 3, 8: 4, 9: 3, 10: 4}),
    (2, Role.PATIENT, {1: 4, 2: 3, 3: 4, 4: 3, 5: 3, 6: 4, 7: 3, 8: 4, 9: 3, 10: 4}),
)
# Two clinic visits entered by the demo staff member: weeks before today, the study's visit
# label, the clinic-rated scores (36 and 35, in step with the self-reports, so the clinic
# baseline raises nothing) and FVC % (88, then 84: above 70 % and a fall under 10 points).
_VISITS: Final[tuple[tuple[int, str, dict[int, int], int], ...]] = (
    (8, "I", {1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 4, 7: 3, 8: 4, 9: 3, 10: 4}, 88),
    (3, "III", {1: 4, 2: 3, 3: 4, 4: 3, 5: 3, 6: 4, 7: 3, 8: 4, 9: 3, 10: 4}, 84),
)
_ONSET_MONTHS_AGO: Final = 14
_OPERATOR: Final = Actor(role=ActorRole.OPERATOR)


def demo_study(study: StudySettings) -> StudySettings:
    """The study as local mode runs it: the same rules and sites, with the demo phone at every
    site and no on-call e-mail (a demo never hands out or writes to a real site's contact)."""
    info = study.study.model_copy(update={"site_phone": DEMO_SITE_PHONE})
    sites = tuple(
        site.model_copy(update={"phone": DEMO_SITE_PHONE, "oncall_email": None})
        for site in study.sites
    )
    alerts = study.alerts.model_copy(update={"oncall_email": None})
    privacy = study.privacy.model_copy(update={"contact": ""})  # "whom to ask": the demo phone
    return study.model_copy(
        update={"study": info, "sites": sites, "alerts": alerts, "privacy": privacy}
    )


def demo_db_path(settings: Settings) -> Path:
    """The demo database (ALSFRS_LOCAL_DB_PATH); refused when it is the study's (ALSFRS_DB_PATH)."""
    path = settings.local_db_path
    if path.resolve() == settings.db_path.resolve():
        raise DemoError(
            f"ALSFRS_LOCAL_DB_PATH ({path}) is the same file as ALSFRS_DB_PATH: local mode never "
            "uses the study's database. Choose another file for the demo."
        )
    return path


async def _seed(tx: Tx, now: datetime, language: str, study: StudySettings) -> None:
    safety = SafetyConfig.of(study)
    start = now - timedelta(weeks=_HISTORY[0][0] + 1)
    participant = await people.create_participant(
        tx, subject=DEMO_SUBJECT, language=None, actor=_OPERATOR, now=start
    )
    actors: dict[Role, Actor] = {}
    for offset, person in enumerate(p for p in DEMO_PEOPLE if p.role is not None):
        assert person.role is not None
        at = start + timedelta(minutes=10 * (offset + 1))
        code = await people.create_invitation(
            tx,
            role=person.role,
            participant_id=None if person.role is Role.STAFF else participant.id,
            actor=_OPERATOR,
            now=at,
            ttl=timedelta(days=1),
        )
        result, identity = await people.redeem(
            tx, code=code, telegram_user_id=person.user_id, now=at + timedelta(minutes=1)
        )
        if result is not people.RedeemResult.LINKED or identity is None:
            raise DemoError(
                f"the demo {person.key} account is already linked in another way; "
                "reset the demo with `alsfrs-bot demo-reset`"
            )
        link = identity.link_for(person.role)
        assert link is not None
        actors[person.role] = Actor(
            role=ActorRole(person.role.value),
            link_id=link.id,
            participant_id=None if person.role is Role.STAFF else participant.id,
        )
        # The demo's own people have read the notice; a visitor sees it with a new link.
        version = study.privacy.version
        for waiting in await consent.pending(tx, person.user_id, version):
            await consent.decide(tx, waiting, version=version, agreed=True, now=at)
    onset = now.date().replace(day=1) - timedelta(days=30 * _ONSET_MONTHS_AGO)
    await visit_flows.record_onset(
        tx, participant.id, f"{onset:%Y-%m}", actor=actors[Role.STAFF], now=start
    )
    for weeks, label, items, fvc in _VISITS:
        at = (now - timedelta(weeks=weeks)).replace(hour=8, minute=45)
        await visit_flows.save_visit(
            tx,
            participant_id=participant.id,
            values=VisitValues(
                label=label,
                visit_date=at.astimezone(safety.timezone).date(),
                items=items,
                item5_variant="5a",
                fvc_percent=fvc,
                norris_total=None,
                norris_bulbar=None,
                norris_spinal=None,
            ),
            actor=actors[Role.STAFF],
            now=at,
            study=study,
        )
    for weeks, role, scores in _HISTORY:
        await demo.submit_assessment(
            tx,
            participant_id=participant.id,
            actor=actors[role],
            scores=scores,
            has_tube=False,
            language=language,
            started_at=(now - timedelta(weeks=weeks)).replace(hour=9, minute=30),
            safety=safety,
        )
    await demo.mark_seeded(tx, subject=DEMO_SUBJECT, now=now)


async def ensure_demo(path: Path, study: StudySettings, now: datetime) -> bool:
    """Create the demo study in `path` unless it is there already. Returns True when it seeded.

    A database at `path` that holds participants but is not a demo database is left alone.
    """
    db = await Database.open(path)
    try:

        async def check(tx: Tx) -> tuple[bool, int]:
            return await demo.is_demo(tx), await people.count_participants(tx)

        seeded, count = await db.read(check)
        if seeded:
            return False
        if count:
            raise DemoError(
                f"ALSFRS_LOCAL_DB_PATH ({path}) holds participants but is not a local-mode demo "
                "database; choose another file for the demo"
            )

        async def seed(tx: Tx) -> None:
            await _seed(tx, now, "en", study)

        await db.write(seed)
        log.info("demo study %s created in %s", DEMO_SUBJECT, path)
        return True
    finally:
        await db.close()


def reset_demo(settings: Settings) -> str:
    """Delete the demo database, so that the next local run starts a fresh demo. Returns what
    was done, for the person who asked."""
    path = demo_db_path(settings)
    if not path.exists():
        return f"No demo database at {path}; nothing to reset."
    if not demo.is_demo_file(path):
        raise DemoError(
            f"ALSFRS_LOCAL_DB_PATH ({path}) is not a local-mode demo database; not deleting it"
        )
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"Demo database {path} deleted; the next `make run` without a token creates a new one."
