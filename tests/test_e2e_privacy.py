"""The privacy notice and consent (issue 16), end to end over HTTP: the notice before anything
else, declining, a new notice version, withdrawal removing Telegram ids, `participant-data`, and
pruning accounts that never linked."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.settings import StudySettings, load_study
from conversations.callbacks import encode_menu
from conversations.context import AppType
from conversations.flows import accounts, privacy
from localapi import SimUser
from storage.models import Actor, ActorRole
from tests.conftest import Harness
from tests.e2e_helpers import answer_items
from tests.test_e2e_roles import audit_rows, make_staff

SCORES = {1: 4, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 4}
URL = "https://example.org/alsfrs-privacy"


def with_notice(version: str = "1") -> StudySettings:
    study = load_study(None)
    notice = study.privacy.model_copy(
        update={"ask": True, "version": version, "url": URL, "controller": "Example Hospital"}
    )
    return study.model_copy(update={"privacy": notice})


@pytest.fixture
async def bot(harness: Harness) -> AsyncIterator[AppType]:
    harness.study = with_notice()
    async with harness.bot() as application:
        yield application


async def link(
    harness: Harness, subject: str, user_id: int, language: str | None = None
) -> SimUser:
    enrolled = await harness.enroll(subject, language)
    user = harness.api.user(user_id, first_name="Pat", language_code="en")
    await user.send(f"/start {enrolled['patient_code']}")
    return user


def is_notice(user: SimUser, version: str = "1") -> bool:
    text = user.last_message().content
    return f"version {version}" in text and user.buttons() == ["I agree", "Decline"]


async def test_a_new_account_sees_the_notice_and_nothing_else_until_it_agrees(
    harness: Harness, bot: AppType
) -> None:
    pat = await link(harness, "P001", 4001)
    notice = pat.last_message()
    for part in ("Example Hospital", "pseudonymous study ID", "Telegram is a third party", URL):
        assert part in notice.content
    assert "Question 1" not in notice.content
    for command in ("/assess", "/history", "/symptoms", "/help", "hello"):
        await pat.send(command)
        assert is_notice(pat), command
    # A button of another kind (as if from an old message) gets the notice too, not a question.
    await pat.press_data(notice.message_id, encode_menu("assess", 1))
    assert is_notice(pat)
    assert not any("Question 1" in m.content for m in pat.bot_messages)
    await pat.press("I agree", message=notice)
    assert "agreement has been recorded" in pat.last_message().content
    await pat.send("/assess")
    assert "Question 1" in pat.last_message().content
    agreed = [r for r in await audit_rows(harness, "P001") if r["action"] == "consent.agreed"]
    assert len(agreed) == 1
    assert json.loads(str(agreed[0]["new_value"])) == {"link": 1, "role": "patient", "version": "1"}


async def test_an_account_that_agreed_is_asked_again_for_a_new_link(
    harness: Harness, bot: AppType
) -> None:
    pat = await link(harness, "P010", 4010)
    await pat.press("I agree", message=pat.last_message())
    for _ in range(2):  # the gate now remembers the agreement (no read per update)
        await pat.send("/help")
        assert not is_notice(pat)
    # The same account becomes a caregiver of another participant: that link waits again.
    enrolled = await harness.enroll("P011")
    await pat.send(f"/start {enrolled['caregiver_code']}")
    assert is_notice(pat)
    for command in ("/assess", "/help"):
        await pat.send(command)
        assert is_notice(pat), command
    await pat.press("I agree", message=pat.last_message())
    await pat.send("/help")
    assert not is_notice(pat)


async def test_the_notice_is_in_the_persons_language(harness: Harness, bot: AppType) -> None:
    pat = await link(harness, "P002", 4002, "cs")
    assert "Telegram je třetí strana" in pat.last_message().content
    assert pat.buttons() == ["Souhlasím", "Odmítnout"]


async def test_declining_unlinks_tells_the_person_how_to_return_and_tells_staff(
    harness: Harness, bot: AppType
) -> None:
    nurse = await make_staff(harness)
    pat = await link(harness, "P003", 4003)
    await pat.press("Decline")
    assert "ask your study team for a new link" in pat.last_message().content
    await nurse.wait_for(lambda m: "declined the privacy notice" in m.content)
    assert "P003" in nurse.last_message().content
    await pat.send("/assess")
    assert "only for people taking part" in pat.last_message().content  # a stranger now
    actions = [r["action"] for r in await audit_rows(harness, "P003")]
    assert "consent.declined" in actions
    assert "link.revoke" in actions


async def test_a_new_notice_version_asks_everyone_again(harness: Harness) -> None:
    harness.study = with_notice("1")
    async with harness.bot():
        pat = await link(harness, "P004", 4004)
        await pat.press("I agree")
        await pat.send("/assess")
        assert "Question 1" in pat.last_message().content
    harness.study = with_notice("2")
    async with harness.bot():
        await pat.send("/history")
        assert is_notice(pat, "2")
        await pat.press("I agree")
        await pat.send("/assess")
        assert "Question 1" in pat.last_message().content
    versions = [
        str(r) for r in await audit_rows(harness, "P004") if r["action"] == "consent.agreed"
    ]
    assert len(versions) == 2


async def test_withdrawal_removes_the_telegram_ids_and_keeps_the_data(
    harness: Harness, bot: AppType
) -> None:
    enrolled = await harness.enroll("P005")
    pat = harness.api.user(4005, language_code="en")
    await pat.send(f"/start {enrolled['patient_code']}")
    await pat.press("I agree")
    carer = harness.api.user(4006, language_code="en")
    await carer.send(f"/start {enrolled['caregiver_code']}")
    await carer.press("I agree")
    await pat.send("/assess")
    await answer_items(pat, SCORES)
    await pat.press("Submit")
    await harness.cli("withdraw", "P005", "--reason", "moved away")
    with sqlite3.connect(harness.db_path) as db:
        ids = {row[0] for row in db.execute("SELECT telegram_user_id FROM accounts")}
        assert not ids & {4005, 4006}
        assert db.execute(
            "SELECT COUNT(*) FROM links l JOIN participants p ON p.id = l.participant_id"
            " WHERE p.subject = 'P005' AND l.revoked_at IS NULL"
        ).fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM assessments WHERE total = 31").fetchone() == (1,)
    erased = [
        r for r in await audit_rows(harness, "P005") if r["action"] == "participant.accounts_erased"
    ]
    assert len(erased) == 1
    await pat.send("/assess")
    assert "only for people taking part" in pat.last_message().content


async def test_participant_data_holds_everything_and_nothing_of_another_participant(
    harness: Harness, bot: AppType
) -> None:
    mine = await link(harness, "P007", 4007)
    await mine.press("I agree")
    await mine.send("/assess")
    await answer_items(mine, SCORES)
    await mine.press("Submit")
    other = await link(harness, "P008", 4008)
    await other.press("I agree")
    out = harness.tmp / "p007.json"
    await harness.cli("participant-data", "p007", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["subject"] == "P007"
    assert len(data["assessments"]) == 1
    assert data["assessments"][0]["total"] == 31
    assert len(data["answers"]) == 10
    assert [c["decision"] for c in data["consents"]] == ["agreed"]
    assert [a["telegram_user_id"] for a in data["accounts"]] == [4007]
    assert {"link.create", "consent.agreed"} <= {a["action"] for a in data["audit"]}
    assert "P008" not in text
    assert "4008" not in text
    missing = await harness.cli("participant-data", "NOPE", check=False)
    assert missing.returncode == 1


async def test_accounts_that_never_linked_are_pruned_after_the_setting(
    harness: Harness, bot: AppType
) -> None:
    stranger = harness.api.user(4010, language_code="en")
    await stranger.send("/start " + "x" * 22)  # a wrong code: one failed attempt
    linked = await link(harness, "P010", 4011)
    await linked.press("I agree")
    async with harness.services() as services:
        await accounts.set_language(services, 4012, "cs", Actor(role=ActorRole.STRANGER))
        assert await privacy.prune_strangers(services) == (0, 0)  # too young
        harness.clock.advance(timedelta(days=31))
        assert await privacy.prune_strangers(services) == (1, 1)
    with sqlite3.connect(harness.db_path) as db:
        ids = {row[0] for row in db.execute("SELECT telegram_user_id FROM accounts")}
    assert 4012 not in ids
    assert 4011 in ids
    pruned = [r for r in await audit_rows(harness) if r["action"] == "accounts.pruned"]
    assert len(pruned) == 1
    counts = json.loads(str(pruned[0]["new_value"]))
    assert (counts["accounts"], counts["code_attempts"]) == (1, 1)
