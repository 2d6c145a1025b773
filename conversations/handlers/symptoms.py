"""Adverse symptoms reported on their own with /symptoms, outside an assessment: the report's
screens, its buttons, and the short description typed for "something else". The same symptom
step runs at the end of every assessment (see `conversations.handlers.patient`)."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Update

from conversations.callbacks import ReportPress, encode_report
from conversations.context import AppContext
from conversations.domain import symptom_step
from conversations.handlers.access import (
    actor_for,
    answer,
    choose,
    is_proxy,
    link_for,
    participant_id,
    quietly,
    reply_to_press,
    respondent,
    respondent_links,
    say,
    subject_of,
    urgent_advice,
)
from conversations.screens.assessment import Screen, symptom_screen
from locales import Translator
from storage import symptom_reports
from storage.db import Tx
from storage.models import Actor, Identity, LinkInfo, ParticipantStatus

__all__ = ["describe_in_report", "on_report_press", "open_report", "symptoms"]

log = logging.getLogger(__name__)


def _report_screen(
    t: Translator, report: symptom_reports.OpenReport, *, proxy: bool, max_text: int
) -> Screen:
    def data(action: symptom_step.SymptomAction | None) -> str:
        return encode_report(report.id, report.revision, action)

    return symptom_screen(
        t, report.state, proxy=proxy, data=data, standalone=True, max_text=max_text
    )


async def symptoms(update: Update, context: AppContext) -> None:
    who = await respondent(update, context)
    if who is None:
        return
    t, links = who.t, who.links
    link = await choose(update, t, links, "symptoms")
    if link is not None:
        await open_report(update, context, t, link)


async def open_report(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    services = context.services
    assert link.participant is not None
    if link.participant.status is not ParticipantStatus.ACTIVE:
        await say(update, t("participant-inactive"))
        return
    actor = actor_for(link)
    now = services.clock()
    pid = participant_id(link)

    async def unit(
        tx: Tx,
    ) -> tuple[symptom_reports.OpenReport, symptom_reports.OpenReport | None]:
        return await symptom_reports.open_report(
            tx, participant_id=pid, actor=actor, language=t.language, now=now
        )

    report, old = await services.db.write(unit)
    if old is not None and old.chat_id is not None and old.message_id is not None:
        await quietly(
            context.bot.edit_message_text(
                t("symptoms-cancelled"), chat_id=old.chat_id, message_id=old.message_id
            )
        )
    await _show_report(update, context, t, report, proxy=is_proxy(link))


async def _show_report(
    update: Update,
    context: AppContext,
    t: Translator,
    report: symptom_reports.OpenReport,
    *,
    proxy: bool,
) -> None:
    limit = context.services.study.symptoms.other_max_length
    screen = _report_screen(t, report, proxy=proxy, max_text=limit)
    message = await say(update, screen.text, screen.keyboard)
    if message is not None:
        chat_id, message_id, rid = message.chat_id, message.message_id, report.id

        async def remember(tx: Tx) -> None:
            await symptom_reports.set_report_message(tx, rid, chat_id, message_id)

        await context.services.db.write(remember)


async def on_report_press(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: ReportPress,
) -> None:
    services = context.services
    links = respondent_links(identity)
    actors = {participant_id(link): actor_for(link) for link in links}
    subjects = {participant_id(link): subject_of(link) for link in links}
    now = services.clock()
    safety = services.safety

    async def unit(tx: Tx) -> symptom_reports.ReportOutcome:
        return await symptom_reports.apply_report_action(
            tx,
            report_id=press.report_id,
            revision=press.revision,
            action=press.action,
            actors=actors,
            subject_of=subjects,
            now=now,
            config=safety,
        )

    try:
        outcome = await services.db.write(unit)
    except symptom_reports.ReportClosed:
        await answer(query, t("notice-already-answered"))
        return
    except symptom_step.StepError:
        log.warning("refused a symptom report action (update %s)", update.update_id)
        await answer(query, t("notice-invalid-button"))
        return
    if outcome.cancelled:
        await asyncio.gather(answer(query), query.edit_message_text(t("symptoms-cancelled")))
        return
    if outcome.triage is not None:
        await asyncio.gather(answer(query), query.edit_message_text(t("symptoms-saved")))
        if outcome.triage.reports:
            services.wake_alerts()
        if outcome.triage.urgent:
            await urgent_advice(update, services, t)
        return
    link = link_for(links, outcome.report.participant_id)
    proxy = link is not None and is_proxy(link)
    limit = services.study.symptoms.other_max_length
    await reply_to_press(query, _report_screen(t, outcome.report, proxy=proxy, max_text=limit))


async def describe_in_report(
    update: Update, context: AppContext, t: Translator, links: list[LinkInfo], text: str
) -> bool:
    """Free text for a /symptoms report that asked for a description; True when it was one."""
    services = context.services
    limit = services.study.symptoms.other_max_length
    now = services.clock()
    chat_id = update.effective_chat.id if update.effective_chat else None
    if chat_id is None:
        return False
    for link in links:
        pid = participant_id(link)
        actor = actor_for(link)

        async def unit(
            tx: Tx, pid: int = pid, actor: Actor = actor
        ) -> symptom_reports.OpenReport | None:
            return await symptom_reports.describe_open(
                tx,
                participant_id=pid,
                chat_id=chat_id,
                actor=actor,
                text=text,
                now=now,
                max_text=limit,
            )

        try:
            report = await services.db.write(unit)
        except symptom_step.StepError:
            await say(update, t("symptom-other-too-long", max=limit))
            return True
        if report is not None:
            if report.chat_id is not None and report.message_id is not None:
                await quietly(
                    context.bot.edit_message_reply_markup(
                        chat_id=report.chat_id, message_id=report.message_id, reply_markup=None
                    )
                )
            await _show_report(update, context, t, report, proxy=is_proxy(link))
            return True
    return False
