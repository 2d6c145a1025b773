"""Telegram accounts and what they may do: who an account is, linking it by a code (with the
throttle on wrong codes), its language, and the audited record of a refused action."""

from __future__ import annotations

from datetime import timedelta

from conversations.context import Services
from storage import audit, people
from storage.db import Tx
from storage.models import Actor, Identity, Language
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

    return await services.db.write(unit)


async def set_language(
    services: Services, telegram_user_id: int, language: Language, actor: Actor
) -> None:
    now = services.clock()

    async def unit(tx: Tx) -> None:
        account = await people.ensure_account(tx, telegram_user_id, now)
        await people.set_account_language(tx, account, language, actor, now)

    await services.db.write(unit)


async def record_refusal(services: Services, actor: Actor, what: str, role: str) -> None:
    """Audit an action refused to the account's role."""
    now = services.clock()

    async def unit(tx: Tx) -> None:
        await audit.record(
            tx,
            actor=actor,
            action="access.denied",
            entity="command",
            entity_id=None,
            at=now,
            new={"what": what, "role": role},
        )

    await services.db.write(unit)
