"""The assessment state machine: answer, back, tube, change at review, submit, resume."""

from __future__ import annotations

import pytest

from conversations.domain.assessment import (
    REVIEW,
    SYMPTOMS,
    TUBE,
    Action,
    AlreadySubmitted,
    Answer,
    AskTube,
    AssessmentState,
    Back,
    Edit,
    InvalidAction,
    SetTube,
    Status,
    Submit,
    Symptoms,
    apply,
    new_assessment,
    resume,
)
from conversations.domain.instrument import Item5Variant
from conversations.domain.symptom_step import Describe, Finish, Grade, NoSymptoms, Pick, Unpick
from conversations.domain.symptoms import CATALOGUE


def run(state: AssessmentState, *actions: object) -> AssessmentState:
    for action in actions:
        state = apply(state, action)  # type: ignore[arg-type]
    return state


def answer_all(state: AssessmentState, score: int = 3) -> AssessmentState:
    while state.position != REVIEW:
        if state.position == TUBE:
            state = apply(state, SetTube(False))
        elif state.position == SYMPTOMS:
            state = apply(state, Symptoms(NoSymptoms()))
        else:
            state = apply(state, Answer(score))
    return state


def test_a_new_assessment_starts_at_item_1_and_asks_the_tube_when_unknown() -> None:
    state = new_assessment(None)
    assert state.position == "1"
    state = run(state, Answer(4), Answer(4), Answer(3), Answer(2))
    assert state.position == TUBE
    state = apply(state, SetTube(True))
    assert state.position == "5"
    state = apply(state, Answer(1))
    assert state.position == "6"
    assert state.item5_variant is Item5Variant.WITH_GASTROSTOMY


def test_a_remembered_tube_status_skips_the_question() -> None:
    state = run(new_assessment(False), Answer(4), Answer(4), Answer(4), Answer(4))
    assert state.position == "5"
    assert apply(state, Answer(3)).item5_variant is Item5Variant.WITHOUT_GASTROSTOMY


def test_after_item_10_comes_review_with_the_total() -> None:
    state = answer_all(new_assessment(None), 3)
    assert state.position == REVIEW
    assert state.total == 30
    assert state.complete


def test_back_returns_to_the_previous_item_and_keeps_its_answer() -> None:
    state = run(new_assessment(False), Answer(4), Answer(2))
    assert state.position == "3"
    state = apply(state, Back())
    assert state.position == "2"
    assert state.answers[2] == 2
    state = apply(state, Answer(1))
    assert state.position == "3"
    assert state.answers == {1: 4, 2: 1}


def test_back_from_item_5_goes_to_item_4_and_the_tube_is_changed_from_item_5() -> None:
    state = run(new_assessment(None), Answer(4), Answer(4), Answer(4), Answer(4), SetTube(False))
    assert apply(state, Back()).position == "4"
    state = apply(state, AskTube())
    assert state.position == TUBE
    state = apply(state, SetTube(True))
    assert state.position == "5"
    assert state.has_tube is True


def test_changing_the_tube_status_clears_an_item_5_answer_of_the_other_variant() -> None:
    state = answer_all(new_assessment(False), 4)
    state = run(state, Edit(5), AskTube(), SetTube(True))
    assert 5 not in state.answers
    assert state.position == "5"
    state = apply(state, Answer(2))
    assert state.position == REVIEW
    assert state.item5_variant is Item5Variant.WITH_GASTROSTOMY
    assert state.total == 38


def test_there_is_no_back_before_item_1() -> None:
    with pytest.raises(InvalidAction):
        apply(new_assessment(None), Back())


def test_change_an_answer_at_review_returns_to_review() -> None:
    state = answer_all(new_assessment(None), 4)
    state = apply(state, Edit(8))
    assert state.position == "8"
    assert state.back_to_review
    state = apply(state, Answer(1))
    assert state.position == REVIEW
    assert not state.back_to_review
    assert state.answers[8] == 1
    assert state.total == 37


def test_back_while_changing_from_review_returns_to_review_unchanged() -> None:
    state = answer_all(new_assessment(None), 4)
    state = run(state, Edit(3), Back())
    assert state.position == REVIEW
    assert state.total == 40


def test_submit_only_from_a_complete_review() -> None:
    state = run(new_assessment(False), Answer(4))
    with pytest.raises(InvalidAction):
        apply(state, Submit())
    done = apply(answer_all(new_assessment(False)), Submit())
    assert done.status is Status.SUBMITTED


def test_nothing_changes_after_submit() -> None:
    done = apply(answer_all(new_assessment(False)), Submit())
    actions: list[Action] = [Answer(0), Back(), Submit(), Edit(1), SetTube(True), AskTube()]
    for action in actions:
        with pytest.raises(AlreadySubmitted):
            apply(done, action)


def test_actions_that_do_not_belong_to_the_step_are_refused() -> None:
    state = new_assessment(None)
    with pytest.raises(InvalidAction):
        apply(state, SetTube(True))
    with pytest.raises(InvalidAction):
        apply(state, Edit(3))
    with pytest.raises(InvalidAction):
        apply(state, AskTube())
    with pytest.raises(InvalidAction):
        apply(state, Answer(7))
    at_review = answer_all(new_assessment(None))
    with pytest.raises(InvalidAction):
        apply(at_review, Answer(3))
    with pytest.raises(InvalidAction):
        apply(at_review, Edit(11))


def test_resume_goes_to_the_first_unanswered_item() -> None:
    state = run(new_assessment(None), Answer(4), Answer(3), Answer(2), Back(), Back())
    assert state.position == "2"
    assert resume(state).position == "4"
    state = run(new_assessment(None), Answer(4), Answer(3), Answer(2), Answer(2))
    assert resume(state).position == TUBE
    assert resume(answer_all(new_assessment(None))).position == REVIEW
    editing = apply(answer_all(new_assessment(None)), Edit(2))
    resumed = resume(editing)
    assert resumed.position == REVIEW
    assert not resumed.back_to_review


def test_states_are_immutable() -> None:
    state = new_assessment(None)
    after = apply(state, Answer(4))
    assert state.answers == {}
    assert after.answers == {1: 4}
    with pytest.raises(TypeError):
        after.answers[2] = 3  # type: ignore[index]


def test_after_item_10_comes_the_symptom_question_then_review() -> None:
    state = new_assessment(False)
    while state.position != SYMPTOMS:
        state = apply(state, Answer(4))
    assert apply(state, Back()).position == "10"
    headache = next(i for i, s in enumerate(CATALOGUE) if s.id == "headache")
    state = apply(state, Symptoms(Pick(headache)))
    assert state.position == SYMPTOMS
    assert state.symptoms.grading == "headache"
    state = apply(state, Back())  # back from the severity question to the list
    assert state.symptoms.grading is None
    assert state.position == SYMPTOMS
    state = run(state, Symptoms(Pick(headache)), Symptoms(Grade(2)))
    assert dict(state.symptoms.chosen) == {"headache": 2}
    state = apply(state, Symptoms(Finish()))
    assert state.position == REVIEW
    assert state.symptoms.done
    # Once reported, the symptom question is not asked again in this assessment.
    state = run(state, Back(), Answer(3))
    assert state.position == REVIEW
    assert apply(state, Submit()).status is Status.SUBMITTED


def test_something_else_asks_for_a_description_first() -> None:
    state = new_assessment(False)
    while state.position != SYMPTOMS:
        state = apply(state, Answer(2))
    other = len(CATALOGUE) - 1
    state = apply(state, Symptoms(Pick(other)))
    assert state.symptoms.position == "other"
    with pytest.raises(InvalidAction):
        apply(state, Symptoms(Describe("   ")))
    with pytest.raises(InvalidAction):
        apply(state, Symptoms(Describe("x" * 501)))
    state = apply(state, Symptoms(Describe("  ringing   in the ears ")))
    assert state.symptoms.other_text == "ringing in the ears"
    state = apply(state, Symptoms(Grade(1)))
    state = run(state, Symptoms(Pick(other)), Symptoms(Unpick()))
    assert dict(state.symptoms.chosen) == {}
    assert state.symptoms.other_text is None


def test_review_cannot_be_reached_or_submitted_without_the_symptom_answer() -> None:
    state = new_assessment(False)
    for _ in range(10):
        state = apply(state, Answer(4))
    assert state.position == SYMPTOMS
    with pytest.raises(InvalidAction):
        apply(state, Submit())
    assert resume(state).position == SYMPTOMS
    with pytest.raises(InvalidAction):
        apply(state, Symptoms(Grade(3)))
