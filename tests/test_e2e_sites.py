"""Several sites in one study, end to end over HTTP (issue 16): two sites with one staff member
each and a study-wide monitor. Each site's staff see, list, act on and are alerted about only
their own participants; every command and a forged button about the other site's participant is
refused (a plain reply and an audit entry); the monitor sees both; urgent advice gives the
participant's own site's phone."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from bot.settings import DEFAULT_STUDY_FILE, Site, StudySettings, load_study
from conversations.callbacks import encode_ack, encode_alert, encode_page
from conversations.domain.schedule import parse_change
from conversations.flows import enrollment, schedules
from conversations.flows import sites as sites_flow
from storage import people
from storage.db import Tx
from storage.models import Participant
from tests.conftest import OPERATOR, Harness, without_privacy_notice
from tests.e2e_helpers import acknowledge, answer_items
from tests.test_e2e_alerts import audit_trail, copies, raise_alert, worker
from tests.test_e2e_roles import make_staff

BRNO_PHONE = "+420 532 000 111"
PRAHA_PHONE = "+420 224 000 222"
SITES = f"""
[[sites]]
id = "CZ-BRNO"
name = "FN Brno"
phone = "{BRNO_PHONE}"

[[sites]]
id = "CZ-PRAHA"
name = "VFN Praha"
phone = "{PRAHA_PHONE}"
"""
LINK = re.compile(r"start=([A-Za-z0-9_-]{16,64})")
OTHER_SITE = "belongs to another site"
# Breathing 2 ("short of breath at rest"): the urgent breathing rule fires on submission.
BREATHLESS = {**dict.fromkeys(range(1, 11), 4), 10: 2}


def two_site_study(tmp: Path) -> Path:
    text = (resources.files("bot") / DEFAULT_STUDY_FILE).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^\[privacy\]$", "[privacy]\nask = false", text) + SITES
    path = tmp / "study-two-sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sites(harness: Harness) -> Harness:
    """The harness with a two-site study file, for the in-process bot and for the CLI."""
    path = two_site_study(harness.tmp)
    harness.study = without_privacy_notice(load_study(path))
    harness.study_file = lambda site_phone="": path  # type: ignore[method-assign]
    return harness


async def participant_row(harness: Harness, subject: str) -> Participant:
    async with harness.services() as services:

        async def unit(tx: Tx) -> Participant | None:
            return await people.get_participant(tx, subject)

        found = await services.db.read(unit)
    assert found is not None
    return found


def test_a_study_file_without_sites_has_one_default_site() -> None:
    study = load_study(None)
    [only] = study.site_infos()
    assert (only.id, study.default_site_id) == ("MAIN", "MAIN")
    assert only.site_phone == study.study.site_phone
    assert only.oncall_email == study.alerts.oncall_email


def test_sites_fill_in_the_study_values_and_refuse_what_they_should(tmp_path: Path) -> None:
    study = load_study(two_site_study(tmp_path))
    assert [s.id for s in study.site_infos()] == ["CZ-BRNO", "CZ-PRAHA"]
    assert study.default_site_id == "CZ-BRNO"  # the first listed, unless [study] default_site
    assert study.site("cz-praha").site_phone == PRAHA_PHONE
    assert study.site("CZ-PRAHA").timezone == study.study.timezone
    assert study.site("CZ-PRAHA").emergency_for("cs") == ("155", "112")
    assert study.find_site("nowhere") is None
    data = study.model_dump()
    with pytest.raises(ValueError, match="same id"):
        StudySettings.model_validate({**data, "sites": [data["sites"][0], data["sites"][0]]})
    with pytest.raises(ValueError, match="default_site"):
        StudySettings.model_validate({**data, "study": {**data["study"], "default_site": "X"}})


async def test_each_site_sees_and_is_alerted_about_only_its_own_participants(
    sites: Harness,
) -> None:
    harness = sites
    async with harness.bot() as app:
        brno = await make_staff(harness, 9101, "CZ-BRNO")
        praha = await make_staff(harness, 9102, "cz-praha")
        monitor = await make_staff(harness, 9103)  # study-wide

        await brno.send("/enroll S501 en site CZ-BRNO")
        assert "S501 belongs to site CZ-BRNO" in brno.last_message().content
        await praha.send("/enroll S502 cs")  # her only site
        assert "S502 belongs to site CZ-PRAHA" in praha.last_message().content
        await brno.send("/enroll S503 en site CZ-PRAHA")
        assert "not one of your sites" in brno.last_message().content
        await brno.send("/enroll S503 en site CZ-OSTRAVA")
        assert "no site CZ-OSTRAVA" in brno.last_message().content
        assert (await participant_row(harness, "S501")).site == "CZ-BRNO"
        assert (await participant_row(harness, "S502")).site == "CZ-PRAHA"
        async with harness.services() as services:
            assert await services.db.read(lambda tx: people.get_participant(tx, "S503")) is None

        # Lists: each site its own; the monitor both.
        for member, seen, unseen in (
            (brno, ["S501"], ["S502"]),
            (praha, ["S502"], ["S501"]),
            (monitor, ["S501", "S502"], []),
        ):
            await member.send("/participants")
            listing = member.last_message().content
            assert all(s in listing for s in seen), listing
            assert not any(s in listing for s in unseen), listing

        # Alerts go to the participant's site and to the monitor, never to the other site.
        alert_a = await raise_alert(harness, app, "S501", urgent=True)
        alert_b = await raise_alert(harness, app, "S502", urgent=True)
        await worker(app).flush()
        assert len(copies(brno.chat, alert_a)) == 1
        assert copies(brno.chat, alert_b) == []
        assert len(copies(praha.chat, alert_b)) == 1
        assert copies(praha.chat, alert_a) == []
        assert len(copies(monitor.chat, alert_a)) == len(copies(monitor.chat, alert_b)) == 1
        await brno.send("/alerts")
        assert "S501" in brno.last_message().content
        assert "S502" not in brno.last_message().content

        # Every command about the other site's participant is refused, and changes nothing.
        s502 = await participant_row(harness, "S502")
        for command in (
            "/participant S502",
            "/pause S502 holiday",
            "/resume S502",
            "/withdraw S502",
            "/caregiver S502",
            "/relink S502",
            "/schedule S502 every 7 days",
            "/visit S502",
            "/onset S502 2025-03",
            "/alerts S502",
        ):
            await brno.send(command)
            reply = brno.last_message().content
            assert OTHER_SITE in reply, (command, reply)
            assert "start=" not in reply
        assert await participant_row(harness, "S502") == s502

        # Forged buttons about the other site's alert or participant: refused, alert still open.
        own = brno.chat.bot_messages[-1].message_id
        for data in (
            encode_alert("ack", alert_b),
            encode_alert("alo", alert_b),
            encode_alert("alk", alert_b),
            encode_ack("a", alert_b, "c"),
            encode_ack("l", alert_b, "n"),
            encode_ack("p", s502.id, "c", upto=alert_b),
        ):
            answer = await brno.press_data(own, data)
            assert answer.text is not None, data
            assert "participant of another site" in answer.text, (data, answer)
            assert "S502" not in answer.text  # a forged number learns nobody's study ID
        await praha.send("/alerts")
        assert "S502" in praha.last_message().content  # still open for her site
        # Turning a page of the participant list stays within one's sites.
        await brno.press_data(own, encode_page(0))
        assert "S502" not in brno.chat.bot_messages[-1].content

        # The monitor acts on both; acknowledging the other site's alert works for her.
        await acknowledge(monitor, copies(monitor.chat, alert_b)[0])
        await worker(app).flush()
        assert "Acknowledged" in copies(praha.chat, alert_b)[0].content

        # Staff links: nobody hands out or revokes beyond their own sites.
        await brno.send("/invite study")
        assert "only for your own sites" in brno.last_message().content
        await brno.send("/invite CZ-PRAHA")
        assert "only for your own sites" in brno.last_message().content
        await brno.send("/invite")
        assert "CZ-BRNO" in brno.last_message().content
        await brno.send("/staff")
        listing = brno.last_message().content
        praha_link = int(re.findall(r"#(\d+)[^\n]*CZ-PRAHA", listing)[0])
        await brno.send(f"/revoke {praha_link}")
        assert "belongs to another site" in brno.last_message().content
        await praha.send("/participants")
        assert "S502" in praha.last_message().content  # her access stands

    refusals = [
        json.loads(e.new_value or "{}")
        for e in await audit_trail(harness)
        if e.action == "access.denied"
    ]
    refused = {(r["what"], r["role"]) for r in refusals}
    for what in ("/participant", "/pause", "/withdraw", "/visit", "/alerts", "alert button"):
        assert (what, "staff: other site") in refused, refused
    assert ("/enroll site", "staff: other site") in refused
    assert ("/invite sites", "staff: other site") in refused
    # On the trail of the participant they were about, commands and forged buttons alike.
    about_s502 = {
        json.loads(e.new_value or "{}")["what"]
        for e in await audit_trail(harness, "S502")
        if e.action == "access.denied"
    }
    assert {"/participant", "/withdraw", "alert button"} <= about_s502


async def test_urgent_advice_gives_the_participants_own_site_phone(sites: Harness) -> None:
    harness = sites
    async with harness.bot():
        brno = await make_staff(harness, 9201, "CZ-BRNO")
        praha = await make_staff(harness, 9202, "CZ-PRAHA")
        advice: dict[str, str] = {}
        for member, subject, user_id in ((brno, "S511", 5511), (praha, "S512", 5512)):
            await member.send(f"/enroll {subject} en")
            patient_code = LINK.findall(member.chat.bot_messages[-2].content)[0]
            patient = harness.api.user(user_id, language_code="en")
            await patient.send(f"/start {patient_code}")
            await patient.send("/assess")
            await answer_items(patient, BREATHLESS)
            await patient.press("Submit")
            await patient.settle()
            advice[subject] = patient.last_message().content
        assert BRNO_PHONE in advice["S511"]
        assert PRAHA_PHONE not in advice["S511"]
        assert PRAHA_PHONE in advice["S512"]
        assert BRNO_PHONE not in advice["S512"]


async def test_participants_enrolled_before_sites_join_the_default_site_audited(
    harness: Harness, tmp_path: Path
) -> None:
    async with harness.services() as services:
        await services.db.write(
            lambda tx: tx.execute(
                "INSERT INTO participants (subject, created_at) VALUES ('S599', ?)",
                ("2026-01-01T00:00:00.000Z",),
            )
        )
    harness.study = without_privacy_notice(load_study(two_site_study(tmp_path)))
    async with harness.bot():
        pass
    assert (await participant_row(harness, "S599")).site == "CZ-BRNO"
    [entry] = [e for e in await audit_trail(harness, "S599") if e.action == "participant.site"]
    assert entry.new_value == "CZ-BRNO"


async def test_a_site_in_another_zone_reminds_its_participants_on_its_own_clock(
    harness: Harness,
) -> None:
    base = without_privacy_notice(load_study(None))
    harness.study = StudySettings.model_validate(
        {
            **base.model_dump(),
            "sites": [
                {"id": "CZ-BRNO", "name": "FN Brno", "phone": BRNO_PHONE},
                {"id": "UK-LONDON", "name": "London", "timezone": "Europe/London"},
            ],
        }
    )
    await harness.enroll("S521")
    async with harness.services() as services:
        enrolled = await enrollment.enroll_participant(
            services, "S522", "en", OPERATOR, site="UK-LONDON"
        )
        assert enrolled
        brno = await schedules.reminder_inputs_of(services, "S521")
        london = await schedules.reminder_inputs_of(services, "S522")
    assert brno is not None
    assert london is not None
    assert brno.override.timezone is None  # the study's zone, Europe/Prague
    assert london.override.timezone == "Europe/London"


async def test_a_declined_notice_is_told_to_the_participants_site_only(sites: Harness) -> None:
    harness = sites
    study = harness.study
    harness.study = study.model_copy(
        update={"privacy": study.privacy.model_copy(update={"ask": True})}
    )
    async with harness.bot():
        brno = await make_staff(harness, 9301, "CZ-BRNO")
        praha = await make_staff(harness, 9302, "CZ-PRAHA")
        monitor = await make_staff(harness, 9303)
        async with harness.services() as services:
            patient_code, _, _ = await enrollment.enroll_participant(
                services, "S531", "en", OPERATOR, site="CZ-PRAHA"
            )
        patient = harness.api.user(5531, language_code="en")
        await patient.send(f"/start {patient_code}")
        assert PRAHA_PHONE in patient.last_message().content  # whom to ask: her site
        assert BRNO_PHONE not in patient.last_message().content
        await patient.press("Decline")
        for member in (praha, monitor):
            await member.wait_for(lambda m: "declined the privacy notice" in m.content)
        await patient.settle()
        assert not any("declined the privacy notice" in m.content for m in brno.bot_messages)


async def test_a_study_that_adds_sites_is_warned_and_moves_its_participants(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.enroll("S541")  # a single-site study: site MAIN
    assert (await participant_row(harness, "S541")).site == "MAIN"
    path = two_site_study(harness.tmp)
    harness.study = without_privacy_notice(load_study(path))
    harness.study_file = lambda site_phone="": path  # type: ignore[method-assign]
    async with harness.services() as services:
        with caplog.at_level("WARNING"):
            assert await sites_flow.adopt_unassigned(services) == 0
    assert "1 participants belong to site MAIN, which the study file does not list" in caplog.text
    refused = await harness.cli(
        "move-site", "S541", "--to", "CZ-OSTRAVA", "--reason", "typo", check=False
    )
    assert refused.returncode == 1
    assert "no site 'CZ-OSTRAVA'" in refused.stderr
    moved = await harness.cli(
        "move-site", "--from", "main", "--to", "cz-brno", "--reason", "sites added"
    )
    assert "1 participant(s) moved to site CZ-BRNO: S541" in moved.stdout
    assert (await participant_row(harness, "S541")).site == "CZ-BRNO"
    [entry] = [
        e
        for e in await audit_trail(harness, "S541")
        if e.action == "participant.site" and e.reason == "sites added"
    ]
    assert (entry.old_value, entry.new_value, entry.actor_role) == (
        "MAIN",
        "CZ-BRNO",
        "operator",
    )
    async with harness.bot():
        brno = await make_staff(harness, 9401, "CZ-BRNO")
        await brno.send("/participants")
        assert "S541" in brno.last_message().content


def test_a_site_may_not_be_called_study() -> None:
    with pytest.raises(ValueError, match="reserved"):
        Site(id="study", name="Whole")


async def test_a_member_of_several_sites_names_the_site_at_enrollment(sites: Harness) -> None:
    harness = sites
    async with harness.bot():
        both = await make_staff(harness, 9501, "CZ-BRNO", "CZ-PRAHA")
        await both.send("/enroll S551 en")
        assert "name one, for example /enroll S001 cs site CZ-BRNO" in both.last_message().content
        async with harness.services() as services:
            assert await enrollment.find_participant(services, "S551") is None
        await both.send("/enroll S551 en site cz-praha")
        assert "S551 belongs to site CZ-PRAHA" in both.last_message().content


async def test_a_moved_participant_is_reminded_on_the_new_sites_clock(harness: Harness) -> None:
    base = without_privacy_notice(load_study(None))
    harness.study = StudySettings.model_validate(
        {
            **base.model_dump(),
            "sites": [
                {"id": "CZ-BRNO", "name": "FN Brno", "phone": BRNO_PHONE},
                {
                    "id": "UK-LONDON",
                    "name": "London",
                    "phone": PRAHA_PHONE,
                    "timezone": "Europe/London",
                },
            ],
        }
    )
    await harness.enroll("S561")
    await harness.enroll("S562")
    async with harness.services() as services:
        # Staff chose S562's zone themselves: a move leaves it alone.
        s562 = await enrollment.find_participant(services, "S562")
        assert s562 is not None
        change = parse_change(["tz", "America/New_York"])
        await schedules.change_schedule(services, s562.id, change, OPERATOR)

        async def zone(subject: str) -> str | None:
            found = await schedules.reminder_inputs_of(services, subject)
            assert found is not None
            return found.override.timezone

        for subject in ("S561", "S562"):
            moved = await sites_flow.move_site(
                services, OPERATOR, "uk-london", subject=subject, from_site=None, reason="moved"
            )
            assert moved == [subject]
        assert await zone("S561") == "Europe/London"
        assert await zone("S562") == "America/New_York"
        await sites_flow.move_site(
            services, OPERATOR, "CZ-BRNO", subject="S561", from_site=None, reason="back"
        )
        assert await zone("S561") is None  # the study's zone, Brno's
