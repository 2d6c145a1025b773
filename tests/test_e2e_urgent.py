"""End to end: any urgent rule tells the respondent whom to call, with the site's number and the
study's emergency numbers; and the bot does not start with a token while the site phone is empty.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.demo import DEMO_SITE_PHONE, demo_study
from bot.settings import Site, load_study
from tests.conftest import BIN, Harness
from tests.e2e_helpers import answer_items

PHONE = "+420 222 333 444"
# Breathing 2 ("short of breath at rest"): the urgent breathing rule; no symptom reported.
BREATHLESS = {**dict.fromkeys(range(1, 11), 4), 10: 2}


@pytest.fixture
def with_phone(harness: Harness) -> Harness:
    info = harness.study.study.model_copy(update={"site_phone": PHONE})
    harness.study = harness.study.model_copy(update={"study": info})
    return harness


@pytest.mark.parametrize(
    ("language", "submit", "emergency"),
    [("en", "Submit", "112 (or 155)"), ("cs", "Odeslat", "155 (nebo 112)")],
)
async def test_an_urgent_breathing_decline_shows_the_site_number_to_the_respondent(
    with_phone: Harness, language: str, submit: str, emergency: str
) -> None:
    harness = with_phone
    async with harness.bot():
        pat = await harness.join("S401", 4401, language=language)
        await pat.send("/assess")
        await answer_items(pat, BREATHLESS)
        await pat.press(submit)
        await pat.settle()
        advice = pat.last_message().content
        assert PHONE in advice
        assert emergency in advice
        # The same number reaches nobody when nothing is urgent.
        assert sum(PHONE in m.content for m in pat.bot_messages) == 1


async def test_a_calm_submission_gives_no_urgent_advice(with_phone: Harness) -> None:
    harness = with_phone
    async with harness.bot():
        pat = await harness.join("S402", 4402)
        await pat.send("/assess")
        await answer_items(pat, dict.fromkeys(range(1, 11), 4))
        await pat.press("Submit")
        await pat.settle()
        assert not any(PHONE in m.content for m in pat.bot_messages)


async def test_a_token_with_an_empty_site_phone_exits_2_naming_it(harness: Harness) -> None:
    env = {**harness.env, "ALSFRS_STUDY_FILE": str(harness.study_file(site_phone=""))}
    process = await asyncio.create_subprocess_exec(
        str(BIN),
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "site_phone" in err.decode()
    assert "Traceback" not in err.decode()


def test_the_demo_study_has_a_plainly_fake_number() -> None:
    study = demo_study(load_study(None))
    assert study.study.site_phone == DEMO_SITE_PHONE
    real = load_study(None)
    real = real.model_copy(
        update={
            "sites": (Site(id="CZ-BRNO", name="Brno", phone=PHONE, oncall_email="a@b.example"),),
            "alerts": real.alerts.model_copy(update={"oncall_email": "c@d.example"}),
        }
    )
    demo = demo_study(real)
    assert [site.site_phone for site in demo.site_infos()] == [DEMO_SITE_PHONE]
    assert demo.oncall_addresses() == ()
    assert set(DEMO_SITE_PHONE.replace("+420", "")) <= {"0", " "}
    assert study.decline == load_study(None).decline


async def test_the_advice_arrives_even_when_the_screen_could_not_be_shown(
    with_phone: Harness,
) -> None:
    harness = with_phone
    async with harness.bot():
        pat = await harness.join("S403", 4403)
        await pat.send("/assess")
        await answer_items(pat, BREATHLESS)
        # Saved, but Telegram refuses to show the "submitted" screen (twice: PTB's retry too).
        harness.api.fail_next("editMessageText", status=400, count=2, description="Bad Request")
        await pat.press("Submit")
        await pat.settle()
        assert sum(PHONE in m.content for m in pat.bot_messages) == 1
        assert any("Your saved answers are safe" in m.content for m in pat.bot_messages)
        rows = await harness.export_rows()
        assert [row["subject"] for row in rows] == ["S403"]  # the submission stands
