"""Alerts as staff act on them: acknowledge one, list the open ones, read one. One transaction
each; raising alerts is `conversations.flows.safety`.

The first acknowledgement wins (`storage.alert_delivery.acknowledge`); it wakes the delivery
worker, which then edits every delivered copy to show who acknowledged it and when.
"""

from __future__ import annotations

import logging

from conversations.context import Services
from storage import alert_delivery, alerts
from storage.alert_delivery import AckOutcome
from storage.alerts import Alert
from storage.db import Tx

__all__ = ["AckOutcome", "Alert", "acknowledge", "alert", "open_alerts"]

log = logging.getLogger(__name__)


async def acknowledge(services: Services, alert_id: int, link_id: int) -> AckOutcome | None:
    """Acknowledge as staff link `link_id`; None when there is no such alert. The first
    acknowledgement wakes delivery so that every copy is edited."""
    now = services.clock()

    async def unit(tx: Tx) -> AckOutcome | None:
        return await alert_delivery.acknowledge(tx, alert_id, link_id=link_id, now=now)

    outcome = await services.db.write(unit)
    if outcome is not None and outcome.first:
        log.info("alert %d acknowledged by staff #%d", alert_id, link_id)
        services.wake_outbox()
    return outcome


async def open_alerts(services: Services) -> list[Alert]:
    """Every alert not yet acknowledged, urgent first, oldest first."""

    async def unit(tx: Tx) -> list[Alert]:
        return await alerts.open_alerts(tx)

    return await services.db.read(unit)


async def alert(services: Services, alert_id: int) -> Alert | None:
    """One alert, or None when there is no such alert."""

    async def unit(tx: Tx) -> Alert | None:
        return await alerts.alert(tx, alert_id)

    return await services.db.read(unit)
