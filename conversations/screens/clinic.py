"""What staff see of a participant's clinic side in /participant: the chart's points (self-reports
by respondent, clinic ratings, FVC, the baseline) and the derived measures, each marked as an
estimate where it is one (`docs/derived-measures.md`). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Literal

from babel.numbers import format_decimal

from conversations.domain.derived import derive
from conversations.domain.instrument import ITEM_NUMBERS
from conversations.screens.charts import ChartPoint
from locales import Translator
from storage.models import Role, Submission, Visit

__all__ = ["Rating", "StaffChartData", "chart_data", "derived_lines", "latest_rating"]

_BABEL = {"en": "en_GB", "cs": "cs_CZ"}


@dataclass(frozen=True, slots=True)
class StaffChartData:
    points: list[ChartPoint]
    fvc: list[tuple[date, int]]
    baseline: ChartPoint | None


@dataclass(frozen=True, slots=True)
class Rating:
    """One complete rating: a self-report or a clinic visit's ALSFRS."""

    day: date
    source: Literal["patient", "caregiver", "clinic"]
    items: dict[int, int]
    item5_variant: str


def _kind(role: Role) -> Literal["patient", "caregiver"]:
    return "caregiver" if role is Role.CAREGIVER else "patient"


def chart_data(
    subs: Sequence[Submission],
    visits: Sequence[Visit],
    *,
    zone: tzinfo,
    baseline: tuple[Literal["clinic", "first_report"], date, int] | None,
) -> StaffChartData:
    """The staff chart's points: self-reports on the study's calendar, clinic totals and FVC
    on their visit dates; the baseline as one of those points (its kind from where it came)."""
    points = [
        ChartPoint(s.submitted_at.astimezone(zone).date(), s.total, _kind(s.respondent))
        for s in subs
    ]
    points += [
        ChartPoint(v.visit_date, v.total, "clinic")
        for v in visits
        if v.visit_date is not None and v.total is not None
    ]
    fvc = [
        (v.visit_date, v.fvc_percent)
        for v in visits
        if v.visit_date is not None and v.fvc_percent is not None
    ]
    marked = None
    if baseline is not None:
        source, day, total = baseline
        same = [
            p
            for p in points
            if p.day == day and p.total == total and (p.kind == "clinic") == (source == "clinic")
        ]
        kind: Literal["patient", "caregiver", "clinic"] = (
            "clinic" if source == "clinic" else "patient"
        )
        marked = same[0] if same else ChartPoint(day, total, kind)
    return StaffChartData(points, fvc, marked)


def latest_rating(
    subs: Sequence[Submission], visits: Sequence[Visit], *, zone: tzinfo
) -> Rating | None:
    """The newest complete rating, self-report or clinic (a clinic rating wins a tie of days)."""
    found = [
        Rating(
            s.submitted_at.astimezone(zone).date(), _kind(s.respondent), s.items, s.item5_variant
        )
        for s in subs
        if set(s.items) == set(ITEM_NUMBERS)
    ]
    found += [
        Rating(v.visit_date, "clinic", v.items, v.item5_variant or "5a")
        for v in visits
        if v.visit_date is not None and v.items is not None and set(v.items) == set(ITEM_NUMBERS)
    ]
    if not found:
        return None
    return max(found, key=lambda r: (r.day, r.source == "clinic"))


def derived_lines(t: Translator, rating: Rating | None, onset_month: str | None) -> list[str]:
    """The derived measures of the newest complete rating; staging and the rate are estimates."""
    if rating is None:
        return [t("derived-none")]
    found = derive(rating.items, rating.item5_variant, onset_month=onset_month, on=rating.day)
    sub = found.subscores
    lines = [
        t("derived-header", source=t(f"chart-kind-{rating.source}"), date=t.date(rating.day)),
        t(
            "derived-subscores",
            bulbar=sub["bulbar"],
            fine=sub["fine_motor"],
            gross=sub["gross_motor"],
            respiratory=sub["respiratory"],
        ),
    ]
    if found.progression_rate is None or found.progression is None:
        lines.append(t("derived-rate-none"))
    else:
        rate = format_decimal(found.progression_rate, format="0.00", locale=_BABEL[t.language])
        lines.append(
            t(
                "derived-rate",
                rate=str(rate),
                onset=onset_month or "",
                speed=t(f"derived-speed-{found.progression}"),
            )
        )
    lines.append(t("derived-kings", stage=found.kings))
    lines.append(t("derived-mitos", stage=found.mitos))
    return lines
