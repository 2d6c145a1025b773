"""Sites as use cases (issue 16): which site a participant belongs to, the site a new
participant is enrolled at, the adoption of participants enrolled before sites existed, and an
operator's move of a participant to another site.

A staff link works for a set of sites, or for the whole study (`LinkInfo.sites is None`: a
monitor or the sponsor's safety physician). Every staff command and button about a participant
asks `LinkInfo.covers` first; a refusal is a plain reply and an audit entry, as for any other
refused action.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final

from conversations.context import Services
from storage import people, schedules
from storage.db import Tx
from storage.models import Actor, ActorRole, LinkInfo

__all__ = [
    "OTHER_SITE",
    "UnknownSite",
    "adopt_unassigned",
    "enrollment_site",
    "move_site",
    "sites_label",
]

log = logging.getLogger(__name__)
# How the audit trail names a staff member refused another site's participant or site.
OTHER_SITE: Final = "staff: other site"
SYSTEM: Final = Actor(role=ActorRole.SYSTEM)


class UnknownSite(ValueError):
    """The study file lists no site with that id."""


def enrollment_site(services: Services, link: LinkInfo | None, asked: str | None) -> str:
    """The site a new participant is enrolled at: the one asked for (it must exist, and be one
    of a site-bound staff member's), else the staff member's only site, else (study-wide staff)
    the study's default. A member of several sites names one: a participant's site is for good.
    Raises `UnknownSite`, or `PermissionError` for a site that is not theirs or not named."""
    study = services.study
    if asked is not None:
        found = study.find_site(asked)
        if found is None:
            raise UnknownSite(asked)
        if link is not None and not link.covers(found.id):
            raise PermissionError(found.id)
        return found.id
    if link is not None and link.sites is not None:
        if len(link.sites) == 1:
            return next(iter(link.sites))
        raise PermissionError("choose one of your sites")
    return study.default_site_id


def sites_label(sites: frozenset[str] | None) -> str | None:
    """A staff member's sites as a short text (None: study-wide)."""
    return None if sites is None else ", ".join(sorted(sites))


async def adopt_unassigned(services: Services) -> int:
    """Put participants enrolled before sites existed into the study's default site (once, at
    start-up; audited), and warn about participants of a site the study file does not list
    (`alsfrs-bot move-site` moves them). Returns how many were adopted."""
    study = services.study
    site = study.default_site_id
    now = services.clock()
    counts = await services.db.read(people.site_counts)
    count = 0
    if None in counts:  # a write only when there is something to adopt

        async def unit(tx: Tx) -> int:
            adopted = await people.adopt_unassigned(tx, site, now=now)
            for pid in adopted:
                await _follow_site_zone(tx, services, pid, None, site, SYSTEM, now)
            return len(adopted)

        count = await services.db.write(unit)
        log.info("%d participants enrolled before sites now belong to site %s", count, site)
    listed = {info.id for info in study.site_infos()}
    for unlisted, number in sorted((k, v) for k, v in counts.items() if k and k not in listed):
        log.warning(
            "%d participants belong to site %s, which the study file does not list: only "
            "study-wide staff see them; list the site or move them (alsfrs-bot move-site)",
            number,
            unlisted,
        )
    return count


async def move_site(
    services: Services,
    actor: Actor,
    to: str,
    *,
    subject: str | None,
    from_site: str | None,
    reason: str,
) -> list[str]:
    """An operator's correction: move one participant (`subject`) or every participant of
    `from_site` to the listed site `to`, one audit entry each. Returns the study IDs moved."""
    target = services.study.named_site(to).id
    now = services.clock()

    async def unit(tx: Tx) -> list[str]:
        moved = await people.move_site(
            tx,
            to=target,
            subject=subject,
            from_site=from_site,
            actor=actor,
            now=now,
            reason=reason,
        )
        for pid, _, old in moved:
            await _follow_site_zone(tx, services, pid, old, target, actor, now)
        return [found for _, found, _ in moved]

    return await services.db.write(unit)


async def _follow_site_zone(
    tx: Tx, services: Services, pid: int, old: str | None, new: str, actor: Actor, now: datetime
) -> None:
    """In the move's transaction: reminders follow the new site's clock, unless staff chose
    the participant's zone themselves (one that is neither the study's nor the old site's)."""
    study = services.study
    study_zone = study.schedule.timezone
    old_zone = study_zone if old is None else study.site(old).timezone
    current = await schedules.get_override(tx, pid)
    if current.timezone not in (None, old_zone):
        return
    new_zone = study.site(new).timezone
    wanted = None if new_zone == study_zone else new_zone
    if wanted != current.timezone:
        await schedules.set_override(
            tx,
            pid,
            current.model_copy(update={"timezone": wanted}),
            actor=actor,
            now=now,
            reason="the site's time zone",
        )
