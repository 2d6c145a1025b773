"""What the assessment and a /symptoms report share: who may press, and why a press is refused.

Both are answered by tapping buttons that carry the record's revision; both refuse a press the
same way (`PressRefused` with a `Refusal`), so a handler maps a refusal to one reply whatever was
pressed. `authorise` runs inside the press's own transaction, so a link revoked or a participant
paused a moment ago is seen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from conversations.context import Services
from storage import people
from storage.db import Tx
from storage.models import Actor, ParticipantStatus

__all__ = ["PressRefused", "Refusal", "authorise", "remember_message", "run"]

T = TypeVar("T")


class Refusal(StrEnum):
    STALE = "stale"  # an older message's button, a double tap, a replay
    SUBMITTED = "submitted"  # the assessment was submitted already
    ACCESS_ENDED = "access_ended"  # the link was revoked, or the participant is not active
    NOT_YOURS = "not_yours"  # no such record among the participants the account answers for
    INVALID = "invalid"  # an action that does not fit the current step (a forged button)


class PressRefused(Exception):
    """A press that changes nothing; `reason` says why."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason


async def authorise(
    tx: Tx, *, participant_id: int, actors: Mapping[int, Actor]
) -> tuple[Actor, str]:
    """The actor answering for `participant_id` and the participant's study ID, or a refusal.
    `actors` maps each participant the account may answer for to the actor it answers as."""
    actor = actors.get(participant_id)
    if actor is None or actor.link_id is None:
        raise PressRefused(Refusal.NOT_YOURS)
    check = await people.respondent_check(tx, link_id=actor.link_id, participant_id=participant_id)
    if check is None or not check.link_active:
        raise PressRefused(Refusal.ACCESS_ENDED, "the link was revoked")
    if check.participant_status is not ParticipantStatus.ACTIVE:
        raise PressRefused(Refusal.ACCESS_ENDED, f"the participant is {check.participant_status}")
    return actor, check.subject


async def run(services: Services, press: Callable[..., Awaitable[T]], **arguments: Any) -> T:
    """Run a press unit (`flows.assessment.press`, `flows.symptom_report.press`) in its own
    write transaction, at the services' clock and with the study's safety settings."""
    unit = partial(press, now=services.clock(), safety=services.safety, **arguments)
    return await services.db.write(unit)


async def remember_message(
    services: Services,
    set_message: Callable[[Tx, int, int, int], Awaitable[None]],
    record_id: int,
    chat_id: int,
    message_id: int,
) -> None:
    """Remember which message shows an assessment or a report, so that a later one can retire
    it (`set_message` is the storage function of its table)."""

    async def unit(tx: Tx) -> None:
        await set_message(tx, record_id, chat_id, message_id)

    await services.db.write(unit)
