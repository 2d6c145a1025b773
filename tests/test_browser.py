"""Local mode's web chat page in a real headless Chromium (Debian's `chromium`, driven by
Playwright; `make browser` installs it): the page shows the demo people in both languages, the
demo patient completes an assessment with a sharp fall by pressing buttons, staff list the
participants, and staff acknowledge the decline alert that the fall raises.

Every step leaves a screenshot in test-output/browser/ (git-ignored). The tests share one running
local system and one browser page, and run in the order written.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from bot.local import LocalMode, local_mode
from bot.settings import Settings, load_study

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page, ViewportSize

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The demo history ends at 35 of 40; this is 25, with item 2 down by 2: a sharp fall.
FALL = {1: 3, 2: 1, 3: 3, 4: 2, 5: 2, 6: 3, 7: 2, 8: 3, 9: 2, 10: 4}

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(120)]


def _need_browser() -> None:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (run `make browser`)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install -e '.[dev]')")
    if problems:
        if os.environ.get("CI"):
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))


@dataclass
class Demo:
    system: LocalMode
    page: Page
    shots: Path
    errors: list[str]
    submitted: bool = False
    taken: list[Path] = field(default_factory=list)

    def pane(self, key: str) -> Locator:
        return self.page.locator(f'section.chat[data-persona="{key}"]')

    async def shot(self, name: str) -> None:
        path = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        await self.page.screenshot(path=str(path))
        self.taken.append(path)
        print(f"screenshot: {path}")


def _empty_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)


@asynccontextmanager
async def local_page(
    tmp: Path, shots: Path, viewport: ViewportSize
) -> AsyncIterator[tuple[LocalMode, Page, list[str]]]:
    """Local mode on the demo study and Chromium showing its page at `viewport`, with the
    page's script errors; afterwards no script error and no Telegram limit broken."""
    _need_browser()
    from playwright.async_api import async_playwright

    _empty_folder(shots)
    settings = Settings(
        bot_token=None,
        db_path=tmp / "study.sqlite3",
        local_db_path=tmp / "demo.sqlite3",
        local_port=0,
    )
    async with local_mode(settings, load_study(None)) as system, async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = await browser.new_page(viewport=viewport)
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(system.url)
        await page.wait_for_selector("body[data-ready=true]")
        yield system, page, errors
        await browser.close()
    assert errors == [], "the page had script errors"
    assert [str(v) for v in system.api.violations] == [], "the bot broke a Telegram limit"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    tmp = tmp_path_factory.mktemp("local-mode")
    async with local_page(tmp, SHOTS, {"width": 1440, "height": 900}) as (system, page, errors):
        yield Demo(system=system, page=page, shots=SHOTS, errors=errors)


async def last_bot_text(pane: Locator) -> str:
    return await pane.locator(".msg.in .text").last.inner_text()


async def wait_for_bot_text(pane: Locator, pattern: str) -> None:
    from playwright.async_api import expect

    await expect(pane.locator(".msg.in .text").last).to_contain_text(re.compile(pattern))


async def press(pane: Locator, label: str | re.Pattern[str]) -> None:
    """Press a button of the newest bot message that has it, as a person clicks it."""
    name = label if isinstance(label, re.Pattern) else re.compile(f"^{re.escape(label)}$")
    await pane.locator(".msg.in").get_by_role("button", name=name).last.click()


async def start_chat(pane: Locator) -> None:
    """/start: with Telegram's Start button while the chat is empty, else typed."""
    start = pane.get_by_role("button", name="Start", exact=True)
    if await start.is_visible():
        await start.click()
    else:
        await type_message(pane, "/start")


async def type_message(pane: Locator, text: str) -> None:
    box = pane.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")


async def answer_assessment(demo: Demo, scores: dict[int, int]) -> None:
    """From the first question to the result screen, by pressing the buttons on screen."""
    pane = demo.pane("patient")
    for _ in range(20):
        text = await last_bot_text(pane)
        if "Question " in text:
            number = int(text.split("Question ", 1)[1].split(" ", 1)[0])
            label = re.compile(f"^{scores[number]} · ")
            if number == 1:
                await answer_with_keyboard(demo, pane, label, text)
                continue
            await press(pane, label)
        elif "new symptom" in text:
            await press(pane, "None")
        elif "Total:" in text:
            await demo.shot("patient-review")
            await press(pane, "Submit")
            await wait_for_bot_text(pane, "saved")
            demo.submitted = True
            return
        else:
            raise AssertionError(f"unexpected screen: {text[:200]!r}")
        await _settled(pane, text)
    raise AssertionError("the assessment did not reach its end")


async def answer_with_keyboard(
    demo: Demo, pane: Locator, label: re.Pattern[str], text: str
) -> None:
    """Tab to a button and press Enter: the next question keeps the keyboard on its buttons."""
    await pane.locator(".msg.in").get_by_role("button", name=label).last.focus()
    await demo.page.keyboard.press("Enter")
    await _settled(pane, text)
    focused = await demo.page.evaluate(
        "() => document.activeElement && document.activeElement.textContent"
    )
    assert focused is not None
    assert focused.startswith("4 · "), focused
    await demo.shot("patient-answered-question-1-with-the-keyboard")


async def _settled(pane: Locator, previous: str) -> None:
    from playwright.async_api import expect

    await expect(pane.locator(".msg.in .text").last).not_to_have_text(previous)


async def test_the_page_offers_every_demo_person_in_both_languages(demo: Demo) -> None:
    from playwright.async_api import expect

    page = demo.page
    await expect(page.locator("#demo-banner")).to_contain_text("S-DEMO-1")
    people = page.locator("#persona-buttons .persona")
    await expect(people).to_have_count(4)
    await expect(people).to_contain_text(["Dana", "Pavel", "Eva", "Sam"])
    await demo.shot("page")

    await page.get_by_role("button", name="Čeština").click()
    await expect(page.locator("h1")).to_have_text("Průvodce ALSFRS · místní režim")
    stranger = demo.pane("stranger")
    await stranger.get_by_role("button", name="Spustit", exact=True).click()
    await wait_for_bot_text(stranger, "Dobrý den")
    await demo.shot("stranger-in-czech")
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("h1")).to_have_text("ALSFRS companion · local mode")
    await type_message(stranger, "/start")
    await wait_for_bot_text(stranger, "Hello")


async def test_the_patient_completes_an_assessment_by_pressing_buttons(demo: Demo) -> None:
    patient = demo.pane("patient")
    await demo.page.locator(".persona", has_text="Pavel").click()
    await start_chat(patient)
    await wait_for_bot_text(patient, "Welcome back")
    await press(patient, "Start the assessment")
    await wait_for_bot_text(patient, "Question 1 of 10")
    await demo.shot("patient-question-1")
    await answer_assessment(demo, FALL)
    result = await last_bot_text(patient)
    assert "25 of 40, 10 points lower than on" in result
    await demo.shot("patient-submitted")

    # The command menu holds the bot's registered commands; /history lists all five.
    await patient.get_by_role("button", name="Menu").click()
    await patient.locator(".command-menu button", has_text="/history").click()
    await wait_for_bot_text(patient, "Your saved assessments")
    history = await last_bot_text(patient)
    assert len(re.findall(r"of 40", history)) == 5
    await demo.shot("patient-history")


async def test_staff_list_the_participants(demo: Demo) -> None:
    staff = demo.pane("staff")
    await demo.page.locator(".persona", has_text="Dana").click()
    await start_chat(staff)
    await wait_for_bot_text(staff, "Study staff commands")
    await type_message(staff, "/participants")
    await wait_for_bot_text(staff, "S-DEMO-1")
    listing = await last_bot_text(staff)
    assert "total 25" in listing
    assert "change -10" in listing
    await demo.shot("staff-participants")


async def test_staff_enroll_and_a_stranger_opens_the_link(demo: Demo) -> None:
    staff, stranger = demo.pane("staff"), demo.pane("stranger")
    await type_message(staff, "/enroll S-DEMO-2")
    await wait_for_bot_text(staff, "is enrolled")
    link = staff.locator(".msg.in").last.locator("a.start-link").first
    await link.click()
    await demo.page.get_by_role("button", name=re.compile("^Sam · ")).click()
    await wait_for_bot_text(stranger, "Privacy notice")  # first, before anything else
    await demo.shot("stranger-privacy-notice")
    await press(stranger, "I agree")
    await wait_for_bot_text(stranger, "Your agreement has been recorded")
    await demo.shot("stranger-enrolled-with-the-link")


async def test_staff_acknowledge_the_decline_alert(demo: Demo) -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import expect

    if not demo.submitted:
        pytest.skip("the assessment with the fall was not submitted")
    staff = demo.pane("staff")
    ack = demo.page.get_by_role("button", name="Acknowledge", exact=True)
    alert = staff.locator(".msg.in", has=ack)
    alerts_built = (ROOT / "bot" / "outbox" / "alerts.py").exists()
    try:
        await alert.first.wait_for(timeout=20_000 if alerts_built else 3_000)
    except PlaywrightTimeout:
        if alerts_built:
            raise
        pytest.skip("decline alerts are not delivered yet (bot/outbox/alerts.py does not exist)")
    # More alerts may still arrive; stay with the first one.
    message_id = await alert.first.get_attribute("data-id")
    first = staff.locator(f'.msg.in[data-id="{message_id}"]')
    assert "S-DEMO-1" in await first.locator(".text").inner_text()
    await first.scroll_into_view_if_needed()
    await demo.shot("staff-alert")
    await first.get_by_role("button", name="Acknowledge", exact=True).click()
    # What was done: the question arrives as a new message with one button per action.
    called = staff.get_by_role("button", name="Called", exact=True).last
    await called.wait_for(timeout=20_000)
    await called.click()
    # Every copy is edited on the delivery worker's next pass.
    button = first.get_by_role("button", name="Acknowledge", exact=True)
    await expect(button).to_have_count(0, timeout=20_000)
    await expect(first).to_contain_text("Acknowledged")
    await first.scroll_into_view_if_needed()
    await demo.shot("staff-acknowledged")

    # Everyone at once: the patient on a new assessment, staff with the acknowledged alert.
    patient = demo.pane("patient")
    await type_message(patient, "/assess")
    # Submitted today already: asked first, then a new one.
    await wait_for_bot_text(patient, "already submitted today")
    await press(patient, "Start another")
    await wait_for_bot_text(patient, "Question 1 of 10")
    await first.scroll_into_view_if_needed()
    await demo.page.locator("#chats").focus()
    await demo.shot("overview")
