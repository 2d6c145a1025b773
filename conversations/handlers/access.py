"""Who is asking, and what they may do: the account behind an update, its active links (patient,
caregiver, staff), its language, and the small sending helpers every handler shares.

Every handler starts here: a refused action gets a plain reply and an audit entry.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from typing import Any, Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from conversations.callbacks import encode_menu
from conversations.context import AppContext, Services
from conversations.flows import accounts, sites
from conversations.screens import urgent
from conversations.screens.assessment import Screen
from locales import Language, Translator, language_from_telegram, translator
from storage.models import Actor, ActorRole, Identity, LinkInfo, Participant, Role

__all__ = [
    "Respondent",
    "actor_for",
    "answer",
    "choose",
    "deny",
    "for_chosen",
    "identity_of",
    "is_proxy",
    "language_of",
    "link_for",
    "participant_id",
    "press_on_foreign_message",
    "quietly",
    "refuse_other_site",
    "reply_to_press",
    "respondent",
    "respondent_links",
    "retire_keyboard",
    "say",
    "staff_link",
    "subject_of",
    "urgent_advice",
    "was_answered",
]

log = logging.getLogger(__name__)


def language_of(identity: Identity | None, update: Update) -> Language:
    """The account's choice, else the patient's enrollment language, else Telegram's."""
    if identity is not None:
        if identity.account.language:
            return identity.account.language
        link = identity.patient_link
        if link and link.participant and link.participant.language:
            return link.participant.language
    user = update.effective_user
    return language_from_telegram(user.language_code if user else None)


async def identity_of(services: Services, update: Update) -> Identity | None:
    user = update.effective_user
    if user is None:
        return None
    return await accounts.identity(services, user.id)


def respondent_links(identity: Identity | None) -> list[LinkInfo]:
    """The links through which this account answers: as the patient, or as a caregiver."""
    if identity is None:
        return []
    return [
        link
        for link in identity.links
        if link.role in (Role.PATIENT, Role.CAREGIVER) and link.participant is not None
    ]


@dataclass(frozen=True, slots=True)
class Respondent:
    """A patient or caregiver account: its language and the participants it answers for."""

    identity: Identity
    t: Translator
    links: list[LinkInfo]


async def respondent(update: Update, context: AppContext) -> Respondent | None:
    """The account answering for one or more participants; anyone else gets a plain reply
    (staff are pointed to their own commands, strangers told what the bot is) and None."""
    identity = await identity_of(context.services, update)
    t = translator(language_of(identity, update))
    links = respondent_links(identity)
    if identity is None or not links:
        await say(update, t("staff-not-respondent" if staff_link(identity) else "stranger"))
        return None
    return Respondent(identity, t, links)


async def for_chosen(
    update: Update,
    context: AppContext,
    what: str,
    then: Callable[[Update, AppContext, Translator, LinkInfo], Awaitable[None]],
) -> None:
    """A respondent's command about one participant: with several, ask whom it is about (the
    menu button `what` then comes back with the choice); refuse anyone else."""
    who = await respondent(update, context)
    if who is None:
        return
    link = await choose(update, who.t, who.links, what)
    if link is not None:
        await then(update, context, who.t, link)


def staff_link(identity: Identity | None) -> LinkInfo | None:
    return None if identity is None else identity.link_for(Role.STAFF)


def actor_for(link: LinkInfo) -> Actor:
    return Actor(
        role=ActorRole(link.role.value),
        link_id=link.id,
        participant_id=link.participant.id if link.participant else None,
    )


async def say(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


_ANSWERED: Final[OrderedDict[str, None]] = OrderedDict()  # the latest answered query ids
_ANSWERED_REMEMBERED: Final = 10_000


def was_answered(query: CallbackQuery) -> bool:
    """Whether this press was answered already (Telegram takes one answer per press)."""
    return query.id in _ANSWERED


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a press. An expired query (re-delivered after a restart) cannot be answered any
    more; that is not a failure of the press itself."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in exc.message.lower():
            raise
        log.info("a callback query had expired before it was answered")
    _ANSWERED[query.id] = None
    if len(_ANSWERED) > _ANSWERED_REMEMBERED:
        _ANSWERED.popitem(last=False)


async def press_on_foreign_message(update: Update, context: AppContext) -> None:
    """Refuse, before any route, a press whose message the bot did not send (forged: Telegram's
    own apps only press the bot's buttons); nothing would be editable there."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    sender = query.message.from_user
    if sender is not None and sender.id == context.bot.id:
        return
    log.warning("refused a press on a message the bot did not send (update %s)", update.update_id)
    user = query.from_user
    t = translator(language_from_telegram(user.language_code if user else None))
    await answer(query, t("notice-invalid-button"))
    raise ApplicationHandlerStop


async def retire_keyboard(context: AppContext, chat_id: int, message_id: int) -> None:
    """Take the buttons off a message, once: a second edit to the same markup is a 400."""
    if context.bot_data.retire_once(chat_id, message_id):
        await quietly(
            context.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None
            )
        )


async def quietly(call: Awaitable[Any]) -> None:
    """A cosmetic edit (retiring an old keyboard) may fail harmlessly: the message may be gone."""
    try:
        await call
    except BadRequest as exc:
        log.info("cosmetic edit skipped: %s", exc.message)


async def refuse_other_site(
    update: Update,
    context: AppContext,
    t: Translator,
    link: LinkInfo,
    target: Participant,
    what: str,
) -> None:
    """Refuse a staff member a participant of a site that is not theirs: a plain reply (an
    alert on a press) and an audit entry, as for any other refused action. A press names no
    study ID: its data may be forged to probe which alert is whose."""
    await accounts.record_refusal(
        context.services, actor_for(link), what, sites.OTHER_SITE, about=target.id
    )
    log.info("refused %s about another site's participant", what)
    if update.callback_query is not None:
        await answer(update.callback_query, t("staff-other-site-press"), alert=True)
    else:
        await say(update, t("staff-other-site", subject=escape(target.subject)))


async def deny(update: Update, context: AppContext, identity: Identity | None, what: str) -> None:
    """Refuse an action the account's role does not allow: a plain reply and an audit entry."""
    services = context.services
    link = None
    if identity is not None and identity.links:
        link = identity.links[0]
    actor = actor_for(link) if link else Actor(role=ActorRole.STRANGER)
    role = link.role.value if link else "stranger"
    await accounts.record_refusal(services, actor, what, role)
    log.info("refused %s to a %s", what, role)
    t = translator(language_of(identity, update))
    text = t("staff-only") if identity is not None and identity.links else t("stranger")
    if update.callback_query is not None:
        await answer(update.callback_query, t("staff-only"), alert=True)
    else:
        await say(update, text)


# --- links a respondent answers through ----------------------------------------------------


def is_proxy(link: LinkInfo) -> bool:
    """A caregiver answers about someone else; the questions are worded for that."""
    return link.role is Role.CAREGIVER


def subject_of(link: LinkInfo) -> str:
    assert link.participant is not None
    return link.participant.subject


async def choose(
    update: Update, t: Translator, links: list[LinkInfo], what: str
) -> LinkInfo | None:
    """With one participant, that one; with several, ask whom this is about (and return None)."""
    if len(links) == 1:
        return links[0]
    rows = [
        [
            InlineKeyboardButton(
                subject_of(link), callback_data=encode_menu(what, participant_id(link))
            )
        ]
        for link in links
    ]
    question = "choose-history" if what == "history" else "choose-participant"
    await say(update, t(question), InlineKeyboardMarkup(rows))
    return None


def participant_id(link: LinkInfo) -> int:
    assert link.participant is not None
    return link.participant.id


def link_for(links: list[LinkInfo], pid: int | None) -> LinkInfo | None:
    """The link among `links` for participant `pid` (None when it is not one of them)."""
    return next((link for link in links if participant_id(link) == pid), None)


async def urgent_advice(
    update: Update, services: Services, t: Translator, participant: Participant | None
) -> None:
    """An urgent symptom: tell the respondent plainly whom to call (the participant's site and
    the emergency numbers). No other advice."""
    site = services.study.site(None if participant is None else participant.site)
    await say(update, urgent.urgent_advice_text(t, site))


async def reply_to_press(query: CallbackQuery, screen: Screen) -> None:
    """Answer the press and show the next screen, side by side: the person waits for both."""
    results = await asyncio.gather(
        answer(query),
        query.edit_message_text(
            screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result
