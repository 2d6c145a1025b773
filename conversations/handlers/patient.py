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
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError

from conversations.callbacks import (
    AgainPress,
    AssessmentPress,
    LanguagePress,
    MenuPress,
    ReportPress,
    parse,
)
from conversations.context import AppContext, Services
from conversations.domain import symptom_step
from conversations.domain.assessment import (
    SYMPTOMS,
    Status,
    Symptoms,
)
from conversations.domain.symptoms import visible
from conversations.flows import accounts, answering, assessment
from conversations.flows.accounts import RedeemResult
from conversations.flows.answering import PressRefused, Refusal
from conversations.flows.assessment import state_of
from conversations.handlers import privacy, staff
from conversations.handlers import symptoms as symptom_handlers
from conversations.handlers import visits as visit_handlers
from conversations.handlers.access import (
    actor_for,
    answer,
    for_chosen,
    identity_of,
    is_proxy,
    language_of,
    link_for,
    participant_id,
    quietly,
    reply_to_press,
    respondent,
    respondent_links,
    retire_keyboard,
    say,
    staff_link,
    subject_of,
    urgent_advice,
    was_answered,
)
from conversations.handlers.clinic_view import history_chart
from conversations.screens.assessment import (
    Screen,
    again_screen,
    assessment_screen,
    join_keyboard,
    language_screen,
    start_button,
    submitted_screen,
)
from locales import Language, Translator, language_from_telegram, translator
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

__all__ = [
    "COMMANDS",
    "assess",
    "cancel",
    "free_text",
    "help_command",
    "history",
    "language",
    "on_error",
    "on_press",
    "start",
]

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
    result, identity = await accounts.redeem(services, user.id, code)
    uid = user.id
    enrollment = services.study.enrollment
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
    if await privacy.ask_if_pending(update, context):
        return  # the privacy notice first; the welcome follows the agreement
    await _welcome(update, services, t, newest, first=True)


async def _welcome(
    update: Update, services: Services, t: Translator, link: LinkInfo, *, first: bool
) -> None:
    pid = participant_id(link)
    current = await assessment.open_ones(services, [pid])
    answered = len(current[0].answers) if current else None
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
    await say(update, "\n".join(lines), start_button(t, pid, resume=answered is not None))


# --- the assessment -----------------------------------------------------------------------


async def assess(update: Update, context: AppContext) -> None:
    await for_chosen(update, context, "assess", _open)


async def _open(
    update: Update,
    context: AppContext,
    t: Translator,
    link: LinkInfo,
    *,
    join: bool = False,
    again: bool = False,
) -> None:
    """Start a new assessment or resume the open one, in a new message at the bottom. When
    someone else has one under way, say who and when, and offer to continue it or leave it;
    when one was already submitted today, say when and by whom, and ask before another."""
    services = context.services
    assert link.participant is not None
    if link.participant.status is not ParticipantStatus.ACTIVE:
        await say(update, t("participant-inactive"))
        return
    opened = await assessment.begin(
        services,
        participant_id=participant_id(link),
        actor=actor_for(link),
        language=t.language,
        join=join,
        again=again,
    )
    record, previous = opened.record, opened.previous
    if record is None and opened.today is not None:
        await _ask_again(update, services, t, link, opened.today)
        return
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
        # In this chat, the words of the person reading it now.
        retiring = t if same_chat else translator(previous.language)
        await quietly(
            context.bot.edit_message_text(
                retiring("assessment-retired" if same_chat else "assessment-taken-over"),
                chat_id=previous.chat_id,
                message_id=previous.message_id,
            )
        )
    message = await say(update, screen.text, screen.keyboard)
    if message is not None:
        await assessment.show_in(services, record.id, message.chat_id, message.message_id)


async def _ask_again(
    update: Update, services: Services, t: Translator, link: LinkInfo, today: Submission
) -> None:
    """One was submitted today already (an old reminder, or a caregiver after the patient):
    say when and by whom, and start another only when asked to."""
    zone = ZoneInfo(services.study.study.timezone)
    if today.respondent_id == link.id:
        by = "you"
    else:
        by = "patient" if today.respondent is Role.PATIENT else "caregiver"
    screen = again_screen(
        t,
        participant_id=participant_id(link),
        at=today.submitted_at.astimezone(zone).strftime("%H:%M"),
        by=by,
        total=today.total,
    )
    await say(update, screen.text, screen.keyboard)


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
    await say(update, text, join_keyboard(t, current.id))


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
    if isinstance(press, AgainPress):
        await _again(update, context, query, identity, t, press)
        return
    if isinstance(press, AssessmentPress | ReportPress):
        await _answer_press(update, context, query, identity, t, press)
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
        shown = query.message
        if isinstance(shown, Message) and context.bot_data.retire_once(
            shown.chat_id, shown.message_id
        ):  # a double tap edits once
            await quietly(query.edit_message_text(t("left-alone")))
        return
    if press.what == "join":
        record = await assessment.find(context.services, press.target or 0)
        link = link_for(links, record.participant_id) if record else None
        if record is None or link is None:
            log.warning("join press for an assessment the account may not answer")
            await answer(query, t("notice-invalid-button"))
            return
        await answer(query)
        if isinstance(query.message, Message) and query.message.reply_markup is not None:
            await retire_keyboard(context, query.message.chat_id, query.message.message_id)
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


async def _again(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: AgainPress,
) -> None:
    """ "Start another" on the same-day question."""
    link = link_for(respondent_links(identity), press.participant_id)
    if link is None:
        log.warning("start-another press for a participant the account may not answer for")
        await answer(query, t("notice-invalid-button"))
        return
    await answer(query)
    await quietly(query.edit_message_reply_markup(reply_markup=None))
    await _open(update, context, t, link, again=True)


_NOTICE: dict[Refusal, str] = {
    Refusal.SUBMITTED: "notice-already-submitted",
    Refusal.STALE: "notice-already-answered",
    Refusal.ACCESS_ENDED: "participant-inactive",
    Refusal.NOT_YOURS: "notice-invalid-button",
    Refusal.INVALID: "notice-invalid-button",
}


async def _answer_press(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: AssessmentPress | ReportPress,
) -> None:
    """A button of an assessment or of a /symptoms report: one flow call, one transaction; a
    refused press gets one plain notice whichever it was."""
    services = context.services
    links = respondent_links(identity)
    if not links:
        log.warning("answer button from an account without a participant")
        await answer(query, t("notice-not-enrolled"))
        return
    actors: dict[int, Actor] = {participant_id(link): actor_for(link) for link in links}
    outcome: assessment.Outcome | symptom_handlers.ReportOutcome
    try:
        if isinstance(press, AssessmentPress):
            outcome = await answering.run(
                services,
                assessment.press,
                assessment_id=press.assessment_id,
                revision=press.revision,
                action=press.action,
                actors=actors,
                language=t.language,
            )
            show = reply_to_press(query, _after_press(t, services, outcome))
        else:
            outcome = await symptom_handlers.apply_press(services, press, actors)
            show = symptom_handlers.show_outcome(query, services, t, outcome, links)
    except PressRefused as refused:
        if refused.reason in (Refusal.NOT_YOURS, Refusal.INVALID):
            log.warning("refused a press (%s, update %s)", refused, update.update_id)
        notice = t(_NOTICE[refused.reason])
        await answer(query, notice, alert=refused.reason is Refusal.ACCESS_ENDED)
        return
    # Saved: whatever happens to the screen now, staff are alerted and an urgent respondent is
    # told whom to call.
    if outcome.alerts:
        services.wake_outbox()
    try:
        await show
    finally:
        if outcome.urgent:
            pid = (
                outcome.record.participant_id
                if isinstance(outcome, assessment.Outcome)
                else outcome.report.participant_id
            )
            link = link_for(links, pid)
            await urgent_advice(update, services, t, link.participant if link else None)


def _after_press(t: Translator, services: Services, outcome: assessment.Outcome) -> Screen:
    record = outcome.record
    if record.status == Status.SUBMITTED.value:
        assert record.total is not None
        assert record.submitted_at is not None
        previous = outcome.previous
        return submitted_screen(
            t,
            total=record.total,
            submitted_on=record.submitted_at.date(),
            previous_total=previous.total if previous else None,
            previous_date=previous.submitted_at.date() if previous else None,
        )
    return assessment_screen(
        t,
        state_of(record),
        assessment_id=record.id,
        revision=record.revision,
        max_text=services.study.symptoms.other_max_length,
        proxy=outcome.actor.role is ActorRole.CAREGIVER,
    )


async def cancel(update: Update, context: AppContext) -> None:
    services = context.services
    who = await respondent(update, context)
    if who is None:
        return
    t, links = who.t, who.links
    open_ones = await assessment.open_ones(services, (participant_id(link) for link in links))
    if not open_ones:
        await say(update, t("cancel-nothing"))
        return
    chat_id = update.effective_chat.id if update.effective_chat else None
    for current in open_ones:
        if chat_id is not None and current.chat_id == chat_id and current.message_id is not None:
            await retire_keyboard(context, chat_id, current.message_id)
            await assessment.retired(services, current.id, current.message_id)
    await say(update, t("cancelled"))


async def history(update: Update, context: AppContext) -> None:
    await for_chosen(update, context, "history", _history_of)


async def _history_of(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    past = await assessment.history(context.services, participant_id(link), limit=50)
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
    await history_chart(context.services, update, t, participant_id(link), subject_of(link), past)


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
    lang: Language = "cs" if chosen == "cs" else "en"
    first = identity.links[0] if identity is not None and identity.links else None
    actor = actor_for(first) if first else Actor(role=ActorRole.STRANGER)
    await accounts.set_language(services, user.id, lang, actor)
    text = translator(lang)("language-set")
    shown = query.message.text if isinstance(query.message, Message) else None
    if shown == text:  # the same choice pressed again: the message already says so
        await answer(query)
        return
    await asyncio.gather(answer(query), query.edit_message_text(text))


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
    if await visit_handlers.typed_in_visit(update, context):
        return  # a number typed into a clinic visit (staff)
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
    open_ones = await assessment.open_ones(services, pids)
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
    if not visible(text):
        await say(update, t("symptom-other-empty"))
        return
    if len(" ".join(text.split())) > limit:
        await say(update, t("symptom-other-too-long", max=limit))
        return
    try:
        await answering.run(
            services,
            assessment.press,
            assessment_id=record.id,
            revision=record.revision,
            action=Symptoms(symptom_step.Describe(text)),
            actors={participant_id(link): actor_for(link)},
            language=t.language,
        )
    except PressRefused:
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
            query = update.callback_query
            if query is not None and not was_answered(query):
                await query.answer(t("error-generic"), show_alert=True)
            else:  # a press already answered (its screen failed after) is told in the chat
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
