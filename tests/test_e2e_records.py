"""Records and dead ends, end to end over HTTP: the language of a submission, a new patient
link (`/relink`, `alsfrs-bot invite patient`), withdrawal ending outstanding codes,
case-insensitive study IDs, and the question before a second assessment on the same day."""

from __future__ import annotations

import json
from datetime import timedelta

from conversations.context import AppType
from conversations.flows import enrollment
from tests.conftest import OPERATOR, Harness
from tests.e2e_helpers import answer_items
from tests.test_e2e_reminders import due_time, move_clock, scheduler_of
from tests.test_e2e_roles import LINK, audit_rows, make_staff

SCORES = dict.fromkeys(range(1, 11), 4)


async def test_the_language_of_a_submission_is_the_language_it_was_answered_in(
    harness: Harness, app: AppType
) -> None:
    petr = await harness.join("S301", 1301, language="cs")
    await petr.press("Začít hodnocení")
    czech_screen = petr.last_message()
    assert "Otázka 1 z 10" in czech_screen.content
    await petr.send("/language")
    await petr.press("English")
    # The assessment's buttons, answered now in English.
    await petr.press("4 · Normální", message=czech_screen)
    await petr.send("/assess")  # resumes in a new message and retires the old one
    retired = petr.chat.get_message(czech_screen.message_id)
    assert retired is not None
    assert retired.content == "This assessment continues in a newer message below."
    assert "Question 2 of 10" in petr.last_message().content
    await answer_items(petr, SCORES)
    await petr.press("Submit")
    rows = await harness.export_rows()
    assert [row["language"] for row in rows] == ["en"]


async def test_relink_and_invite_patient_give_a_working_link_and_kill_the_old_one(
    harness: Harness, app: AppType
) -> None:
    nurse = await make_staff(harness)
    enrolled = await harness.enroll("S-relink-1")
    await nurse.send("/relink s-relink-1")
    reply = nurse.last_message().content
    assert "S-RELINK-1" in reply
    relinked = LINK.findall(reply)
    assert len(relinked) == 1
    # The operator's way: same JSON shape as the other invites, with a link.
    out = json.loads((await harness.cli("invite", "patient", "s-relink-1", "--json")).stdout)
    assert set(out) == {"role", "subject", "code", "link", "expires_at"}
    assert out["role"] == "patient"
    assert out["subject"] == "S-RELINK-1"
    assert out["link"].endswith(f"?start={out['code']}")
    # Both earlier unused patient codes (the enrollment's and /relink's) no longer work.
    for number, old in enumerate((enrolled["patient_code"], relinked[0])):
        someone = harness.api.user(1310 + number, language_code="en")
        await someone.send(f"/start {old}")
        assert "does not work" in someone.last_message().content
    patient = harness.api.user(1320, language_code="en")
    await patient.send(f"/start {out['code']}")
    assert "linked to the study" in patient.last_message().content
    # Unknown participant: a plain answer, and the CLI fails.
    await nurse.send("/relink S-NOBODY")
    assert "There is no participant S-NOBODY" in nurse.last_message().content
    missing = await harness.cli("invite", "patient", "S-NOBODY", check=False)
    assert missing.returncode == 1


async def test_withdrawing_expires_every_outstanding_code(harness: Harness, app: AppType) -> None:
    nurse = await make_staff(harness)
    enrolled = await harness.enroll("S302")
    await nurse.send("/caregiver S302")
    extra = LINK.findall(nurse.last_message().content)[0]
    await nurse.send("/withdraw s302 moved away")
    assert "S302" in nurse.last_message().content
    for number, code in enumerate((enrolled["patient_code"], enrolled["caregiver_code"], extra)):
        someone = harness.api.user(1330 + number, language_code="en")
        await someone.send(f"/start {code}")
        assert "does not work" in someone.last_message().content
    expired = [
        row for row in await audit_rows(harness, "s302") if row["action"] == "invitation.expire"
    ]
    assert len(expired) == 3
    await nurse.send("/relink S302")
    assert "withdrawn" in nurse.last_message().content
    assert not LINK.findall(nurse.last_message().content)


async def test_subject_ids_are_case_insensitive_and_stored_in_capitals(
    harness: Harness, app: AppType
) -> None:
    nurse = await make_staff(harness)
    await nurse.send("/enroll s-demo-1")
    assert "S-DEMO-1" in nurse.last_message().content
    await nurse.send("/enroll S-Demo-1")
    assert "already exists" in nurse.last_message().content
    await nurse.send("/participant s-demo-1")
    assert "S-DEMO-1" in nurse.last_message().content
    assert "no participant" not in nurse.last_message().content.lower()
    listing = (await harness.cli("participants")).stdout
    assert "S-DEMO-1" in listing
    assert "s-demo-1" not in listing
    detail = await harness.cli("participant", "s-DEMO-1")
    assert detail.returncode == 0


async def test_a_second_assessment_the_same_day_asks_first(harness: Harness, app: AppType) -> None:
    alice = await harness.join("S303", 1340)
    due = await due_time(app, "S303")
    move_clock(harness, due + timedelta(minutes=1))
    await scheduler_of(app).tick()
    reminder = alice.last_message()
    await alice.press("Start now", message=reminder)
    await answer_items(alice, SCORES)
    await alice.press("Submit")
    # The old reminder's Start now, after submitting: asked first, nothing started.
    await alice.press("Start now", message=reminder)
    asked = alice.last_message().content
    assert "already submitted today at 10:0" in asked
    assert "by you" in asked
    assert alice.buttons() == ["Start another", "Not now"]
    await alice.press("Not now")
    assert "nothing was changed" in alice.last_message().content.lower()
    # The caregiver after the patient: told it was the patient.
    # Invited on the bot's clock (moved to the reminder's day above): a code made on the real
    # clock by a CLI process could have expired by then.
    async with harness.services() as services:
        invited = await enrollment.invite_caregiver(services, "S303", OPERATOR)
    assert invited is not None
    carer = harness.api.user(1341, language_code="en")
    await carer.send(f"/start {invited[0]}")
    await carer.press("Start the assessment")
    assert "by the patient" in carer.last_message().content
    await carer.press("Start another")
    assert "Question 1 of 10" in carer.last_message().content


async def test_history_for_a_patient_who_is_also_a_caregiver_asks_whose(
    harness: Harness, app: AppType
) -> None:
    both = await harness.join("S304", 1350)
    other = await harness.enroll("S305")
    await both.send(f"/start {other['caregiver_code']}")
    await both.send("/history")
    assert both.last_message().content == "Whose history do you want to see?"
    assert sorted(both.buttons()) == ["S304", "S305"]
