"""A patient's ALSFRS assessment end to end, over HTTP through the local Bot API: the real bot,
its real database, people pressing buttons by their labels."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from conversations.callbacks import encode_language
from conversations.context import AppType
from localapi import LocalBotApi
from tests.conftest import Harness
from tests.e2e_helpers import answer_items, button_starting, tap_score

SCORES = {1: 4, 2: 3, 3: 4, 4: 2, 5: 3, 6: 3, 7: 4, 8: 2, 9: 1, 10: 4}  # total 30


async def test_enroll_and_complete_an_assessment_in_english(harness: Harness, app: AppType) -> None:
    # The operator's CLI as a process: the test of `enroll`'s output (others enroll in-process).
    cli = await harness.cli("enroll", "S001", "--json", "--language", "en")
    enrolled = json.loads(cli.stdout)
    assert enrolled["subject"] == "S001"
    assert enrolled["patient_link"] == (
        f"https://t.me/alsfrs_local_bot?start={enrolled['patient_code']}"
    )
    assert len(enrolled["patient_code"]) >= 16  # 128 random bits, base64url
    alice = harness.api.user(1001, language_code="en")
    await alice.send(f"/start {enrolled['patient_code']}")
    assert "linked to the study" in alice.last_message().content
    await alice.press("Start the assessment")
    first = alice.last_message()
    assert "Question 1 of 10 · Speech" in first.content
    labels = alice.buttons()
    assert labels[:5] == [
        "4 · Normal",
        "3 · Disturbance",
        "2 · Repeating needed",
        "1 · Speech + non-vocal",
        "0 · No useful speech",
    ]
    # The buttons are short; the body holds every level in full.
    for line in (
        "4 · Normal speech",
        "3 · Detectable speech disturbance",
        "2 · Understood only with repeating",
        "1 · Speech combined with non-vocal communication (writing, gestures, a letter board)",
        "0 · No useful speech",
    ):
        assert line in first.content
    await answer_items(alice, SCORES)
    review = alice.last_message().content
    assert "Total: 30 of 40" in review
    assert "9. Climbing stairs: 1 · Needs assistance" in review
    await alice.press("Submit")
    result = alice.last_message().content
    assert "saved" in result
    assert "30 of 40" in result
    assert "first assessment" in result

    await alice.send("/history")
    assert "30 of 40" in alice.last_message().content
    rows = await harness.export_rows()
    assert len(rows) == 1
    row = rows[0]
    assert row["subject"] == "S001"
    assert row["respondent"] == "patient"
    assert row["language"] == "en"
    assert row["item5_variant"] == "5a"
    assert [int(row[f"item_{n}"]) for n in range(1, 11)] == [SCORES[n] for n in range(1, 11)]
    assert row["total"] == "30"
    assert row["submitted_at"].endswith("Z")


async def test_czech_enrollment_gives_czech_items_and_result(
    harness: Harness, app: AppType
) -> None:
    petr = await harness.join("S002", 1002, language="cs", tg_language="en")
    assert "propojen" in petr.last_message().content
    await petr.press("Začít hodnocení")
    assert "Otázka 1 z 10 · Řeč" in petr.last_message().content
    assert button_starting(petr, "4 · ") == "4 · Normální"
    assert "4 · Normální řeč" in petr.last_message().content
    await answer_items(petr, dict.fromkeys(range(1, 11), 4), tube="Bez gastrostomie")
    assert "Celkem: 40 ze 40" in petr.last_message().content
    await petr.press("Odeslat")
    assert "40 ze 40" in petr.last_message().content
    rows = await harness.export_rows()
    assert rows[0]["language"] == "cs"


async def test_telegram_language_decides_when_enrollment_did_not(
    harness: Harness, app: AppType
) -> None:
    jana = await harness.join("S003", 1003, tg_language="sk")
    assert "propojen" in jana.last_message().content
    await jana.send("/language")
    await jana.press("English")
    assert "now English" in jana.last_message().content
    await jana.send("/assess")
    assert "Question 1 of 10" in jana.last_message().content


async def test_second_submission_shows_the_change_since_the_previous(
    harness: Harness, app: AppType
) -> None:
    bob = await harness.join("S004", 1004)
    await bob.send("/assess")
    await answer_items(bob, SCORES)
    await bob.press("Submit")
    harness.clock.advance(timedelta(days=14))
    await bob.send("/assess")
    # The gastrostomy answer is remembered: item 5 comes straight after item 4.
    lower = {**SCORES, 8: 0}
    await answer_items(bob, lower, stop_after=4)
    assert "Question 5 of 10" in bob.last_message().content
    assert "Gastrostomy: no" in bob.last_message().content
    await answer_items(bob, lower)
    await bob.press("Submit")
    text = bob.last_message().content
    assert "28 of 40, 2 points lower than on" in text
    rows = await harness.export_rows()
    assert [r["total"] for r in rows] == ["30", "28"]


async def test_back_shows_the_previous_answer_and_changes_it(
    harness: Harness, app: AppType
) -> None:
    eve = await harness.join("S005", 1005)
    await eve.send("/assess")
    await tap_score(eve, 4)
    await tap_score(eve, 2)
    await eve.press("Back")
    shown = eve.last_message()
    assert "Question 2 of 10" in shown.content
    assert "Answer given: 2 · Moderately excessive saliva" in shown.content
    assert any(label.startswith("2 · ") and label.endswith("✓") for label in eve.buttons())
    await tap_score(eve, 3)
    assert "Question 3 of 10" in eve.last_message().content
    await answer_items(eve, SCORES)
    assert "2. Salivation: 3 · " in eve.last_message().content


async def test_change_an_answer_at_review(harness: Harness, app: AppType) -> None:
    kim = await harness.join("S006", 1006)
    await kim.send("/assess")
    await answer_items(kim, SCORES)
    await kim.press("✎ 10")
    assert "Question 10 of 10 · Breathing" in kim.last_message().content
    await tap_score(kim, 2)
    review = kim.last_message().content
    assert "10. Breathing: 2 · Short of breath at rest" in review
    assert "Total: 28 of 40" in review
    await kim.press("Submit")
    rows = await harness.export_rows()
    assert rows[0]["item_10"] == "2"
    assert rows[0]["total"] == "28"


async def test_feeding_tube_asks_variant_5b_and_is_remembered(
    harness: Harness, app: AppType
) -> None:
    tom = await harness.join("S007", 1007)
    await tom.send("/assess")
    await answer_items(tom, SCORES, stop_after=4)
    assert "gastrostomy" in tom.last_message().content
    assert "A tube through the nose does not count." in tom.last_message().content
    await tom.press("Yes, gastrostomy")
    assert "Handling the tube-feeding equipment" in tom.last_message().content
    assert button_starting(tom, "2 · ") == "2 · Some help needed"
    assert "2 · Some help needed with closures and fasteners" in tom.last_message().content
    await answer_items(tom, SCORES)
    await tom.press("Submit")
    rows = await harness.export_rows()
    assert rows[0]["item5_variant"] == "5b"
    await tom.send("/assess")
    assert "already submitted today" in tom.last_message().content
    await tom.press("Start another")
    await answer_items(tom, SCORES, stop_after=4)
    assert "Gastrostomy: yes" in tom.last_message().content
    await tom.press("Change gastrostomy")
    await tom.press("No gastrostomy")
    assert "Cutting food and handling utensils" in tom.last_message().content


async def test_double_tap_on_submit_gives_one_submission(harness: Harness, app: AppType) -> None:
    ann = await harness.join("S008", 1008)
    await ann.send("/assess")
    await answer_items(ann, SCORES)
    review = ann.last_message()
    submit_data = next(d for row in review.buttons for (label, d) in row if label == "Submit")
    assert submit_data is not None
    first = await ann.press_data(review.message_id, submit_data, wait=False)
    second = await ann.press_data(review.message_id, submit_data)
    assert first.text is None
    assert second.text == "This assessment was already submitted."
    # A replay of the very same update changes nothing either.
    press_update = next(u for u in reversed(harness.api.updates_log) if "callback_query" in u)
    harness.api.replay(press_update)
    await ann.settle()
    rows = await harness.export_rows()
    assert len(rows) == 1


async def test_old_buttons_get_an_already_answered_notice(harness: Harness, app: AppType) -> None:
    lee = await harness.join("S009", 1009)
    await lee.send("/assess")
    question1 = lee.last_message()
    old_data = question1.buttons[0][0][1]
    assert old_data is not None
    await tap_score(lee, 1)
    await tap_score(lee, 1)
    answer = await lee.press_data(question1.message_id, old_data)
    assert answer.text == "This was already answered. Please use the latest message."
    assert "Question 3 of 10" in lee.last_message().content
    # /assess again moves the assessment to a new message and retires the old one.
    await lee.send("/assess")
    assert "continues in a newer message" in question1.content or question1.buttons == []
    await lee.send("/cancel")
    assert "saved" in lee.last_message().content
    await lee.send("/assess")
    await answer_items(lee, SCORES)
    await lee.press("Submit")
    rows = await harness.export_rows()
    assert rows[0]["item_1"] == "1"
    assert rows[0]["item_2"] == "1"


async def test_forged_callback_data_changes_nothing_and_is_logged(
    harness: Harness, app: AppType, caplog: pytest.LogCaptureFixture
) -> None:
    mia = await harness.join("S010", 1010)
    other = await harness.join("S011", 1011)
    await other.send("/assess")
    others_message = other.last_message()
    others_data = others_message.buttons[0][0][1]
    assert others_data is not None
    await mia.send("/assess")
    message = mia.last_message()
    caplog.set_level(logging.WARNING)
    for forged in ["a:1:0:s9", "drop table", "a:99999:0:s4", others_data, "l:xx", "m:x"]:
        answer = await mia.press_data(message.message_id, forged)
        assert answer.text == "This button is not valid.", forged
    assert "rejected callback data" in caplog.text or "another participant" in caplog.text
    assert "Question 1 of 10" in mia.last_message().content
    assert "Question 1 of 10" in other.last_message().content
    assert "Answer given" not in other.last_message().content


async def test_free_text_mid_assessment_gets_a_kind_reminder_and_the_question(
    harness: Harness, app: AppType
) -> None:
    sam = await harness.join("S012", 1012)
    await sam.send("/assess")
    await tap_score(sam, 4)
    await sam.send("my speech is fine I think")
    texts = [m.content for m in sam.bot_messages[-2:]]
    assert "tapping one of the buttons" in texts[0]
    assert "Question 2 of 10" in texts[1]
    await sam.send("x" * 4096)
    assert "Question 2 of 10" in sam.last_message().content
    await tap_score(sam, 3)
    assert "Question 3 of 10" in sam.last_message().content


async def test_a_stranger_learns_what_the_bot_is_and_nothing_else(
    harness: Harness, app: AppType
) -> None:
    await harness.join("S013", 1013)
    stranger = harness.api.user(6666, language_code="en")
    for text in ["/start", "/assess", "/history", "hello", "/help"]:
        await stranger.send(text)
        reply = stranger.last_message().content
        assert "only for people taking part in the study" in reply, text
        assert "S013" not in reply
    czech = harness.api.user(6667, language_code="cs")
    await czech.send("/start")
    assert "Je určen jen účastníkům studie" in czech.last_message().content
    rows = await harness.export_rows()
    assert rows == []


async def test_wrong_used_and_expired_codes_get_one_plain_reply(
    harness: Harness, app: AppType
) -> None:
    used = await harness.enroll("S014")
    first = harness.api.user(1014)
    await first.send(f"/start {used['patient_code']}")
    assert "linked" in first.last_message().content
    expiring = await harness.enroll("S015")
    replies = []
    someone = harness.api.user(7777)
    await someone.send("/start AAAAAAAAAAAAAAAAAAAAAA")
    replies.append(someone.last_message().content)
    await someone.send(f"/start {used['patient_code']}")
    replies.append(someone.last_message().content)
    harness.clock.advance(timedelta(days=15))
    await someone.send(f"/start {expiring['patient_code']}")
    replies.append(someone.last_message().content)
    assert len(set(replies)) == 1
    assert "does not work" in replies[0]
    await someone.send("/start <b>not-a-code</b>")
    assert someone.last_message().content == replies[0]


async def test_repeated_wrong_codes_are_slowed_down(harness: Harness, app: AppType) -> None:
    guesser = harness.api.user(8888)
    for i in range(5):
        await guesser.send(f"/start WRONGCODEWRONGCODE{i:04d}")
        assert "does not work" in guesser.last_message().content
    good = await harness.enroll("S016")
    await guesser.send(f"/start {good['patient_code']}")
    # The message says what is true: even this valid new link is refused until the wait ends.
    refused = guesser.last_message().content
    assert "too many wrong codes" in refused.lower()
    assert "not even a new valid one" in refused
    harness.clock.advance(timedelta(minutes=16))
    await guesser.send(f"/start {good['patient_code']}")
    assert "linked" in guesser.last_message().content


async def test_help_cancel_and_the_command_menu_in_both_languages(
    harness: Harness, app: AppType, api: LocalBotApi
) -> None:
    english = dict(api.commands(language_code="en"))
    czech = dict(api.commands(language_code="cs"))
    default = dict(api.commands())
    assert (
        set(english)
        == set(czech)
        == set(default)
        == {"assess", "symptoms", "history", "language", "cancel", "help", "time"}
    )
    assert english["assess"] != czech["assess"]
    zoe = await harness.join("S017", 1017)
    await zoe.send("/help")
    assert "/assess" in zoe.last_message().content
    await zoe.send("/cancel")
    assert "no assessment in progress" in zoe.last_message().content
    await zoe.send("/history")
    assert "No assessment has been submitted yet" in zoe.last_message().content
    await zoe.send("/unknowncommand")
    assert "/assess" in zoe.last_message().content


async def test_the_same_language_pressed_again_changes_nothing_and_breaks_nothing(
    harness: Harness, app: object
) -> None:
    pat = await harness.join("S091", 8091)
    await pat.send("/language")
    screen = pat.last_message()
    await pat.press("English", message=screen)

    def shown() -> str:
        found = pat.chat.get_message(screen.message_id)
        assert found is not None
        return found.content

    assert shown() == "The language is now English."
    # The same press again (a double tap delivered twice, or a replay): answered, no error.
    answer = await pat.press_data(screen.message_id, encode_language("en"))
    assert answer.text is None
    assert shown() == "The language is now English."
    assert not any("went wrong" in m.content for m in pat.bot_messages)
