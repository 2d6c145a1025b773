"""The use cases of `conversations.flows.enrollment`, `.schedules` and `.alerts` called directly,
as the staff handlers and the CLI call them: no Telegram, a clock the test sets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.settings import Settings, load_study
from conversations.context import Services
from conversations.domain.schedule import ScheduleChange, ScheduleError
from conversations.flows import alerts as alert_flows
from conversations.flows import enrollment, schedules
from conversations.flows.enrollment import DuplicateSubject
from conversations.flows.schedules import TimeOutcome
from storage import audit, people
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, ParticipantStatus, Role

NOW = datetime(2027, 5, 3, 10, tzinfo=UTC)
OPERATOR = Actor(role=ActorRole.OPERATOR)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    db = await Database.open(tmp_path / "flows.sqlite3")
    try:
        yield Services(
            db=db,
            settings=Settings(db_path=tmp_path / "flows.sqlite3"),
            study=load_study(None),
            clock=lambda: NOW,
        )
    finally:
        await db.close()


async def actions(services: Services, subject: str) -> list[str]:
    async def unit(tx: Tx) -> list[str]:
        return [entry.action for entry in await audit.entries(tx, subject=subject)]

    return await services.db.read(unit)


async def staff_link_id(services: Services, telegram_user_id: int) -> int:
    code, _ = await enrollment.invite(services, Role.STAFF, None, OPERATOR)

    async def unit(tx: Tx) -> int:
        result, identity = await people.redeem(
            tx, code=code, telegram_user_id=telegram_user_id, now=NOW
        )
        assert result is people.RedeemResult.LINKED
        assert identity is not None
        link = identity.link_for(Role.STAFF)
        assert link is not None
        return link.id

    return await services.db.write(unit)


# --- enrollment ------------------------------------------------------------------------------


async def test_enroll_issues_two_codes_and_refuses_a_duplicate(services: Services) -> None:
    patient, caregiver, until = await enrollment.enroll_participant(
        services, "S001", "cs", OPERATOR
    )
    assert patient != caregiver
    assert until == "2027-05-17T10:00:00.000Z"
    found = await enrollment.find_participant(services, "S001")
    assert found is not None
    assert found.status is ParticipantStatus.ACTIVE
    with pytest.raises(DuplicateSubject):
        await enrollment.enroll_participant(services, "S001", None, OPERATOR)
    assert await enrollment.find_participant(services, "S999") is None


async def test_caregiver_codes_only_for_a_known_participant(services: Services) -> None:
    assert await enrollment.invite_caregiver(services, "S404", OPERATOR) is None
    await enrollment.enroll_participant(services, "S002", None, OPERATOR)
    issued = await enrollment.invite_caregiver(services, "S002", OPERATOR)
    assert issued is not None
    code, until = issued
    assert code
    assert until == "2027-05-17T10:00:00.000Z"


async def test_status_changes_are_audited_and_withdrawal_is_final(services: Services) -> None:
    await enrollment.enroll_participant(services, "S003", None, OPERATOR)
    paused = ParticipantStatus.PAUSED
    assert await enrollment.change_status(services, "S404", paused, OPERATOR) is None
    assert await enrollment.change_status(services, "S003", paused, OPERATOR, reason="travel")
    assert await enrollment.change_status(services, "S003", paused, OPERATOR) is False
    withdrawn = ParticipantStatus.WITHDRAWN
    assert await enrollment.change_status(services, "S003", withdrawn, OPERATOR)
    active = ParticipantStatus.ACTIVE
    assert await enrollment.change_status(services, "S003", active, OPERATOR) is False
    assert (await actions(services, "S003")).count("participant.status") == 2


async def test_overview_pages_and_participant_record(services: Services) -> None:
    for n in range(5):
        await enrollment.enroll_participant(services, f"S10{n}", None, OPERATOR)
    page = await enrollment.overview_page(services, 1, 2)
    assert page.count == 5
    assert [row.subject for row in page.rows] == ["S102", "S103"]
    everyone = await enrollment.participant_overview(services)
    assert [row.subject for row in everyone] == [f"S10{n}" for n in range(5)]
    record = await enrollment.participant_record(services, "S104", limit=30)
    assert record is not None
    assert record.participant.subject == "S104"
    assert record.submissions == []
    assert record.links == []  # codes issued, none redeemed yet
    assert await enrollment.participant_record(services, "S404") is None


async def test_revoking_staff_access_names_their_chat(services: Services) -> None:
    link_id = await staff_link_id(services, 777001)
    assert [row.id for row in await enrollment.staff_members(services)] == [link_id]
    assert await enrollment.staff_chats(services) == [(777001, None)]
    revocation = await enrollment.revoke_access(services, link_id, OPERATOR, reason="left")
    assert revocation is not None
    assert revocation.link.role is Role.STAFF
    assert revocation.staff_chat == 777001
    assert await enrollment.revoke_access(services, link_id, OPERATOR) is None
    assert await enrollment.staff_members(services) == []


# --- schedules -------------------------------------------------------------------------------


async def test_schedule_changes_are_validated_and_audited(services: Services) -> None:
    await enrollment.enroll_participant(services, "S201", None, OPERATOR)
    found = await schedules.reminder_inputs_of(services, "S201")
    assert found is not None
    pid = found.participant_id
    change = ScheduleChange(interval_days=7, preferred_time=time(9))
    assert await schedules.change_schedule(services, pid, change, OPERATOR)
    assert not await schedules.change_schedule(services, pid, change, OPERATOR)
    with pytest.raises(ScheduleError) as refused:
        await schedules.change_schedule(
            services, pid, ScheduleChange(preferred_time=time(23)), OPERATOR
        )
    assert refused.value.key == "schedule-error-quiet"
    after = await schedules.reminder_inputs(services, pid)
    assert after is not None
    mine = schedules.effective_schedule(after.override, services.study.schedule)
    assert (mine.interval_days, mine.preferred_time) == (7, time(9))
    assert schedules.next_reminder_at(after, services.study.schedule, NOW) is not None
    assert await schedules.reminder_inputs_of(services, "S404") is None


async def test_choosing_a_time_of_day(services: Services) -> None:
    await enrollment.enroll_participant(services, "S202", None, OPERATOR)
    found = await schedules.reminder_inputs_of(services, "S202")
    assert found is not None
    pid = found.participant_id
    off_list = await schedules.choose_time(services, pid, time(9, 30), OPERATOR)
    assert off_list.outcome is TimeOutcome.NOT_ALLOWED
    chosen = await schedules.choose_time(services, pid, time(18), OPERATOR)
    assert chosen.outcome is TimeOutcome.SET
    assert chosen.after is not None
    assert chosen.after.override.preferred_time == time(18)
    again = await schedules.choose_time(services, pid, time(18), OPERATOR)
    assert again.outcome is TimeOutcome.UNCHANGED
    await enrollment.change_status(services, "S202", ParticipantStatus.WITHDRAWN, OPERATOR)
    late = await schedules.choose_time(services, pid, time(12), OPERATOR)
    assert late.outcome is TimeOutcome.WITHDRAWN
    assert late.after is None


# --- alerts ----------------------------------------------------------------------------------


async def test_no_such_alert(services: Services) -> None:
    link_id = await staff_link_id(services, 777002)
    assert await alert_flows.open_alerts(services) == []
    assert await alert_flows.alert(services, 1) is None
    assert await alert_flows.acknowledge(services, 1, link_id) is None
