"""Telegram accounts and what they may do: who an account is, linking it by a code (with the
throttle on wrong codes), its language, and the audited record of a refused action.

Refused commands and language changes can be repeated by anyone as often as they like, so they
are audited at most once per actor, kind and hour; the repeats are counted in memory and audited
as one `*.repeated` entry with the count once the hour is over (issue 12). The record that a
refusal happened is written at once; a crash loses only the count of the current hour's repeats.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from conversations.context import Services
from storage import audit, people
from storage.db import Tx
from storage.models import Actor, ActorRole, Identity, Language
from storage.people import RedeemResult

__all__ = ["RedeemResult", "identity", "record_refusal", "redeem", "set_language"]


async def identity(services: Services, telegram_user_id: int) -> Identity | None:
    """The account and its active links (None for a Telegram user the study does not know)."""

    async def unit(tx: Tx) -> Identity | None:
        return await people.identity(tx, telegram_user_id)

    return await services.db.read(unit, snapshot=False)  # one statement


async def redeem(
    services: Services, telegram_user_id: int, code: str
) -> tuple[RedeemResult | None, Identity | None]:
    """Link the account by a code. (None, None) while the account is throttled after too many
    wrong codes; a wrong code counts towards that."""
    now = services.clock()
    enrollment = services.study.enrollment
    window_start = now - timedelta(minutes=enrollment.failure_window_minutes)

    async def unit(tx: Tx) -> tuple[RedeemResult | None, Identity | None]:
        failures = await people.count_recent_failures(tx, telegram_user_id, window_start)
        if failures >= enrollment.max_failures:
            return None, None
        result, found = await people.redeem(
            tx, code=code, telegram_user_id=telegram_user_id, now=now
        )
        if result is RedeemResult.INVALID:
            await people.record_failed_attempt(tx, telegram_user_id, now)
        return result, found

    # A new link waits for agreement to the privacy notice: the consent gate must read again.
    services.consent_clear.discard(telegram_user_id)
    try:
        return await services.db.write(unit)
    finally:
        services.consent_clear.discard(telegram_user_id)


async def set_language(
    services: Services, telegram_user_id: int, language: Language, actor: Actor
) -> None:
    now = services.clock()

    async def unit(tx: Tx) -> None:
        account = await people.ensure_account(tx, telegram_user_id, now)
        if account.language == language:
            return  # nothing changes: nothing to audit
        if _first(services, ("account.language", _hour(now), account.id)):
            await people.set_account_language(tx, account, language, actor, now)
        else:
            await people.set_account_language_quietly(tx, account, language)
        await _audit_repeats(services, tx, now)

    await services.db.write(unit)


async def record_refusal(
    services: Services, actor: Actor, what: str, role: str, *, about: int | None = None
) -> None:
    """Audit an action refused to the account's role (about participant `about`, when it named
    one: the entry is then on that participant's trail)."""
    now = services.clock()

    key = ("access.denied", _hour(now), actor.role.value, actor.link_id, what, role, about)
    first = _first(services, key)
    if not first and not _due(services, now):
        return

    async def unit(tx: Tx) -> None:
        if first:
            await audit.record(
                tx,
                actor=actor,
                action="access.denied",
                entity="command",
                entity_id=None,
                at=now,
                new={"what": what, "role": role},
                on_behalf_of=about,
            )
        await _audit_repeats(services, tx, now)

    await services.db.write(unit)


def _hour(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H")


def _first(services: Services, key: tuple[Any, ...]) -> bool:
    """Count one occurrence; True when it is the first of its kind in its hour."""
    count = services.repeats.get(key, 0)
    services.repeats[key] = count + 1
    return count == 0


def _due(services: Services, now: datetime) -> list[tuple[tuple[Any, ...], int]]:
    hour = _hour(now)
    return [(key, n) for key, n in services.repeats.items() if key[1] < hour]


async def _audit_repeats(services: Services, tx: Tx, now: datetime) -> None:
    """Audit the counts of the repeats of hours that are over, and forget those hours."""
    for key, count in _due(services, now):
        del services.repeats[key]
        if count < 2:
            continue
        if key[0] == "access.denied":
            _, hour, actor_role, link_id, what, role, about = key
            await audit.record(
                tx,
                actor=Actor(role=ActorRole(actor_role), link_id=link_id),
                action="access.denied.repeated",
                entity="command",
                entity_id=None,
                at=now,
                new={"what": what, "role": role, "hour": hour, "count": count - 1},
                on_behalf_of=about,
            )
        else:
            _, hour, account_id = key
            await audit.record(
                tx,
                actor=Actor(role=ActorRole.SYSTEM),
                action="account.language.repeated",
                entity="account",
                entity_id=account_id,
                at=now,
                new={"hour": hour, "count": count - 1},
            )
