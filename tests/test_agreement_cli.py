"""`alsfrs-bot agreement` on a seeded cohort: self-reports over HTTP, clinic visits by the CLI,
figures worked by hand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from matplotlib.image import imread

from conversations.context import AppType
from tests.conftest import Harness
from tests.e2e_helpers import answer_items


def scores(*values: int) -> dict[int, int]:
    return dict(enumerate(values, start=1))


# subject: (clinic scores, days before today, the self-report today)
COHORT = {
    "S701": ("4,4,4,4,4,4,4,4,4,4", 2, scores(4, 4, 4, 4, 4, 4, 4, 4, 3, 3)),  # 40 vs 38
    "S702": ("4,4,4,4,4,4,4,3,2,2", 5, scores(4, 4, 4, 4, 4, 4, 4, 4, 2, 2)),  # 35 vs 36
    "S703": ("3,3,3,3,3,3,3,3,3,3", 3, scores(3, 3, 3, 3, 3, 3, 3, 3, 3, 3)),  # 30 vs 30
    "S704": ("2,2,2,2,2,2,2,2,2,2", 10, scores(2, 2, 2, 2, 2, 2, 2, 2, 3, 3)),  # outside 7 days
}


async def test_agreement_on_a_seeded_cohort(harness: Harness, app: AppType, tmp_path: Path) -> None:
    today = datetime.now(ZoneInfo(harness.study.study.timezone)).date()
    for n, (subject, (clinic, days, report)) in enumerate(COHORT.items()):
        pat = await harness.join(subject, 7700 + n)
        await pat.send("/assess")
        await answer_items(pat, report)
        await pat.press("Submit")
        day = (today - timedelta(days=days)).isoformat()
        await harness.cli(
            "visit", subject, "--visit", "I", "--date", day, "--alsfrs", clinic, "--item5", "a"
        )  # fmt: skip

    output, plot = tmp_path / "agreement.json", tmp_path / "ba.png"
    out = await harness.cli("agreement", "--output", str(output), "--plot", str(plot))
    figures = json.loads(output.read_text())
    # Pairs (clinic, report): (40, 38), (35, 36), (30, 30); S704's is 10 days apart.
    # Differences -2, +1, 0: mean -1/3. Deviations -5/3, 4/3, 1/3: squares sum 14/3, / 2 = 7/3,
    # SD 1.5275; limits -0.3333 -+ 1.96 * 1.5275 = -3.327 and 2.661.
    # ANOVA: grand mean 209/6; row means 39, 35.5, 30: SSR 82.333, MSR 41.167; column means
    # 35, 34.667: SSC 0.1667 = MSC; SST 84.833, SSE 2.333, MSE 1.1667;
    # ICC = (41.167 - 1.1667) / (41.167 + 1.1667 + 2 * (0.1667 - 1.1667) / 3) = 40 / 41.667 = 0.96
    assert figures["window_days"] == 7
    own = figures["self_report"]
    assert own["n"] == 3
    assert own["mean_difference"] == pytest.approx(-0.333, abs=1e-3)
    assert own["lower_limit"] == pytest.approx(-3.327, abs=1e-3)
    assert own["upper_limit"] == pytest.approx(2.661, abs=1e-3)
    assert own["icc"] == pytest.approx(0.96, abs=1e-3)
    assert figures["caregiver"] == {"n": 0}
    assert "self-report: n=3, mean difference -0.33" in out.stdout
    assert "ICC(2,1) 0.960" in out.stdout
    assert "caregiver: no pairs" in out.stdout
    image = imread(plot, format="png")
    assert image.shape[:2] == (400, 720)

    out = await harness.cli("agreement", "--window-days", "10")
    assert "self-report: n=4" in out.stdout
