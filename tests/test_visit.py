"""The clinic-visit state machine, its typed numbers, and the FVC rule (pure domain)."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.domain.visit import (
    DATE,
    FVC,
    LABEL,
    NORRIS,
    NORRIS_BULBAR,
    NORRIS_SPINAL,
    REVIEW,
    TUBE,
    Back,
    ChooseLabel,
    Edit,
    FvcRule,
    InvalidVisitAction,
    Rate,
    Refusal,
    Save,
    SetTube,
    Skip,
    StaleVisitAction,
    Today,
    VisitSettings,
    VisitState,
    apply,
    dumps,
    fvc_signals,
    loads,
    parse_date,
    typed,
)

SETTINGS = VisitSettings()
LABELS = SETTINGS.labels
TODAY = date(2026, 11, 2)


def step(state: VisitState, action: object) -> VisitState:
    return apply(state, action, labels=LABELS, today=TODAY)  # type: ignore[arg-type]


def type_(state: VisitState, text: str) -> VisitState | Refusal:
    return typed(state, text, settings=SETTINGS, today=TODAY)


def through_items(state: VisitState, scores: list[int]) -> VisitState:
    for score in scores:
        state = step(state, Rate(score))
    return state


def test_a_whole_visit_by_buttons_and_typed_numbers() -> None:
    state = step(VisitState(), ChooseLabel(1))
    assert (state.label, state.position) == ("III", DATE)
    state = step(state, Today())
    assert (state.visit_date, state.position) == (TODAY, TUBE)
    state = step(state, SetTube(True))
    assert state.position == "1"
    state = through_items(state, [4, 4, 3, 4, 2, 3, 4, 4, 3, 4])
    assert state.position == FVC
    assert state.total == 35
    assert state.item5_variant == "5b"
    state = type_(state, "82 %")  # type: ignore[assignment]
    assert (state.fvc, state.position) == (82, NORRIS)
    state = type_(state, "70")  # type: ignore[assignment]
    assert state.position == NORRIS_BULBAR
    state = step(state, Skip())
    assert state.position == NORRIS_SPINAL
    state = type_(state, "40")  # type: ignore[assignment]
    assert state.position == REVIEW
    assert (state.norris_total, state.norris_bulbar, state.norris_spinal) == (70, None, 40)
    assert step(state, Save()) == state
    assert loads(dumps(state)) == state


@pytest.mark.parametrize(
    ("position", "text", "key"),
    [
        (FVC, "151", "visit-fvc-range"),
        (FVC, "-3", "visit-fvc-range"),
        (FVC, "eighty", "visit-fvc-range"),
        (NORRIS, "103", "visit-norris-range"),
        (NORRIS_BULBAR, "40", "visit-norris-bulbar-range"),
        (NORRIS_SPINAL, "64", "visit-norris-spinal-range"),
        (DATE, "2026-11-03", "visit-date-future"),
        (DATE, "31.2.2026", "visit-date-invalid"),
        (TUBE, "4", "visit-tap-please"),
    ],
)
def test_out_of_range_numbers_are_refused_and_the_step_stays(
    position: str, text: str, key: str
) -> None:
    state = VisitState(position=position, norris_total=70)
    refused = type_(state, text)
    assert isinstance(refused, Refusal)
    assert refused.key == key


def test_limits_are_accepted_at_the_edges() -> None:
    assert isinstance(type_(VisitState(position=FVC), "150"), VisitState)
    assert isinstance(type_(VisitState(position=FVC), "0"), VisitState)
    assert isinstance(type_(VisitState(position=DATE), "2. 11. 2026"), VisitState)
    assert parse_date("2026-02-30") is None


def test_skipping_the_alsfrs_and_everything_measured() -> None:
    state = step(step(VisitState(), ChooseLabel(len(LABELS))), Today())
    assert state.label == "unscheduled"
    state = step(state, Skip())
    assert (state.alsfrs_skipped, state.position) == (True, FVC)
    state = step(step(state, Skip()), Skip())
    assert state.position == REVIEW
    assert state.complete
    assert step(state, Back()).position == NORRIS
    assert step(step(state, Back()), Back()).position == FVC
    assert step(step(step(state, Back()), Back()), Back()).position == TUBE


def test_edit_from_review_returns_to_review() -> None:
    state = VisitState(position=REVIEW, label="I", visit_date=TODAY, alsfrs_skipped=True, fvc=80)
    editing = step(state, Edit("fvc"))
    assert editing.position == FVC
    done = type_(editing, "75")
    assert isinstance(done, VisitState)
    assert (done.fvc, done.position) == (75, REVIEW)
    assert step(step(state, Edit("date")), Back()).position == REVIEW


def test_changing_the_tube_answer_drops_the_other_variants_item5() -> None:
    state = step(VisitState(position=TUBE), SetTube(False))
    state = through_items(state, [4] * 10)
    back_to_tube = VisitState(
        position=TUBE, has_tube=False, items=dict(state.items), label="I", visit_date=TODAY
    )
    after = step(back_to_tube, SetTube(True))
    assert 5 not in after.items
    assert after.total is None


def test_stale_and_invalid_actions() -> None:
    with pytest.raises(StaleVisitAction):
        step(VisitState(position=DATE), ChooseLabel(0))
    with pytest.raises(InvalidVisitAction):
        step(VisitState(), ChooseLabel(99))
    with pytest.raises(InvalidVisitAction):
        step(VisitState(position=REVIEW, label="I", visit_date=TODAY), Save())
    with pytest.raises(InvalidVisitAction):
        step(VisitState(position=LABEL), Back())


# --- the FVC rule: at, above and below its thresholds ------------------------------------------

RULE = FvcRule()
D1, D2 = date(2026, 1, 5), date(2026, 4, 5)


@pytest.mark.parametrize(("value", "fires"), [(71, False), (70, False), (69, True)])
def test_fvc_below_threshold(value: int, fires: bool) -> None:
    signals = fvc_signals((D2, value), None, RULE)
    assert [s.kind for s in signals] == (["low"] if fires else [])


@pytest.mark.parametrize(("fall", "fires"), [(9, False), (10, True), (11, True)])
def test_fvc_fall_since_previous_visit(fall: int, fires: bool) -> None:
    signals = fvc_signals((D2, 95 - fall), (D1, 95), RULE)
    assert [s.kind for s in signals] == (["fall"] if fires else [])
    if fires:
        assert signals[0].message_args["old_date"] == "2026-01-05"
        assert signals[0].message_args["fall"] == fall


def test_fvc_standing_low_does_not_alert_twice_and_the_rule_switches_off() -> None:
    assert fvc_signals((D2, 65), (D1, 68), RULE) == []
    both = fvc_signals((D2, 60), (D1, 75), RULE)
    assert [s.kind for s in both] == ["fall", "low"]
    assert fvc_signals((D2, 10), (D1, 90), FvcRule(enabled=False)) == []
