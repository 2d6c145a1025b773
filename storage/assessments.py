"""Assessments and their answers: start or resume, apply one action, submit, read history.

`apply_action` is the whole write path of a button press: it loads the assessment, checks that
the press belongs to its current revision and to the respondent's participant, asks the pure
state machine for the next state, and writes the changed answers, the new position and the audit
entries, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from conversations.domain.assessment import (
    Action,
    AlreadySubmitted,
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
from conversations.flows.safety import (
    SafetyConfig,
    raise_decline_alerts,
    submit_symptom_report,
    symptom_state_from_json,
    symptom_state_json,
)
from storage import audit
from storage.db import Row, Tx
from storage.models import (
    Actor,
    AssessmentRecord,
    ParticipantStatus,
    Role,
    Submission,
    from_iso,
    iso,
)

__all__ = [
    "AccessEnded",
    "NotYours",
    "Outcome",
    "apply_action",
    "assessment",
    "in_progress",
    "joined_by",
    "open_assessment",
    "set_message",
    "state_of",
    "submissions",
]


class NotYours(LookupError):
    """The assessment does not exist or belongs to another participant."""


class AccessEnded(PermissionError):
    """The respondent's link was revoked, or the participant is paused or withdrawn."""


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


def state_of(record: AssessmentRecord) -> AssessmentState:
    return AssessmentState(
        answers=dict(record.answers),
        has_tube=record.has_tube,
        position=record.position,
        back_to_review=record.back_to_review,
        status=Status(record.status),
        symptoms=symptom_state_from_json(record.symptoms_state),
    )


async def assessment(tx: Tx, assessment_id: int) -> AssessmentRecord | None:
    row = await tx.one(
        "SELECT a.*, l.role AS started_by_role FROM assessments a"
        " JOIN links l ON l.id = a.started_by WHERE a.id = ?",
        (assessment_id,),
    )
    if row is None:
        return None
    answers = await tx.all(
        "SELECT item, score FROM answers WHERE assessment_id = ?", (assessment_id,)
    )
    return _record(row, {a["item"]: a["score"] for a in answers})


def _record(row: Row, answers: dict[int, int]) -> AssessmentRecord:
    has_tube = row["has_tube"]
    return AssessmentRecord(
        id=row["id"],
        participant_id=row["participant_id"],
        status=row["status"],
        position=row["position"],
        back_to_review=bool(row["back_to_review"]),
        has_tube=None if has_tube is None else bool(has_tube),
        revision=row["revision"],
        language=row["language"],
        answers=answers,
        started_at=from_iso(row["started_at"]),
        submitted_at=None if row["submitted_at"] is None else from_iso(row["submitted_at"]),
        total=row["total"],
        item5_variant=row["item5_variant"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        started_by=row["started_by"],
        started_by_role=Role(row["started_by_role"]),
        symptoms_state=row["symptoms_state"],
    )


async def in_progress(tx: Tx, participant_id: int) -> AssessmentRecord | None:
    aid = await tx.scalar(
        "SELECT id FROM assessments WHERE participant_id = ? AND status = 'in_progress'",
        (participant_id,),
    )
    return None if aid is None else await assessment(tx, int(aid))


async def open_assessment(
    tx: Tx, *, participant_id: int, actor: Actor, language: str, now: datetime
) -> tuple[AssessmentRecord, bool]:
    """The participant's assessment in progress, moved to its first open step, or a new one.

    Returns (record, created). Resuming bumps the revision, so buttons of older messages go stale.
    """
    current = await in_progress(tx, participant_id)
    if current is not None:
        state = resume(state_of(current))
        await tx.execute(
            "UPDATE assessments SET position = ?, back_to_review = 0, revision = revision + 1"
            " WHERE id = ?",
            (state.position, current.id),
        )
        await audit.record(
            tx,
            actor=actor,
            action="assessment.resume",
            entity="assessment",
            entity_id=current.id,
            at=now,
            new={"position": state.position},
        )
        resumed = await assessment(tx, current.id)
        assert resumed is not None
        return resumed, False
    remembered = await tx.scalar(
        "SELECT has_gastrostomy FROM participants WHERE id = ?", (participant_id,)
    )
    state = new_assessment(None if remembered is None else bool(remembered))
    aid = await tx.execute(
        "INSERT INTO assessments (participant_id, status, position, has_tube, language,"
        " started_at, started_by) VALUES (?, 'in_progress', ?, ?, ?, ?, ?)",
        (participant_id, state.position, remembered, language, iso(now), actor.link_id),
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
    created = await assessment(tx, aid)
    assert created is not None
    return created, True


async def set_message(tx: Tx, assessment_id: int, chat_id: int, message_id: int) -> None:
    """Remember which message shows the assessment, so that a resume can retire it."""
    await tx.execute(
        "UPDATE assessments SET chat_id = ?, message_id = ? WHERE id = ?",
        (chat_id, message_id, assessment_id),
    )


async def joined_by(tx: Tx, assessment_id: int, link_id: int) -> bool:
    """Whether this link started the assessment or has answered in it."""
    return bool(
        await tx.scalar(
            "SELECT 1 FROM assessments WHERE id = ? AND started_by = ?"
            " UNION ALL SELECT 1 FROM answers WHERE assessment_id = ? AND answered_by = ?",
            (assessment_id, link_id, assessment_id, link_id),
        )
    )


async def apply_action(
    tx: Tx,
    *,
    assessment_id: int,
    revision: int,
    action: Action,
    actors: Mapping[int, Actor],
    now: datetime,
    safety: SafetyConfig | None = None,
) -> Outcome:
    """Apply one press. `actors` maps each participant the account may answer for to the actor
    it answers as; an assessment of any other participant is refused as NotYours."""
    record = await assessment(tx, assessment_id)
    if record is None or record.participant_id not in actors:
        raise NotYours(assessment_id)
    actor = actors[record.participant_id]
    if record.status == Status.SUBMITTED.value:
        raise AlreadySubmitted("already submitted")
    # One round trip for three facts: the respondent's link is active, the participant is
    # active, and the participant's study ID (for any alert this press raises).
    checks = await tx.one(
        "SELECT p.status, p.subject, (SELECT revoked_at IS NULL FROM links WHERE id = ?)"
        " AS link_active FROM participants p WHERE p.id = ?",
        (actor.link_id, record.participant_id),
    )
    if checks is None or not checks["link_active"]:
        raise AccessEnded("the link was revoked")
    if checks["status"] != ParticipantStatus.ACTIVE.value:
        raise AccessEnded(f"the participant is {checks['status']}")
    subject = str(checks["subject"])
    if record.revision != revision:
        raise StaleAction(f"revision {revision} != {record.revision}")
    before = state_of(record)
    safety = safety or SafetyConfig()
    limit = safety.symptoms.other_max_length
    after = apply(before, action, max_text=limit)  # raises with nothing written
    for number in sorted(set(before.answers) | set(after.answers)):
        old, new = before.answers.get(number), after.answers.get(number)
        if old == new and not (number == 5 and before.has_tube != after.has_tube):
            continue
        if new is None:
            await tx.execute(
                "DELETE FROM answers WHERE assessment_id = ? AND item = ?",
                (assessment_id, number),
            )
        else:
            variant = (
                Item5Variant.for_gastrostomy(bool(after.has_tube)).value if number == 5 else None
            )
            await tx.execute(
                "INSERT INTO answers (assessment_id, item, score, variant, answered_by,"
                " answered_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (assessment_id, item) DO"
                " UPDATE SET score = excluded.score, variant = excluded.variant,"
                " answered_by = excluded.answered_by, answered_at = excluded.answered_at",
                (assessment_id, number, new, variant, actor.link_id, iso(now)),
            )
        await audit.record(
            tx,
            actor=actor,
            action="answer.set" if new is not None else "answer.clear",
            entity="assessment",
            entity_id=assessment_id,
            at=now,
            old=None if old is None else {"item": number, "score": old},
            new=None if new is None else {"item": number, "score": new},
        )
    if before.has_tube != after.has_tube:
        await tx.execute(
            "UPDATE participants SET has_gastrostomy = ? WHERE id = ?",
            (int(bool(after.has_tube)), record.participant_id),
        )
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
    found: Triage | None = None
    if after.symptoms.done and not before.symptoms.done:
        found = await submit_symptom_report(
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
        previous = await _last_submission(tx, record.participant_id)
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
    await tx.execute(
        "UPDATE assessments SET position = ?, back_to_review = ?, has_tube = ?,"
        " revision = revision + 1, status = ?, submitted_at = ?, submitted_by = ?,"
        " item5_variant = ?, total = ?, symptoms_state = ? WHERE id = ?",
        (
            after.position,
            int(after.back_to_review),
            None if after.has_tube is None else int(after.has_tube),
            after.status.value,
            iso(now) if submitted else None,
            actor.link_id if submitted else None,
            after.item5_variant.value if submitted and after.item5_variant else None,
            after.total if submitted else None,
            symptom_state_json(after.symptoms),
            assessment_id,
        ),
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
    updated = await assessment(tx, assessment_id)
    assert updated is not None
    return Outcome(
        record=updated,
        actor=actor,
        previous=previous,
        triage=found,
        signals=tuple(signals),
    )


_SUBMISSIONS = (
    "SELECT a.id, a.submitted_at, a.language, a.item5_variant, a.total, p.subject,"
    " l.role AS respondent, l.id AS respondent_id,"
    " (SELECT group_concat(item || ':' || score) FROM answers WHERE assessment_id = a.id) AS items"
    " FROM assessments a JOIN participants p ON p.id = a.participant_id"
    " JOIN links l ON l.id = a.submitted_by WHERE a.status = 'submitted'"
)


def _submission(row: Row) -> Submission:
    items = dict(
        (int(k), int(v)) for k, v in (pair.split(":") for pair in str(row["items"]).split(","))
    )
    return Submission(
        assessment_id=row["id"],
        subject=row["subject"],
        submitted_at=from_iso(row["submitted_at"]),
        respondent=Role(row["respondent"]),
        respondent_id=row["respondent_id"],
        language=row["language"],
        item5_variant=row["item5_variant"],
        items=items,
        total=row["total"],
    )


async def _last_submission(tx: Tx, participant_id: int) -> Submission | None:
    row = await tx.one(
        _SUBMISSIONS + " AND a.participant_id = ? ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1",
        (participant_id,),
    )
    return None if row is None else _submission(row)


async def submissions(
    tx: Tx, *, participant_id: int | None = None, limit: int | None = None
) -> list[Submission]:
    """Submitted assessments, newest first (one participant's, or everyone's)."""
    sql = _SUBMISSIONS
    params: list[object] = []
    if participant_id is not None:
        sql += " AND a.participant_id = ?"
        params.append(participant_id)
    sql += " ORDER BY a.submitted_at DESC, a.id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_submission(row) for row in await tx.all(sql, params)]
