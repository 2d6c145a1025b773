"""Handlers for people answering the ALSFRS: linking by code, the assessment, history,
language, help. Thin: they resolve who is asking, run one storage unit, and render the result.

The assessment's state lives in SQLite, not in python-telegram-bot's ConversationHandler: it
must survive a kill at any moment, and a press is validated against the stored revision (see
`storage.assessments.apply_action`), which makes stale, replayed and forged buttons harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from conversations.assessment import AlreadySubmitted, AssessmentError, StaleAction
from conversations.callbacks import AssessmentPress, LanguagePress, MenuPress, parse
from conversations.context import AppContext, Services
from conversations.render import (
    Screen,
    assessment_screen,
    language_screen,
    start_button,
    submitted_screen,
)
from locales import Language, Translator, language_from_telegram, translator
from storage import assessments, people
from storage.assessments import NotYours, state_of
from storage.db import Tx
from storage.models import Actor, ActorRole, Identity, LinkInfo, ParticipantStatus
from storage.people import RedeemResult

__all__ = ["register"]

log = logging.getLogger(__name__)


# --- who is asking -------------------------------------------------------------------------


def _language(identity: Identity | None, update: Update) -> Language:
    if identity is not None:
        if identity.account.language:
            return identity.account.language
        link = identity.patient_link
        if link and link.participant and link.participant.language:
            return link.participant.language
    user = update.effective_user
    return language_from_telegram(user.language_code if user else None)


async def _identity(services: Services, update: Update) -> Identity | None:
    user = update.effective_user
    if user is None:
        return None
    uid = user.id

    async def unit(tx: Tx) -> Identity | None:
        return await people.identity(tx, uid)

    return await services.db.read(unit)


def _respondent(identity: Identity | None) -> LinkInfo | None:
    """The link through which this account answers: its patient link, for now."""
    if identity is None:
        return None
    link = identity.patient_link
    if link is None or link.participant is None:
        return None
    return link


def _actor(link: LinkInfo) -> Actor:
    assert link.participant is not None
    return Actor(
        role=ActorRole(link.role.value), link_id=link.id, participant_id=link.participant.id
    )


async def _say(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def _answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a press. An expired query (re-delivered after a restart) cannot be answered any
    more; that is not a failure of the press itself."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in exc.message.lower():
            raise
        log.info("a callback query had expired before it was answered")


async def _quietly(call: Awaitable[Any]) -> None:
    """A cosmetic edit (retiring an old keyboard) may fail harmlessly: the message may be gone."""
    try:
        await call
    except BadRequest as exc:
        log.info("cosmetic edit skipped: %s", exc.message)


# --- /start and codes ---------------------------------------------------------------------


async def start(update: Update, context: AppContext) -> None:
    services = context.services
    user = update.effective_user
    if user is None:
        return
    code = context.args[0] if context.args else None
    if code:
        await _redeem(update, context, code)
        return
    identity = await _identity(services, update)
    t = translator(_language(identity, update))
    link = _respondent(identity)
    if link is None:
        await _say(update, t("stranger"))
        return
    await _welcome(update, services, t, link, first=False)


async def _redeem(update: Update, context: AppContext, code: str) -> None:
    services = context.services
    user = update.effective_user
    assert user is not None
    uid = user.id
    now = services.clock()
    enrollment = services.study.enrollment
    window_start = now - timedelta(minutes=enrollment.failure_window_minutes)

    async def unit(tx: Tx) -> tuple[RedeemResult | None, Identity | None]:
        failures = await people.count_recent_failures(tx, uid, window_start)
        if failures >= enrollment.max_failures:
            return None, None
        result, identity = await people.redeem(tx, code=code, telegram_user_id=uid, now=now)
        if result is RedeemResult.INVALID:
            await people.record_failed_attempt(tx, uid, now)
        return result, identity

    result, identity = await services.db.write(unit)
    t = translator(_language(identity, update))
    if result is None:
        log.warning("code attempts throttled for an account")
        await _say(update, t("code-throttled", minutes=enrollment.failure_window_minutes))
        return
    if result is RedeemResult.INVALID:
        log.info("a code was refused")
        await _say(update, t("code-invalid"))
        return
    if result is RedeemResult.CONFLICT:
        await _say(update, t("code-conflict"))
        return
    link = _respondent(identity)
    if link is None:
        await _say(update, t("stranger"))
        return
    await _welcome(update, services, t, link, first=True)


async def _welcome(
    update: Update, services: Services, t: Translator, link: LinkInfo, *, first: bool
) -> None:
    assert link.participant is not None
    pid = link.participant.id

    async def unit(tx: Tx) -> int | None:
        current = await assessments.in_progress(tx, pid)
        return None if current is None else len(current.answers)

    answered = await services.db.read(unit)
    lines = [t("linked-patient"), "", t("welcome")] if first else [t("welcome-back")]
    if answered is not None:
        lines += ["", t("welcome-in-progress", answered=answered)]
    await _say(update, "\n".join(lines), start_button(t, resume=answered is not None))


# --- the assessment -----------------------------------------------------------------------


async def _open_assessment(update: Update, context: AppContext) -> None:
    """Start a new assessment or resume the open one, in a new message at the bottom."""
    services = context.services
    identity = await _identity(services, update)
    t = translator(_language(identity, update))
    link = _respondent(identity)
    if link is None or link.participant is None:
        await _say(update, t("stranger"))
        return
    if link.participant.status is not ParticipantStatus.ACTIVE:
        await _say(update, t("participant-inactive"))
        return
    actor = _actor(link)
    now = services.clock()
    participant_id = link.participant.id

    async def unit(tx: Tx) -> tuple[Any, int | None, int | None]:
        current = await assessments.in_progress(tx, participant_id)
        old_chat = current.chat_id if current else None
        old_message = current.message_id if current else None
        record, _ = await assessments.open_assessment(
            tx, participant_id=participant_id, actor=actor, language=t.language, now=now
        )
        return record, old_chat, old_message

    record, old_chat, old_message = await services.db.write(unit)
    screen = assessment_screen(
        t, state_of(record), assessment_id=record.id, revision=record.revision, proxy=False
    )
    if old_chat is not None and old_message is not None:
        await _quietly(
            context.bot.edit_message_text(
                t("assessment-retired"), chat_id=old_chat, message_id=old_message
            )
        )
    message = await _say(update, screen.text, screen.keyboard)
    if message is not None:
        chat_id, message_id, aid = message.chat_id, message.message_id, record.id

        async def remember(tx: Tx) -> None:
            await assessments.set_message(tx, aid, chat_id, message_id)

        await services.db.write(remember)


async def assess(update: Update, context: AppContext) -> None:
    await _open_assessment(update, context)


async def on_press(update: Update, context: AppContext) -> None:
    """Every inline button. Every callback query is answered, whatever happens."""
    query = update.callback_query
    if query is None:
        return
    press = parse(query.data)
    services = context.services
    identity = await _identity(services, update)
    t = translator(_language(identity, update))
    if press is None:
        log.warning("rejected callback data that does not parse (update %s)", update.update_id)
        await _answer(query, t("notice-invalid-button"))
        return
    if isinstance(press, LanguagePress):
        await _set_language(update, context, query, identity, press.language)
        return
    if isinstance(press, MenuPress):
        await _answer(query)
        await _open_assessment(update, context)
        return
    await _assessment_press(update, context, query, identity, t, press)


async def _assessment_press(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: AssessmentPress,
) -> None:
    services = context.services
    link = _respondent(identity)
    if link is None or link.participant is None:
        log.warning("assessment button from an account without a participant")
        await _answer(query, t("notice-not-enrolled"))
        return
    actor = _actor(link)
    now = services.clock()
    if link.participant.status is not ParticipantStatus.ACTIVE:
        await _answer(query, t("participant-inactive"), alert=True)
        return

    async def unit(tx: Tx) -> assessments.Outcome:
        return await assessments.apply_action(
            tx,
            assessment_id=press.assessment_id,
            revision=press.revision,
            action=press.action,
            actor=actor,
            now=now,
        )

    try:
        outcome = await services.db.write(unit)
    except AlreadySubmitted:
        await _answer(query, t("notice-already-submitted"))
        return
    except StaleAction:
        await _answer(query, t("notice-already-answered"))
        return
    except NotYours:
        log.warning(
            "callback for an assessment of another participant (update %s)", update.update_id
        )
        await _answer(query, t("notice-invalid-button"))
        return
    except AssessmentError as exc:
        log.warning("refused assessment action %s: %s", type(press.action).__name__, exc)
        await _answer(query, t("notice-invalid-button"))
        return
    record = outcome.record
    if record.status == "submitted":
        assert record.total is not None
        assert record.submitted_at is not None
        previous = outcome.previous
        screen = submitted_screen(
            t,
            total=record.total,
            submitted_on=record.submitted_at.date(),
            previous_total=previous.total if previous else None,
            previous_date=previous.submitted_at.date() if previous else None,
        )
    else:
        screen = assessment_screen(
            t, state_of(record), assessment_id=record.id, revision=record.revision, proxy=False
        )
    await _reply_to_press(query, screen)


async def _reply_to_press(query: CallbackQuery, screen: Screen) -> None:
    """Answer the press and show the next screen, side by side: the person waits for both."""
    results = await asyncio.gather(
        _answer(query),
        query.edit_message_text(
            screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def cancel(update: Update, context: AppContext) -> None:
    services = context.services
    identity = await _identity(services, update)
    t = translator(_language(identity, update))
    link = _respondent(identity)
    if link is None or link.participant is None:
        await _say(update, t("stranger"))
        return
    pid = link.participant.id

    async def unit(tx: Tx) -> Any:
        return await assessments.in_progress(tx, pid)

    current = await services.db.read(unit)
    if current is None:
        await _say(update, t("cancel-nothing"))
        return
    if current.chat_id is not None and current.message_id is not None:
        await _quietly(
            context.bot.edit_message_reply_markup(
                chat_id=current.chat_id, message_id=current.message_id, reply_markup=None
            )
        )
    await _say(update, t("cancelled"))


async def history(update: Update, context: AppContext) -> None:
    services = context.services
    identity = await _identity(services, update)
    t = translator(_language(identity, update))
    link = _respondent(identity)
    if link is None or link.participant is None:
        await _say(update, t("stranger"))
        return
    pid = link.participant.id

    async def unit(tx: Tx) -> list[Any]:
        return await assessments.submissions(tx, participant_id=pid, limit=50)

    past = await services.db.read(unit)
    if not past:
        await _say(update, t("history-empty"))
        return
    lines = [t("history-header"), ""]
    lines += [t("history-line", date=t.date(s.submitted_at.date()), total=s.total) for s in past]
    await _say(update, "\n".join(lines))


# --- language, help, everything else ----------------------------------------------------------


async def language(update: Update, context: AppContext) -> None:
    identity = await _identity(context.services, update)
    t = translator(_language(identity, update))
    screen = language_screen(t)
    await _say(update, screen.text, screen.keyboard)


async def _set_language(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    chosen: str,
) -> None:
    services = context.services
    user = update.effective_user
    assert user is not None
    uid = user.id
    now = services.clock()
    lang: Language = "cs" if chosen == "cs" else "en"
    link = _respondent(identity)
    actor = _actor(link) if link else Actor(role=ActorRole.SYSTEM)

    async def unit(tx: Tx) -> None:
        account = await people.ensure_account(tx, uid, now)
        await people.set_account_language(tx, account, lang, actor, now)

    await services.db.write(unit)
    t = translator(lang)
    await asyncio.gather(_answer(query), query.edit_message_text(t("language-set")))


async def help_command(update: Update, context: AppContext) -> None:
    identity = await _identity(context.services, update)
    t = translator(_language(identity, update))
    if _respondent(identity) is None:
        await _say(update, t("stranger"))
        return
    await _say(update, t("help"))


async def free_text(update: Update, context: AppContext) -> None:
    """Text where a tap was expected: a kind reminder and the current question again."""
    services = context.services
    identity = await _identity(services, update)
    t = translator(_language(identity, update))
    link = _respondent(identity)
    if link is None or link.participant is None:
        await _say(update, t("stranger"))
        return
    pid = link.participant.id

    async def unit(tx: Tx) -> Any:
        return await assessments.in_progress(tx, pid)

    current = await services.db.read(unit)
    if current is None or link.participant.status is not ParticipantStatus.ACTIVE:
        await _say(update, t("nothing-to-do"))
        return
    await _say(update, t("tap-reminder"))
    await _open_assessment(update, context)


async def on_error(update: object, context: AppContext) -> None:
    """Log the failure without any content of the update, and tell the person kindly."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed for update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        user = update.effective_user
        t = translator(language_from_telegram(user.language_code if user else None))
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(t("error-generic"), show_alert=True)
            else:
                await update.effective_chat.send_message(t("error-generic"))
        except TelegramError:
            log.warning("could not tell the person about the failure")


COMMANDS: tuple[tuple[str, str], ...] = (
    ("assess", "cmd-assess"),
    ("history", "cmd-history"),
    ("language", "cmd-language"),
    ("cancel", "cmd-cancel"),
    ("help", "cmd-help"),
)


def register(application: Application[Any, AppContext, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("assess", assess, filters=private))
    application.add_handler(CommandHandler("cancel", cancel, filters=private))
    application.add_handler(CommandHandler("history", history, filters=private))
    application.add_handler(CommandHandler("language", language, filters=private))
    application.add_handler(CommandHandler("help", help_command, filters=private))
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(private & ~filters.COMMAND, free_text))
    application.add_handler(MessageHandler(private & filters.COMMAND, help_command))
    application.add_error_handler(on_error)
