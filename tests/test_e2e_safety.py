"""Safety signals end to end: the symptom question, /symptoms, urgent advice, decline alerts."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from conversations.context import AppType
from tests.conftest import Harness
from tests.e2e_helpers import answer_items

HIGH = {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 4}  # 40
LOW = {1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 4}  # 32


def alerts(harness: Harness) -> list[dict[str, object]]:
    with sqlite3.connect(harness.db_path) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT a.*, p.subject FROM alerts a JOIN participants p ON p.id = a.participant_id"
            " ORDER BY a.id"
        ).fetchall()
    return [dict(row) for row in rows]


@pytest.fixture
def with_phone(harness: Harness) -> Harness:
    info = harness.study.study.model_copy(update={"site_phone": "+420 222 333 444"})
    harness.study = harness.study.model_copy(update={"study": info})
    return harness


async def test_symptoms_at_the_end_of_the_assessment_with_urgent_advice(
    with_phone: Harness,
) -> None:
    harness = with_phone
    async with harness.bot():
        pat = await harness.join("S301", 4001)
        await pat.send("/assess")
        await answer_items(pat, HIGH, symptoms_none=False)
        question = pat.last_message()
        assert "Have you had any new symptom since last time?" in question.content
        assert pat.buttons()[0] == "None"  # one tap away
        await pat.press("Headache")
        assert "How strong is this symptom?" in pat.last_message().content
        await pat.press("Moderate")
        await pat.press("Fever or chills")
        await pat.press("Severe")
        assert "Fever or chills (Severe)" in pat.last_message().content
        await pat.press("Done")
        review = next(m for m in pat.bot_messages if "Total: 40 of 40" in m.content)
        assert "New symptoms: Headache (Moderate); Fever or chills (Severe)." in review.content
        advice = pat.last_message().content
        assert "call the study site now: +420 222 333 444" in advice
        assert "112" in advice
        found = alerts(harness)
        # One alert for the report, listing both symptoms; urgent because fever is.
        assert [(a["kind"], a["rule"], a["urgent"]) for a in found] == [
            ("symptom", "headache+fever", 1),
        ]
        args = json.loads(str(found[0]["message_args"]))  # its first part: the headache
        assert args["subject"] == "S301"
        assert args["severity"] == 2
        await pat.press("Submit", message=review)
        assert "40 of 40" in review.content


async def test_none_is_one_tap_and_raises_nothing(harness: Harness, app: AppType) -> None:
    pat = await harness.join("S302", 4002)
    await pat.send("/assess")
    await answer_items(pat, HIGH)
    assert "New symptoms: none." in pat.last_message().content
    await pat.press("Submit")
    assert alerts(harness) == []


async def test_symptoms_any_time_with_something_else_described(
    harness: Harness, app: AppType
) -> None:
    carer_code = (await harness.cli("enroll", "S303", "--json")).stdout
    code = json.loads(carer_code)["caregiver_code"]
    carer = harness.api.user(4003)
    await carer.send(f"/start {code}")
    await carer.send("/symptoms")
    assert "Has the person you care for had any new symptom" in carer.last_message().content
    assert "None" not in carer.buttons()
    await carer.press("Something else")
    assert "describe it in a few words" in carer.last_message().content
    await carer.send("x" * 600)
    assert "too long" in carer.last_message().content
    await carer.send("ringing in the ears <b>loud</b>")
    assert "How strong is this symptom?" in carer.last_message().content
    await carer.press("Mild")
    await carer.press("Done")
    assert "saved for the study team" in carer.last_message().content
    found = alerts(harness)
    assert len(found) == 1
    assert found[0]["rule"] == "other"
    assert found[0]["urgent"] == 0
    assert json.loads(str(found[0]["message_args"]))["text"] == "ringing in the ears <b>loud</b>"
    trail = (await harness.cli("audit", "--subject", "S303", "--format", "jsonl")).stdout
    reported = [json.loads(line) for line in trail.splitlines() if "symptoms.report" in line]
    assert reported[0]["actor_role"] == "caregiver"


async def test_symptoms_can_be_cancelled_and_old_buttons_do_nothing(
    harness: Harness, app: AppType
) -> None:
    pat = await harness.join("S304", 4004)
    await pat.send("/symptoms")
    first = pat.last_message()
    stale = first.buttons[0][0][1]
    assert stale is not None
    await pat.press("Cancel")
    assert "nothing was reported" in pat.last_message().content
    answer = await pat.press_data(first.message_id, stale)
    assert answer.text is not None
    assert alerts(harness) == []


async def test_a_sharp_fall_between_two_submissions_raises_decline_alerts(
    harness: Harness, app: AppType
) -> None:
    pat = await harness.join("S305", 4005)
    await pat.send("/assess")
    await answer_items(pat, HIGH)
    await pat.press("Submit")
    harness.clock.advance(timedelta(days=14))
    await pat.send("/assess")
    await answer_items(pat, LOW)
    await pat.press("Submit")
    found = alerts(harness)
    assert len(found) == 1  # one alert for the submission, listing every rule that fired
    rules = str(found[0]["rule"]).split("+")
    assert rules[:2] == ["previous", "baseline"]
    args = json.loads(str(found[0]["message_args"]))  # its first part: the previous rule
    assert args["subject"] == "S305"
    assert args["old_total"] == 40
    assert args["new_total"] == 32
    assert args["fall"] == 8
    assert found[0]["kind"] == "decline"
    assert all(a["acknowledged_at"] is None for a in found)
    listing = json.loads((await harness.cli("participants", "--json")).stdout)
    assert listing[0]["open_alerts"] == len(found)


async def test_staff_get_decline_and_urgent_symptom_alerts_and_acknowledge_them(
    with_phone: Harness,
) -> None:
    from bot.outbox import outbox_of
    from tests.e2e_helpers import acknowledge
    from tests.test_e2e_roles import make_staff

    harness = with_phone
    async with harness.bot() as application:
        worker = outbox_of(application)
        dana = await make_staff(harness, 9101)
        olga = await make_staff(harness, 9102)
        pat = await harness.join("S306", 4006)
        await pat.send("/assess")
        await answer_items(pat, HIGH)
        await pat.press("Submit")
        harness.clock.advance(timedelta(days=14))
        await pat.send("/assess")
        await answer_items(pat, LOW)
        await pat.press("Submit")
        await worker.flush()
        for nurse in (dana, olga):
            copy = await nurse.wait_for("total fell by 8 points since the previous submission")
            assert "S306" in copy.content
            assert "40 on" in copy.content
            assert "32 on" in copy.content
            assert "Acknowledge" in nurse.buttons()
        first = next(m for m in dana.bot_messages if "since the previous submission" in m.content)
        await acknowledge(dana, first)
        await worker.flush()
        for nurse in (dana, olga):
            copy = next(
                m for m in nurse.bot_messages if "since the previous submission" in m.content
            )
            assert copy.edited
            assert "Acknowledged" in copy.content

        # An urgent symptom: the respondent is told whom to call, staff are alerted at once.
        await pat.send("/symptoms")
        await pat.press("Weak or numb legs")
        await pat.press("Mild")
        await pat.press("Done")
        assert "call the study site now: +420 222 333 444" in pat.last_message().content
        await worker.flush()
        for nurse in (dana, olga):
            urgent = await nurse.wait_for("new weakness or numbness of the legs")
            assert "URGENT" in urgent.content
            assert "S306" in urgent.content


async def test_history_and_participant_show_a_chart_of_totals(
    harness: Harness, app: AppType
) -> None:
    from tests.test_e2e_roles import make_staff

    nurse = await make_staff(harness, 9201)
    pat = await harness.join("S307", 4007)
    await pat.send("/history")
    assert not any(m.photo for m in pat.bot_messages)  # nothing to draw yet
    for scores in (HIGH, LOW):
        await pat.send("/assess")
        await answer_items(pat, scores)
        await pat.press("Submit")
        harness.clock.advance(timedelta(days=14))
    await pat.send("/history")
    chart = await pat.wait_for(lambda m: m.photo is not None, timeout=30)
    assert chart.photo is not None
    assert chart.photo.startswith(b"\x89PNG")
    assert "S307: totals of the last 2 submissions" in chart.content
    await nurse.send("/participant S307")
    staff_chart = await nurse.wait_for(lambda m: m.photo is not None, timeout=30)
    assert staff_chart.photo is not None
    assert staff_chart.photo.startswith(b"\x89PNG")
    assert len(staff_chart.photo) > 5_000


async def test_the_description_limit_follows_the_study_setting(harness: Harness) -> None:
    symptoms = harness.study.symptoms.model_copy(update={"other_max_length": 1000})
    harness.study = harness.study.model_copy(update={"symptoms": symptoms})
    async with harness.bot():
        pat = await harness.join("S308", 4008)
        await pat.send("/assess")
        await answer_items(pat, HIGH, symptoms_none=False)
        await pat.press("Something else")
        assert "at most 1,000 characters" in pat.last_message().content
        await pat.send("tingling " * 70)  # about 630 characters: over 500, within 1000
        assert "How strong is this symptom?" in pat.last_message().content
