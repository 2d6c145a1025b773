"""Handlers for study staff: enroll participants, issue caregiver and staff links, list and
inspect participants, pause, resume and withdraw them, revoke access.

Every command checks for an active staff link first; anyone else gets a plain refusal and an
audit entry. Staff see pseudonymous study IDs and internal link numbers, never Telegram names.
The work itself is done by `conversations.flows.enrollment` (shared with the CLI); these
handlers parse the command, call one flow and render its result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from html import escape
from typing import Any, Final

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from conversations.callbacks import PagePress, Press, encode_page
from conversations.context import AppContext, Services
from conversations.flows import accounts, enrollment, sites, visits
from conversations.flows.enrollment import (
    SUBJECT_PATTERN,
    DuplicateSubject,
    LinkRow,
    Overview,
    canonical_subject,
)
from conversations.handlers.access import (
    actor_for,
    answer,
    deny,
    identity_of,
    language_of,
    refuse_other_site,
    say,
    staff_link,
)
from conversations.handlers.clinic_view import participant_clinic
from locales import Language, Translator, translator
from storage.models import Identity, LinkInfo, Participant, ParticipantStatus, Role

__all__ = [
    "PAGE_SIZE",
    "STAFF_COMMANDS",
    "STAFF_MENU",
    "clear_staff_menu",
    "on_staff_press",
    "participant_page",
    "refresh_staff_menus",
    "set_staff_menu",
]

log = logging.getLogger(__name__)
PAGE_SIZE: Final = 20

StaffHandler = Callable[[Update, AppContext, Translator, LinkInfo], Awaitable[None]]


def staff_only(
    name: str, *, about_subject: bool = False
) -> Callable[[StaffHandler], Callable[[Update, AppContext], Any]]:
    """Run the handler only for an active staff member; refuse and audit anyone else. With
    `about_subject`, the command's first argument names a participant: one of a site that is
    not the staff member's is refused (and audited) before the handler runs."""

    def decorate(handler: StaffHandler) -> Callable[[Update, AppContext], Any]:
        @wraps(handler)
        async def checked(update: Update, context: AppContext) -> None:
            identity = await identity_of(context.services, update)
            link = staff_link(identity)
            if link is None:
                await deny(update, context, identity, f"/{name}")
                return
            t = translator(language_of(identity, update))
            if about_subject and link.sites is not None:
                found = await _participant_of_arg(context)
                if found is not None and not link.covers(found.site):
                    await refuse_other_site(update, context, t, link, found, f"/{name}")
                    return
            await handler(update, context, t, link)

        return checked

    return decorate


async def _participant_of_arg(context: AppContext) -> Participant | None:
    subject = _arg_subject(context)
    return None if subject is None else await enrollment.find_participant(context.services, subject)


def _link(context: AppContext, code: str) -> str:
    return f"https://t.me/{context.bot.username}?start={code}"


# --- commands -----------------------------------------------------------------------------


def _arg_subject(context: AppContext) -> str | None:
    if not context.args:
        return None
    subject = context.args[0]
    return canonical_subject(subject) if SUBJECT_PATTERN.fullmatch(subject) else None


async def _named_participant(
    update: Update, context: AppContext, t: Translator, command: str
) -> Participant | None:
    """The participant named by the command's first argument; otherwise a plain usage or
    "no such participant" reply, and None."""
    subject = _arg_subject(context)
    if subject is None:
        await say(update, t("staff-usage-subject", command=command))
        return None
    found = await enrollment.find_participant(context.services, subject)
    if found is None:
        await say(update, t("staff-unknown", subject=subject))
    return found


@staff_only("enroll")
async def enroll(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    subject = _arg_subject(context)
    rest = list(context.args or [])[1:]
    asked_site = None
    if len(rest) >= 2 and rest[-2].lower() == "site":  # /enroll S001 [cs] site CZ-BRNO
        asked_site = rest[-1]
        rest = rest[:-2]
    onset = None
    if len(rest) >= 2 and rest[-2].lower() == "onset":  # /enroll S001 [cs] onset 2025-03
        today = context.services.clock().astimezone(context.services.safety.timezone).date()
        onset = visits.parse_onset(rest[-1], today=today)
        if onset is None:
            await say(update, t("staff-usage-enroll-onset"))
            return
        rest = rest[:-2]
    if asked_site is None and len(rest) >= 2 and rest[-2].lower() == "site":
        asked_site = rest[-1]
        rest = rest[:-2]
    language = rest[0] if rest else None
    if subject is None or language not in (None, "en", "cs") or len(rest) > 1:
        await say(update, t("staff-usage-enroll"))
        return
    site = await _enrollment_site(update, context, t, link, asked_site)
    if site is None:
        return
    try:
        patient_code, caregiver_code, until = await enrollment.enroll_participant(
            context.services, subject, language, actor_for(link), onset_month=onset, site=site
        )
    except DuplicateSubject:
        await say(update, t("staff-exists", subject=subject))
        return
    await say(
        update,
        t(
            "staff-enrolled",
            subject=subject,
            until=until[:10],
            patient_link=_link(context, patient_code),
            caregiver_link=_link(context, caregiver_code),
        ),
    )
    if onset is not None:
        await say(update, t("onset-set", subject=escape(subject), month=onset))
    if len(context.services.study.site_infos()) > 1:
        await say(update, t("staff-enrolled-site", subject=escape(subject), site=escape(site)))


def _site_list(services: Services) -> str:
    return ", ".join(site.id for site in services.study.site_infos())


async def _enrollment_site(
    update: Update, context: AppContext, t: Translator, link: LinkInfo, asked: str | None
) -> str | None:
    """The site to enroll at; None (after a plain reply, and an audit entry for a site that is
    not the staff member's) when it is unknown or not theirs."""
    services = context.services
    try:
        return sites.enrollment_site(services, link, asked)
    except sites.UnknownSite:
        await say(
            update, t("staff-site-unknown", site=escape(asked or ""), sites=_site_list(services))
        )
    except PermissionError:
        if asked is None:
            mine = sorted(link.sites or ())
            await say(update, t("staff-site-choose", sites=", ".join(mine), first=mine[0]))
            return None
        await accounts.record_refusal(services, actor_for(link), "/enroll site", sites.OTHER_SITE)
        await say(update, t("staff-site-not-yours", site=escape(asked.upper())))
    return None


@staff_only("caregiver", about_subject=True)
async def caregiver(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    participant = await _named_participant(update, context, t, "/caregiver")
    if participant is None:
        return
    code, until = await enrollment.invite(
        context.services, Role.CAREGIVER, participant.id, actor_for(link)
    )
    await say(
        update,
        t(
            "staff-caregiver-link",
            subject=participant.subject,
            until=until[:10],
            link=_link(context, code),
        ),
    )


@staff_only("relink", about_subject=True)
async def relink(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    """A new patient link (the old one expired or was lost); earlier unused ones stop working."""
    subject = _arg_subject(context)
    if subject is None:
        await say(update, t("staff-usage-subject", command="/relink"))
        return
    relinked = await enrollment.relink_patient(context.services, subject, actor_for(link))
    if relinked is None:
        await say(update, t("staff-unknown", subject=escape(subject)))
        return
    if relinked.code is None or relinked.expires_at is None:
        await say(update, t("staff-relink-withdrawn", subject=escape(relinked.subject)))
        return
    await say(
        update,
        t(
            "staff-patient-link",
            subject=escape(relinked.subject),
            until=relinked.expires_at[:10],
            link=_link(context, relinked.code),
        ),
    )


@staff_only("invite")
async def invite_staff(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    """`/invite`: a staff link for the inviter's own sites (study-wide for a study-wide member);
    `/invite CZ-BRNO [CZ-PRAHA]`: for those sites; `/invite study`: study-wide (a study-wide
    member only). Nobody hands out more than they have."""
    services = context.services
    args = [arg.upper() for arg in context.args or []]
    wanted: frozenset[str] | None
    if not args:
        wanted = link.sites
    elif args == ["STUDY"]:
        wanted = None
    else:
        unknown = [arg for arg in args if services.study.find_site(arg) is None]
        if unknown:
            await say(
                update,
                t("staff-site-unknown", site=escape(unknown[0]), sites=_site_list(services)),
            )
            return
        wanted = frozenset(args)
    if link.sites is not None and (wanted is None or not wanted <= link.sites):
        await accounts.record_refusal(services, actor_for(link), "/invite sites", sites.OTHER_SITE)
        await say(update, t("staff-invite-not-yours"))
        return
    code, until = await enrollment.invite(services, Role.STAFF, None, actor_for(link), sites=wanted)
    await say(update, t("staff-staff-link", until=until[:10], link=_link(context, code)))
    if len(services.study.site_infos()) > 1:
        await say(update, t("staff-invite-sites", sites=_sites_text(t, wanted)))


def _sites_text(t: Translator, value: frozenset[str] | None) -> str:
    return sites.sites_label(value) or t("staff-study-wide")


def _status_name(t: Translator, status: ParticipantStatus) -> str:
    return t(f"status-{status.value}")


def _overview_line(t: Translator, row: Overview) -> str:
    last = t.date(row.last_at.date()) if row.last_at else t("staff-never")
    total = str(row.last_total) if row.last_total is not None else t("staff-never")
    if row.last_total is not None and row.previous_total is not None:
        change = f"{row.last_total - row.previous_total:+d}"
    else:
        change = t("staff-never")
    return t(
        "staff-participants-line",
        subject=escape(row.subject),
        status=_status_name(t, row.status),
        last=last,
        total=total,
        change=change,
        alerts=row.open_alerts,
    )


async def participant_page(
    services: Services, t: Translator, page: int, link: LinkInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the participant list (of the staff member's sites): at most PAGE_SIZE
    lines, always within Telegram's 4096 characters (a study ID is at most 32 characters)."""

    found = await enrollment.overview_page(services, page, PAGE_SIZE, sites=link.sites)
    count, rows = found.count, found.rows
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(page, pages - 1)
    if count == 0:
        return t("staff-participants-empty"), None
    lines = [t("staff-participants-header", page=page + 1, pages=pages, count=count), ""]
    lines += [_overview_line(t, row) for row in rows]
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(t("button-previous"), callback_data=encode_page(page - 1))
        )
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(t("button-next"), callback_data=encode_page(page + 1)))
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


@staff_only("participants")
async def participants(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    text, keyboard = await participant_page(context.services, t, 0, link)
    await say(update, text, keyboard)


def _link_line(t: Translator, row: LinkRow) -> str:
    revoked = t("staff-link-revoked", date=t.date(row.revoked_at.date())) if row.revoked_at else ""
    return t(
        "staff-link-line",
        id=row.id,
        role=t(f"role-{row.role.value}"),
        date=t.date(row.created_at.date()),
        revoked=revoked,
    )


@staff_only("participant", about_subject=True)
async def participant(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    subject = _arg_subject(context)
    if subject is None:
        await say(update, t("staff-usage-subject", command="/participant"))
        return
    record = await enrollment.participant_record(context.services, subject, limit=30)
    if record is None:
        await say(update, t("staff-unknown", subject=subject))
        return
    found, subs, links = record.participant, record.submissions, record.links
    lines = [
        t(
            "staff-participant-header",
            subject=escape(subject),
            status=_status_name(t, found.status),
        ),
        "",
        t("staff-participant-history"),
    ]
    if subs:
        for s in subs:
            who = t(f"role-{s.respondent.value}")
            lines.append(
                t(
                    "staff-history-line",
                    date=t.date(s.submitted_at.date()),
                    total=s.total,
                    respondent=who,
                    id=s.respondent_id,
                )
            )
    else:
        lines.append(t("history-empty"))
    derived, chart = await participant_clinic(context.services, update, t, found, subs)
    lines += ["", *derived]
    lines += ["", t("staff-participant-links")]
    lines += [_link_line(t, row) for row in links] or [t("staff-never")]
    await say(update, "\n".join(lines))
    if chart is not None and update.effective_chat is not None:
        caption = t("chart-caption", subject=subject, count=len(subs))
        await update.effective_chat.send_photo(chart, caption=caption)


async def _change_status(
    update: Update,
    context: AppContext,
    t: Translator,
    link: LinkInfo,
    status: ParticipantStatus,
    command: str,
) -> None:
    subject = _arg_subject(context)
    if subject is None:
        await say(update, t("staff-usage-subject", command=command))
        return
    reason = " ".join((context.args or [])[1:])[:500] or None
    changed = await enrollment.change_status(
        context.services, subject, status, actor_for(link), reason=reason
    )
    if changed is None:
        await say(update, t("staff-unknown", subject=subject))
        return
    key = "staff-status-changed" if changed else "staff-status-unchanged"
    await say(update, t(key, subject=escape(subject), status=_status_name(t, status)))


@staff_only("pause", about_subject=True)
async def pause(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    await _change_status(update, context, t, link, ParticipantStatus.PAUSED, "/pause")


@staff_only("resume", about_subject=True)
async def resume(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    await _change_status(update, context, t, link, ParticipantStatus.ACTIVE, "/resume")


@staff_only("withdraw", about_subject=True)
async def withdraw(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    await _change_status(update, context, t, link, ParticipantStatus.WITHDRAWN, "/withdraw")


@staff_only("revoke")
async def revoke(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    args = context.args or []
    target = args[0].lstrip("#") if args else ""
    if not (target.isascii() and target.isdigit()) or len(target) > 12:
        await say(update, t("staff-usage-revoke"))
        return
    if int(target) == link.id:
        await say(update, t("staff-revoke-self"))
        return
    reason = " ".join(args[1:])[:500] or None
    if link.sites is not None:
        target_link = await enrollment.link_row(context.services, int(target))
        if target_link is not None and not _may_revoke(link, target_link):
            await accounts.record_refusal(
                context.services, actor_for(link), "/revoke", sites.OTHER_SITE
            )
            await say(update, t("staff-revoke-not-yours", id=int(target)))
            return
    revocation = await enrollment.revoke_access(
        context.services, int(target), actor_for(link), reason=reason
    )
    if revocation is None:
        await say(update, t("staff-revoke-unknown", id=int(target)))
        return
    revoked = revocation.link
    if revocation.staff_chat is not None:
        await clear_staff_menu(context.bot, revocation.staff_chat)
    await say(update, t("staff-revoked", id=revoked.id, role=t(f"role-{revoked.role.value}")))


def _may_revoke(link: LinkInfo, target: LinkRow) -> bool:
    """A site-bound staff member revokes only links within their sites: a caregiver of their
    sites' participants, or a staff member whose sites are all theirs."""
    if link.sites is None:
        return True
    if target.role is Role.STAFF:
        return target.sites is not None and target.sites <= link.sites
    return link.covers(target.site)


@staff_only("staff")
async def staff_list(update: Update, context: AppContext, t: Translator, link: LinkInfo) -> None:
    rows = await enrollment.staff_members(context.services)
    several = len(context.services.study.site_infos()) > 1
    lines = [t("staff-list-header"), ""]
    for row in rows:
        line = _link_line(t, row)
        if several:
            line += " · " + escape(_sites_text(t, row.sites))
        lines.append(line)
    await say(update, "\n".join(lines))


async def on_staff_press(
    update: Update,
    context: AppContext,
    query: CallbackQuery,
    identity: Identity | None,
    t: Translator,
    press: Press,
) -> None:
    if staff_link(identity) is None:
        await deny(update, context, identity, "staff button")
        return
    link = staff_link(identity)
    if isinstance(press, PagePress) and link is not None:
        text, keyboard = await participant_page(context.services, t, press.page, link)
        await answer(query)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        return
    await answer(query, t("notice-invalid-button"))


STAFF_COMMANDS: tuple[tuple[str, Callable[[Update, AppContext], Any]], ...] = (
    ("enroll", enroll),
    ("caregiver", caregiver),
    ("relink", relink),
    ("invite", invite_staff),
    ("participants", participants),
    ("participant", participant),
    ("pause", pause),
    ("resume", resume),
    ("withdraw", withdraw),
    ("revoke", revoke),
    ("staff", staff_list),
)


# The command menu a staff member sees in their own chat (Telegram's per-chat scope).
STAFF_MENU: tuple[tuple[str, str], ...] = (
    ("alerts", "cmd-staff-alerts"),
    ("participants", "cmd-staff-participants"),
    ("participant", "cmd-staff-participant"),
    ("enroll", "cmd-staff-enroll"),
    ("caregiver", "cmd-staff-caregiver"),
    ("relink", "cmd-staff-relink"),
    ("schedule", "cmd-staff-schedule"),
    ("pause", "cmd-staff-pause"),
    ("resume", "cmd-staff-resume"),
    ("withdraw", "cmd-staff-withdraw"),
    ("revoke", "cmd-staff-revoke"),
    ("invite", "cmd-staff-invite"),
    ("staff", "cmd-staff-staff"),
    ("language", "cmd-language"),
    ("help", "cmd-help"),
)


async def set_staff_menu(bot: Bot, chat_id: int, language: Language) -> None:
    """Show the staff commands in this staff member's chat, in their language."""
    t = translator(language)
    commands = [BotCommand(name, t(key)) for name, key in STAFF_MENU]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the staff menu: %s", type(exc).__name__)


async def clear_staff_menu(bot: Bot, chat_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not remove the staff menu: %s", type(exc).__name__)


async def refresh_staff_menus(bot: Bot, services: Services) -> None:
    """At start-up: every active staff member's chat gets the staff menu."""
    for telegram_id, language in await enrollment.staff_chats(services):
        await set_staff_menu(bot, telegram_id, "cs" if language == "cs" else "en")
