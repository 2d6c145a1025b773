"""The assessment use cases: open (start or resume) one, apply one press, read history.

`press` is the whole write path of a button: it loads the assessment, checks that the press
belongs to its current revision and to a participant the account answers for
(`flows.answering.authorise`), asks the pure state machine for the next state
(`domain.assessment.apply`), and writes the changed answers, the new position, the audit
entries and (on submission) the decline alerts and (on the symptom step) the symptom report, all
in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from conversations.context import Services
from conversations.domain import symptom_step
from conversations.domain.assessment import (
    Action,
    AlreadySubmitted,
    AssessmentError,
    AssessmentState,
    StaleAction,
    Status,
    apply,
    new_assessment,
    resume,
)
from conversations.domain.instrument import Item5Variant
from conversations.domain.safety import Signal
from conversations.domain.symptoms import Triage
from conversations.flows import answering
from conversations.flows.answering import PressRefused, Refusal, authorise
from conversations.flows.safety import SafetyConfig, raise_decline_alerts, record_symptoms
from storage import assessments, audit, people
from storage.db import Tx
from storage.models import Actor, AssessmentRecord, Submission, from_iso, iso

__all__ = [
    "Opened",
    "Outcome",
    "begin",
    "find",
    "history",
    "open_assessment",
    "open_ones",
    "press",
    "retired",
    "show_in",
    "state_of",
]


@dataclass(frozen=True, slots=True)
class Outcome:
    record: AssessmentRecord
    actor: Actor  # who pressed: the patient or which caregiver
    previous: Submission | None  # for a submission: the one before it
    triage: Triage | None = None  # when this press answered the symptom question
    signals: tuple[Signal, ...] = ()  # decline rules that fired on submission

    @property
    def alerts(self) -> bool:
        """Whether this press created alerts for staff (to wake their delivery)."""
        return bool(self.signals) or bool(self.triage and self.triage.reports)

    @property
    def urgent(self) -> bool:
        """Whether the respondent must be told to contact the site now: an urgent symptom, or
        any decline rule the study marks urgent (by default breathing)."""
        return bool(self.triage and self.triage.urgent) or any(s.urgent for s in self.signals)


def state_of(record: AssessmentRecord) -> AssessmentState:
    return AssessmentState(
        answers=dict(record.answers),
        has_tube=record.has_tube,
        position=record.position,
        back_to_review=record.back_to_review,
        status=Status(record.status),
        symptoms=symptom_step.loads(record.symptoms_state),
    )


async def open_assessment(
    tx: Tx, *, participant_id: int, actor: Actor, language: str, now: datetime
) -> tuple[AssessmentRecord, bool]:
    """The participant's assessment in progress, moved to its first open step, or a new one.

    Returns (record, created). Resuming bumps the revision, so buttons of older messages go stale.
    """
    current = await assessments.in_progress(tx, participant_id)
    if current is not None:
        state = resume(state_of(current))
        await assessments.bump_revision(tx, current.id, position=state.position)
        await assessments.set_language(tx, current.id, language)
        await audit.record(
            tx,
            actor=actor,
            action="assessment.resume",
            entity="assessment",
            entity_id=current.id,
            at=now,
            new={"position": state.position},
        )
        resumed = await assessments.assessment(tx, current.id)
        assert resumed is not None
        return resumed, False
    remembered = await people.remembered_gastrostomy(tx, participant_id)
    state = new_assessment(remembered)
    aid = await assessments.create(
        tx,
        participant_id=participant_id,
        position=state.position,
        has_tube=remembered,
        language=language,
        now=now,
        started_by=actor.link_id,
    )
    await audit.record(
        tx,
        actor=actor,
        action="assessment.start",
        entity="assessment",
        entity_id=aid,
        at=now,
        new={"language": language},
    )
    created = await assessments.assessment(tx, aid)
    assert created is not None
    return created, True


async def _write_answers(
    tx: Tx,
    record: AssessmentRecord,
    before: AssessmentState,
    after: AssessmentState,
    actor: Actor,
    now: datetime,
) -> None:
    for number in sorted(set(before.answers) | set(after.answers)):
        old, new = before.answers.get(number), after.answers.get(number)
        if old == new and not (number == 5 and before.has_tube != after.has_tube):
            continue
        if new is None:
            await assessments.clear_answer(tx, record.id, item=number)
        else:
            variant = (
                Item5Variant.for_gastrostomy(bool(after.has_tube)).value if number == 5 else None
            )
            await assessments.set_answer(
                tx,
                record.id,
                item=number,
                score=new,
                variant=variant,
                answered_by=actor.link_id,
                now=now,
            )
        await audit.record(
            tx,
            actor=actor,
            action="answer.set" if new is not None else "answer.clear",
            entity="assessment",
            entity_id=record.id,
            at=now,
            old=None if old is None else {"item": number, "score": old},
            new=None if new is None else {"item": number, "score": new},
        )
    if before.has_tube != after.has_tube:
        await people.set_gastrostomy(tx, record.participant_id, bool(after.has_tube))
        await audit.record(
            tx,
            actor=actor,
            action="participant.gastrostomy",
            entity="participant",
            entity_id=record.participant_id,
            at=now,
            old=before.has_tube,
            new=after.has_tube,
        )


async def press(
    tx: Tx,
    *,
    assessment_id: int,
    revision: int,
    action: Action,
    actors: Mapping[int, Actor],
    now: datetime,
    safety: SafetyConfig,
    language: str | None = None,
) -> Outcome:
    """Apply one press (or a typed description, as `Symptoms(Describe(text))`); raises
    `PressRefused` with nothing written. `language` is the respondent's language now: the
    assessment's language is the one its answers are given in."""
    record = await assessments.assessment(tx, assessment_id)
    if record is None or record.participant_id not in actors:
        raise PressRefused(Refusal.NOT_YOURS, str(assessment_id))
    if record.status == Status.SUBMITTED.value:
        raise PressRefused(Refusal.SUBMITTED)
    actor, subject = await authorise(tx, participant_id=record.participant_id, actors=actors)
    if record.revision != revision:
        raise PressRefused(Refusal.STALE, f"revision {revision} != {record.revision}")
    before = state_of(record)
    try:
        after = apply(before, action, max_text=safety.symptoms.other_max_length)
    except AlreadySubmitted as exc:
        raise PressRefused(Refusal.SUBMITTED) from exc
    except StaleAction as exc:
        raise PressRefused(Refusal.STALE) from exc
    except (AssessmentError, symptom_step.StepError) as exc:
        raise PressRefused(Refusal.INVALID, type(action).__name__) from exc
    await _write_answers(tx, record, before, after, actor, now)
    if language is not None and language != record.language:
        await assessments.set_language(tx, assessment_id, language)
        record = record.model_copy(update={"language": language})
    found: Triage | None = None
    if after.symptoms.done and not before.symptoms.done:
        found = await record_symptoms(
            tx,
            participant_id=record.participant_id,
            subject=subject,
            assessment_id=assessment_id,
            report_id=None,
            state=after.symptoms,
            language=record.language,
            actor=actor,
            now=now,
            config=safety,
        )
    submitted = after.status is Status.SUBMITTED
    previous: Submission | None = None
    signals: list[Signal] = []
    if submitted:
        previous = await assessments.last_submission(tx, record.participant_id)
        assert after.item5_variant is not None
        signals = await raise_decline_alerts(
            tx,
            participant_id=record.participant_id,
            subject=subject,
            assessment_id=assessment_id,
            answers=dict(after.answers),
            item5_variant=after.item5_variant.value,
            submitted_at=now,
            actor=actor,
            config=safety,
        )
    await assessments.save_progress(
        tx,
        assessment_id,
        position=after.position,
        back_to_review=after.back_to_review,
        has_tube=after.has_tube,
        symptoms_state=symptom_step.dumps(after.symptoms),
        submitted_at=now if submitted else None,
        submitted_by=actor.link_id if submitted else None,
        item5_variant=after.item5_variant.value if submitted and after.item5_variant else None,
        total=after.total if submitted else None,
    )
    if submitted:
        await audit.record(
            tx,
            actor=actor,
            action="assessment.submit",
            entity="assessment",
            entity_id=assessment_id,
            at=now,
            new={"total": after.total, "item5_variant": after.item5_variant},
        )
    updated = record.model_copy(
        update={
            "answers": dict(after.answers),
            "position": after.position,
            "back_to_review": after.back_to_review,
            "has_tube": after.has_tube,
            "revision": record.revision + 1,
            "status": after.status.value,
            "submitted_at": from_iso(iso(now)) if submitted else None,  # as stored
            "total": after.total if submitted else None,
            "item5_variant": after.item5_variant.value
            if submitted and after.item5_variant
            else None,
            "symptoms_state": symptom_step.dumps(after.symptoms),
        }
    )
    return Outcome(
        record=updated, actor=actor, previous=previous, triage=found, signals=tuple(signals)
    )


# --- entry points for handlers: one transaction each ---------------------------------------


@dataclass(frozen=True, slots=True)
class Opened:
    """`record` is the assessment now shown (None: someone else's is under way, or one was
    already submitted today, and the respondent is asked first); `previous` the one that was in
    progress before, if any; `today` the submission of today that a new one would follow."""

    record: AssessmentRecord | None
    previous: AssessmentRecord | None
    today: Submission | None = None


def _same_day(first: datetime, second: datetime, zone: ZoneInfo) -> bool:
    return first.astimezone(zone).date() == second.astimezone(zone).date()


async def begin(
    services: Services,
    *,
    participant_id: int,
    actor: Actor,
    language: str,
    join: bool,
    again: bool = False,
) -> Opened:
    """Start or resume the participant's assessment. Without `join`, an assessment that another
    respondent started and this one never answered in is left untouched. Without `again`, no
    new assessment starts on a day (in the study's time zone) that already has a submission."""
    now = services.clock()
    zone = ZoneInfo(services.study.study.timezone)

    async def unit(tx: Tx) -> Opened:
        current = await assessments.in_progress(tx, participant_id)
        if (
            current is not None
            and not join
            and actor.link_id is not None
            and not await assessments.joined_by(tx, current.id, actor.link_id)
        ):
            return Opened(None, current)
        if current is None and not again:
            last = await assessments.last_submission(tx, participant_id)
            if last is not None and _same_day(last.submitted_at, now, zone):
                return Opened(None, None, last)
        record, _ = await open_assessment(
            tx, participant_id=participant_id, actor=actor, language=language, now=now
        )
        return Opened(record, current)

    return await services.db.write(unit)


async def show_in(services: Services, assessment_id: int, chat_id: int, message_id: int) -> None:
    """Remember the message that shows the assessment, so that a later one can retire it."""
    await answering.remember_message(
        services, assessments.set_message, assessment_id, chat_id, message_id
    )


async def retired(services: Services, assessment_id: int, message_id: int) -> None:
    """The message that showed the assessment lost its keyboard: nothing is left to retire."""

    async def unit(tx: Tx) -> None:
        await assessments.forget_message(tx, assessment_id, message_id)

    await services.db.write(unit)


async def find(services: Services, assessment_id: int) -> AssessmentRecord | None:
    async def unit(tx: Tx) -> AssessmentRecord | None:
        return await assessments.assessment(tx, assessment_id)

    return await services.db.read(unit)


async def open_ones(services: Services, participant_ids: Iterable[int]) -> list[AssessmentRecord]:
    """The assessments in progress of these participants."""
    pids = list(participant_ids)

    async def unit(tx: Tx) -> list[AssessmentRecord]:
        found = [await assessments.in_progress(tx, pid) for pid in pids]
        return [record for record in found if record is not None]

    return await services.db.read(unit)


async def history(services: Services, participant_id: int, *, limit: int = 50) -> list[Submission]:
    """The participant's submissions, newest first."""

    async def unit(tx: Tx) -> list[Submission]:
        return await assessments.submissions(tx, participant_id=participant_id, limit=limit)

    return await services.db.read(unit)
