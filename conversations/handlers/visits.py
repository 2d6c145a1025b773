"""Staff enter a clinic visit (`/visit SUBJECT`) by buttons and typed numbers, and set the month
of symptom onset (`/onset SUBJECT YYYY-MM`). Thin: each calls `conversations.flows.visits`.

Typed numbers (date, FVC, Norris) reach `typed_in_visit` from the free-text handler: a staff
member with a visit in progress is answering its current step.
"""

from __future__ import annotations

import logging
from typing import Final
from zoneinfo import ZoneInfo

from telegram import Update

from conversations.callbacks import VisitPress, parse
from conversations.context import AppContext
from conversations.flows import visits as flow
from conversations.flows.visits import InvalidValues, PressOutcome, VisitRefused
from conversations.handlers.access import (
    actor_for,
    answer,
    deny,
    identity_of,
    language_of,
    reply_to_press,
    say,
    staff_link,
)
from conversations.handlers.staff import staff_only
from conversations.screens.assessment import Screen
from conversations.screens.visit import saved_screen, visit_screen
from locales import Translator, translator
from storage.models import LinkInfo

__all__ = ["VISIT_COMMANDS", "on_visit_press", "onset", "typed_in_visit", "visit"]

log = logging.getLogger(__name__)


def _screen(t: Translator, context: AppContext, outcome: PressOutcome) -> Screen:
    if outcome.saved:
        return saved_screen(t, outcome.state, subject=outcome.visit.subject, alerts=outcome.alerts)
    return visit_screen(
        t,
        outcome.state,
        subject=outcome.visit.subject,
        visit_id=outcome.visit.id,
        revision=outcome.visit.revision,
        settings=context.services.study.visits,
    )


@staff_only("visit", about_subject=True)
async def visit(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    args = context.args or []
    if len(args) != 1:
        await say(update, t("visit-usage"))
        return
    outcome = await flow.begin(context.services, subject=args[0], actor=actor_for(link))
    if outcome is None:
        await say(update, t("staff-unknown", subject=args[0]))
        return
    screen = _screen(t, context, outcome)
    await say(update, screen.text, screen.keyboard)


@staff_only("onset", about_subject=True)
async def onset(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    args = context.args or []
    services = context.services
    today = services.clock().astimezone(ZoneInfo(services.study.study.timezone)).date()
    month = flow.parse_onset(args[1], today=today) if len(args) == 2 else None
    if month is None:
        await say(update, t("onset-usage"))
        return
    try:
        found = await flow.set_onset(services, subject=args[0], month=month, actor=actor_for(link))
    except InvalidValues:
        found = None
    if found is None:
        await say(update, t("staff-unknown", subject=args[0]))
        return
    await say(update, t("onset-set", subject=found.subject, month=month))


async def on_visit_press(update: Update, context: AppContext) -> None:
    query = update.callback_query
    if query is None:
        return
    identity = await identity_of(context.services, update)
    link = staff_link(identity)
    if link is None:
        await deny(update, context, identity, "visit button")
        return
    t = translator(language_of(identity, update))
    press = parse(query.data)
    if not isinstance(press, VisitPress):
        await answer(query, t("visit-stale"))
        return
    try:
        outcome = await flow.press(
            context.services,
            visit_id=press.visit_id,
            revision=press.revision,
            action=press.action,
            actor=actor_for(link),
        )
    except VisitRefused as exc:
        log.info("visit press refused: %s", exc)
        await answer(query, t("visit-stale"), alert=True)
        return
    await reply_to_press(query, _screen(t, context, outcome))


async def typed_in_visit(update: Update, context: AppContext) -> bool:
    """Text from a staff member with a visit in progress: the answer to its current step (or a
    kind refusal and the question again). False when there is no such visit."""
    services = context.services
    identity = await identity_of(services, update)
    link = staff_link(identity)
    message = update.effective_message
    if link is None or message is None or not message.text:
        return False
    outcome = await flow.type_in(services, actor=actor_for(link), text=message.text)
    if outcome is None:
        return False
    t = translator(language_of(identity, update))
    if outcome.refusal is not None:
        await say(update, t(outcome.refusal.key, **dict(outcome.refusal.args)))
    screen = _screen(t, context, outcome)
    await say(update, screen.text, screen.keyboard)
    return True


VISIT_COMMANDS: Final = (("visit", visit), ("onset", onset))
