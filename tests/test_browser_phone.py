"""Local mode's web page on a phone-sized screen (360 x 740) in Chromium: the demo patient walks a
whole assessment and a symptom report in each language, and no button label is cut (the page
draws inline buttons on one line with an ellipsis, as Telegram's phone apps do, so a cut label
shows as scrollWidth > clientWidth). A screenshot of each screen goes to test-output/phone/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from bot.demo import DEMO_SITE_PHONE
from bot.local import LocalMode
from tests.test_browser import (
    ROOT,
    _settled,
    last_bot_text,
    local_page,
    press,
    wait_for_bot_text,
)

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

SHOTS = ROOT / "test-output" / "phone"
WORDS = {
    "en": {
        "language": "English",
        "question": "Question ",
        "another": "Start another",
        "change-tube": "Change gastrostomy",
        "no-tube": "No gastrostomy",
        "symptoms": "New symptoms",
        "severity": "How strong",
        "headache": "Headache",
        "moderate": "Moderate",
        "done": "Done",
        "review": "Total:",
        "submit": "Submit",
        "saved": "saved",
        "legs": "Weak or numb legs",
        "mild": "Mild",
    },
    "cs": {
        "language": "Čeština",
        "question": "Otázka ",
        "another": "Začít další",
        "change-tube": "Změnit gastrostomii",
        "no-tube": "Bez gastrostomie",
        "symptoms": "Nové příznaky",
        "severity": "Jak silný",
        "headache": "Bolest hlavy",
        "moderate": "Středně těžký",
        "done": "Hotovo",
        "review": "Celkem:",
        "submit": "Odeslat",
        "saved": "uložen",
        "legs": "Slabé nohy",
        "mild": "Mírný",
    },
}

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(180)]

CUT_BUTTONS = """(pane) => [...pane.querySelectorAll('.msg.in .kb')]
    .filter((b) => b.scrollWidth > b.clientWidth)
    .map((b) => b.textContent)"""
# Buttons (or the chat) reaching past the screen's right edge would hide a cut the other check
# cannot see: the page must fit the phone's width.
OFF_SCREEN = """(pane) => [pane, ...pane.querySelectorAll('.msg.in .kb')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map((e) => e.textContent.slice(0, 40))"""


@dataclass
class Phone:
    system: LocalMode
    page: Page
    errors: list[str]
    taken: list[Path] = field(default_factory=list)

    def pane(self) -> Locator:
        return self.page.locator('section.chat[data-persona="patient"]')

    async def check(self, name: str) -> None:
        """No button cut in the patient's chat; a screenshot of the chat."""
        pane = self.pane()
        path = SHOTS / f"{len(self.taken) + 1:02d}-{name}.png"
        await pane.screenshot(path=str(path))
        self.taken.append(path)
        cut = await pane.evaluate(CUT_BUTTONS)
        assert cut == [], f"{name}: cut button labels {cut}"
        off = await pane.evaluate(OFF_SCREEN)
        assert off == [], f"{name}: wider than the screen: {off}"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def phone(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Phone]:
    tmp = tmp_path_factory.mktemp("phone")
    async with local_page(tmp, SHOTS, {"width": 360, "height": 740}) as (system, page, errors):
        yield Phone(system=system, page=page, errors=errors)


async def _walk_assessment(phone: Phone, language: str) -> None:
    from playwright.async_api import expect

    words = WORDS[language]
    pane = phone.pane()
    changed_tube = picked = False
    for _ in range(30):
        text = await last_bot_text(pane)
        if words["review"] in text:
            await phone.check(f"{language}-review")
            await press(pane, words["submit"])
            # The first time breathing falls (4 to 3): urgent, so the site's number follows.
            await wait_for_bot_text(pane, f"{words['saved']}|{re.escape(DEMO_SITE_PHONE)}")
            await expect(pane.locator(".msg.in .text", has_text=words["saved"])).not_to_have_count(
                0
            )
            await phone.check(f"{language}-submitted")
            return
        if words["severity"] in text:
            await phone.check(f"{language}-severity")
            await press(pane, words["moderate"])
        elif words["symptoms"] in text:
            await phone.check(f"{language}-symptoms{'-chosen' if picked else ''}")
            await press(pane, words["done"] if picked else words["headache"])
            picked = True
        elif words["question"] in text and words["no-tube"] in await _labels(pane):
            await phone.check(f"{language}-gastrostomy")
            await press(pane, words["no-tube"])
        elif words["question"] in text:
            number = int(text.split(words["question"], 1)[1].split(" ", 1)[0])
            await phone.check(f"{language}-question-{number}")
            if number == 5 and not changed_tube:
                changed_tube = True
                await press(pane, words["change-tube"])
            else:
                await press(pane, re.compile("^3 · "))
        else:
            await phone.check(f"{language}-gastrostomy")
            await press(pane, words["no-tube"])
        await _settled(pane, text)
    raise AssertionError("the assessment did not reach its end")


async def type_message(pane: Locator, text: str) -> None:
    box = pane.locator("input[name=text]")
    await box.fill(text)
    await box.press("Enter")


async def _labels(pane: Locator) -> list[str]:
    message = pane.locator(".msg.in").last
    return [label.strip() for label in await message.locator(".kb").all_inner_texts()]


@pytest.mark.parametrize("language", ["en", "cs"])
async def test_a_whole_assessment_and_a_symptom_report_fit_a_phone(
    phone: Phone, language: str
) -> None:
    words = WORDS[language]
    page = phone.page
    await page.get_by_role("button", name=words["language"], exact=True).click()
    await page.locator(".persona", has_text="Pavel").click()
    pane = phone.pane()
    start = pane.locator(".start-button")
    if await start.is_visible():
        await start.click()
    else:
        await type_message(pane, "/start")
    await pane.page.wait_for_timeout(300)
    height = await pane.locator(".messages").evaluate("(m) => m.clientHeight")
    assert height >= 400, f"the chat shows only {height} px of messages at 360 x 740"
    before = await last_bot_text(pane)
    await type_message(pane, "/assess")
    await _settled(pane, before)
    if words["another"] in await _labels(pane):
        # The other language's run submitted today already: the same-day question comes first.
        await phone.check(f"{language}-same-day")
        await press(pane, words["another"])
    await wait_for_bot_text(pane, words["question"] + "1 ")
    await _walk_assessment(phone, language)

    # A report at any time: an urgent symptom shows the demo study's (fake) site number.
    before = await last_bot_text(pane)
    await type_message(pane, "/symptoms")
    await _settled(pane, before)
    await phone.check(f"{language}-report")
    await press(pane, words["legs"])
    await wait_for_bot_text(pane, words["severity"])
    await phone.check(f"{language}-report-severity")
    await press(pane, words["mild"])
    await wait_for_bot_text(pane, words["symptoms"])
    await press(pane, words["done"])
    await wait_for_bot_text(pane, re.escape(DEMO_SITE_PHONE))
    await phone.check(f"{language}-report-urgent-advice")
