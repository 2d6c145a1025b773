"""Staff handlers for alerts: the Acknowledge button on every delivered copy, and `/alerts`, the
list of open alerts (urgent first) with buttons to open or acknowledge each; `/alerts SUBJECT`
acknowledges every open alert of one participant with one action; `/note` adds the note of an
acknowledgement with "Other"; `/name` sets the display name colleagues see.

Acknowledging asks what was done (`screens.alerts.action_keyboard`): the press on a copy sends
the question to that chat, and the action press acknowledges.

Only active staff may use them; anyone else gets the plain refusal of
`conversations.handlers.access.deny`, which audits it.

The first acknowledgement wins (`conversations.flows.alerts.acknowledge`); the delivery worker then
edits every copy, of every round, in every chat, to show who acknowledged it and when: the edits
go through the same durable queue as the sends, so they survive a restart. A later press answers
who was first.
"""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from conversations.callbacks import ACK_ACTIONS, AckPress, AlertPress, parse
from conversations.context import AppContext, Services
from conversations.flows import alerts as alert_flows
from conversations.flows import enrollment
from conversations.handlers.access import (
    answer,
    deny,
    identity_of,
    language_of,
    quietly,
    refuse_other_site,
    say,
    staff_link,
)
from conversations.handlers.staff import staff_only
from conversations.screens.alerts import (
    action_keyboard,
    alerts_page,
    open_view,
    participant_view,
)
from locales import Translator, translator
from storage.models import LinkInfo

__all__ = ["name_command", "note_command", "on_alert_press", "open_alerts_page", "show_alerts"]


def _zone(services: Services) -> ZoneInfo:
    return ZoneInfo(services.study.study.timezone)


async def open_alerts_page(
    services: Services, t: Translator, page: int, link: LinkInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The open alerts about participants of the staff member's sites, one page."""
    found = await alert_flows.open_alerts(services, sites=link.sites)
    return alerts_page(t, found, page, zone=_zone(services))


@staff_only("alerts", about_subject=True)
async def show_alerts(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    """`/alerts`: the open alerts; `/alerts SUBJECT`: that participant's, to acknowledge at once."""
    services = context.services
    if context.args:
        subject = context.args[0]
        found = await enrollment.find_participant(services, subject)
        if found is None:
            await say(update, t("staff-unknown", subject=subject))
            return
        open_ones = await alert_flows.open_alerts(services, found.id)
        await say(
            update,
            *participant_view(t, found.subject, found.id, open_ones, zone=_zone(services)),
        )
        return
    text, keyboard = await open_alerts_page(services, t, 0, link)
    await say(update, text, keyboard)


@staff_only("note")
async def note_command(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    """`/note TEXT`: the note of this staff member's recent acknowledgements with "Other"."""
    text = " ".join(context.args or []).strip()
    if not text or len(text) > alert_flows.NOTE_MAX:
        await say(update, t("note-usage", max=alert_flows.NOTE_MAX))
        return
    count = await alert_flows.add_note(context.services, link.id, text)
    await say(update, t("note-saved", count=count) if count else t("note-nothing"))


@staff_only("name")
async def name_command(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    """`/name Dana N.`: the display name colleagues see on alerts."""
    text = " ".join(context.args or []).strip()
    if not text or len(text) > alert_flows.NAME_MAX:
        await say(update, t("name-usage", max=alert_flows.NAME_MAX))
        return
    name = await alert_flows.set_name(context.services, link.id, text)
    await say(update, t("name-set", name=escape(name, quote=False)))


async def _show(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    await quietly(query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard))


def _acknowledged_by(t: Translator, services: Services, alert: alert_flows.Alert) -> str:
    """Who acknowledged the alert first, and when (a later press is told this)."""
    assert alert.acknowledged_at is not None
    return t(
        "alert-ack-already",
        staff=alert.acknowledged_by_name or t("alert-staff-number", id=str(alert.acknowledged_by)),
        when=t.moment(alert.acknowledged_at, _zone(services)),
    )


async def _acknowledge(
    context: AppContext,
    query: CallbackQuery,
    t: Translator,
    link: LinkInfo,
    alert_id: int,
    action: str,
) -> bool:
    """Acknowledge with an action and answer the press; False when there is no such alert."""
    services = context.services
    outcome = await alert_flows.acknowledge(services, alert_id, link.id, action)
    if outcome is None:
        await answer(query, t("alert-unknown"))
        return False
    if outcome.first:
        await answer(query, t("alert-ack-done"))
        return True
    await answer(query, _acknowledged_by(t, services, outcome.alert), alert=True)
    return True


async def _ask_action(
    services: Services, query: CallbackQuery, t: Translator, alert_id: int
) -> None:
    """The question "what was done?" with its buttons, as a new message in the press's chat;
    an alert already acknowledged says by whom instead."""
    found = await alert_flows.alert(services, alert_id)
    if found is None:
        await answer(query, t("alert-unknown"))
        return
    if found.acknowledged_at is not None:
        await answer(query, _acknowledged_by(t, services, found), alert=True)
        return
    await answer(query)
    if query.message is not None:
        await quietly(
            query.message.chat.send_message(
                t("alert-action-title", id=str(alert_id)) + "\n" + t("alert-choose-action"),
                parse_mode=ParseMode.HTML,
                reply_markup=action_keyboard(t, "a", alert_id),
            )
        )


async def _on_ack_press(
    context: AppContext, query: CallbackQuery, t: Translator, link: LinkInfo, press: AckPress
) -> None:
    services = context.services
    action = ACK_ACTIONS[press.action]
    after = t("alert-note-ask") if action == "other" else t("alert-ack-done")
    if press.scope == "p":
        count = await alert_flows.acknowledge_participant(
            services, press.target, link.id, action, upto=press.upto
        )
        await answer(query, t("alert-ack-bulk-done", count=count))
        await _show(query, t("alert-ack-bulk-done", count=count) + "\n" + after, None)
        return
    if not await _acknowledge(context, query, t, link, press.target, action):
        return
    if press.scope == "l":
        if action == "other" and query.message is not None:
            await quietly(query.message.chat.send_message(after))
        await _show(query, *await open_alerts_page(services, t, press.page, link))
        return
    await _show(query, t("alert-action-title", id=str(press.target)) + "\n" + after, None)


async def _within_sites(
    update: Update, context: AppContext, t: Translator, link: LinkInfo, press: object
) -> bool:
    """Whether the press is about a participant of the staff member's sites (a forged or old
    button about another site's participant is refused and audited); True for a page turn."""
    services = context.services
    if isinstance(press, AckPress) and press.scope == "p":
        participant_id = press.target
    else:
        alert_id = press.alert_id if isinstance(press, AlertPress) else None
        if isinstance(press, AckPress):
            alert_id = press.target
        found = None if alert_id is None else await alert_flows.alert(services, alert_id)
        if found is None or link.covers(found.site):
            return True  # no such alert (the press's own answer says so), or one of theirs
        participant_id = found.participant_id
    target = await alert_flows.participant(services, participant_id)
    if target is None or link.covers(target.site):
        return True
    await refuse_other_site(update, context, t, link, target, "alert button")
    return False


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
    if link.sites is not None and not await _within_sites(update, context, t, link, press):
        return
    if isinstance(press, AckPress):
        await _on_ack_press(context, query, t, link, press)
        return
    if not isinstance(press, AlertPress):
        await answer(query, t("notice-invalid-button"))
        return
    if press.what == "ack" and press.alert_id is not None:
        # The copy itself is left to the worker, which edits it with all the others.
        await _ask_action(services, query, t, press.alert_id)
        return
    if press.what == "alk" and press.alert_id is not None:
        found = await alert_flows.alert(services, press.alert_id)
        if found is None:
            await answer(query, t("alert-unknown"))
            return
        await answer(query)
        text, _ = open_view(t, found, page=press.page, zone=_zone(services))
        await _show(
            query,
            text + "\n\n" + t("alert-choose-action"),
            action_keyboard(t, "l", found.id, press.page),
        )
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
    await _show(query, *await open_alerts_page(services, t, press.page, link))
