"""The staff screen's derived measures and chart points, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.screens.charts import ChartPoint
from conversations.screens.clinic import chart_data, derived_lines, latest_rating
from locales import Language, translator
from storage.models import Role, Submission, Visit

ZONE = ZoneInfo("Europe/Prague")
ITEMS = {1: 4, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 1}  # 28


def sub(day: date, role: Role, items: dict[int, int], variant: str = "5a") -> Submission:
    return Submission.model_validate(
        {
            "assessment_id": 1,
            "subject": "S1",
            "submitted_at": datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC),
            "respondent": role,
            "respondent_id": 1,
            "language": "en",
            "item5_variant": variant,
            "items": items,
            "total": sum(items.values()),
        }
    )


def visit(day: date, items: dict[int, int] | None, fvc: int | None) -> Visit:
    return Visit.model_validate(
        {
            "id": 1, "participant_id": 1, "subject": "S1", "status": "saved", "state": "{}",
            "revision": 0, "label": "I", "visit_date": day,
            "item5_variant": "5b" if items else None,
            "items": items, "total": sum(items.values()) if items else None, "fvc_percent": fvc,
            "norris_total": None, "norris_bulbar": None, "norris_spinal": None, "rated_by": None,
            "rated_by_role": "operator", "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "saved_at": datetime(2026, 1, 1, tzinfo=UTC), "corrected_at": None, "chat_id": None,
            "message_id": None,
        }
    )  # fmt: skip


def test_chart_points_by_respondent_on_the_study_calendar() -> None:
    subs = [
        sub(date(2026, 3, 1), Role.PATIENT, ITEMS),
        sub(date(2026, 3, 2), Role.CAREGIVER, ITEMS),
    ]
    visits = [visit(date(2026, 3, 5), ITEMS, 80), visit(date(2026, 4, 1), None, 72)]
    data = chart_data(subs, visits, zone=ZONE, baseline=("clinic", date(2026, 3, 5), 28))
    # 22:30 UTC is the next day in Prague
    assert data.points == [
        ChartPoint(date(2026, 3, 2), 28, "patient"),
        ChartPoint(date(2026, 3, 3), 28, "caregiver"),
        ChartPoint(date(2026, 3, 5), 28, "clinic"),
    ]
    assert data.fvc == [(date(2026, 3, 5), 80), (date(2026, 4, 1), 72)]
    assert data.baseline == ChartPoint(date(2026, 3, 5), 28, "clinic")
    first = chart_data(subs, [], zone=ZONE, baseline=("first_report", date(2026, 3, 2), 28))
    assert first.baseline == ChartPoint(date(2026, 3, 2), 28, "patient")


@pytest.mark.parametrize("language", ["en", "cs"])
def test_derived_lines_mark_estimates(language: Language) -> None:
    t = translator(language)
    subs = [sub(date(2026, 3, 1), Role.PATIENT, ITEMS)]
    visits = [visit(date(2026, 3, 2), ITEMS, 80)]  # the report is on 2 March in Prague
    rating = latest_rating(subs, visits, zone=ZONE)
    assert rating is not None
    assert rating.source == "clinic"  # a clinic rating wins a tie of days (5b: King's 4B wins)
    lines = derived_lines(t, rating, "2025-03")
    # 40 - 28 = 12 points over (2026-03-02 - 2025-03-15) = 352 days = 11.56 months: 1.04, fast
    rate = "1.04" if language == "en" else "1,04"
    assert any(rate in line and t("derived-speed-fast") in line for line in lines)
    assert t("derived-kings", stage="4B") in lines
    assert t("derived-mitos", stage=1) in lines  # breathing: item 10 <= 2
    assert t("derived-subscores", bulbar=11, fine=6, gross=10, respiratory=1) in lines
    without = derived_lines(t, rating, None)
    assert t("derived-rate-none") in without
    assert derived_lines(t, None, None) == [t("derived-none")]
    assert "odhad" in lines[-1] if language == "cs" else "estimate" in lines[-1]
