"""Handlers for the people who answer the ALSFRS, the patient or a caregiver on their behalf:
linking by code, the assessment, history, language, help.

Thin: each resolves who is asking (`conversations.handlers.access`), runs one flow and
renders the result. The assessment's state lives in SQLite, not in python-telegram-bot's
ConversationHandler: it must survive a kill at any moment, and every press is validated against
the stored revision (`storage.assessments.apply_action`), which makes stale, replayed and forged
buttons harmless. See docs/assessment-flow.md.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from conversations.callbacks import (
    AssessmentPress,
    LanguagePress,
    MenuPress,
    ReportPress,
    encode_menu,
    parse,
)
from conversations.context import AppContext, Services
from conversations.domain import symptom_step
from conversations.domain.assessment import (
    SYMPTOMS,
    AlreadySubmitted,
    AssessmentError,
    StaleAction,
    Symptoms,
)
from conversations.handlers import staff
from conversations.handlers import symptoms as symptom_handlers
from conversations.handlers.access import (
    actor_for,
    answer,
    choose,
    identity_of,
    is_proxy,
    language_of,
    link_for,
    participant_id,
    quietly,
    reply_to_press,
    respondent,
    respondent_links,
    say,
    send_chart,
    staff_link,
    subject_of,
    urgent_advice,
)
from conversations.screens import urgent
from conversations.screens.assessment import (
    assessment_screen,
    language_screen,
    submitted_screen,
)
from locales import Language, Translator, language_from_telegram, translator
from storage import assessments, people
from storage.assessments import AccessEnded, NotYours, state_of
from storage.db import Tx
from storage.models import (
    Actor,
    ActorRole,
    AssessmentRecord,
    Identity,
    LinkInfo,
    ParticipantStatus,
    Role,
    Submission,
)
from storage.people import RedeemResult

__all__ = ["COMMANDS", "register"]

log = logging.getLogger(__name__)


# --- /start and codes ---------------------------------------------------------------------


async def start(update: Update, context: AppContext) -> None:
    if context.args:
        await _redeem(update, context, context.args[0])
        return
    identity = await identity_of(context.services, update)
    t = translator(language_of(identity, update))
    links = respondent_links(identity)
    if staff_link(identity) is not None:
        await say(update, t("staff-help"))
        return
    if not links:
        await say(update, t("stranger"))
        return
    for link in links:
        await _welcome(update, context.services, t, link, first=False)


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
    t = translator(language_of(identity, update))
    if result is None:
        log.warning("code attempts throttled for an account")
        await say(update, t("code-throttled", minutes=enrollment.failure_window_minutes))
        return
    if result is RedeemResult.INVALID:
        log.info("a code was refused")
        await say(update, t("code-invalid"))
        return
    if result is RedeemResult.CONFLICT:
        await say(update, t("code-conflict"))
        return
    assert identity is not None
    newest = max(identity.links, key=lambda link: link.id)
    if newest.role is Role.STAFF:
        await staff.set_staff_menu(context.bot, uid, t.language)
        await say(update, "\n\n".join([t("linked-staff"), t("staff-help")]))
        return
    await _welcome(update, services, t, newest, first=True)


async def _welcome(
    update: Update, services: Services, t: Translator, link: LinkInfo, *, first: bool
) -> None:
    pid = participant_id(link)

    async def unit(tx: Tx) -> int | None:
        current = await assessments.in_progress(tx, pid)
        return None if current is None else len(current.answers)

    answered = await services.db.read(unit)
    lines: list[str] = []
    if first and link.role is Role.CAREGIVER:
        lines += [t("linked-caregiver", subject=subject_of(link)), "", t("welcome-caregiver")]
    elif first:
        lines += [t("linked-patient"), "", t("welcome")]
    elif link.role is Role.CAREGIVER:
        lines += [t("welcome-back-caregiver", subject=subject_of(link))]
    else:
        lines += [t("welcome-back")]
    if answered is not None:
        lines += ["", t("welcome-in-progress", answered=answered)]
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button-continue" if answered is not None else "button-start"),
                    callback_data=encode_menu("assess", pid),
                )
            ]
        ]
    )
    await say(update, "\n".join(lines), keyboard)


# --- the assessment -----------------------------------------------------------------------


async def assess(update: Update, context: AppContext) -> None:
    who = await respondent(update, context)
    if who is None:
        return
    t, links = who.t, who.links
    link = await choose(update, t, links, "assess")
    if link is not None:
        await _open(update, context, t, link, join=False)


async def _open(
    update: Update, context: AppContext, t: Translator, link: LinkInfo, *, join: bool
) -> None:
    """Start a new assessment or resume the open one, in a new message at the bottom. When
    someone else has one under way, say who and when, and offer to continue it or leave it."""
    services = context.services
    assert link.participant is not None
    if link.participant.status is not ParticipantStatus.ACTIVE:
        await say(update, t("participant-inactive"))
        return
    actor = actor_for(link)
    now = services.clock()
    pid = participant_id(link)

    async def unit(tx: Tx) -> tuple[AssessmentRecord | None, AssessmentRecord | None]:
        current = await assessments.in_progress(tx, pid)
        if (
            current is not None
            and not join
            and not await assessments.joined_by(tx, current.id, link.id)
        ):
            return None, current  # someone else's: ask first, change nothing
        record, _ = await assessments.open_assessment(
            tx, participant_id=pid, actor=actor, language=t.language, now=now
        )
        return record, current

    record, previous = await services.db.write(unit)
    if record is None:
        assert previous is not None
        await _offer_to_join(update, services, t, previous)
        return
    screen = assessment_screen(
        t,
        state_of(record),
        assessment_id=record.id,
        revision=record.revision,
        max_text=context.services.study.symptoms.other_max_length,
        proxy=is_proxy(link),
    )
    if previous is not None and previous.chat_id is not None and previous.message_id is not None:
        same_chat = (
            update.effective_chat is not None and update.effective_chat.id == previous.chat_id
        )
        await quietly(
            context.bot.edit_message_text(
                translator(previous.language)(
                    "assessment-retired" if same_chat else "assessment-taken-over"
                ),
                chat_id=previous.chat_id,
                message_id=previous.message_id,
            )
        )
    message = await say(update, screen.text, screen.keyboard)
    if message is not None:
        chat_id, message_id, aid = message.chat_id, message.message_id, record.id

        async def remember(tx: Tx) -> None:
            await assessments.set_message(tx, aid, chat_id, message_id)

        await services.db.write(remember)


async def _offer_to_join(
    update: Update, services: Services, t: Translator, current: AssessmentRecord
) -> None:
    zone = ZoneInfo(services.study.study.timezone)
    who = t(
        "started-by-patient" if current.started_by_role is Role.PATIENT else "started-by-caregiver"
    )
    text = t(
        "already-under-way",
        who=who,
        when=t.moment(current.started_at, zone),
        answered=len(current.answers),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("button-join"), callback_data=encode_menu("join", current.id))],
            [InlineKeyboardButton(t("button-leave"), callback_data=encode_menu("leave"))],
        ]
    )
    await say(update, text, keyboard)


async def on_press(update: Update, context: AppContext) -> None:
    """Every inline button. Every callback query is answered, whatever happens."""
    query = update.callback_query
    if query is None:
        return
    press = parse(query.data)
    services = context.services
    identity = await identity_of(services, update)
    t = translator(language_of(identity, update))
    if press is None:
        log.warning("rejected callback data that does not parse (update %s)", update.update_id)
        await answer(query, t("notice-invalid-button"))
        return
    if isinstance(press, LanguagePress):
        await _set_language(update, context, query, identity, press.language)
        return
    if isinstance(press, MenuPress):
        await _menu(update, context, query, identity, t, press)
        return
    if isinstance(press, AssessmentPress):
        await _assessment_press(update, context, query, identity, t, press)
        return
    if isinstance(press, ReportPress):
        await symptom_handlers.on_report_press(update, context, query, identity, t, press)
        return
    await staff.on_staff_press(update, context, query, identity, t, press)


async def _menu(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: MenuPress,
) -> None:
    links = respondent_links(identity)
    if press.what == "leave":
        await answer(query)
        await quietly(query.edit_message_text(t("left-alone")))
        return
    if press.what == "join":

        async def unit(tx: Tx) -> AssessmentRecord | None:
            return await assessments.assessment(tx, press.target or 0)

        record = await context.services.db.read(unit)
        link = link_for(links, record.participant_id) if record else None
        if record is None or link is None:
            log.warning("join press for an assessment the account may not answer")
            await answer(query, t("notice-invalid-button"))
            return
        await answer(query)
        await quietly(query.edit_message_reply_markup(reply_markup=None))
        await _open(update, context, t, link, join=True)
        return
    link = link_for(links, press.target) if press.target is not None else None
    if link is None and press.target is None and len(links) == 1:
        link = links[0]
    if link is None:
        log.warning("menu press for a participant the account may not answer for")
        await answer(query, t("notice-invalid-button"))
        return
    await answer(query)
    if press.what == "history":
        await _history_of(update, context, t, link)
    elif press.what == "symptoms":
        await symptom_handlers.open_report(update, context, t, link)
    else:
        await _open(update, context, t, link, join=False)


async def _assessment_press(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: AssessmentPress,
) -> None:
    services = context.services
    links = respondent_links(identity)
    if not links:
        log.warning("assessment button from an account without a participant")
        await answer(query, t("notice-not-enrolled"))
        return
    actors: dict[int, Actor] = {participant_id(link): actor_for(link) for link in links}
    now = services.clock()

    safety = services.safety

    async def unit(tx: Tx) -> assessments.Outcome:
        return await assessments.apply_action(
            tx,
            assessment_id=press.assessment_id,
            revision=press.revision,
            action=press.action,
            actors=actors,
            now=now,
            safety=safety,
        )

    try:
        outcome = await services.db.write(unit)
    except AlreadySubmitted:
        await answer(query, t("notice-already-submitted"))
        return
    except StaleAction:
        await answer(query, t("notice-already-answered"))
        return
    except AccessEnded:
        await answer(query, t("participant-inactive"), alert=True)
        return
    except NotYours:
        log.warning("callback for another participant's assessment (update %s)", update.update_id)
        await answer(query, t("notice-invalid-button"))
        return
    except AssessmentError as exc:
        log.warning("refused assessment action %s: %s", type(press.action).__name__, exc)
        await answer(query, t("notice-invalid-button"))
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
            t,
            state_of(record),
            assessment_id=record.id,
            revision=record.revision,
            max_text=context.services.study.symptoms.other_max_length,
            proxy=outcome.actor.role.value == Role.CAREGIVER.value,
        )
    await reply_to_press(query, screen)
    if outcome.alerts:
        services.wake_alerts()
    if urgent.needs_urgent_advice(outcome.triage, outcome.signals):
        await urgent_advice(update, services, t)


async def cancel(update: Update, context: AppContext) -> None:
    services = context.services
    who = await respondent(update, context)
    if who is None:
        return
    t, links = who.t, who.links
    pids = [participant_id(link) for link in links]

    async def unit(tx: Tx) -> list[AssessmentRecord]:
        found = [await assessments.in_progress(tx, pid) for pid in pids]
        return [record for record in found if record is not None]

    open_ones = await services.db.read(unit)
    if not open_ones:
        await say(update, t("cancel-nothing"))
        return
    chat_id = update.effective_chat.id if update.effective_chat else None
    for current in open_ones:
        if current.chat_id == chat_id and current.message_id is not None:
            await quietly(
                context.bot.edit_message_reply_markup(
                    chat_id=current.chat_id, message_id=current.message_id, reply_markup=None
                )
            )
    await say(update, t("cancelled"))


async def history(update: Update, context: AppContext) -> None:
    who = await respondent(update, context)
    if who is None:
        return
    t, links = who.t, who.links
    link = await choose(update, t, links, "history")
    if link is not None:
        await _history_of(update, context, t, link)


async def _history_of(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    pid = participant_id(link)

    async def unit(tx: Tx) -> list[Submission]:
        return await assessments.submissions(tx, participant_id=pid, limit=50)

    past = await context.services.db.read(unit)
    if not past:
        await say(update, t("history-empty"))
        return
    header = (
        t("history-header-caregiver", subject=subject_of(link))
        if is_proxy(link)
        else t("history-header")
    )
    lines = [header, ""]
    lines += [t("history-line", date=t.date(s.submitted_at.date()), total=s.total) for s in past]
    await say(update, "\n".join(lines))
    await send_chart(update, t, subject_of(link), [(s.submitted_at, s.total) for s in past])


# --- language, help, everything else ----------------------------------------------------------


async def language(update: Update, context: AppContext) -> None:
    identity = await identity_of(context.services, update)
    t = translator(language_of(identity, update))
    screen = language_screen(t)
    await say(update, screen.text, screen.keyboard)


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
    first = identity.links[0] if identity is not None and identity.links else None
    actor = actor_for(first) if first else Actor(role=ActorRole.STRANGER)

    async def unit(tx: Tx) -> None:
        account = await people.ensure_account(tx, uid, now)
        await people.set_account_language(tx, account, lang, actor, now)

    await services.db.write(unit)
    t = translator(lang)
    await asyncio.gather(answer(query), query.edit_message_text(t("language-set")))


async def help_command(update: Update, context: AppContext) -> None:
    identity = await identity_of(context.services, update)
    t = translator(language_of(identity, update))
    if staff_link(identity) is not None:
        await say(update, t("staff-help"))
    elif respondent_links(identity):
        await say(update, t("help"))
    else:
        await say(update, t("stranger"))


async def free_text(update: Update, context: AppContext) -> None:
    """Text where a tap was expected: a kind reminder and the current question again."""
    services = context.services
    identity = await identity_of(services, update)
    t = translator(language_of(identity, update))
    links = respondent_links(identity)
    if not links:
        await say(update, t("staff-help" if staff_link(identity) else "stranger"))
        return
    text = update.effective_message.text if update.effective_message else None
    text = text or ""
    if await symptom_handlers.describe_in_report(update, context, t, links, text):
        return
    pids = {participant_id(link): link for link in links}

    async def unit(tx: Tx) -> list[AssessmentRecord]:
        found = [await assessments.in_progress(tx, pid) for pid in pids]
        return [record for record in found if record is not None]

    open_ones = await services.db.read(unit)
    chat_id = update.effective_chat.id if update.effective_chat else None
    # Only an assessment shown in this very chat: text never reaches into an assessment that
    # someone else (the patient or another caregiver) has open in their own chat.
    mine = [r for r in open_ones if r.chat_id == chat_id]
    if not mine:
        await say(update, t("nothing-to-do"))
        return
    link = pids[mine[0].participant_id]
    if link.participant is None or link.participant.status is not ParticipantStatus.ACTIVE:
        await say(update, t("nothing-to-do"))
        return
    state = state_of(mine[0])
    if state.position == SYMPTOMS and state.symptoms.position == symptom_step.OTHER_TEXT:
        await _describe_in_assessment(update, context, t, link, mine[0], text)
        return
    await say(update, t("tap-reminder"))
    await _open(update, context, t, link, join=True)


async def _describe_in_assessment(
    update: Update,
    context: AppContext,
    t: Translator,
    link: LinkInfo,
    record: AssessmentRecord,
    text: str,
) -> None:
    """The respondent's words for "something else", typed where the bot asked for them."""
    services = context.services
    limit = services.study.symptoms.other_max_length
    if not " ".join(text.split()) or len(" ".join(text.split())) > limit:
        await say(update, t("symptom-other-too-long", max=limit))
        return
    actors = {participant_id(link): actor_for(link)}
    now = services.clock()
    safety = services.safety

    async def unit(tx: Tx) -> assessments.Outcome:
        return await assessments.apply_action(
            tx,
            assessment_id=record.id,
            revision=record.revision,
            action=Symptoms(symptom_step.Describe(text)),
            actors=actors,
            now=now,
            safety=safety,
        )

    try:
        await services.db.write(unit)
    except (AssessmentError, AccessEnded, NotYours):
        await say(update, t("tap-reminder"))
    await _open(update, context, t, link, join=True)


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
    ("symptoms", "cmd-symptoms"),
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
    application.add_handler(CommandHandler("symptoms", symptom_handlers.symptoms, filters=private))
    application.add_handler(CommandHandler("history", history, filters=private))
    application.add_handler(CommandHandler("language", language, filters=private))
    application.add_handler(CommandHandler("help", help_command, filters=private))
    staff.register(application)
    application.add_handler(CallbackQueryHandler(on_press))
    application.add_handler(MessageHandler(private & ~filters.COMMAND, free_text))
    application.add_handler(MessageHandler(private & filters.COMMAND, help_command))
    application.add_error_handler(on_error)
