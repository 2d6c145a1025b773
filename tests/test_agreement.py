"""Bland-Altman and ICC(2,1) on a cohort worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from conversations.domain.agreement import agreement, pair

D = date(2026, 3, 1)


def test_pairing_takes_the_nearest_report_within_the_window() -> None:
    clinic = [("S1", D, 30), ("S2", D, 20), ("S3", D, 10)]
    reports = [
        ("S1", date(2026, 3, 5), 31),
        ("S1", date(2026, 3, 3), 29),  # nearer: 2 days
        ("S2", date(2026, 3, 9), 25),  # 8 days: outside a 7-day window
        ("S3", date(2026, 2, 22), 12),  # exactly 7 days before: inside
    ]
    assert pair(clinic, reports, window_days=7) == [(30, 29), (10, 12)]


def test_bland_altman_and_icc_by_hand() -> None:
    # clinic, report: differences (report - clinic) = +1, -1, +2, 0; mean 0.5
    pairs = [(30, 31), (20, 19), (10, 12), (40, 40)]
    found = agreement(pairs)
    assert found is not None
    assert found.n == 4
    assert found.mean_difference == pytest.approx(0.5)
    # SD: squared deviations 0.25 + 2.25 + 2.25 + 0.25 = 5; / 3 -> 1.6667; sqrt 1.2910
    assert found.lower_limit == pytest.approx(0.5 - 1.96 * 1.290994, abs=1e-5)
    assert found.upper_limit == pytest.approx(0.5 + 1.96 * 1.290994, abs=1e-5)
    # Two-way ANOVA: grand mean 25.25; row means 30.5, 19.5, 11, 40;
    # SSR = 2 * (27.5625 + 33.0625 + 203.0625 + 217.5625) = 962.5, MSR = 320.8333;
    # column means 25, 25.5: SSC = 4 * 0.125 = 0.5, MSC = 0.5;
    # SST = 965.5, so SSE = SST - SSR - SSC = 2.5, MSE = 0.8333;
    # ICC = (320.8333 - 0.8333) / (320.8333 + 0.8333 + 2 * (0.5 - 0.8333) / 4) = 0.99534
    assert found.icc == pytest.approx(320.0 / (321.6667 - 0.16667), abs=1e-4)
    assert agreement([]) is None
