"""Review fixes (b7c200c and after) end to end over HTTP, each as a person meets it: an edited
message is not new input; a breathing symptom and the breathing decline rule never silence each
other; acknowledging all of a participant's alerts stops at the newest one shown; no reminder
before the privacy notice is agreed to."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

from bot.outbox import outbox_of
from conversations.context import AppType
from localapi import SimMessage, SimUser
from tests.conftest import Harness
from tests.e2e_helpers import answer_items, tap_score
from tests.test_e2e_alerts import copies, raise_alert
from tests.test_e2e_privacy import with_notice
from tests.test_e2e_reminders import due_time, move_clock, scheduler_of
from tests.test_e2e_roles import make_staff

HIGH = dict.fromkeys(range(1, 11), 4)  # 40
# Breathing 2 ("short of breath at rest"): the urgent breathing decline rule, nothing else.
BREATHLESS = {**HIGH, 10: 2}
_BOT_VISIBLE = frozenset({"sent", "edited", "photo", "document"})


async def edit(user: SimUser, message: SimMessage, text: str) -> list[str]:
    """Edit one of the person's earlier messages as Telegram does (an `edited_message` update
    for the same message id); returns what the bot showed in the chat in response."""
    world = user.world
    chat = user.chat
    message.text = text
    message.entities = (
        ({"type": "bot_command", "offset": 0, "length": len(text.split()[0])},)
        if text.startswith("/")
        else ()
    )
    message.edited = True
    message.edit_date = int(time.time())
    chat.mark = world.last_seq
    before = world.last_seq
    world.push_update("edited_message", message.to_api(), chat)
    await chat.settle()
    shown = []
    for event in world.events_after(before):
        if event.chat_id == chat.id and event.kind in _BOT_VISIBLE and event.message_id:
            found = chat.get_message(event.message_id)
            shown.append(found.content if found else "?")
    return shown


def alerts(harness: Harness) -> list[tuple[str, str, int | None]]:
    """Every alert: (kind, rule, acknowledged?) in the order raised."""
    with sqlite3.connect(harness.db_path) as db:
        rows = db.execute("SELECT id, kind, rule, acknowledged_at FROM alerts ORDER BY id")
        return [(str(kind), str(rule), ack) for _, kind, rule, ack in rows.fetchall()]


def followups(harness: Harness) -> int:
    """Follow-ups ("still met") written on open alerts instead of a new alert."""
    with sqlite3.connect(harness.db_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM alert_followups").fetchone()[0])


# -- 1. edited messages are not new input -----------------------------------------------------


async def test_an_edited_number_in_a_clinic_visit_is_not_taken_as_the_next_answer(
    harness: Harness, app: AppType
) -> None:
    nurse = await make_staff(harness)
    await harness.enroll("S001")
    await nurse.send("/visit S001")
    await nurse.press("III")
    await nurse.press("Today")
    await nurse.press("No gastrostomy")
    for _ in range(10):
        await tap_score(nurse, 4)
    assert "FVC, % of predicted" in nurse.last_message().content
    typed = await nurse.send("85")
    assert "Norris scale total" in nurse.last_message().content
    # The nurse corrects the FVC message she already sent: the bot now asks for the Norris
    # total, and the corrected number must not become that answer.
    assert await edit(nurse, typed, "86") == []
    assert "Norris scale total" in nurse.last_message().content
    await nurse.send("88")
    assert "Norris bulbar subscore" in nurse.last_message().content
    await nurse.press("Not measured")
    await nurse.send("55")
    review = nurse.last_message().content
    assert "FVC: 85 % of predicted" in review
    assert "Norris total: 88" in review


async def test_an_edited_command_or_text_gets_no_answer(harness: Harness, app: AppType) -> None:
    pat = await harness.join("S002", 7002)
    help_message = await pat.send("/help")
    answered = len(pat.bot_messages)
    assert await edit(pat, help_message, "/symptoms") == []
    assert await edit(pat, help_message, "/assess") == []
    await pat.send("/assess")
    assert "Question 1 of 10" in pat.last_message().content
    typed = await pat.send("3")  # a number typed where a tap is expected: a kind reminder
    assert len(pat.bot_messages) > answered
    assert await edit(pat, typed, "2") == []
    assert "Question 1 of 10" in pat.last_message().content
    await tap_score(pat, 4)
    assert "Question 2 of 10" in pat.last_message().content
    assert not any("How strong is this symptom" in m.content for m in pat.bot_messages)


# -- 2. a symptom and a decline rule of one name never silence each other ---------------------


async def test_an_open_breathing_decline_alert_does_not_silence_a_breathing_symptom(
    harness: Harness, app: AppType
) -> None:
    pat = await harness.join("S003", 7003)
    await pat.send("/assess")
    await answer_items(pat, BREATHLESS)
    await pat.press("Submit")
    assert alerts(harness) == [("decline", "breathing", None)]
    # The same day the patient reports breathing much harder than usual, mildly: a symptom,
    # not the decline rule that is still open.
    await pat.send("/symptoms")
    await pat.press("Harder breathing")
    await pat.press("Mild")
    await pat.press("Done")
    assert alerts(harness) == [("decline", "breathing", None), ("symptom", "breathing", None)]
    assert followups(harness) == 0


async def test_an_open_breathing_symptom_alert_does_not_silence_the_breathing_decline(
    harness: Harness, app: AppType
) -> None:
    pat = await harness.join("S004", 7004)
    await pat.send("/symptoms")
    await pat.press("Harder breathing")
    await pat.press("Severe")
    await pat.press("Done")
    assert alerts(harness) == [("symptom", "breathing", None)]
    await pat.send("/assess")
    await answer_items(pat, BREATHLESS)
    await pat.press("Submit")
    assert alerts(harness) == [("symptom", "breathing", None), ("decline", "breathing", None)]
    assert followups(harness) == 0


# -- 5. bulk acknowledge stops at the newest alert shown --------------------------------------


async def test_acknowledging_all_leaves_an_alert_raised_after_the_list_was_shown(
    harness: Harness, app: AppType
) -> None:
    worker = outbox_of(app)
    nurse = await make_staff(harness)
    await harness.enroll("S005")
    shown = [await raise_alert(harness, app, "S005") for _ in range(2)]
    await worker.flush()
    await nurse.send("/alerts S005")
    listing = nurse.last_message()
    assert "Open alerts of S005" in listing.content
    later = await raise_alert(harness, app, "S005")  # while the list is on the screen
    await worker.flush()
    assert copies(nurse.chat, later), "the new alert reached the nurse"
    await nurse.press("Called", message=listing)
    assert "2 alerts acknowledged." in listing.content
    with sqlite3.connect(harness.db_path) as db:
        open_ids = [r[0] for r in db.execute("SELECT id FROM alerts WHERE acknowledged_at IS NULL")]
    assert open_ids == [later]
    await worker.flush()
    for alert_id in shown:
        assert all(copy.labels == [] for copy in copies(nurse.chat, alert_id))
    assert copies(nurse.chat, later)[-1].labels == ["Acknowledge"]


# -- 6. reminders only after consent ----------------------------------------------------------


def reminders_for_patient(user: SimUser) -> list[str]:
    return [
        m.content
        for m in user.bot_messages
        if "It is time for your ALS functional rating scale" in m.content
        or "your ALSFRS questions are still waiting" in m.content
    ]


async def test_no_reminder_before_the_privacy_notice_is_agreed_to(harness: Harness) -> None:
    harness.study = with_notice()
    async with harness.bot() as app:
        enrolled = await harness.enroll("S006")
        pat = harness.api.user(7006, language_code="en")
        await pat.send(f"/start {enrolled['patient_code']}")
        assert pat.buttons() == ["I agree", "Decline"]  # linked, not agreed yet
        carer = harness.api.user(7016, language_code="en")
        await carer.send(f"/start {enrolled['caregiver_code']}")
        await carer.press("I agree")
        due = await due_time(app, "S006")
        move_clock(harness, due + timedelta(minutes=1))
        await scheduler_of(app).tick()
        await carer.settle()
        await pat.settle()
        # The reminder went out (to the caregiver, who agreed), but not to the patient.
        assert any("participant <b>S006</b>" in m.html for m in carer.bot_messages)
        assert reminders_for_patient(pat) == []
        await pat.press("I agree")
        assert "agreement has been recorded" in pat.last_message().content
        move_clock(harness, due + timedelta(hours=24, minutes=1))  # the follow-up
        await scheduler_of(app).tick()
        await pat.settle()
        assert reminders_for_patient(pat) == [
            "A gentle reminder: your ALSFRS questions are still waiting. If you have already "
            "started, you can continue where you left off."
        ]
