"""The "Low" holes of issue 12, end to end over HTTP: odd staff arguments, non-canonical zones,
a /start re-delivered after a crash, invisible "something else" texts, and bidi isolation."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from conversations.domain.schedule import is_canonical_zone
from conversations.domain.symptoms import visible
from localapi import SimUser
from locales import isolate, translator
from tests.conftest import Harness
from tests.e2e_helpers import answer_items

ZONES_REFUSED = ("localtime", "right/UTC", "posix/Europe/Prague", "Factory", "posixrules")


async def _staff(harness: Harness) -> SimUser:
    invited = json.loads((await harness.cli("invite", "staff", "--json")).stdout)
    nurse = harness.api.user(9001)
    await nurse.send(f"/start {invited['code']}")
    return nurse


async def test_odd_staff_arguments_are_refused_not_crashing(harness: Harness, app: object) -> None:
    nurse = await _staff(harness)
    await harness.enroll("S001")
    await nurse.send("/revoke ²")
    assert nurse.last_message().content == translator("en")("staff-usage-revoke")
    await nurse.send("/schedule S001 every ²")
    en = translator("en")
    assert nurse.last_message().content == en("schedule-error-interval")
    await nurse.send("/schedule S001 tz " + "x" * 300)
    reply = nurse.last_message().content
    assert reply.startswith('"' + "x" * 40 + "…")
    assert len(reply) < 300
    for zone in ZONES_REFUSED:
        await nurse.send(f"/schedule S001 tz {zone}")
        assert nurse.last_message().content == en("schedule-error-zone", zone=zone)
    await nurse.send("/schedule S001")
    shown = nurse.last_message().content
    assert not any(zone in shown for zone in ZONES_REFUSED)


def test_only_canonical_zones_are_accepted() -> None:
    for zone in (*ZONES_REFUSED, "x" * 300, "../etc/passwd", "Europe/../UTC", ""):
        assert not is_canonical_zone(zone), zone
    for zone in ("UTC", "Europe/Prague", "America/Argentina/Buenos_Aires", "Etc/GMT+1"):
        assert is_canonical_zone(zone), zone


async def test_a_start_delivered_again_after_a_crash_stays_linked(harness: Harness) -> None:
    codes = await harness.enroll("S001")
    user = harness.api.user(1001)
    async with harness.bot():
        await user.send(f"/start {codes['patient_code']}")
        assert "linked to the study" in user.last_message().content
    first = next(
        u
        for u in harness.api.world.updates_log
        if "message" in u and u["message"]["from"]["id"] == 1001
    )
    harness.api.world.replay(first)  # as if the bot died before confirming the update
    async with harness.bot():
        await user.settle()
    linked = [m for m in user.bot_messages if "linked to the study" in m.content]
    assert len(linked) == 2
    assert translator("en")("code-invalid") not in user.last_message().content
    with sqlite3.connect(harness.db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM code_attempts").fetchone()[0] == 0


@pytest.mark.parametrize("text", ["\u200b\u2060\ufeff", "\u3164\u200e \u2800", "\u0301\u0301"])
def test_invisible_texts_are_not_visible(text: str) -> None:
    assert not visible(text)
    assert visible("a\u200b")


async def test_an_invisible_something_else_is_refused(harness: Harness, app: object) -> None:
    user = await harness.join("S001", 1001)
    await user.send("/assess")
    await answer_items(user, {n: 4 for n in range(1, 11)}, symptoms_none=False)
    label = next(b for b in user.buttons() if b.startswith("Something else"))
    await user.press(label)
    await user.send("\u200b\u2060 \u200e")
    assert user.last_message().content == translator("en")("symptom-other-empty")
    await user.send("cramps at night")
    assert "cramps at night" in "\n".join(m.content for m in user.bot_messages[-2:])


def test_a_right_to_left_override_cannot_reverse_the_rest_of_a_line() -> None:
    t = translator("en")
    evil = "pain\u202e in the leg"
    line = t("staff-unknown", subject=evil)
    start = line.index("\u2068")
    assert line[start:].startswith("\u2068" + evil + "\u2069")
    assert isolate("S001") == "S001"  # plain arguments are left as they are


def _audit_count(harness: Harness, action: str) -> int:
    with sqlite3.connect(harness.db_path) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM audit WHERE action = ?", (action,)).fetchone()[0]
        )


async def test_refusals_and_language_taps_do_not_grow_the_audit_without_bound(
    harness: Harness, app: object
) -> None:
    stranger = harness.api.user(555)
    for _ in range(30):
        await stranger.send("/participants", wait=False)
    await harness.api.world.settle_all()
    assert _audit_count(harness, "access.denied") == 1  # the record that it happened
    user = await harness.join("S001", 1001)
    for language in ["cs", "en"] * 10:
        await user.send("/language", wait=False)
        await user.settle()
        await user.press("Čeština" if language == "cs" else "English", wait=False)
    await harness.api.world.settle_all()
    assert _audit_count(harness, "account.language") == 1
    harness.clock.advance(timedelta(hours=1))
    await stranger.send("/participants")
    assert _audit_count(harness, "access.denied") == 2
    with sqlite3.connect(harness.db_path) as conn:
        rows = conn.execute(
            "SELECT new_value FROM audit WHERE action LIKE '%.repeated' ORDER BY id"
        ).fetchall()
    counts = sorted(json.loads(row[0])["count"] for row in rows)
    assert counts == [19, 29]  # 29 more refusals and 19 more language changes, that hour
