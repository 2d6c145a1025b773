"""Review fixes (b7c200c) of the operator's and staff's records, over the real bot and the
`alsfrs-bot` CLI: withdrawal leaves no Telegram id of the participant's people in any table
(the answers stay) and `participant-data` shows no chat or message ids; `export --subject`
ignores case."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from typing import Any

import pytest

from bot.outbox import outbox_of
from conversations.context import AppType
from tests.conftest import Harness
from tests.e2e_helpers import answer_items
from tests.test_e2e_roles import make_staff

SCORES = {1: 4, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 4}  # 31
# Telegram ids no counter, date or score in the database could equal by chance.
PATIENT = 812_345_671
CARER = 812_345_672
NURSE = 812_345_679


def holding(harness: Harness, *ids: int) -> list[str]:
    """Every `table.column` of the database file with a value that is, or whose text contains,
    one of `ids`."""
    wanted = {str(i) for i in ids}
    found = []
    with sqlite3.connect(harness.db_path) as db:
        tables = [
            str(r[0])
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            cursor = db.execute(f"SELECT * FROM {table}")  # names from the schema
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None and any(w in str(value) for w in wanted):
                        found.append(f"{table}.{column}")
    return sorted(set(found))


def keys_of(data: Any) -> set[str]:
    """Every key of every object, however deep."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys_of(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys_of(v)}
    return set()


@pytest.mark.parametrize("by", ["staff", "operator"])
async def test_withdrawal_forgets_every_telegram_id_and_keeps_the_answers(
    harness: Harness, app: AppType, by: str
) -> None:
    nurse = await make_staff(harness, NURSE)
    enrolled = await harness.enroll("S001")
    pat = harness.api.user(PATIENT, language_code="en")
    await pat.send(f"/start {enrolled['patient_code']}")
    carer = harness.api.user(CARER, language_code="en")
    await carer.send(f"/start {enrolled['caregiver_code']}")
    # The patient answers in their chat; the caregiver reports a symptom in theirs, and its
    # urgent alert reaches the nurse's chat.
    await pat.send("/assess")
    await answer_items(pat, SCORES)
    await pat.press("Submit")
    await carer.send("/symptoms")
    await carer.press("Harder breathing")
    await carer.press("Mild")
    await carer.press("Done")
    await outbox_of(app).flush()
    await nurse.wait_for("S001")
    assert holding(harness, PATIENT, CARER) != []  # the ids are there to forget

    # participant-data shows the accounts' own ids, but no chat or message id (the patient's
    # and the caregiver's chats, or the nurse's alert copies).
    before = json.loads((await harness.cli("participant-data", "S001")).stdout)
    assert before["assessments"][0]["total"] == 31
    assert before["alert_deliveries"], "the alert's copy to the nurse is the participant's data"
    assert not keys_of(before) & {"chat_id", "message_id"}
    assert sorted(a["telegram_user_id"] for a in before.pop("accounts")) == [PATIENT, CARER]
    text = json.dumps(before)
    for telegram_id in (PATIENT, CARER, NURSE):
        assert str(telegram_id) not in text

    if by == "staff":
        await nurse.send("/withdraw S001 moved away")
        assert "S001 is now withdrawn" in nurse.last_message().content
    else:
        await harness.cli("withdraw", "S001", "--reason", "moved away")
    assert holding(harness, PATIENT, CARER) == []
    with sqlite3.connect(harness.db_path) as db:
        assert db.execute(
            "SELECT COUNT(*) FROM answers JOIN assessments s ON s.id = answers.assessment_id"
            " WHERE s.total = 31"
        ).fetchone() == (10,)
        assert db.execute("SELECT COUNT(*) FROM symptom_report_items").fetchone() == (1,)
    after = (await harness.cli("participant-data", "S001")).stdout
    for telegram_id in (PATIENT, CARER, NURSE):
        assert str(telegram_id) not in after
    data = json.loads(after)
    assert not keys_of(data) & {"chat_id", "message_id"}
    assert len(data["answers"]) == 10
    await pat.send("/assess")
    assert "only for people taking part" in pat.last_message().content


async def test_export_of_one_subject_ignores_case(harness: Harness, app: AppType) -> None:
    for subject, user_id in (("S001", 7101), ("S002", 7102)):
        pat = await harness.join(subject, user_id)
        await pat.send("/assess")
        await answer_items(pat, SCORES)
        await pat.press("Submit")
    out = (await harness.cli("export", "--format", "csv", "--subject", "s001")).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows, out
    assert {row["subject"] for row in rows} == {"S001"}
    everyone = await harness.export_rows()
    assert len(rows) == len([row for row in everyone if row["subject"] == "S001"])
