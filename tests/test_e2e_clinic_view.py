"""Staff /participant over HTTP: the derived measures, marked as estimates, and the chart with
patient and clinic points and an FVC panel; the patient's /history chart with clinic totals."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import timedelta

from matplotlib.image import imread

from conversations.context import AppType
from tests.conftest import Harness
from tests.e2e_helpers import answer_items
from tests.test_e2e_roles import make_staff

# 4,4,3 | 3,3 | 3,3,2,2 | 4: total 31
SCORES = {1: 4, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 4}


def size_of(png: bytes) -> tuple[int, int]:
    image = imread(io.BytesIO(png), format="png")
    return image.shape[1], image.shape[0]


async def test_participant_shows_derived_measures_and_the_clinic_chart(
    harness: Harness, app: AppType
) -> None:
    nurse = await make_staff(harness, 9611)
    pat = await harness.join("S611", 6111)
    today = harness.clock().date()
    visit_day = (today - timedelta(days=20)).isoformat()
    await harness.cli(
        "visit", "S611", "--visit", "I", "--date", visit_day,
        "--alsfrs", "4,4,4,4,4,4,4,3,3,4", "--item5", "a", "--fvc", "82",
    )  # fmt: skip
    await nurse.send("/participant S611")
    text = next(m for m in nurse.bot_messages if "S611" in m.content).content
    assert "Derived measures" in text
    assert "from the newest complete rating (Clinic" in text
    assert "Subscores: bulbar 12/12 · fine motor 8/8 · gross motor 14/16 · respiratory 4/4" in text
    assert "not known, no onset month recorded" in text
    assert "King's stage: 1 (estimate" in text
    assert "MiToS stage: 0 (estimate" in text

    await harness.cli("onset", "S611", f"{today.year - 1}-{today.month:02d}")
    await pat.send("/assess")
    await answer_items(pat, SCORES)
    await pat.press("Submit")
    before = len(nurse.bot_messages)
    await nurse.send("/participant S611")
    chart = await nurse.wait_for(lambda m: m.photo is not None, timeout=30)
    text = next(m for m in nurse.bot_messages[before:] if "Derived measures" in m.content).content
    assert "(Patient," in text  # the newest rating is the self-report
    # 40 - 31 = 9 points over about 12 months: about 0.75 a month, intermediate, an estimate
    assert "points a month since onset" in text
    assert "intermediate (estimate" in text
    assert "King's stage: 3 (estimate" in text
    assert chart.photo is not None
    assert size_of(chart.photo) == (720, 560)  # totals and the FVC panel

    await pat.send("/history")
    mine = await pat.wait_for(lambda m: m.photo is not None, timeout=30)
    assert mine.photo is not None
    assert size_of(mine.photo) == (720, 400)  # one panel: own totals and the clinic's


def onset_of(harness: Harness, subject: str) -> str | None:
    with sqlite3.connect(harness.db_path) as conn:
        row = conn.execute(
            "SELECT onset_month FROM participants WHERE subject = ?", (subject,)
        ).fetchone()
    return None if row is None else row[0]


async def test_enroll_with_the_onset_month_in_telegram_and_the_cli(
    harness: Harness, app: AppType
) -> None:
    nurse = await make_staff(harness, 9613)
    await nurse.send("/enroll S613 cs onset 2025-03")
    assert "S613: symptom onset recorded as 2025-03." in nurse.last_message().content
    assert onset_of(harness, "S613") == "2025-03"
    await nurse.send("/enroll S614 onset 2999-01")
    assert "The symptom onset is a past month" in nurse.last_message().content
    assert onset_of(harness, "S614") is None  # nothing enrolled
    await nurse.send("/enroll S615 onset 2024-11")
    assert onset_of(harness, "S615") == "2024-11"

    out = await harness.cli("enroll", "S616", "--onset", "2025-02", "--json")
    assert json.loads(out.stdout)["onset_month"] == "2025-02"
    assert onset_of(harness, "S616") == "2025-02"
    bad = await harness.cli("enroll", "S617", "--onset", "March", check=False)
    assert bad.returncode == 1
    assert "--onset is a past month" in bad.stderr
    assert onset_of(harness, "S617") is None
