"""What `/healthz` and `/metrics` read from the database: the outbox backlog, the oldest
undelivered urgent alert, and the alert counts. Counts and ages only: no ids, no text."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from storage.db import Tx
from storage.models import from_iso

__all__ = ["OutboxState", "outbox_state"]


class OutboxState(BaseModel):
    model_config = ConfigDict(frozen=True)

    backlog: int  # deliveries (alerts and reminders) waiting to go out
    oldest_pending_at: datetime | None
    oldest_urgent_undelivered_at: datetime | None  # an urgent alert nobody has received yet
    alerts_raised: int
    alerts_delivered: int  # alerts that reached at least one recipient
    alerts_acknowledged: int
    send_retries: int  # attempts beyond the first, over all deliveries


def _moment(value: object) -> datetime | None:
    return None if value is None else from_iso(str(value))


async def outbox_state(tx: Tx) -> OutboxState:
    alerts = await tx.one(
        "SELECT COUNT(*) AS raised,"
        " COUNT(acknowledged_at) AS acknowledged,"
        " (SELECT COUNT(DISTINCT alert_id) FROM alert_deliveries WHERE status = 'sent')"
        "   AS delivered,"
        " (SELECT MIN(a.created_at) FROM alerts a WHERE a.urgent = 1"
        "   AND a.acknowledged_at IS NULL AND NOT EXISTS (SELECT 1 FROM alert_deliveries d"
        "   WHERE d.alert_id = a.id AND d.status = 'sent')) AS urgent_oldest"
        " FROM alerts"
    )
    pending = await tx.one(
        "SELECT (SELECT COUNT(*) FROM alert_deliveries WHERE status = 'pending')"
        " + (SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'pending') AS backlog,"
        " (SELECT MIN(created_at) FROM alert_deliveries WHERE status = 'pending') AS oldest,"
        " (SELECT COALESCE(SUM(MAX(attempts - 1, 0)), 0) FROM alert_deliveries)"
        " + (SELECT COALESCE(SUM(MAX(attempts - 1, 0)), 0) FROM reminder_deliveries) AS retries"
    )
    assert alerts is not None
    assert pending is not None
    return OutboxState(
        backlog=int(pending["backlog"]),
        oldest_pending_at=_moment(pending["oldest"]),
        oldest_urgent_undelivered_at=_moment(alerts["urgent_oldest"]),
        alerts_raised=int(alerts["raised"]),
        alerts_delivered=int(alerts["delivered"]),
        alerts_acknowledged=int(alerts["acknowledged"]),
        send_retries=int(pending["retries"]),
    )
