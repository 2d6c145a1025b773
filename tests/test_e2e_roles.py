"""Caregivers, study staff, role boundaries and the audit trail, end to end over HTTP."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from datetime import timedelta

import pytest

from conversations.handlers.staff import PAGE_SIZE, STAFF_COMMANDS
from localapi import SimUser
from storage import people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole
from tests.conftest import Harness
from tests.e2e_helpers import answer_items, tap_score

SCORES = {1: 4, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 4}  # total 31
LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


async def make_staff(harness: Harness, user_id: int = 9001, *sites: str) -> SimUser:
    """A staff member invited by the operator (for `sites`; none: study-wide) and linked."""
    args = ["invite", "staff", "--json"] + [arg for site in sites for arg in ("--site", site)]
    invited = json.loads((await harness.cli(*args)).stdout)
    assert invited["link"].startswith("https://t.me/alsfrs_local_bot?start=")
    assert invited["sites"] == (sorted(s.upper() for s in sites) or None)
    nurse = harness.api.user(user_id, language_code="en")
    await nurse.send(f"/start {invited['code']}")
    assert "linked as study staff" in nurse.last_message().content
    return nurse


async def staff_enrolls(nurse: SimUser, subject: str, language: str = "") -> tuple[str, str]:
    await nurse.send(f"/enroll {subject} {language}".strip())
    codes = LINK.findall(nurse.last_message().content)
    assert len(codes) == 2, nurse.last_message().content
    return codes[0], codes[1]


async def audit_rows(harness: Harness, subject: str | None = None) -> list[dict[str, object]]:
    args = ["audit", "--format", "jsonl"] + (["--subject", subject] if subject else [])
    out = (await harness.cli(*args)).stdout
    return [json.loads(line) for line in out.splitlines()]


async def test_staff_enroll_patient_and_caregiver_and_caregiver_answers(
    harness: Harness, app: object
) -> None:
    nurse = await make_staff(harness)
    patient_code, caregiver_code = await staff_enrolls(nurse, "S201")
    pat = harness.api.user(3001)
    await pat.send(f"/start {patient_code}")
    assert "linked to the study" in pat.last_message().content
    carer = harness.api.user(3002)
    await carer.send(f"/start {caregiver_code}")
    assert "caregiver of participant S201" in carer.last_message().content
    # The patient's own account cannot also become their caregiver.
    await nurse.send("/caregiver S201")
    extra = LINK.findall(nurse.last_message().content)[0]
    await pat.send(f"/start {extra}")
    assert "already linked" in pat.last_message().content

    await carer.press("Start the assessment")
    question = carer.last_message().content
    assert "the person you care for" in question
    await answer_items(carer, SCORES)
    await carer.press("Submit")
    rows = await harness.export_rows()
    assert len(rows) == 1
    assert rows[0]["respondent"] == "caregiver"
    await nurse.send("/participant S201")
    detail = nurse.last_message().content
    carer_id = re.search(r"#(\d+) caregiver", detail)
    assert carer_id is not None
    assert rows[0]["respondent_id"] == carer_id.group(1)
    assert "31 of 40, answered by caregiver" in detail
    assert "3002" not in detail  # never Telegram ids or names
    # The patient sees the caregiver's submission in their own history; nobody else does.
    await pat.send("/history")
    assert "31 of 40" in pat.last_message().content
    trail = await audit_rows(harness, "S201")
    answers = [r for r in trail if r["action"] == "answer.set"]
    assert len(answers) == 10
    assert {r["actor_role"] for r in answers} == {"caregiver"}
    assert {r["actor_id"] for r in answers} == {int(carer_id.group(1))}


async def test_patient_and_caregiver_starting_at_once(harness: Harness, app: object) -> None:
    nurse = await make_staff(harness)
    patient_code, caregiver_code = await staff_enrolls(nurse, "S202")
    pat, carer = harness.api.user(3101), harness.api.user(3102)
    await pat.send(f"/start {patient_code}")
    await carer.send(f"/start {caregiver_code}")
    await pat.send("/assess")
    await tap_score(pat, 4)
    await tap_score(pat, 3)
    pats_message = pat.last_message()
    old_data = next(d for row in pats_message.buttons for (label, d) in row if label[0] == "4")
    assert old_data is not None
    await carer.send("/assess")
    notice = carer.last_message().content
    assert "already under way, started by the patient" in notice
    assert "2 of 10 answered" in notice
    await carer.press("Leave it")
    assert "nothing was changed" in carer.last_message().content
    await carer.send("/assess")
    await carer.press("Continue it")
    assert "Question 3 of 10" in carer.last_message().content
    await tap_score(carer, 2)
    # The patient's message says who continues; an old tap on it changes nothing.
    assert "continued by someone else" in pats_message.content
    answer = await pat.press_data(pats_message.message_id, old_data)
    assert answer.text == "This was already answered. Please use the latest message."
    await answer_items(carer, SCORES)
    await carer.press("Submit")
    trail = await audit_rows(harness, "S202")
    by_role = [
        (json.loads(str(r["new_value"]))["item"], r["actor_role"])
        for r in trail
        if r["action"] == "answer.set"
    ]
    assert by_role[:3] == [(1, "patient"), (2, "patient"), (3, "caregiver")]
    rows = await harness.export_rows()
    assert rows[0]["respondent"] == "caregiver"
    assert rows[0]["item_1"] == "4"
    assert rows[0]["item_3"] == "2"


async def test_a_caregiver_of_two_participants_chooses_whom(harness: Harness, app: object) -> None:
    nurse = await make_staff(harness)
    _, first = await staff_enrolls(nurse, "S203")
    _, second = await staff_enrolls(nurse, "S204")
    carer = harness.api.user(3201)
    await carer.send(f"/start {first}")
    await carer.send(f"/start {second}")
    await carer.send("/assess")
    assert carer.buttons() == ["S203", "S204"]
    await carer.press("S204")
    assert "Question 1 of 10" in carer.last_message().content
    await answer_items(carer, SCORES)
    await carer.press("Submit")
    rows = await harness.export_rows()
    assert [r["subject"] for r in rows] == ["S204"]


@pytest.mark.parametrize("who", ["patient", "caregiver", "stranger"])
async def test_every_staff_command_is_refused_to_non_staff(
    harness: Harness, app: object, who: str
) -> None:
    nurse = await make_staff(harness)
    patient_code, caregiver_code = await staff_enrolls(nurse, "S205")
    person = harness.api.user(3300)
    if who != "stranger":
        await person.send(f"/start {patient_code if who == 'patient' else caregiver_code}")
    before = await harness.export_rows()
    for name, _ in STAFF_COMMANDS:
        await person.send(f"/{name} S205")
        reply = person.last_message().content
        if who == "stranger":
            assert "only for people taking part in the study" in reply, name
        else:
            assert reply == "This command is for study staff only.", name
        assert "S205 ·" not in reply
    await person.send("/participants")
    assert "Participants" not in person.last_message().content
    forged_page = await person.press_data(person.last_message().message_id, "pg:0")
    assert forged_page.text == "This command is for study staff only."
    assert await harness.export_rows() == before
    denied = [r for r in await audit_rows(harness) if r["action"] == "access.denied"]
    # /participants a second time in the same hour is counted, not audited again (issue 12)
    assert len(denied) == len(STAFF_COMMANDS) + 1
    assert {json.loads(str(r["new_value"]))["role"] for r in denied} == {who}


async def test_revoked_caregiver_and_withdrawn_participant_cannot_submit(
    harness: Harness, app: object
) -> None:
    nurse = await make_staff(harness)
    patient_code, caregiver_code = await staff_enrolls(nurse, "S206")
    pat, carer = harness.api.user(3401), harness.api.user(3402)
    await pat.send(f"/start {patient_code}")
    await carer.send(f"/start {caregiver_code}")
    await carer.send("/assess")
    await tap_score(carer, 4)
    await nurse.send("/participant S206")
    carer_id = re.search(r"#(\d+) caregiver", nurse.last_message().content)
    assert carer_id is not None
    await nurse.send(f"/revoke {carer_id.group(1)} left the family home")
    assert "has been revoked" in nurse.last_message().content
    refused = await tap_score(carer, 3)
    assert refused.text is not None
    assert "Question 2 of 10" in carer.last_message().content  # nothing changed
    await carer.send("/assess")
    assert "only for people taking part" in carer.last_message().content

    await pat.send("/assess")
    await pat.press("Continue it")
    await tap_score(pat, 3)
    await nurse.send("/withdraw S206 moved abroad")
    assert "S206 is now withdrawn" in nurse.last_message().content
    # Withdrawal unlinks every account of the participant (issue 16): the press is refused.
    refused = await tap_score(pat, 2)
    assert refused.text is not None
    assert "not linked to a participant" in refused.text
    await pat.send("/assess")
    assert "only for people taking part" in pat.last_message().content
    await nurse.send("/resume S206")
    assert "withdrawal is final" in nurse.last_message().content
    assert await harness.export_rows() == []
    trail = await audit_rows(harness, "S206")
    actions = [r["action"] for r in trail]
    assert "link.revoke" in actions
    assert "participant.status" in actions
    revoke = next(r for r in trail if r["action"] == "link.revoke")
    assert revoke["reason"] == "left the family home"
    assert revoke["actor_role"] == "staff"


async def test_participants_list_of_500_pages_within_limits(harness: Harness, app: object) -> None:
    nurse = await make_staff(harness)
    db = await Database.open(harness.db_path)
    now = harness.clock()

    async def unit(tx: Tx) -> None:
        for i in range(500):
            await people.create_participant(
                tx,
                subject=f"P{i:03d}-{'x' * 27}",  # study IDs at their maximum length, 32
                language=None,
                actor=Actor(role=ActorRole.OPERATOR),
                now=now - timedelta(days=1),
            )

    await db.write(unit)
    await db.close()
    await nurse.send("/participants")
    pages = -(-500 // PAGE_SIZE)
    first = nurse.last_message()
    assert f"page 1 of {pages} (500 in all)" in first.content
    assert len(first.content) <= 4096
    seen = set(re.findall(r"P\d{3}-X+", first.content))
    for _ in range(pages - 1):
        await nurse.press("Next")
        page = nurse.last_message()
        assert len(page.content) <= 4096
        seen |= set(re.findall(r"P\d{3}-X+", page.content))
    assert len(seen) == 500
    assert nurse.buttons() == ["Previous"]


async def test_audit_trail_is_complete_and_unchangeable(harness: Harness, app: object) -> None:
    nurse = await make_staff(harness)
    patient_code, _ = await staff_enrolls(nurse, "S207")
    pat = harness.api.user(3501)
    await pat.send(f"/start {patient_code}")
    await pat.send("/assess")
    await answer_items(pat, SCORES)
    await pat.press("Submit")
    await nurse.send("/pause S207")
    trail = await audit_rows(harness, "S207")
    actions = [r["action"] for r in trail]
    for expected in (
        "participant.create",
        "invitation.create",
        "link.create",
        "assessment.start",
        "answer.set",
        "participant.gastrostomy",
        "assessment.submit",
        "participant.status",
    ):
        assert expected in actions, expected
    assert all(r["at"] and str(r["at"]).endswith("Z") for r in trail)
    create = next(r for r in trail if r["action"] == "participant.create")
    assert create["actor_role"] == "staff"
    csv_out = (await harness.cli("audit", "--subject", "S207")).stdout
    assert csv_out.splitlines()[0].startswith("id,at,actor_role,actor_id,on_behalf_of,action")
    with sqlite3.connect(harness.db_path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit SET action = 'forged' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit")
    output = harness.tmp / "export.csv"
    await harness.cli("export", "--output", str(output))
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert stat.S_IMODE(harness.db_path.stat().st_mode) == 0o600


async def test_staff_invite_staff_and_revoking_staff_ends_access_at_once(
    harness: Harness, app: object
) -> None:
    lead = await make_staff(harness)
    await lead.send("/invite")
    code = LINK.findall(lead.last_message().content)
    assert len(code) == 1
    colleague = harness.api.user(9002)
    await colleague.send(f"/start {code[0]}")
    assert "linked as study staff" in colleague.last_message().content
    menu = dict(harness.api.commands(scope="chat:9002"))
    assert {"alerts", "participants", "enroll", "revoke"} <= set(menu)
    assert "participants" not in dict(harness.api.commands())  # patients never see them
    await colleague.send("/participants")
    assert "No participants are enrolled yet" in colleague.last_message().content
    await lead.send("/staff")
    ids = re.findall(r"#(\d+) staff", lead.last_message().content)
    assert len(ids) == 2
    await lead.send(f"/revoke {ids[0]}")
    assert "cannot revoke your own access" in lead.last_message().content
    await lead.send(f"/revoke {ids[1]}")
    assert "has been revoked" in lead.last_message().content
    assert harness.api.commands(scope="chat:9002") == []
    await colleague.send("/participants")
    assert "only for people taking part" in colleague.last_message().content
    await colleague.send("/enroll S299")
    assert "only for people taking part" in colleague.last_message().content
    assert (await harness.cli("participant", "S299", check=False)).returncode == 1


async def test_a_caregivers_text_never_reaches_into_the_patients_open_assessment(
    harness: Harness, app: object
) -> None:
    nurse = await make_staff(harness, 9301)
    patient_code, caregiver_code = await staff_enrolls(nurse, "S208")
    pat, carer = harness.api.user(3601), harness.api.user(3602)
    await pat.send(f"/start {patient_code}")
    await carer.send(f"/start {caregiver_code}")
    await pat.send("/assess")
    await tap_score(pat, 4)
    question = pat.last_message()
    await carer.send("how is she doing?")
    assert "To answer the questions, send /assess" in carer.last_message().content
    assert not question.edited or "Question 2 of 10" in question.content
    assert "continued by someone else" not in question.content
    await tap_score(pat, 3)  # the patient's buttons still work
    assert "Question 3 of 10" in pat.last_message().content
    # Staff typing a time zone with HTML characters get the plain error, not a broken message.
    await nurse.send("/schedule S208 tz <b>a&b")
    reply = nurse.last_message().content
    assert "<b>a&b" in reply
    assert "Sorry, something went wrong" not in reply
