"""The privacy notice gate (issue 16): until a patient or caregiver account agrees to the
study's current notice, every command, text and button gets the notice again and nothing else
runs. "I agree" records the agreement; "Decline" unlinks the account, tells the person how to
come back, and tells staff.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from conversations.callbacks import ConsentPress, parse
from conversations.context import AppContext
from conversations.flows import enrollment, privacy
from conversations.flows.privacy import Pending
from conversations.handlers.access import answer, quietly, say
from conversations.screens.assessment import start_button
from conversations.screens.privacy import notice_screen
from locales import Language, language_from_telegram, translator
from storage.models import Role

__all__ = ["ask_if_pending", "gate", "on_consent_press"]

log = logging.getLogger(__name__)


def _language(item: Pending, update: Update) -> Language:
    if item.language in ("en", "cs"):
        return item.language  # type: ignore[return-value]
    user = update.effective_user
    return language_from_telegram(user.language_code if user else None)


async def _show(update: Update, context: AppContext, item: Pending) -> None:
    study = context.services.study
    t = translator(_language(item, update))
    screen = notice_screen(
        t,
        study.privacy,
        link_id=item.link_id,
        study_name=study.study.name,
        site_phone=study.site(item.site).site_phone,
        subject=item.subject,
    )
    await say(update, screen.text, screen.keyboard)


async def ask_if_pending(update: Update, context: AppContext) -> bool:
    """Show the notice when the account has a link waiting for agreement; True when shown."""
    user = update.effective_user
    if user is None:
        return False
    waiting = await privacy.pending(context.services, user.id)
    if not waiting:
        return False
    await _show(update, context, waiting[0])
    return True


async def gate(update: Update, context: AppContext) -> None:
    """Before any route: an account with a link waiting for agreement gets the notice again
    (a press on the notice itself goes through to `on_consent_press`)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or update.effective_user is None:
        return
    query = update.callback_query
    if query is not None and isinstance(parse(query.data), ConsentPress):
        return
    if not context.services.study.privacy.ask:
        return
    waiting = await privacy.pending(context.services, update.effective_user.id)
    if not waiting:
        return
    if query is not None:
        await answer(query)
    await _show(update, context, waiting[0])
    raise ApplicationHandlerStop


async def on_consent_press(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None
    press = parse(query.data)
    user = update.effective_user
    if not isinstance(press, ConsentPress) or user is None:
        return
    services = context.services
    item = await privacy.decide(services, user.id, press.link_id, agreed=press.agreed)
    t = translator(language_from_telegram(user.language_code))
    if item is None:
        await answer(query, t("privacy-gone"))
        return
    t = translator(_language(item, update))
    await answer(query)
    if query.message is not None:
        await quietly(query.edit_message_reply_markup(reply_markup=None))
    if not press.agreed:
        log.info("a %s account declined the privacy notice", item.role.value)
        await say(update, t("privacy-declined"))
        await _tell_staff(context, item)
        return
    if await ask_if_pending(update, context):
        return  # another link of this account is still waiting
    if item.role is Role.CAREGIVER:
        text = "\n\n".join(
            [
                t("privacy-thanks"),
                t("linked-caregiver", subject=item.subject),
                t("welcome-caregiver"),
            ]
        )
    else:
        text = "\n\n".join([t("privacy-thanks"), t("welcome")])
    await say(update, text, start_button(t, item.participant_id, resume=False))


async def _tell_staff(context: AppContext, item: Pending) -> None:
    """A plain notice to every active staff member of the participant's site (and the
    study-wide ones), in their language."""
    for chat_id, language in await enrollment.site_staff_chats(context.services, item.site):
        t = translator("cs" if language == "cs" else "en")
        text = t("privacy-declined-staff", role=t(f"role-{item.role.value}"), subject=item.subject)
        try:
            await context.bot.send_message(chat_id, text)
        except Exception:
            log.warning("could not tell a staff member about a declined notice")
