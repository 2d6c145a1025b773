"""Alerts as staff act on them: acknowledge one (with what was done), or every open alert of
one participant at once, add a note, choose a display name, list the open ones, read one. One
transaction each; raising alerts is `conversations.flows.safety`.

The first acknowledgement wins (`storage.alert_delivery.acknowledge`); it wakes the delivery
worker, which then edits every delivered copy to show who acknowledged it, when and what was
done. Every step is audited in its transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from conversations.context import Services
from storage import alert_delivery, alerts, audit, people
from storage.alert_delivery import AckOutcome
from storage.alerts import Alert
from storage.db import Tx
from storage.models import Actor, ActorRole, Participant
from storage.sites import Sites

__all__ = [
    "NAME_MAX",
    "NOTE_MAX",
    "AckOutcome",
    "Alert",
    "acknowledge",
    "acknowledge_participant",
    "add_note",
    "alert",
    "open_alerts",
    "participant",
    "set_name",
]

NOTE_MAX: Final = 200
NAME_MAX: Final = 40
NOTE_WINDOW: Final = timedelta(hours=1)  # /note applies to "Other" acknowledgements this recent

log = logging.getLogger(__name__)


async def acknowledge(
    services: Services, alert_id: int, link_id: int, action: str | None = None
) -> AckOutcome | None:
    """Acknowledge as staff link `link_id`, recording what was done; None when there is no such
    alert. The first acknowledgement wakes delivery so that every copy is edited."""
    now = services.clock()

    async def unit(tx: Tx) -> AckOutcome | None:
        return await alert_delivery.acknowledge(
            tx, alert_id, link_id=link_id, now=now, action=action
        )

    outcome = await services.db.write(unit)
    if outcome is not None and outcome.first:
        log.info("alert %d acknowledged by staff #%d", alert_id, link_id)
        services.wake_outbox()
    return outcome


async def acknowledge_participant(
    services: Services, participant_id: int, link_id: int, action: str, *, upto: int
) -> int:
    """Acknowledge every open alert of one participant up to alert `upto` (the newest the staff
    member was shown) with one action, in one transaction; returns how many this press
    acknowledged."""
    now = services.clock()

    async def unit(tx: Tx) -> int:
        count = 0
        for found in await alerts.open_alerts(tx, participant_id=participant_id):
            if found.id > upto:
                continue  # raised after the list was shown: nobody has seen it yet
            outcome = await alert_delivery.acknowledge(
                tx, found.id, link_id=link_id, now=now, action=action
            )
            count += outcome is not None and outcome.first
        return count

    count = await services.db.write(unit)
    if count:
        log.info("%d alerts acknowledged at once by staff #%d", count, link_id)
        services.wake_outbox()
    return count


async def add_note(services: Services, link_id: int, note: str) -> int:
    """The note of this staff member's recent acknowledgements with "Other" that have none yet;
    returns how many alerts got it."""
    now = services.clock()
    note = note.strip()[:NOTE_MAX]

    async def unit(tx: Tx) -> int:
        count = 0
        for alert_id in await alerts.awaiting_note(tx, link_id, since=now - NOTE_WINDOW):
            count += await alert_delivery.add_note(
                tx, alert_id, link_id=link_id, note=note, now=now
            )
        return count

    count = await services.db.write(unit)
    if count:
        services.wake_outbox()
    return count


async def set_name(services: Services, link_id: int, name: str) -> str:
    """Set the display name colleagues see on alerts; audited. Returns the name as stored."""
    now = services.clock()
    name = " ".join(name.split())[:NAME_MAX]

    async def unit(tx: Tx) -> None:
        old = await alerts.set_display_name(tx, link_id, name, now=now)
        await audit.record(
            tx,
            actor=Actor(role=ActorRole.STAFF, link_id=link_id),
            action="staff.display_name",
            entity="link",
            entity_id=link_id,
            at=now,
            old={"name": old},
            new={"name": name},
        )

    await services.db.write(unit)
    return name


async def open_alerts(
    services: Services, participant_id: int | None = None, *, sites: Sites = None
) -> list[Alert]:
    """Every alert not yet acknowledged (of one participant, if given; about participants of
    `sites`, None: all), urgent first, oldest first."""

    async def unit(tx: Tx) -> list[Alert]:
        return await alerts.open_alerts(tx, participant_id=participant_id, sites=sites)

    return await services.db.read(unit)


async def participant(services: Services, participant_id: int) -> Participant | None:
    """The participant with this id, or None."""

    async def unit(tx: Tx) -> Participant | None:
        return await people.participant_by_id(tx, participant_id)

    return await services.db.read(unit)


async def alert(services: Services, alert_id: int) -> Alert | None:
    """One alert, or None when there is no such alert."""

    async def unit(tx: Tx) -> Alert | None:
        return await alerts.alert(tx, alert_id)

    return await services.db.read(unit)
