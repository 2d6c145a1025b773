"""Decline rules: does a new ALSFRS submission show a sharp decline that staff must hear about?

Pure functions over a participant's recent history and the study's `[decline]` settings; no I/O.
The rules and their defaults come from the clinical reference (shared/reference/alsfrs.md):

    previous    total fell since the previous submission by >= 4 points
    baseline    total fell since the baseline (first submission or clinic score) by >= 6 points
    slope       least-squares slope of the total over the last 90 days (>= 3 submissions spanning
                >= 28 days) is steeper than 1.5 points per month (30.4375 days)
    item        any single item fell since the previous submission by >= 2 points
    breathing   item 10 fell at all, or is 2 or less (breathless at rest) -- urgent
    swallowing  item 3 fell, to 1 or less (tube feeding needed)

`window()` says which part of the history `evaluate()` needs, so that the cost of evaluating a
submission never grows with the length of a participant's history. Each `Signal` carries a
staff-facing Fluent message (`locales/*/safety.ftl`) with the numbers and the dates compared;
the caller adds the pseudonymous subject id as the argument `subject`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from conversations.domain.instrument import ITEM_NUMBERS, LEVELS, MAX_TOTAL, Item5Variant, item

__all__ = [
    "DAYS_PER_MONTH",
    "BaselineRule",
    "BreathingRule",
    "DeclineRules",
    "ItemRule",
    "MessageArg",
    "Point",
    "PreviousRule",
    "RuleId",
    "Signal",
    "SlopeRule",
    "SwallowingRule",
    "Window",
    "evaluate",
    "window",
]

DAYS_PER_MONTH: Final = 30.4375
_BREATHING: Final = 10
_SWALLOWING: Final = 3
_ITEM5: Final = 5
_MICROSECONDS_PER_MONTH: Final = 2_629_800 * 1_000_000  # 30.4375 days, exactly
_VARIANTS: Final = frozenset(v.value for v in Item5Variant)

MessageArg = str | int | float


# --- settings ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PreviousRule(_Strict):
    """The total fell since the previous submission by `min_fall` points or more."""

    enabled: bool = True
    min_fall: Annotated[int, Field(ge=1, le=MAX_TOTAL)] = 4
    urgent: bool = False


class BaselineRule(_Strict):
    """The total fell since the baseline (first submission, or a clinic score) by `min_fall`."""

    enabled: bool = True
    min_fall: Annotated[int, Field(ge=1, le=MAX_TOTAL)] = 6
    urgent: bool = False


class SlopeRule(_Strict):
    """Over the last `days`, the total falls faster than `points_per_month` (least squares).

    Only with at least `min_submissions` submissions (the new one included) whose dates span at
    least `min_span_days`; otherwise the rule stays silent.
    """

    enabled: bool = True
    days: Annotated[int, Field(ge=1, le=3650)] = 90
    min_submissions: Annotated[int, Field(ge=3, le=1000)] = 3
    min_span_days: Annotated[int, Field(ge=1, le=3650)] = 28
    points_per_month: Annotated[float, Field(gt=0, le=MAX_TOTAL)] = 1.5
    urgent: bool = False


class ItemRule(_Strict):
    """Any single item fell since the previous submission by `min_fall` points or more."""

    enabled: bool = True
    min_fall: Annotated[int, Field(ge=1, le=max(LEVELS))] = 2
    urgent: bool = False


class BreathingRule(_Strict):
    """Item 10 fell by `min_fall` or more since the previous submission, or is `max_score` or less.

    Defaults: any fall, or 2 or less (shortness of breath at rest).
    """

    enabled: bool = True
    min_fall: Annotated[int, Field(ge=1, le=max(LEVELS))] = 1
    max_score: Annotated[int, Field(ge=min(LEVELS), le=max(LEVELS))] = 2
    urgent: bool = True


class SwallowingRule(_Strict):
    """Item 3 fell, to `max_score` or less (default 1: needs supplemental tube feeding).

    Any fall that ends at `max_score` or less fires: 2 -> 1, but also 1 -> 0.
    """

    enabled: bool = True
    max_score: Annotated[int, Field(ge=min(LEVELS), le=max(LEVELS) - 1)] = 1
    urgent: bool = False


class DeclineRules(_Strict):
    """The study file's `[decline]` table: one sub-table per rule."""

    previous: PreviousRule = PreviousRule()
    baseline: BaselineRule = BaselineRule()
    slope: SlopeRule = SlopeRule()
    item: ItemRule = ItemRule()
    breathing: BreathingRule = BreathingRule()
    swallowing: SwallowingRule = SwallowingRule()


# --- inputs and outputs -----------------------------------------------------------------------


class RuleId(StrEnum):
    PREVIOUS = "previous"
    BASELINE = "baseline"
    SLOPE = "slope"
    ITEM = "item"
    BREATHING = "breathing"
    SWALLOWING = "swallowing"


@dataclass(frozen=True, slots=True)
class Point:
    """One scored ALSFRS: a submission, or a clinic score entered by staff as baseline.

    `items` may be partial (a clinic baseline may carry only a total); when all ten items are
    present, `total` must be their sum. Item rules skip items that either side lacks.
    """

    submitted_at: datetime
    total: int
    items: Mapping[int, int]
    item5_variant: str

    def __post_init__(self) -> None:
        if self.submitted_at.tzinfo is None or self.submitted_at.utcoffset() is None:
            raise ValueError("submitted_at must be timezone-aware")
        if not 0 <= self.total <= MAX_TOTAL:
            raise ValueError(f"total {self.total} is outside 0-{MAX_TOTAL}")
        for number, score in self.items.items():
            if number not in ITEM_NUMBERS:
                raise ValueError(f"no ALSFRS item {number}")
            if score not in LEVELS:
                raise ValueError(f"item {number}: score {score} is out of range")
        if set(self.items) == set(ITEM_NUMBERS) and sum(self.items.values()) != self.total:
            raise ValueError(f"total {self.total} is not the sum of the ten items")
        if self.item5_variant not in _VARIANTS:
            raise ValueError(f"item 5 variant {self.item5_variant!r} is not 5a or 5b")
        object.__setattr__(self, "items", MappingProxyType(dict(self.items)))


@dataclass(frozen=True, slots=True)
class Signal:
    """One rule that fired, with everything a staff alert needs to say.

    `old_value`/`new_value` are totals (previous, baseline, slope) or item scores (item,
    breathing, swallowing); `change` is new minus old, so a fall is negative. `slope` is in
    points per month (negative is a decline), for the slope rule only. `compared_from` is the
    earlier moment compared (None for breathing's low-score alert without a previous
    submission); `compared_to` is the new submission's moment.
    """

    rule: RuleId
    urgent: bool
    new_value: int
    compared_to: datetime
    message_key: str
    message_args: Mapping[str, MessageArg] = field(hash=False)
    old_value: int | None = None
    change: int | None = None
    compared_from: datetime | None = None
    item: int | None = None
    slope: float | None = None
    submissions: int | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """The history `evaluate()` needs for a submission made at `now`.

    Fetch the `previous_count` most recent earlier submissions, plus every earlier submission
    made at or after `since` (None: none needed beyond `previous_count`), and pass their union
    newest first. Nothing older is looked at, however long the history.
    """

    previous_count: int
    since: datetime | None


def window(rules: DeclineRules, now: datetime) -> Window:
    """What history the enabled rules need to evaluate a submission made at `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    needs_previous = (
        rules.previous.enabled
        or rules.item.enabled
        or rules.breathing.enabled
        or rules.swallowing.enabled
    )
    since = now - timedelta(days=rules.slope.days) if rules.slope.enabled else None
    return Window(previous_count=1 if needs_previous else 0, since=since)


# --- evaluation -------------------------------------------------------------------------------


def evaluate(
    new: Point,
    previous: Sequence[Point],
    baseline: Point | None,
    rules: DeclineRules,
    *,
    tz: tzinfo = UTC,
) -> list[Signal]:
    """The rules that fire for `new`, in the order of `DeclineRules`' fields.

    `previous` holds the participant's earlier submissions, newest first, as `window()` asks for
    (more is allowed, and ignored beyond the window). `baseline` is the first submission or a
    clinic score entered by staff; None when `new` is the first. Dates in the messages are the
    calendar dates in `tz` (the study's time zone; UTC unless given), as `YYYY-MM-DD`.

    Item 5 is asked as 5a (without gastrostomy) or 5b (with gastrostomy), two different
    questions whose scores do not measure the same thing. When a compared submission answered
    item 5 in the other variant, the single-item rule does not compare item 5, and the total
    rules (previous, baseline, slope) compare the totals of the other nine items and say so
    (their `-switch` messages): a gastrostomy placed between two submissions neither raises a
    false alert nor hides a real fall. A compared point that lacks item 5's score (a clinic
    total) cannot be compared across a switch and is left out.

    The previous-submission rules (previous, item, swallowing, breathing's fall) compare with
    `previous[0]` only, however long ago it was; gaps in the history need no special care.
    """
    _check_order(new, previous)
    last = previous[0] if previous else None
    signals: list[Signal] = []
    if rules.previous.enabled and last is not None:
        signals.extend(_total_fall(RuleId.PREVIOUS, new, last, rules.previous))
    if rules.baseline.enabled and baseline is not None:
        signals.extend(_total_fall(RuleId.BASELINE, new, baseline, rules.baseline))
    if rules.slope.enabled:
        signals.extend(_slope(new, previous, rules.slope, tz))
    if rules.item.enabled and last is not None:
        signals.extend(_item_falls(new, last, rules.item))
    if rules.breathing.enabled:
        signals.extend(_breathing(new, last, rules.breathing))
    if rules.swallowing.enabled and last is not None:
        signals.extend(_swallowing(new, last, rules.swallowing))
    return [_with_dates(signal, tz) for signal in signals]


def _check_order(new: Point, previous: Sequence[Point]) -> None:
    later = new.submitted_at
    for point in previous:
        if point.submitted_at > later:
            raise ValueError("previous submissions must be older than the new one, newest first")
        later = point.submitted_at


def _signal(
    rule: RuleId,
    urgent: bool,
    key: str,
    new: Point,
    new_value: int,
    *,
    old: Point | None = None,
    old_value: int | None = None,
    item_number: int | None = None,
    slope: float | None = None,
    submissions: int | None = None,
    args: Mapping[str, MessageArg] | None = None,
) -> Signal:
    return Signal(
        rule=rule,
        urgent=urgent,
        new_value=new_value,
        compared_to=new.submitted_at,
        message_key=key,
        message_args=MappingProxyType(dict(args or {})),
        old_value=old_value,
        change=None if old_value is None else new_value - old_value,
        compared_from=None if old is None else old.submitted_at,
        item=item_number,
        slope=slope,
        submissions=submissions,
    )


def _with_dates(signal: Signal, tz: tzinfo) -> Signal:
    """Add the dates compared to the message arguments, as calendar dates in the study's zone."""
    args = dict(signal.message_args)
    args["new_date"] = signal.compared_to.astimezone(tz).date().isoformat()
    if signal.compared_from is not None:
        args["old_date"] = signal.compared_from.astimezone(tz).date().isoformat()
    return replace(signal, message_args=MappingProxyType(args))


def _nine_items(point: Point) -> int | None:
    """The total without item 5 (None when the point lacks item 5's score)."""
    score = point.items.get(_ITEM5)
    return None if score is None else point.total - score


def _comparable(new: Point, points: Sequence[Point]) -> tuple[list[int], list[Point], bool] | None:
    """The totals to compare for `new` and `points` (new first), the points they belong to, and
    whether item 5 was left out because the variants differ. None: `new` itself cannot be
    compared across a switch."""
    if all(p.item5_variant == new.item5_variant for p in points):
        return [new.total, *(p.total for p in points)], [new, *points], False
    first = _nine_items(new)
    if first is None:
        return None
    kept = [p for p in points if _nine_items(p) is not None]
    return [first, *(_nine_items(p) or 0 for p in kept)], [new, *kept], True


def _total_fall(
    rule: RuleId, new: Point, old: Point, settings: PreviousRule | BaselineRule
) -> list[Signal]:
    found = _comparable(new, [old])
    if found is None or len(found[0]) < 2:
        return []
    (new_total, old_total), _, switched = found
    fall = old_total - new_total
    if fall < settings.min_fall:
        return []
    return [
        _signal(
            rule,
            settings.urgent,
            f"decline-{rule.value}" + ("-switch" if switched else ""),
            new,
            new_total,
            old=old,
            old_value=old_total,
            args={"fall": fall, "old_total": old_total, "new_total": new_total},
        )
    ]


def _slope(new: Point, previous: Sequence[Point], settings: SlopeRule, tz: tzinfo) -> list[Signal]:
    start = new.submitted_at - timedelta(days=settings.days)
    window: list[Point] = []
    for point in previous:  # newest first: stop at the first one outside the window
        if point.submitted_at < start:
            break
        window.append(point)
    found = _comparable(new, window)
    if found is None:
        return []
    ys, points, switched = found
    oldest = points[-1]
    span = new.submitted_at - oldest.submitted_at
    # The minimum counts days, not submissions: two submissions on one day are one point in time.
    days = {p.submitted_at.astimezone(tz).date() for p in points}
    if len(days) < settings.min_submissions or span < timedelta(days=settings.min_span_days):
        return []
    # Exact least squares in integers (microseconds, points), so that a threshold is met exactly
    # as written: slope = (n*Sxy - Sx*Sy) / (n*Sxx - Sx^2) per microsecond; denominator > 0.
    xs = [(p.submitted_at - oldest.submitted_at) // timedelta(microseconds=1) for p in points]
    n = len(points)
    sx, sy = sum(xs), sum(ys)
    numerator = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sx * sy
    denominator = n * sum(x * x for x in xs) - sx * sx
    limit = Fraction(repr(settings.points_per_month))  # 1.1 means 11/10, not the nearest float
    # Steeper than the limit: -numerator / denominator * month > limit, all in integers.
    if -numerator * _MICROSECONDS_PER_MONTH * limit.denominator <= limit.numerator * denominator:
        return []
    per_month = numerator * _MICROSECONDS_PER_MONTH / denominator
    rate = round(-per_month, 2)
    return [
        _signal(
            RuleId.SLOPE,
            settings.urgent,
            "decline-slope-switch" if switched else "decline-slope",
            new,
            ys[0],
            old=oldest,
            old_value=ys[-1],
            slope=per_month,
            submissions=n,
            args={
                "rate": rate,
                "limit": settings.points_per_month,
                "days": settings.days,
                "count": n,
                "old_total": ys[-1],
                "new_total": ys[0],
            },
        )
    ]


def _item_falls(new: Point, old: Point, settings: ItemRule) -> list[Signal]:
    signals: list[Signal] = []
    for number in ITEM_NUMBERS:
        if number == _ITEM5 and new.item5_variant != old.item5_variant:
            continue  # 5a and 5b are different questions: no comparison across them
        if number not in new.items or number not in old.items:
            continue
        before, after = old.items[number], new.items[number]
        fall = before - after
        if fall < settings.min_fall:
            continue
        variant = Item5Variant(new.item5_variant) if number == _ITEM5 else None
        signals.append(
            _signal(
                RuleId.ITEM,
                settings.urgent,
                "decline-item",
                new,
                after,
                old=old,
                old_value=before,
                item_number=number,
                args={
                    "item": number,
                    "item_slug": item(number, variant).slug,
                    "fall": fall,
                    "old_score": before,
                    "new_score": after,
                },
            )
        )
    return signals


def _breathing(new: Point, last: Point | None, settings: BreathingRule) -> list[Signal]:
    after = new.items.get(_BREATHING)
    if after is None:
        return []
    before = None if last is None else last.items.get(_BREATHING)
    if before is not None and before - after >= settings.min_fall:
        return [
            _signal(
                RuleId.BREATHING,
                settings.urgent,
                "decline-breathing-fall",
                new,
                after,
                old=last,
                old_value=before,
                item_number=_BREATHING,
                args={"fall": before - after, "old_score": before, "new_score": after},
            )
        ]
    if after <= settings.max_score:
        return [
            _signal(
                RuleId.BREATHING,
                settings.urgent,
                "decline-breathing-low",
                new,
                after,
                item_number=_BREATHING,
                args={"new_score": after, "limit": settings.max_score},
            )
        ]
    return []


def _swallowing(new: Point, last: Point, settings: SwallowingRule) -> list[Signal]:
    after, before = new.items.get(_SWALLOWING), last.items.get(_SWALLOWING)
    if after is None or before is None:
        return []
    if not after < before or after > settings.max_score:
        return []
    return [
        _signal(
            RuleId.SWALLOWING,
            settings.urgent,
            "decline-swallowing",
            new,
            after,
            old=last,
            old_value=before,
            item_number=_SWALLOWING,
            args={"old_score": before, "new_score": after, "limit": settings.max_score},
        )
    ]
