"""Staff handlers for alerts: the Acknowledge button on every delivered copy, and `/alerts`, the
list of open alerts (urgent first) with buttons to open or acknowledge each.

`register` must run before `conversations.handlers.patient.register`, whose catch-all button handler
would otherwise take these presses. Only active staff may use them; anyone else gets the plain
refusal of `conversations.handlers.access.deny`, which audits it.

The first acknowledgement wins (`conversations.flows.alerts.acknowledge`); the delivery worker then
edits every copy, of every round, in every chat, to show who acknowledged it and when: the edits
go through the same durable queue as the sends, so they survive a restart. A later press answers
who was first.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from conversations.callbacks import AlertPress, parse
from conversations.context import AppContext, Services
from conversations.flows import alerts as alert_flows
from conversations.handlers.access import (
    answer,
    deny,
    identity_of,
    language_of,
    quietly,
    say,
    staff_link,
)
from conversations.handlers.staff import staff_only
from conversations.screens.alerts import (
    alerts_page,
    open_view,
)
from locales import Translator, translator
from storage.models import LinkInfo

__all__ = ["on_alert_press", "open_alerts_page", "show_alerts"]


def _zone(services: Services) -> ZoneInfo:
    return ZoneInfo(services.study.study.timezone)


async def open_alerts_page(
    services: Services, t: Translator, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    return alerts_page(t, await alert_flows.open_alerts(services), page, zone=_zone(services))


@staff_only("alerts")
async def show_alerts(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    text, keyboard = await open_alerts_page(context.services, t, 0)
    await say(update, text, keyboard)


async def _show(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    await quietly(query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard))


async def _acknowledge(
    context: AppContext, query: CallbackQuery, t: Translator, link: LinkInfo, alert_id: int
) -> bool:
    """Acknowledge and answer the press; False when there is no such alert."""
    services = context.services
    outcome = await alert_flows.acknowledge(services, alert_id, link.id)
    if outcome is None:
        await answer(query, t("alert-unknown"))
        return False
    if outcome.first:
        await answer(query, t("alert-ack-done"))
        return True
    acked = outcome.alert
    assert acked.acknowledged_at is not None
    await answer(
        query,
        t(
            "alert-ack-already",
            staff=str(acked.acknowledged_by),
            when=t.moment(acked.acknowledged_at, _zone(services)),
        ),
        alert=True,
    )
    return True


async def on_alert_press(update: Update, context: AppContext) -> None:
    """Acknowledge (on a delivered copy or in the list), open one alert, or turn a page."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    identity = await identity_of(services, update)
    link = staff_link(identity)
    if link is None:
        await deny(update, context, identity, "alert button")
        return
    t = translator(language_of(identity, update))
    press = parse(query.data)
    if not isinstance(press, AlertPress):
        await answer(query, t("notice-invalid-button"))
        return
    if press.what == "ack" and press.alert_id is not None:
        # The worker edits this copy with all the others; editing it here too would race it.
        await _acknowledge(context, query, t, link, press.alert_id)
        return
    if press.what == "alk" and press.alert_id is not None:
        if await _acknowledge(context, query, t, link, press.alert_id):
            await _show(query, *await open_alerts_page(services, t, press.page))
        return
    if press.what == "alo" and press.alert_id is not None:
        found = await alert_flows.alert(services, press.alert_id)
        if found is None:
            await answer(query, t("alert-unknown"))
            return
        await answer(query)
        await _show(query, *open_view(t, found, page=press.page, zone=_zone(services)))
        return
    await answer(query)
    await _show(query, *await open_alerts_page(services, t, press.page))
