"""Privacy use cases (issue 16): the notice a respondent must agree to before anything else,
their decision, removing a withdrawn participant's Telegram ids, pruning accounts that never
linked, and everything held about one participant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

from conversations.context import Services
from storage import consent, people
from storage.consent import Pending
from storage.db import Tx
from storage.models import Actor

__all__ = ["Pending", "decide", "participant_data", "pending", "prune_strangers"]

_CLEAR_REMEMBERED: Final = 100_000  # accounts remembered as having agreed, at most


async def pending(services: Services, telegram_user_id: int) -> list[Pending]:
    """The account's patient and caregiver links still waiting for agreement to the current
    notice (empty when the study does not ask)."""
    privacy = services.study.privacy
    if not privacy.ask or telegram_user_id in services.consent_clear:
        return []

    async def unit(tx: Tx) -> list[Pending]:
        return await consent.pending(tx, telegram_user_id, privacy.version)

    waiting = await services.db.read(unit, snapshot=False)  # one statement
    if not waiting:
        if len(services.consent_clear) >= _CLEAR_REMEMBERED:
            services.consent_clear.clear()
        services.consent_clear.add(telegram_user_id)
    return waiting


async def decide(
    services: Services, telegram_user_id: int, link_id: int, *, agreed: bool
) -> Pending | None:
    """Agree to, or decline, the current notice for one of the account's waiting links.
    Declining ends the link. None when that link is not waiting (pressed twice, or forged)."""
    version = services.study.privacy.version
    now = services.clock()

    async def unit(tx: Tx) -> Pending | None:
        waiting = await consent.pending(tx, telegram_user_id, version)
        item = next((p for p in waiting if p.link_id == link_id), None)
        if item is not None:
            await consent.decide(tx, item, version=version, agreed=agreed, now=now)
        return item

    return await services.db.write(unit)


async def prune_strangers(services: Services) -> tuple[int, int]:
    """Delete accounts that never linked and old failed code attempts, after the study's
    `privacy.prune_days`; the counts stay in the audit trail."""
    now = services.clock()
    before = now - timedelta(days=services.study.privacy.prune_days)

    async def unit(tx: Tx) -> tuple[int, int]:
        return await consent.prune_strangers(tx, before=before, now=now)

    return await services.db.write(unit)


async def erase_accounts(tx: Tx, participant_id: int, *, actor: Actor, services: Services) -> int:
    """In the withdrawal's transaction: detach every account of the participant."""
    return await consent.erase_accounts(tx, participant_id, actor=actor, now=services.clock())


async def participant_data(services: Services, subject: str) -> dict[str, Any] | None:
    """Everything held about one participant as one JSON-ready document (None: no such ID)."""

    async def unit(tx: Tx) -> dict[str, Any] | None:
        found = await people.get_participant(tx, subject)
        if found is None:
            return None
        return await consent.participant_data(tx, found.id)

    data = await services.db.read(unit)
    if data is None:
        return None
    return {
        "study": services.study.study.id,
        "subject": data["participant"]["subject"],
        "generated_at": services.clock().isoformat(),
        **data,
    }
