"""Clinic visits end to end over HTTP: staff enter one by buttons and typed numbers, a bad
number is refused kindly, and a later self-report is compared with the clinic baseline."""

from __future__ import annotations

import json
import sqlite3

from conversations.context import AppType
from tests.conftest import Harness
from tests.e2e_helpers import answer_items, tap_score
from tests.test_e2e_roles import make_staff

CLINIC = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]  # 40
LOW = {1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 4}  # 32


def alerts(harness: Harness) -> list[dict[str, object]]:
    with sqlite3.connect(harness.db_path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM alerts ORDER BY id").fetchall()]


async def test_staff_enter_a_visit_and_the_self_report_meets_the_clinic_baseline(
    harness: Harness, app: AppType
) -> None:
    nurse = await make_staff(harness)
    pat = await harness.join("S601", 6001)
    await nurse.send("/visit S601")
    assert "Which visit is this?" in nurse.last_message().content
    await nurse.press("III")
    assert "Date of the visit?" in nurse.last_message().content
    await nurse.press("Today")
    await nurse.press("No gastrostomy")
    for score in CLINIC:
        assert "Clinic rating" in nurse.last_message().content
        await tap_score(nurse, score)
    assert "FVC, % of predicted" in nurse.last_message().content
    await nurse.send("180")
    refusal = nurse.bot_messages[-2].content
    assert "FVC is a whole number from 0 to 150" in refusal
    assert "FVC, % of predicted" in nurse.last_message().content  # asked again
    await nurse.send("85")
    assert "Norris scale total" in nurse.last_message().content
    await nurse.send("88")
    await nurse.press("Not measured")  # bulbar subscore
    await nurse.send("55")  # spinal subscore
    review = nurse.last_message().content
    assert "Visit: III" in review
    assert "ALSFRS (clinic): 40 of 40 (item 5: 5a, without gastrostomy)" in review
    assert "FVC: 85 % of predicted" in review
    assert "Norris bulbar: not recorded; spinal: 55" in review
    await nurse.press("Save")
    assert "Saved: clinic visit III of S601" in nurse.last_message().content
    listed = json.loads((await harness.cli("visits", "S601", "--json")).stdout)
    assert [(v["label"], v["total"], v["fvc_percent"], v["respondent"]) for v in listed] == [
        ("III", 40, 85, "clinic")
    ]
    # A button of an older step, pressed after the visit was saved, changes nothing.
    older = next(m for m in nurse.bot_messages if "FVC, % of predicted" in m.content)
    answered = await nurse.press("Not measured", message=older)
    assert "older step" in (answered.text or "")
    assert len(json.loads((await harness.cli("visits", "S601", "--json")).stdout)) == 1

    # The patient's first self-report, 8 below the clinic's 40: the baseline alert names visit III.
    await pat.send("/assess")
    await answer_items(pat, LOW)
    await pat.press("Submit")
    found = [a for a in alerts(harness) if a["rule"] == "baseline"]
    assert len(found) == 1
    assert found[0]["message_key"] == "decline-baseline-clinic"
    args = json.loads(str(found[0]["message_args"]))
    assert (args["visit"], args["old_total"], args["new_total"]) == ("III", 40, 32)


async def test_visit_is_for_staff_only(harness: Harness, app: AppType) -> None:
    pat = await harness.join("S602", 6002)
    await pat.send("/visit S602")
    assert pat.last_message().content == "This command is for study staff only."
