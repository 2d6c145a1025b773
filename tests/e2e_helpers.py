"""How a person goes through an assessment in tests: read the buttons, tap them by label."""

from __future__ import annotations

from collections.abc import Mapping

from localapi import CallbackAnswer, SimChat, SimMessage, SimUser


def button_starting(user: SimUser, prefix: str) -> str:
    """The label of the button on screen that starts with `prefix` (e.g. '4 · ')."""
    labels = [label for label in user.buttons() if label.startswith(prefix)]
    assert len(labels) == 1, f"expected one button starting {prefix!r}, got {user.buttons()}"
    return labels[0]


async def tap_score(user: SimUser, score: int) -> CallbackAnswer:
    return await user.press(button_starting(user, f"{score} · "))


async def answer_items(
    user: SimUser,
    scores: Mapping[int, int],
    *,
    tube: str = "No gastrostomy",
    stop_after: int | None = None,
    symptoms_none: bool = True,
) -> None:
    """From the current question, answer each item shown with `scores[item]` until review
    (answering "None" to the symptom question unless `symptoms_none` is False: then it stops
    at the symptom question)."""
    for _ in range(14):
        text = user.last_message().content
        if "Total:" in text or "Celkem:" in text:
            return
        if not symptoms_none and ("New symptoms" in text or "Nové příznaky" in text):
            return
        if symptoms_none and ("New symptoms" in text or "Nové příznaky" in text):
            await user.press("None" if "None" in user.buttons() else "Žádný")
            continue
        if tube in user.buttons() or "Bez gastrostomie" in user.buttons():
            await user.press(tube if tube in user.buttons() else "Bez gastrostomie")
            continue
        number = _question_number(text)
        await tap_score(user, scores[number])
        if stop_after is not None and number == stop_after:
            return
    raise AssertionError("did not reach review")


def _question_number(text: str) -> int:
    for marker in ("Question ", "Otázka "):
        if marker in text:
            return int(text.split(marker, 1)[1].split(" ", 1)[0])
    raise AssertionError(f"not a question: {text[:80]!r}")


async def acknowledge(
    user: SimUser,
    message: SimMessage,
    action: str = "Called",
    *,
    chat: SimChat | None = None,
) -> CallbackAnswer:
    """Press Acknowledge on an alert's copy, then the action on the question that follows."""
    target = chat or user.chat
    await user.press("Acknowledge", message=message, chat=chat)
    question = target.last_message()
    assert question.labels, f"no action to choose: {question.content!r}"
    return await user.press(action, message=question, chat=chat)
