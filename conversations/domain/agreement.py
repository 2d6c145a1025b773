"""Agreement between clinic ratings and self-reports (or caregiver reports), pure: pairing
within a window, Bland-Altman mean difference and 95 % limits of agreement, and the intraclass
correlation ICC(2,1) (two-way random effects, absolute agreement, single rating; Shrout and
Fleiss 1979). Published anchors: self-report vs clinic r = 0.96, caregiver ICC 0.97.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import sqrt

__all__ = ["Agreement", "agreement", "pair"]


@dataclass(frozen=True, slots=True)
class Agreement:
    n: int
    mean_difference: float  # report minus clinic
    lower_limit: float  # mean - 1.96 SD of the differences
    upper_limit: float
    icc: float | None  # None with fewer than 2 pairs or no variance


def pair(
    clinic: Sequence[tuple[str, date, int]],
    reports: Sequence[tuple[str, date, int]],
    *,
    window_days: int,
) -> list[tuple[int, int]]:
    """(clinic total, report total) for each clinic rating and the nearest report of the same
    subject within `window_days` (ties: the earlier report)."""
    pairs = []
    for subject, when, total in clinic:
        near = [
            (abs((day - when).days), day, value)
            for who, day, value in reports
            if who == subject and abs((day - when).days) <= window_days
        ]
        if near:
            pairs.append((total, min(near)[2]))
    return pairs


def agreement(pairs: Sequence[tuple[int, int]]) -> Agreement | None:
    n = len(pairs)
    if n == 0:
        return None
    diffs = [report - clinic for clinic, report in pairs]
    mean = sum(diffs) / n
    sd = sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1)) if n > 1 else 0.0
    return Agreement(n, mean, mean - 1.96 * sd, mean + 1.96 * sd, _icc(pairs))


def _icc(pairs: Sequence[tuple[int, int]]) -> float | None:
    """ICC(2,1) from the two-way ANOVA of n subjects by k = 2 raters."""
    n, k = len(pairs), 2
    if n < 2:
        return None
    grand = sum(a + b for a, b in pairs) / (n * k)
    rows = [(a + b) / k for a, b in pairs]
    cols = [sum(p[j] for p in pairs) / n for j in range(k)]
    ss_rows = k * sum((r - grand) ** 2 for r in rows)
    ss_cols = n * sum((c - grand) ** 2 for c in cols)
    ss_total = sum((x - grand) ** 2 for p in pairs for x in p)
    ss_error = ss_total - ss_rows - ss_cols
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    return None if denominator == 0 else (msr - mse) / denominator
