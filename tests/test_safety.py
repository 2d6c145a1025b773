"""Decline rules: each threshold at, above and below; gaps; item 5 variants; switches; windows."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from conversations.domain.instrument import ITEM_NUMBERS
from conversations.domain.safety import (
    BaselineRule,
    BreathingRule,
    DeclineRules,
    ItemRule,
    Point,
    PreviousRule,
    RuleId,
    Signal,
    SlopeRule,
    SwallowingRule,
    Window,
    evaluate,
    window,
)
from locales import LANGUAGES, Language, translator

NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
DEFAULTS = DeclineRules()
# Items lowered first when a total is built: never 3, 5 or 10, whose rules are tested apart.
_SPREAD = (1, 2, 4, 6, 7, 8, 9)


def scores(total: int = 40, **items: int) -> dict[int, int]:
    """Ten item scores summing to `total`; `items` (as i1=.., i10=..) are fixed first."""
    result = {n: 4 for n in ITEM_NUMBERS}
    for name, value in items.items():
        result[int(name[1:])] = value
    deficit = sum(result.values()) - total
    while deficit > 0:
        lowered = False
        for n in _SPREAD:
            if deficit and f"i{n}" not in items and result[n] > 0:
                result[n] -= 1
                deficit -= 1
                lowered = True
        assert lowered, "cannot build that total"
    assert deficit == 0, "cannot build that total"
    return result


def point(at: datetime, total: int = 40, *, variant: str = "5a", **items: int) -> Point:
    values = scores(total, **items)
    return Point(submitted_at=at, total=sum(values.values()), items=values, item5_variant=variant)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def fired(signals: list[Signal], rule: RuleId) -> list[Signal]:
    return [s for s in signals if s.rule is rule]


def only(rule: str, **settings: object) -> DeclineRules:
    """Rules with every rule off but `rule`, which gets `settings`."""
    off: dict[str, dict[str, object]] = {
        name: {"enabled": False} for name in DeclineRules.model_fields
    }
    off[rule] = {"enabled": True, **settings}
    return DeclineRules.model_validate(off)


# --- total fell since the previous submission -------------------------------------------------


@pytest.mark.parametrize(("fall", "fires"), [(3, False), (4, True), (5, True)])
def test_previous_threshold(fall: int, fires: bool) -> None:
    old = point(days_ago(14), 36)
    new = point(NOW, 36 - fall)
    signals = fired(evaluate(new, [old], old, DEFAULTS), RuleId.PREVIOUS)
    assert bool(signals) is fires
    if fires:
        (signal,) = signals
        assert (signal.old_value, signal.new_value, signal.change) == (36, 36 - fall, -fall)
        assert (signal.compared_from, signal.compared_to) == (old.submitted_at, NOW)
        assert signal.urgent is False
        assert signal.message_key == "decline-previous"


def test_previous_compares_with_the_newest_earlier_submission_only() -> None:
    history = [point(days_ago(7), 33), point(days_ago(14), 40)]
    assert not fired(evaluate(point(NOW, 32), history, None, DEFAULTS), RuleId.PREVIOUS)


def test_previous_after_a_gap_of_months() -> None:
    old = point(days_ago(200), 36)
    (signal,) = fired(evaluate(point(NOW, 31), [old], None, DEFAULTS), RuleId.PREVIOUS)
    assert signal.compared_from == days_ago(200)
    assert signal.message_args["old_date"] == days_ago(200).date().isoformat()


def test_a_rise_never_fires() -> None:
    old = point(days_ago(7), 20, i3=2, i10=2)
    new = point(NOW, 40)
    assert evaluate(new, [old], old, DEFAULTS) == []


def test_first_submission_compares_with_nothing() -> None:
    assert evaluate(point(NOW, 30), [], None, only("previous")) == []


def test_previous_totals_are_compared_across_item5_variants() -> None:
    old = point(days_ago(14), 36, variant="5a")
    new = point(NOW, 31, variant="5b")
    assert fired(evaluate(new, [old], None, DEFAULTS), RuleId.PREVIOUS)


# --- total fell since baseline ----------------------------------------------------------------


@pytest.mark.parametrize(("fall", "fires"), [(5, False), (6, True), (7, True)])
def test_baseline_threshold(fall: int, fires: bool) -> None:
    baseline = point(days_ago(300), 38)
    previous = point(days_ago(7), 38 - fall + 1)
    new = point(NOW, 38 - fall)
    signals = fired(evaluate(new, [previous], baseline, DEFAULTS), RuleId.BASELINE)
    assert bool(signals) is fires
    if fires:
        (signal,) = signals
        assert (signal.old_value, signal.new_value, signal.change) == (38, 38 - fall, -fall)
        assert signal.compared_from == baseline.submitted_at
        assert signal.message_key == "decline-baseline"


def test_baseline_may_be_a_clinic_score_with_a_total_only() -> None:
    clinic = Point(submitted_at=days_ago(400), total=37, items={}, item5_variant="5a")
    new = point(NOW, 30, variant="5a")
    (signal,) = fired(evaluate(new, [], clinic, DEFAULTS), RuleId.BASELINE)
    assert signal.change == -7
    assert evaluate(new, [], clinic, DEFAULTS) == [signal]  # nothing else to compare
    # Across a change of item 5's variant a total without items cannot be compared.
    assert evaluate(point(NOW, 30, variant="5b"), [], clinic, DEFAULTS) == []


def test_baseline_none_never_fires() -> None:
    assert not fired(evaluate(point(NOW, 20), [], None, DEFAULTS), RuleId.BASELINE)


# --- slope over the last 90 days --------------------------------------------------------------

# Three submissions T apart, each one point lower: exactly 1 point per T. With
# T = 1.5 points/month => T = 30.4375 / 1.5 days = 1,753,200 seconds, the slope is exactly 1.5.
T_AT_LIMIT = timedelta(seconds=1_753_200)


def _three(step: timedelta, totals: tuple[int, int, int] = (40, 39, 38)) -> list[Point]:
    """Newest first: the new point at NOW, then two earlier ones `step` apart."""
    return [point(NOW - i * step, total) for i, total in enumerate(reversed(totals))]


@pytest.mark.parametrize(
    ("step", "fires"),
    [
        (T_AT_LIMIT, False),  # exactly 1.5 points per month: not steeper
        (T_AT_LIMIT - timedelta(seconds=1), True),  # just steeper
        (T_AT_LIMIT + timedelta(seconds=1), False),  # just less steep
    ],
)
def test_slope_threshold(step: timedelta, fires: bool) -> None:
    new, *previous = _three(step)
    signals = fired(evaluate(new, previous, previous[-1], DEFAULTS), RuleId.SLOPE)
    assert bool(signals) is fires
    if fires:
        (signal,) = signals
        assert signal.slope is not None
        assert signal.slope == pytest.approx(-1.5, abs=1e-5)
        assert signal.submissions == 3
        assert (signal.old_value, signal.new_value) == (40, 38)
        assert signal.compared_from == NOW - 2 * step
        assert signal.message_args["rate"] == 1.5
        assert signal.message_args["limit"] == 1.5
        assert signal.message_args["count"] == 3
        assert signal.message_args["days"] == 90


def test_slope_is_least_squares_not_first_to_last() -> None:
    # 40 -> 34 -> 39 -> 38 over 60 days: first-to-last is 1 point per month, but the least-squares
    # line through all four is flatter still; a single dip must not fire.
    history = [point(days_ago(20), 39), point(days_ago(40), 34), point(days_ago(60), 40)]
    assert not fired(evaluate(point(NOW, 38), history, None, DEFAULTS), RuleId.SLOPE)
    # A steady fall of 2 points per 20 days (3 points per month) does fire, at 3.04 per month.
    steady = [point(days_ago(20), 36), point(days_ago(40), 38), point(days_ago(60), 40)]
    (signal,) = fired(evaluate(point(NOW, 34), steady, None, DEFAULTS), RuleId.SLOPE)
    assert signal.slope == pytest.approx(-2 / 20 * 30.4375)
    assert signal.message_args["rate"] == 3.04
    assert signal.submissions == 4


def test_slope_needs_three_submissions() -> None:
    history = [point(days_ago(60), 40)]
    assert not fired(evaluate(point(NOW, 20), history, None, DEFAULTS), RuleId.SLOPE)


@pytest.mark.parametrize(
    ("span", "fires"),
    [
        (timedelta(days=28), True),
        (timedelta(days=28) - timedelta(seconds=1), False),
        (timedelta(days=27), False),
    ],
)
def test_slope_needs_28_days_of_span(span: timedelta, fires: bool) -> None:
    history = [point(NOW - span / 2, 30), point(NOW - span, 40)]
    assert bool(fired(evaluate(point(NOW, 20), history, None, DEFAULTS), RuleId.SLOPE)) is fires


def test_slope_window_is_90_days_inclusive() -> None:
    history = [point(days_ago(45), 30), point(days_ago(90), 40)]
    (signal,) = fired(evaluate(point(NOW, 20), history, None, DEFAULTS), RuleId.SLOPE)
    assert signal.submissions == 3
    history = [point(days_ago(45), 30), point(days_ago(90) - timedelta(seconds=1), 40)]
    assert not fired(evaluate(point(NOW, 20), history, None, DEFAULTS), RuleId.SLOPE)


def test_slope_ignores_submissions_older_than_the_window() -> None:
    # Old high scores would make the slope steep if they were counted.
    history = [
        point(days_ago(30), 30),
        point(days_ago(60), 30),
        point(days_ago(200), 40),
        point(days_ago(400), 40),
    ]
    assert not fired(evaluate(point(NOW, 30), history, None, DEFAULTS), RuleId.SLOPE)


def test_slope_with_a_gap_of_months() -> None:
    # Months without a submission: only the new one is in the window, so no slope.
    history = [point(days_ago(150), 36), point(days_ago(180), 38), point(days_ago(210), 40)]
    signals = evaluate(point(NOW, 24), history, history[-1], DEFAULTS)
    assert not fired(signals, RuleId.SLOPE)
    assert fired(signals, RuleId.PREVIOUS)  # the others still compare, across the gap
    assert fired(signals, RuleId.BASELINE)
    # After the gap, three in the window spanning enough days fire again.
    history = [point(days_ago(30), 30), point(days_ago(60), 36), *history]
    (signal,) = fired(evaluate(point(NOW, 24), history, history[-1], DEFAULTS), RuleId.SLOPE)
    assert signal.submissions == 3


def test_a_gastrostomy_alone_raises_no_total_alert() -> None:
    """5a = 4 to 5b = 0 with nothing else changed: a fall of 4 in the total, none in function."""
    old = point(days_ago(14), 40, variant="5a")
    new = point(NOW, 36, variant="5b", i5=0)
    assert evaluate(new, [old], old, DEFAULTS) == []


def test_a_switch_does_not_hide_a_real_fall() -> None:
    """5a = 1 to 5b = 4 while items 6-9 fall by 1 each: the total hardly moves (-1), the other
    nine items fell by 4, and the alert says that item 5 was left out."""
    old = point(days_ago(14), 37, variant="5a", i5=1)
    new = point(NOW, 36, variant="5b", i5=4, i6=3, i7=3, i8=3, i9=3)
    (signal,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.PREVIOUS)
    assert signal.message_key == "decline-previous-switch"
    assert (signal.old_value, signal.new_value, signal.change) == (36, 32, -4)
    # Within one variant the same totals raise nothing (37 -> 36).
    same = point(NOW, 36, variant="5a", i5=4, i6=3, i7=3, i8=3, i9=3)
    assert fired(evaluate(same, [old], None, DEFAULTS), RuleId.PREVIOUS) == []


def test_slope_across_item5_variants_uses_the_other_nine_items() -> None:
    history = [
        point(days_ago(30), 33, variant="5b", i5=1),  # nine items: 32
        point(days_ago(60), 36, variant="5a", i5=4),  # nine items: 32
    ]
    new = point(NOW, 28, variant="5b", i5=1)  # nine items: 27
    (signal,) = fired(evaluate(new, history, None, DEFAULTS), RuleId.SLOPE)
    assert signal.message_key == "decline-slope-switch"
    assert (signal.message_args["old_total"], signal.message_args["new_total"]) == (32, 27)
    # The switch alone (5a = 4 to 5b = 0) makes no slope.
    flat = [point(days_ago(30), 36, variant="5b", i5=0), point(days_ago(60), 40, variant="5a")]
    assert not fired(
        evaluate(point(NOW, 36, variant="5b", i5=0), flat, None, DEFAULTS), RuleId.SLOPE
    )


def test_slope_counts_distinct_days_not_submissions() -> None:
    """40 on day 0, 40 five minutes later, 38 on day 28: two days, not three points."""
    start = days_ago(28)
    history = [point(start + timedelta(minutes=5), 40), point(start, 40)]
    assert not fired(evaluate(point(NOW, 34), history, None, DEFAULTS), RuleId.SLOPE)
    # A third day makes it a slope.
    history = [point(days_ago(14), 38), *history]
    assert fired(evaluate(point(NOW, 34), history, None, DEFAULTS), RuleId.SLOPE)


def test_slope_settings() -> None:
    history = [point(days_ago(45), 30), point(days_ago(90), 40)]
    rules = only("slope", days=60)
    assert evaluate(point(NOW, 20), history, None, rules) == []
    rules = only("slope", min_submissions=4)
    assert evaluate(point(NOW, 20), history, None, rules) == []
    rules = only("slope", points_per_month=10.2)  # 20 points in 90 days = 6.76 per month
    assert evaluate(point(NOW, 20), history, None, rules) == []
    rules = only("slope", points_per_month=6.7, urgent=True)
    (signal,) = evaluate(point(NOW, 20), history, None, rules)
    assert signal.urgent is True


# --- any single item fell since the previous submission ---------------------------------------


@pytest.mark.parametrize("number", ITEM_NUMBERS)
@pytest.mark.parametrize(("fall", "fires"), [(1, False), (2, True), (3, True)])
def test_item_threshold(number: int, fall: int, fires: bool) -> None:
    old = point(days_ago(7), 40)
    new = Point(NOW, 40 - fall, scores(40 - fall, **{f"i{number}": 4 - fall}), "5a")
    signals = fired(evaluate(new, [old], None, DEFAULTS), RuleId.ITEM)
    assert bool(signals) is fires
    if fires:
        (signal,) = signals
        assert signal.item == number
        assert (signal.old_value, signal.new_value, signal.change) == (4, 4 - fall, -fall)
        assert signal.message_args["item"] == number
        assert signal.message_args["fall"] == fall


def test_item_signals_one_per_item_in_item_order() -> None:
    old = point(days_ago(7), 40)
    new = point(NOW, 34, i8=2, i1=2, i6=2)
    assert [s.item for s in fired(evaluate(new, [old], None, DEFAULTS), RuleId.ITEM)] == [1, 6, 8]


def test_item5_is_not_compared_across_variants() -> None:
    old = point(days_ago(7), 40, variant="5a")
    new = point(NOW, 34, variant="5b", i5=0, i8=2)  # 5a 4 -> 5b 0: different questions
    signals = evaluate(new, [old], None, DEFAULTS)
    assert [s.item for s in fired(signals, RuleId.ITEM)] == [8]
    # The totals without item 5 are compared: 36 -> 34 is a fall of 2, not the 6 of the
    # switch from 5a = 4 to 5b = 0.
    assert fired(signals, RuleId.PREVIOUS) == []
    # And back again from 5b to 5a.
    back = point(NOW + timedelta(days=7), 34, variant="5a", i5=0, i8=2)
    assert fired(evaluate(back, [new], None, DEFAULTS), RuleId.ITEM) == []


def test_item5_is_compared_within_one_variant() -> None:
    old = point(days_ago(7), 40, variant="5b")
    new = point(NOW, 38, variant="5b", i5=2)
    (signal,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.ITEM)
    assert signal.item == 5
    assert signal.message_args["item_slug"] == "cutting-tube"
    old, new = point(days_ago(7), 40), point(NOW, 38, i5=2)
    (signal,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.ITEM)
    assert signal.message_args["item_slug"] == "cutting"


def test_item_after_a_gap_of_months() -> None:
    old = point(days_ago(240), 40)
    (signal,) = fired(evaluate(point(NOW, 37, i7=1), [old], None, DEFAULTS), RuleId.ITEM)
    assert signal.compared_from == days_ago(240)


def test_item_rule_skips_items_the_other_side_lacks() -> None:
    partial = Point(submitted_at=days_ago(7), total=30, items={1: 4}, item5_variant="5a")
    assert fired(evaluate(point(NOW, 36, i2=0), [partial], None, DEFAULTS), RuleId.ITEM) == []
    (signal,) = fired(evaluate(point(NOW, 36, i1=0), [partial], None, DEFAULTS), RuleId.ITEM)
    assert signal.item == 1


# --- breathing (item 10) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "key"),
    [
        (4, 4, None),
        (4, 3, "decline-breathing-fall"),  # any fall
        (3, 3, None),
        (3, 2, "decline-breathing-fall"),
        (2, 2, "decline-breathing-low"),  # at the limit, no fall
        (1, 1, "decline-breathing-low"),  # below the limit
        (2, 3, None),  # a rise out of the limit
        (1, 2, "decline-breathing-low"),  # a rise, still at the limit
        (4, 0, "decline-breathing-fall"),
    ],
)
def test_breathing(before: int, after: int, key: str | None) -> None:
    old = point(days_ago(7), 36 + before, i10=before)
    new = point(NOW, 36 + after, i10=after)
    signals = fired(evaluate(new, [old], None, DEFAULTS), RuleId.BREATHING)
    assert [s.message_key for s in signals] == ([key] if key else [])
    for signal in signals:
        assert signal.urgent is True  # urgent by default
        assert signal.item == 10
        assert signal.new_value == after
        if key == "decline-breathing-fall":
            assert signal.change == after - before
            assert signal.compared_from == old.submitted_at
        else:
            assert signal.compared_from is None
            assert signal.message_args["limit"] == 2


def test_breathing_low_on_a_first_submission() -> None:
    (signal,) = evaluate(point(NOW, 38, i10=2), [], None, DEFAULTS)
    assert (signal.rule, signal.message_key, signal.urgent) == (
        RuleId.BREATHING,
        "decline-breathing-low",
        True,
    )
    assert evaluate(point(NOW, 39, i10=3), [], None, DEFAULTS) == []


def test_breathing_after_a_gap_and_across_item5_variants() -> None:
    old = point(days_ago(180), 40, variant="5a")
    new = point(NOW, 39, variant="5b", i10=3)
    (signal,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.BREATHING)
    assert signal.message_key == "decline-breathing-fall"


def test_breathing_settings() -> None:
    old = point(days_ago(7), 40, i10=4)
    rules = only("breathing", min_fall=2, max_score=1, urgent=False)
    assert evaluate(point(NOW, 39, i10=3), [old], None, rules) == []
    assert evaluate(point(NOW, 38, i10=2), [old], None, rules)[0].urgent is False
    assert evaluate(point(NOW, 38, i10=2), [point(days_ago(7), 38, i10=2)], None, rules) == []
    assert evaluate(point(NOW, 37, i10=1), [point(days_ago(7), 37, i10=1)], None, rules)


# --- swallowing (item 3) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "fires"),
    [
        (3, 2, False),  # a fall, but not to 1 or less
        (2, 1, True),  # to the limit
        (4, 1, True),
        (1, 0, True),  # a fall below the limit
        (1, 1, False),  # no fall
        (0, 0, False),
        (0, 1, False),
    ],
)
def test_swallowing(before: int, after: int, fires: bool) -> None:
    old = point(days_ago(7), 36 + before, i3=before)
    new = point(NOW, 36 + after, i3=after)
    signals = fired(evaluate(new, [old], None, DEFAULTS), RuleId.SWALLOWING)
    assert bool(signals) is fires
    for signal in signals:
        assert signal.urgent is False
        assert signal.item == 3
        assert (signal.old_value, signal.new_value) == (before, after)
        assert signal.message_args["limit"] == 1


def test_swallowing_settings_and_gap() -> None:
    old = point(days_ago(365), 39, i3=3)
    rules = only("swallowing", max_score=2, urgent=True)
    (signal,) = evaluate(point(NOW, 38, i3=2), [old], None, rules)
    assert signal.urgent is True
    assert signal.message_args["limit"] == 2


# --- switches, urgency ------------------------------------------------------------------------

# A history in which every rule fires.
_BAD_HISTORY = [point(days_ago(14), 34, i3=2, i10=3), point(days_ago(50), 40)]
_BAD_NEW = point(NOW, 24, i3=1, i10=1, i1=0)


def test_every_rule_fires_on_a_bad_history() -> None:
    signals = evaluate(_BAD_NEW, _BAD_HISTORY, _BAD_HISTORY[-1], DEFAULTS)
    assert {s.rule for s in signals} == set(RuleId)
    assert [s.rule for s in signals] == sorted((s.rule for s in signals), key=list(RuleId).index)
    assert {s.rule for s in signals if s.urgent} == {RuleId.BREATHING}


@pytest.mark.parametrize("rule", list(RuleId))
def test_a_rule_switched_off_never_fires(rule: RuleId) -> None:
    rules = DeclineRules.model_validate({rule.value: {"enabled": False}})
    signals = evaluate(_BAD_NEW, _BAD_HISTORY, _BAD_HISTORY[-1], rules)
    assert {s.rule for s in signals} == set(RuleId) - {rule}
    # Nor on a first submission with a low breathing score.
    assert not fired(evaluate(_BAD_NEW, [], None, rules), rule)


@pytest.mark.parametrize("rule", list(RuleId))
def test_every_rule_can_be_made_urgent_or_not(rule: RuleId) -> None:
    for urgent in (True, False):
        rules = DeclineRules.model_validate({rule.value: {"urgent": urgent}})
        signals = fired(evaluate(_BAD_NEW, _BAD_HISTORY, _BAD_HISTORY[-1], rules), rule)
        assert signals
        assert all(s.urgent is urgent for s in signals)


# --- inputs -----------------------------------------------------------------------------------


def test_previous_must_be_older_and_newest_first() -> None:
    a, b = point(days_ago(7), 40), point(days_ago(14), 40)
    with pytest.raises(ValueError, match="newest first"):
        evaluate(point(NOW, 40), [b, a], None, DEFAULTS)
    with pytest.raises(ValueError, match="newest first"):
        evaluate(point(days_ago(10), 40), [a], None, DEFAULTS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"submitted_at": datetime(2026, 11, 3)}, "timezone-aware"),
        ({"total": 41}, "outside"),
        ({"total": 39}, "not the sum"),
        ({"items": {11: 4}}, "no ALSFRS item"),
        ({"items": {1: 5}}, "out of range"),
        ({"item5_variant": "5c"}, "5a or 5b"),
    ],
)
def test_point_validation(kwargs: Mapping[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "submitted_at": NOW,
        "total": 40,
        "items": scores(40),
        "item5_variant": "5a",
    }
    fields.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Point(**fields)  # type: ignore[arg-type]


def test_point_items_are_read_only_copies() -> None:
    items = scores(40)
    p = Point(submitted_at=NOW, total=40, items=items, item5_variant="5a")
    items[1] = 0
    assert p.items[1] == 4
    with pytest.raises(TypeError):
        p.items[1] = 0  # type: ignore[index]


# --- window() ---------------------------------------------------------------------------------


def test_window_defaults() -> None:
    assert window(DEFAULTS, NOW) == Window(previous_count=1, since=NOW - timedelta(days=90))


def test_window_without_slope_needs_no_date() -> None:
    rules = DeclineRules(slope=SlopeRule(enabled=False))
    assert window(rules, NOW) == Window(previous_count=1, since=None)


def test_window_follows_the_slope_days() -> None:
    rules = DeclineRules(slope=SlopeRule(days=30))
    assert window(rules, NOW).since == NOW - timedelta(days=30)


def test_window_needs_no_previous_when_only_baseline_and_slope_are_on() -> None:
    rules = DeclineRules(
        previous=PreviousRule(enabled=False),
        item=ItemRule(enabled=False),
        breathing=BreathingRule(enabled=False),
        swallowing=SwallowingRule(enabled=False),
    )
    assert window(rules, NOW) == Window(previous_count=0, since=NOW - timedelta(days=90))
    rules = rules.model_copy(update={"slope": SlopeRule(enabled=False)})
    assert window(rules, NOW) == Window(previous_count=0, since=None)
    # Each previous-submission rule on its own needs the previous submission.
    for name in ("previous", "item", "breathing", "swallowing"):
        assert window(only(name), NOW).previous_count == 1


def test_window_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        window(DEFAULTS, datetime(2026, 11, 17))


def test_what_the_window_returns_is_enough() -> None:
    """Evaluating on the window alone gives the same signals as on the whole history."""
    history = [point(NOW - timedelta(days=7 * k), min(40, 24 + 2 * k)) for k in range(1, 60)]
    new = point(NOW, 24, i10=2)
    w = window(DEFAULTS, NOW)
    assert w.since is not None
    since = w.since
    fetched = [p for i, p in enumerate(history) if i < w.previous_count or p.submitted_at >= since]
    assert len(fetched) < len(history)
    baseline = history[-1]
    assert evaluate(new, fetched, baseline, DEFAULTS) == evaluate(new, history, baseline, DEFAULTS)


# --- settings as TOML -------------------------------------------------------------------------

DECLINE_TOML = """
[decline.previous]
enabled = true
min_fall = 5

[decline.baseline]
enabled = false

[decline.slope]
days = 60
min_submissions = 4
min_span_days = 21
points_per_month = 2.0
urgent = true

[decline.item]
min_fall = 3

[decline.breathing]
min_fall = 1
max_score = 1
urgent = true

[decline.swallowing]
max_score = 2
"""


def _to_toml(rules: DeclineRules) -> str:
    lines: list[str] = []
    for table, values in rules.model_dump().items():
        lines.append(f"[decline.{table}]")
        for key, value in values.items():
            text = str(value).lower() if isinstance(value, bool) else repr(value)
            lines.append(f"{key} = {text}")
        lines.append("")
    return "\n".join(lines)


def test_decline_rules_from_toml() -> None:
    rules = DeclineRules.model_validate(tomllib.loads(DECLINE_TOML)["decline"])
    assert rules.previous == PreviousRule(min_fall=5)
    assert rules.baseline == BaselineRule(enabled=False)
    assert rules.slope == SlopeRule(
        days=60, min_submissions=4, min_span_days=21, points_per_month=2.0, urgent=True
    )
    assert rules.item.min_fall == 3
    assert rules.breathing == BreathingRule(max_score=1)
    assert rules.swallowing == SwallowingRule(max_score=2)


def test_decline_rules_round_trip_through_toml() -> None:
    for rules in (
        DeclineRules(),
        DeclineRules.model_validate(tomllib.loads(DECLINE_TOML)["decline"]),
    ):
        text = _to_toml(rules)
        assert DeclineRules.model_validate(tomllib.loads(text)["decline"]) == rules


def test_an_empty_decline_table_means_the_defaults() -> None:
    assert DeclineRules.model_validate(tomllib.loads("[decline]")["decline"]) == DeclineRules()
    assert DEFAULTS.previous.min_fall == 4
    assert DEFAULTS.baseline.min_fall == 6
    assert (DEFAULTS.slope.days, DEFAULTS.slope.min_submissions) == (90, 3)
    assert (DEFAULTS.slope.min_span_days, DEFAULTS.slope.points_per_month) == (28, 1.5)
    assert DEFAULTS.item.min_fall == 2
    assert (DEFAULTS.breathing.min_fall, DEFAULTS.breathing.max_score) == (1, 2)
    assert DEFAULTS.swallowing.max_score == 1
    assert [name for name, rule in DEFAULTS if rule.urgent] == ["breathing"]


@pytest.mark.parametrize(
    "snippet",
    [
        "[decline.previous]\nmin_fal = 4",  # a typo is an error, not a silent default
        "[decline.previous]\nmin_fall = 0",
        "[decline.item]\nmin_fall = 5",
        "[decline.slope]\npoints_per_month = 0",
        "[decline.slope]\nmin_submissions = 2",
        "[decline.breathing]\nmax_score = 5",
        "[decline.swallowing]\nmax_score = 4",
        "[decline.unknown]\nenabled = true",
        '[decline.previous]\nenabled = "yes please"',
    ],
)
def test_bad_decline_settings_are_refused(snippet: str) -> None:
    with pytest.raises(ValidationError):
        DeclineRules.model_validate(tomllib.loads(snippet)["decline"])


def test_decline_rules_are_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULTS.previous.min_fall = 1


# --- staff messages ---------------------------------------------------------------------------


def _every_message() -> list[Signal]:
    signals = evaluate(_BAD_NEW, _BAD_HISTORY, _BAD_HISTORY[-1], DEFAULTS)
    signals += evaluate(point(NOW, 38, i10=2), [], None, DEFAULTS)  # breathing, low score
    item5 = evaluate(
        point(NOW, 38, i5=2, variant="5b"), [point(days_ago(7), 40, variant="5b")], None, DEFAULTS
    )
    return signals + item5


def test_every_message_key_is_covered() -> None:
    keys = {s.message_key for s in _every_message()}
    assert keys == {
        "decline-previous",
        "decline-baseline",
        "decline-slope",
        "decline-item",
        "decline-breathing-fall",
        "decline-breathing-low",
        "decline-swallowing",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_signal_formats_with_its_args_and_the_subject(language: Language) -> None:
    t = translator(language)
    for signal in _every_message():
        assert all(isinstance(v, str | int | float) for v in signal.message_args.values())
        assert "subject" not in signal.message_args
        text = t(signal.message_key, subject="S042", **signal.message_args)
        assert text.startswith("S042: "), text
        assert str(signal.message_args["new_date"]) in text
        if signal.compared_from is not None:
            assert str(signal.message_args["old_date"]) in text
        assert "{" not in text
        assert "$" not in text


def test_the_english_message_reads_as_intended() -> None:
    old = point(datetime(2026, 11, 3, 10, tzinfo=UTC), 36)
    new = point(datetime(2026, 11, 17, 10, tzinfo=UTC), 31)
    (signal,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.PREVIOUS)
    assert translator("en")(signal.message_key, subject="S001", **signal.message_args) == (
        "S001: total fell by 5 points since the previous submission"
        " (36 on 2026-11-03 → 31 on 2026-11-17)."
    )
    cs = translator("cs")(signal.message_key, subject="S001", **signal.message_args)
    assert "o 5 bodů" in cs
    assert "36 dne 2026-11-03 → 31 dne 2026-11-17" in cs


def test_the_item_message_names_the_item_in_each_language() -> None:
    old, new = point(days_ago(7), 40), point(NOW, 38, i8=2)
    (signal,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.ITEM)
    assert "item 8 (Walking)" in translator("en")(
        "decline-item", subject="S", **signal.message_args
    )
    assert "položka 8 (Chůze)" in translator("cs")(
        "decline-item", subject="S", **signal.message_args
    )


def test_dates_are_calendar_dates_in_the_study_time_zone() -> None:
    late = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # already 4 November in Prague
    old = point(late - timedelta(days=14), 36)
    new = point(late, 30)
    (utc,) = fired(evaluate(new, [old], None, DEFAULTS), RuleId.PREVIOUS)
    assert utc.message_args["new_date"] == "2026-11-03"
    (prague,) = fired(
        evaluate(new, [old], None, DEFAULTS, tz=ZoneInfo("Europe/Prague")), RuleId.PREVIOUS
    )
    assert prague.message_args["new_date"] == "2026-11-04"
    assert prague.message_args["old_date"] == "2026-10-21"


# --- which baseline: the clinic visit, else the first self-report (flows.safety.baseline_of) -----


def test_baseline_is_the_clinic_visit_when_present_and_not_later() -> None:
    from datetime import date as _date

    from conversations.flows.safety import baseline_of
    from storage.models import Scored, Visit

    first = Scored(
        assessment_id=1,
        submitted_at=datetime(2026, 1, 10, 9, tzinfo=UTC),
        total=36,
        items={n: (4 if n > 4 else 3) for n in range(1, 11)},
        item5_variant="5a",
    )
    clinic = Visit(
        id=5, participant_id=1, subject="S1", status="saved", state="{}", revision=1,
        label="I", visit_date=_date(2026, 1, 5), item5_variant="5a",
        items=dict.fromkeys(range(1, 11), 4), total=40, fvc_percent=None, norris_total=None,
        norris_bulbar=None, norris_spinal=None, rated_by=None, rated_by_role="operator",
        created_at=datetime(2026, 1, 5, tzinfo=UTC), saved_at=datetime(2026, 1, 5, tzinfo=UTC),
        corrected_at=None, chat_id=None, message_id=None,
    )  # fmt: skip
    later = datetime(2026, 2, 1, tzinfo=UTC)
    chosen = baseline_of(first, clinic, choice="clinic", zone=UTC, before=later)
    assert chosen is not None
    assert (chosen.source, chosen.visit_label, chosen.point.total) == ("clinic", "I", 40)
    report = baseline_of(first, clinic, choice="first_report", zone=UTC, before=later)
    assert report is not None
    assert (report.source, report.point.total) == ("first_report", 36)
    before_visit = datetime(2026, 1, 4, tzinfo=UTC)  # the visit came after the score judged
    early = baseline_of(first, clinic, choice="clinic", zone=UTC, before=before_visit)
    assert early is not None
    assert early.source == "first_report"
    assert baseline_of(None, None, choice="clinic", zone=UTC, before=later) is None
