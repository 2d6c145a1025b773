"""Derived measures on hand-worked examples (original ALSFRS, 0-40)."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.domain.derived import (
    derive,
    kings_stage,
    mitos_stage,
    progression_rate,
    subscores,
)

#        item: 1  2  3  4  5  6  7  8  9  10
EARLY = dict(enumerate([4, 4, 3, 3, 3, 3, 3, 3, 2, 4], start=1))  # total 32
LATE = dict(enumerate([1, 2, 1, 1, 2, 1, 1, 1, 0, 2], start=1))  # total 12


def test_subscores() -> None:
    assert subscores(EARLY) == {"bulbar": 11, "fine_motor": 6, "gross_motor": 11, "respiratory": 4}
    with pytest.raises(ValueError):
        subscores({1: 4})


def test_progression_rate_by_hand() -> None:
    # Onset 2025-03 -> 2025-03-15; 2026-03-15 is 365 days = 11.992 months; (40 - 32) / 11.992.
    rate = progression_rate(32, "2025-03", date(2026, 3, 15))
    assert rate == pytest.approx(8 / (365 / 30.4375))
    assert progression_rate(32, None, date(2026, 3, 15)) is None  # no onset date: no rate
    assert progression_rate(32, "2026-03", date(2026, 3, 1)) is None  # not after onset


def test_kings_stage_regions_and_the_5b_variant() -> None:
    # bulbar 4+4+3 = 11 < 12, upper limb 3+3 = 6 < 8, walking 3 < 4: three regions.
    assert kings_stage(EARLY, "5a") == "3"
    assert kings_stage(dict.fromkeys(range(1, 11), 4), "5a") == "0"
    assert kings_stage(EARLY, "5b") == "4A"  # gastrostomy: item 5 rated as 5b
    assert kings_stage({**EARLY, 10: 1}, "5b") == "4B"  # item 10 <= 1: the ventilation proxy


def test_mitos_stage() -> None:
    assert mitos_stage(EARLY) == 0
    # movement (8 = 1), swallowing (3 = 1), communication (1 = 1 and 4 = 1), breathing (10 = 2)
    assert mitos_stage(LATE) == 4
    assert mitos_stage({**LATE, 4: 2, 10: 3}) == 2


def test_derive_together() -> None:
    found = derive(LATE, "5b", onset_month="2024-01", on=date(2026, 1, 15))
    assert found.progression_rate == round(28 / (731 / 30.4375), 2)  # 1.17 points/month
    assert found.progression == "fast"
    assert found.kings == "4A"
    assert derive(EARLY, "5a", onset_month=None, on=date(2026, 1, 1)).progression is None
