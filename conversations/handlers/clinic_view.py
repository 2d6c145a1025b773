"""The clinic side of staff /participant and of the patient's /history: derived measures as
text, and the charts (drawn off the event loop)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import Update

from conversations.context import Services
from conversations.flows import visits as flow
from conversations.screens import charts
from conversations.screens.clinic import chart_data, derived_lines, latest_rating
from locales import Translator
from storage.models import Participant, Submission

__all__ = ["history_chart", "participant_clinic"]


async def participant_clinic(
    services: Services,
    update: Update,
    t: Translator,
    participant: Participant,
    subs: Sequence[Submission],
) -> tuple[list[str], bytes | None]:
    """(the derived-measure lines, the staff chart or None when there is under two points)."""
    view = await flow.clinic_view(services, participant.id)
    zone = services.safety.timezone
    lines = derived_lines(t, latest_rating(subs, view.visits, zone=zone), view.onset_month)
    baseline = None
    if view.baseline is not None:
        point = view.baseline.point
        baseline = (view.baseline.source, point.submitted_at.astimezone(zone).date(), point.total)
    data = chart_data(subs, view.visits, zone=zone, baseline=baseline)
    if len(data.points) < 2:
        return lines, None
    image = await asyncio.to_thread(
        charts.staff_png,
        t,
        participant.subject,
        data.points,
        baseline=data.baseline,
        fvc=data.fvc,
    )
    return lines, image


async def history_chart(
    services: Services,
    update: Update,
    t: Translator,
    participant_id: int,
    subject: str,
    subs: Sequence[Submission],
) -> None:
    """The patient's chart: their totals and the clinic's, when there are two points or more."""
    chat = update.effective_chat
    if chat is None:
        return
    view = await flow.clinic_view(services, participant_id)
    zone = services.safety.timezone
    own = [(s.submitted_at.astimezone(zone).date(), s.total) for s in subs]
    clinic = [
        (v.visit_date, v.total)
        for v in view.visits
        if v.visit_date is not None and v.total is not None
    ]
    if len(own) + len(clinic) < 2:
        return
    image = await asyncio.to_thread(charts.history_png, t, subject, own, clinic)
    await chat.send_photo(image, caption=t("chart-caption", subject=subject, count=len(own)))
