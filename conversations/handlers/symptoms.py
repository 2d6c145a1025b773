"""Adverse symptoms reported on their own with /symptoms, outside an assessment: the report's
screens and the short description typed for "something else". Its buttons are answered with the
assessment's (`handlers.patient._answer_press`); the same symptom step runs at the end of every
assessment."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from telegram import CallbackQuery, Update

from conversations.callbacks import ReportPress, encode_report
from conversations.context import AppContext, Services
from conversations.domain import symptom_step
from conversations.domain.symptoms import visible
from conversations.flows import answering, symptom_report
from conversations.flows.symptom_report import Report, ReportOutcome
from conversations.handlers.access import (
    actor_for,
    answer,
    for_chosen,
    is_proxy,
    link_for,
    participant_id,
    quietly,
    reply_to_press,
    retire_keyboard,
    say,
)
from conversations.screens.assessment import Screen, symptom_screen
from locales import Translator
from storage.models import Actor, LinkInfo, ParticipantStatus

__all__ = [
    "ReportOutcome",
    "apply_press",
    "describe_in_report",
    "open_report",
    "show_outcome",
    "symptoms",
]


def _report_screen(t: Translator, report: Report, *, proxy: bool, max_text: int) -> Screen:
    def data(action: symptom_step.SymptomAction | None) -> str:
        return encode_report(report.id, report.revision, action)

    return symptom_screen(
        t, report.state, proxy=proxy, data=data, standalone=True, max_text=max_text
    )


async def symptoms(update: Update, context: AppContext) -> None:
    await for_chosen(update, context, "symptoms", open_report)


async def open_report(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    services = context.services
    assert link.participant is not None
    if link.participant.status is not ParticipantStatus.ACTIVE:
        await say(update, t("participant-inactive"))
        return
    report, old = await symptom_report.begin(
        services, participant_id=participant_id(link), actor=actor_for(link), language=t.language
    )
    if old is not None and old.chat_id is not None and old.message_id is not None:
        await quietly(
            context.bot.edit_message_text(
                t("symptoms-cancelled"), chat_id=old.chat_id, message_id=old.message_id
            )
        )
    await _show_report(update, services, t, report, proxy=is_proxy(link))


async def _show_report(
    update: Update, services: Services, t: Translator, report: Report, *, proxy: bool
) -> None:
    limit = services.study.symptoms.other_max_length
    screen = _report_screen(t, report, proxy=proxy, max_text=limit)
    message = await say(update, screen.text, screen.keyboard)
    if message is not None:
        await symptom_report.show_in(services, report.id, message.chat_id, message.message_id)


async def apply_press(
    services: Services, press: ReportPress, actors: Mapping[int, Actor]
) -> ReportOutcome:
    return await answering.run(
        services,
        symptom_report.press,
        report_id=press.report_id,
        revision=press.revision,
        action=press.action,
        actors=actors,
    )


async def show_outcome(
    query: CallbackQuery,
    services: Services,
    t: Translator,
    outcome: ReportOutcome,
    links: list[LinkInfo],
) -> None:
    """The report's next screen, or its end (cancelled, saved) in place of its message."""
    if outcome.cancelled or outcome.triage is not None:
        text = t("symptoms-cancelled" if outcome.cancelled else "symptoms-saved")
        await asyncio.gather(answer(query), query.edit_message_text(text))
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
    chat_id = update.effective_chat.id if update.effective_chat else None
    if chat_id is None:
        return False
    for link in links:
        try:
            report = await symptom_report.take_description(
                services,
                participant_id=participant_id(link),
                chat_id=chat_id,
                actor=actor_for(link),
                text=text,
            )
        except symptom_step.StepError:
            limit = services.study.symptoms.other_max_length
            if not visible(text):
                await say(update, t("symptom-other-empty"))
            else:
                await say(update, t("symptom-other-too-long", max=limit))
            return True
        if report is not None:
            if report.chat_id is not None and report.message_id is not None:
                await retire_keyboard(context, report.chat_id, report.message_id)
            await _show_report(update, services, t, report, proxy=is_proxy(link))
            return True
    return False
