"""Reminders without Telegram: the schedule storage (`storage.schedules`), the texts
(`conversations.screens.reminders`, `locales/*/reminders.ftl`), staff schedule syntax
(`conversations.domain.schedule`), schedule changes (`conversations.flows.schedules`) and the
outbox's reminders job (`bot.outbox.reminders`) driven tick by tick with a fake transport and a
clock the test moves. No test waits for time to pass."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError

from bot.outbox.reminders import REMINDER_RETRY, ReminderJob
from bot.settings import Settings, StudySettings, load_study
from conversations.callbacks import MenuPress, parse
from conversations.context import Services
from conversations.domain.assessment import (
    REVIEW,
    SYMPTOMS,
    TUBE,
    Answer,
    SetTube,
    Submit,
    Symptoms,
)
from conversations.domain.schedule import (
    ScheduleChange,
    ScheduleError,
    ScheduleSettings,
    parse_change,
    time_choices,
    validate_change,
)
from conversations.domain.symptom_step import NoSymptoms
from conversations.flows import assessment as assessment_flow
from conversations.flows.schedules import apply_change, change_schedule, effective_schedule
from conversations.handlers.access import actor_for
from conversations.screens.reminders import digest_parts
from locales import LANGUAGES, translator
from storage import audit, people, schedules
from storage.db import Database, Tx
from storage.models import Actor, ActorRole, AuditEntry, Language, ParticipantStatus, Role
from storage.schedules import MissedNotice, ScheduleOverride
from tests.conftest import without_privacy_notice

PRAGUE = ZoneInfo("Europe/Prague")
NEW_YORK = ZoneInfo("America/New_York")
OPERATOR = Actor(role=ActorRole.OPERATOR)
ROOT = Path(__file__).resolve().parents[1]


def loc(zone: ZoneInfo, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=zone).astimezone(UTC)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def wall(moment: datetime, zone: ZoneInfo = PRAGUE) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


# Enrolled at noon on 3 May 2027 (Prague): the first cycle falls due on 17 May at 10:00.
ANCHOR = loc(PRAGUE, 2027, 5, 3, 12)


@dataclass
class Clock:
    now: datetime = ANCHOR

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Sent:
    at: datetime
    chat_id: int
    text: str
    buttons: list[tuple[str, str]]


@dataclass
class FakeTelegram:
    """A `bot.outbox.Transport` that records messages; `blocked` chats answer 403, `outcomes`
    (errors to raise) are consumed by the next sends, `gate` (when set) holds every send until
    it is opened."""

    clock: Clock
    messages: list[Sent] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    outcomes: deque[BaseException] = field(default_factory=deque)
    gate: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> int:
        self.attempts.append(chat_id)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.outcomes:
            raise self.outcomes.popleft()
        if chat_id in self.blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")
        buttons = [
            (button.text, str(button.callback_data))
            for row in (keyboard.inline_keyboard if keyboard else ())
            for button in row
        ]
        self.messages.append(Sent(self.clock(), chat_id, text, buttons))
        return len(self.messages)

    async def edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        raise AssertionError("reminders are never edited")

    def to(self, chat_id: int) -> list[Sent]:
        return [message for message in self.messages if message.chat_id == chat_id]


@dataclass
class World:
    db: Database
    clock: Clock
    telegram: FakeTelegram
    services: Services
    patients: dict[int, int] = field(default_factory=dict)  # Telegram user id -> participant

    def scheduler(self, **options: object) -> ReminderJob:
        """A new scheduler on the same database: what a restart builds (backoff jitter pinned)."""
        retry = replace(REMINDER_RETRY, jitter=lambda: 1.0)
        return ReminderJob(self.services, self.telegram, retry=retry, **options)  # type: ignore[arg-type]

    async def start(self, **options: object) -> ReminderJob:
        scheduler = self.scheduler(**options)
        await scheduler.rebuild()
        await scheduler.tick()
        return scheduler

    async def enroll(
        self,
        subject: str,
        *,
        patient: int | None = None,
        caregivers: tuple[int, ...] = (),
        language: Language | None = None,
        zone: str | None = None,
        at: datetime = ANCHOR,
        site: str | None = None,
    ) -> int:
        async def unit(tx: Tx) -> int:
            participant = await people.create_participant(
                tx, subject=subject, language=language, actor=OPERATOR, now=at, site=site
            )
            people_ = [(patient, Role.PATIENT)] if patient else []
            for uid, role in people_ + [(uid, Role.CAREGIVER) for uid in caregivers]:
                code = await people.create_invitation(
                    tx,
                    role=role,
                    participant_id=participant.id,
                    actor=OPERATOR,
                    now=at,
                    ttl=timedelta(days=14),
                )
                result, _ = await people.redeem(tx, code=code, telegram_user_id=uid, now=at)
                assert result is people.RedeemResult.LINKED
            if zone:
                await schedules.set_override(
                    tx, participant.id, ScheduleOverride(timezone=zone), actor=OPERATOR, now=at
                )
            return participant.id

        pid = await self.db.write(unit)
        if patient:
            self.patients[patient] = pid
        return pid

    async def staff(
        self, uid: int, language: Language | None = None, *, sites: frozenset[str] | None = None
    ) -> int:
        now = self.clock()

        async def unit(tx: Tx) -> int:
            code = await people.create_invitation(
                tx,
                role=Role.STAFF,
                participant_id=None,
                actor=OPERATOR,
                now=now,
                ttl=timedelta(1),
                sites=sites,
            )
            _, identity = await people.redeem(tx, code=code, telegram_user_id=uid, now=now)
            assert identity is not None
            if language:
                await people.set_account_language(tx, identity.account, language, OPERATOR, now)
            link = identity.link_for(Role.STAFF)
            assert link is not None
            return link.id

        return await self.db.write(unit)

    async def set_status(self, pid: int, status: ParticipantStatus) -> bool:
        now = self.clock()

        async def unit(tx: Tx) -> bool:
            found = await people.participant_by_id(tx, pid)
            assert found is not None
            return await people.set_status(tx, found, status, actor=OPERATOR, now=now)

        return await self.db.write(unit)

    async def submit(self, uid: int) -> None:
        """The person answers all ten items and submits, now."""
        now = self.clock()

        async def who(tx: Tx) -> Actor:
            identity = await people.identity(tx, uid)
            assert identity is not None
            return actor_for(identity.links[0])

        actor = await self.db.read(who)
        pid = actor.participant_id or 0

        async def open_(tx: Tx) -> tuple[int, int, str]:
            record, _ = await assessment_flow.open_assessment(
                tx, participant_id=pid, actor=actor, language="en", now=now
            )
            return record.id, record.revision, record.position

        aid, revision, position = await self.db.write(open_)
        for _ in range(20):
            if position == TUBE:
                action: object = SetTube(False)
            elif position == SYMPTOMS:
                action = Symptoms(NoSymptoms())
            elif position == REVIEW:
                action = Submit()
            else:
                action = Answer(3)

            async def press(
                tx: Tx, action: object = action, rev: int = revision
            ) -> tuple[int, str, str]:
                out = await assessment_flow.press(
                    tx,
                    assessment_id=aid,
                    revision=rev,
                    action=action,  # type: ignore[arg-type]
                    actors={pid: actor},
                    now=now,
                    safety=self.services.safety,
                )
                return out.record.revision, out.record.position, out.record.status

            revision, position, status = await self.db.write(press)
            if status == "submitted":
                return
        raise AssertionError("the assessment did not reach submission")

    async def run(self, scheduler: ReminderJob, until: datetime) -> None:
        """Let time pass until `until`, waking the scheduler whenever it asked to be woken (and
        now, as its poll would within seconds of a change)."""
        await scheduler.tick()
        for _ in range(2000):
            wake = scheduler.next_wakeup()
            if wake is None or wake > until:
                break
            self.clock.now = max(self.clock.now, wake)
            await scheduler.tick()
        else:
            raise AssertionError("the scheduler keeps asking to be woken")
        self.clock.now = max(self.clock.now, until)
        await scheduler.tick()

    async def deliveries(self) -> list[tuple[str, str, str, str | None]]:
        """(cycle key, kind, state, outcome) of every reminder delivery."""

        async def unit(tx: Tx) -> list[tuple[str, str, str, str | None]]:
            rows = await tx.all(
                "SELECT r.cycle_key, r.kind, d.state, d.outcome FROM reminder_deliveries d"
                " JOIN reminders r ON r.id = d.reminder_id ORDER BY d.id"
            )
            return [(row[0], row[1], row[2], row[3]) for row in rows]

        return await self.db.read(unit)


def study_with(**schedule: object) -> StudySettings:
    base = without_privacy_notice(load_study(None))
    return base.model_copy(
        update={"schedule": base.schedule.model_copy(update=schedule)}  # already validated
    )


@pytest.fixture
async def world(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    # Accounts here are linked without the privacy notice (its own tests: test_e2e_privacy).
    study: StudySettings = getattr(request, "param", None) or without_privacy_notice(
        load_study(None)
    )
    db = await Database.open(tmp_path / "reminders.sqlite3")
    clock = Clock()
    services = Services(
        db=db,
        settings=Settings(db_path=tmp_path / "reminders.sqlite3"),
        study=study,
        clock=clock,
    )
    try:
        yield World(db=db, clock=clock, telegram=FakeTelegram(clock), services=services)
    finally:
        await db.close()


def kinds(messages: list[Sent]) -> list[str]:
    return [
        "follow-up" if "gentle reminder" in m.text else "due" if "It is time" in m.text else "?"
        for m in messages
    ]


# --- settings and texts ---------------------------------------------------------------------


def test_the_study_file_has_a_schedule_in_the_study_zone() -> None:
    study = load_study(None)
    assert study.schedule.interval_days == 14
    assert study.schedule.timezone == study.study.timezone == "Europe/Prague"
    assert (study.schedule.quiet_start, study.schedule.quiet_end) == (time(21), time(8))


def test_the_schedule_zone_is_the_study_zone_or_refused() -> None:
    study = {"id": "X", "name": "Y", "timezone": "Asia/Tokyo"}
    derived = StudySettings.model_validate({"study": study, "schedule": {"interval_days": 28}})
    assert (derived.schedule.timezone, derived.schedule.interval_days) == ("Asia/Tokyo", 28)
    assert StudySettings.model_validate({"study": study}).schedule.timezone == "Asia/Tokyo"
    same = {"study": study, "schedule": {"timezone": "Asia/Tokyo"}}
    assert StudySettings.model_validate(same).schedule.timezone == "Asia/Tokyo"
    with pytest.raises(ValidationError, match=r"differs from study\.timezone"):
        StudySettings.model_validate({"study": study, "schedule": {"timezone": "Europe/Prague"}})


def _ftl(language: str) -> dict[str, set[str]]:
    text = (ROOT / "locales" / language / "reminders.ftl").read_text(encoding="utf-8")
    blocks = re.split(r"^(?=[a-z][\w-]* =)", text, flags=re.M)
    found: dict[str, set[str]] = {}
    for block in blocks:
        match = re.match(r"^([a-z][\w-]*) =", block)
        if match:
            found[match.group(1)] = set(re.findall(r"\{\s*\$([a-z_]+)", block))
    return found


def test_reminder_texts_exist_in_both_languages_with_the_same_arguments() -> None:
    english, czech = _ftl("en"), _ftl("cs")
    assert english, "no reminder texts"
    assert english == czech
    for language in LANGUAGES:
        t = translator(language)
        for key, args in english.items():
            assert t(key, **dict.fromkeys(args, 3)).strip(), key


def test_a_long_digest_is_split_under_telegrams_limit() -> None:
    t = translator("cs")
    notices = [
        MissedNotice(reminder_id=i, subject=f"S{i:05d}", cycle_key="2027-05-17", planned_at=ANCHOR)
        for i in range(400)
    ]
    parts = digest_parts(t, date(2027, 5, 21), notices)
    assert len(parts) > 1
    assert all(len(part) < 4096 for part in parts)
    assert sum(part.count("S0") for part in parts) == 400
    assert "Zmeškaná hodnocení" in parts[0]
    assert "(pokračování)" in parts[1]


def test_effective_schedule_and_offered_times() -> None:
    settings = ScheduleSettings()
    mine = effective_schedule(ScheduleOverride(preferred_time=time(18)), settings)
    assert (mine.interval_days, mine.preferred_time, mine.timezone) == (
        14,
        time(18),
        "Europe/Prague",
    )
    assert time_choices(settings) == tuple(time(h) for h in (8, 10, 12, 15, 18, 20))
    late = ScheduleSettings(quiet_start=time(19), quiet_end=time(9))
    assert time_choices(late) == tuple(time(h) for h in (10, 12, 15, 18))


# --- staff syntax ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "every 28 days at 09:30 tz Europe/London",
            ScheduleChange(28, time(9, 30), "Europe/London"),
        ),
        ("at 9:05", ScheduleChange(preferred_time=time(9, 5))),
        ("tz America/New_York every 7", ScheduleChange(7, None, "America/New_York")),
        ("EVERY 1 day", ScheduleChange(interval_days=1)),
        ("default", ScheduleChange(reset=True)),
        ("", ScheduleChange()),
    ],
)
def test_schedule_syntax(words: str, expected: ScheduleChange) -> None:
    assert parse_change(words.split()) == expected


@pytest.mark.parametrize(
    ("words", "key"),
    [
        ("every 0 days", "schedule-error-interval"),
        ("every 366", "schedule-error-interval"),
        ("every two weeks", "schedule-error-interval"),
        ("at 25:00", "schedule-error-time"),
        ("at noon", "schedule-error-time"),
        ("at", "schedule-usage"),
        ("weekly", "schedule-usage"),
        ("at 10:00 at 11:00", "schedule-usage"),
    ],
)
def test_bad_schedule_syntax_says_what_is_wrong(words: str, key: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_change(words.split())
    assert caught.value.key == key


def test_validation_refuses_unknown_zones_and_quiet_hours() -> None:
    settings = ScheduleSettings()
    with pytest.raises(ScheduleError) as zone:
        validate_change(ScheduleChange(timezone="Mars/Olympus_Mons"), settings)
    assert zone.value.key == "schedule-error-zone"
    with pytest.raises(ScheduleError) as quiet:
        validate_change(ScheduleChange(preferred_time=time(22)), settings)
    assert quiet.value.text(translator("en")) == (
        "22:00 is in the quiet hours (21:00–08:00), when no reminders are sent. "
        "Please choose another time."
    )
    validate_change(ScheduleChange(preferred_time=time(20, 59)), settings)
    current = ScheduleOverride(interval_days=28, preferred_time=time(9))
    assert apply_change(current, ScheduleChange(timezone="Asia/Tokyo")) == ScheduleOverride(
        interval_days=28, preferred_time=time(9), timezone="Asia/Tokyo"
    )
    assert apply_change(current, ScheduleChange(reset=True, interval_days=7)) == ScheduleOverride(
        interval_days=7
    )


# --- storage --------------------------------------------------------------------------------


async def test_schedule_changes_are_audited_with_who_and_on_whose_behalf(world: World) -> None:
    pid = await world.enroll("S001", patient=101)
    staff_link = await world.staff(900)
    staff = Actor(role=ActorRole.STAFF, link_id=staff_link)
    world.clock.now = ANCHOR + timedelta(days=2)
    change = ScheduleChange(interval_days=28, preferred_time=time(9, 30))
    assert await change_schedule(world.services, pid, change, staff, reason="protocol v2")
    assert not await change_schedule(world.services, pid, change, staff)  # the same again

    async def unit(tx: Tx) -> tuple[list[AuditEntry], schedules.ReminderInputs | None]:
        return await audit.entries(tx, subject="S001"), await schedules.inputs(tx, pid)

    entries, found = await world.db.read(unit)
    changes = [e for e in entries if e.action == "schedule.change"]
    assert len(changes) == 1
    entry = changes[0]
    assert (entry.actor_role, entry.actor_id, entry.on_behalf_of) == ("staff", staff_link, "S001")
    assert entry.old_value is not None
    assert entry.new_value is not None
    assert json.loads(entry.old_value) == {
        "interval_days": None,
        "preferred_time": None,
        "timezone": None,
    }
    assert json.loads(entry.new_value) == {
        "interval_days": 28,
        "preferred_time": "09:30",
        "timezone": None,
    }
    assert entry.reason == "protocol v2"
    assert found is not None
    assert found.override == ScheduleOverride(interval_days=28, preferred_time=time(9, 30))
    assert found.active_since == world.clock.now  # the schedule counts from the change


async def test_resuming_restarts_the_schedule_through_the_audit_trail(world: World) -> None:
    pid = await world.enroll("S001", patient=101)
    world.clock.now = ANCHOR + timedelta(days=1)
    await world.set_status(pid, ParticipantStatus.PAUSED)
    world.clock.now = ANCHOR + timedelta(days=30)
    assert await world.set_status(pid, ParticipantStatus.ACTIVE)

    async def unit(tx: Tx) -> schedules.ReminderInputs | None:
        return await schedules.inputs(tx, pid)

    found = await world.db.read(unit)
    assert found is not None
    assert found.active_since == ANCHOR + timedelta(days=30)


async def test_the_same_reminder_cannot_be_decided_twice(world: World) -> None:
    pid = await world.enroll("S001", patient=101)

    async def decide(tx: Tx) -> int:
        return await schedules.record_reminder(
            tx,
            pid,
            cycle_key="2027-05-17",
            kind="due",
            planned_at=ANCHOR,
            expires_at=ANCHOR + timedelta(days=3),
            to=await schedules.recipients(tx, pid),
            now=ANCHOR,
        )

    await world.db.write(decide)
    with pytest.raises(sqlite3.IntegrityError):
        await world.db.write(decide)


# --- the scheduler: when ----------------------------------------------------------------------


async def test_due_follow_up_missed_and_one_digest_in_two_time_zones(world: World) -> None:
    await world.staff(900)
    await world.enroll("S001", patient=101, caregivers=(102,))
    await world.enroll("S002", patient=201, zone="America/New_York")
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 22))
    prague, caregiver = world.telegram.to(101), world.telegram.to(102)
    new_york = world.telegram.to(201)
    assert kinds(prague) == kinds(caregiver) == kinds(new_york) == ["due", "follow-up"]
    assert [m.at for m in prague] == [loc(PRAGUE, 2027, 5, 17, 10), loc(PRAGUE, 2027, 5, 18, 10)]
    assert [m.at for m in caregiver] == [m.at for m in prague]
    assert [m.at for m in new_york] == [
        loc(NEW_YORK, 2027, 5, 17, 10),
        loc(NEW_YORK, 2027, 5, 18, 10),
    ]
    assert "participant <b>S001</b>" in caregiver[0].text
    assert "S001" not in prague[0].text
    assert prague[0].buttons == [("Start now", "m:assess:1")]
    press = parse(prague[0].buttons[0][1])
    assert press == MenuPress("assess", 1)  # the patient's own menu button: starts or resumes
    # Both windows closed on 20 May (10:00 Prague, 10:00 New York = 16:00 Prague): one digest,
    # at the next 09:00 in the study's zone.
    digests = world.telegram.to(900)
    assert len(digests) == 1
    assert digests[0].at == loc(PRAGUE, 2027, 5, 21, 9)
    assert "<b>Missed assessments, 21 May 2027</b>: 2 assessments were not answered" in (
        digests[0].text
    )
    assert "S001 · due 17 May 2027" in digests[0].text
    assert "S002 · due 17 May 2027" in digests[0].text


async def test_the_rhythm_goes_on_without_submissions(world: World) -> None:
    await world.enroll("S001", patient=101)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 6, 20))
    assert [wall(m.at) for m in world.telegram.to(101)] == [
        datetime(2027, 5, 17, 10),
        datetime(2027, 5, 18, 10),
        datetime(2027, 5, 31, 10),
        datetime(2027, 6, 1, 10),
        datetime(2027, 6, 14, 10),
        datetime(2027, 6, 15, 10),
    ]


async def test_reminders_come_in_the_recipients_language(world: World) -> None:
    await world.staff(900, "cs")
    await world.enroll("S001", patient=101, caregivers=(102,), language="cs")
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 22))
    assert "Je čas na vaše hodnocení ALSFRS" in world.telegram.to(101)[0].text
    assert world.telegram.to(101)[0].buttons[0][0] == "Začít teď"
    assert "Malá připomínka" in world.telegram.to(102)[1].text
    assert "jedno hodnocení nebylo zodpovězeno" in world.telegram.to(900)[0].text


@pytest.mark.parametrize(
    ("enrolled", "due", "follow_up", "digest"),
    [
        pytest.param(
            loc(PRAGUE, 2027, 3, 14, 12),
            utc(2027, 3, 28, 8),  # 10:00 CEST, on the day the clocks go forward
            utc(2027, 3, 29, 8),
            utc(2027, 4, 1, 7),  # 09:00 CEST
            id="spring-forward-2027-03-28",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 10, 17, 12),
            utc(2027, 10, 31, 9),  # 10:00 CET, on the day the clocks go back
            utc(2027, 11, 1, 9),
            utc(2027, 11, 4, 8),  # 09:00 CET
            id="fall-back-2027-10-31",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 3, 13, 12),
            utc(2027, 3, 27, 9),  # 10:00 CET the day before; the follow-up is in summer time
            utc(2027, 3, 28, 8),
            utc(2027, 3, 31, 7),
            id="follow-up-across-spring-forward",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 10, 16, 12),
            utc(2027, 10, 30, 8),  # 10:00 CEST the day before; the follow-up is in winter time
            utc(2027, 10, 31, 9),
            utc(2027, 11, 3, 8),
            id="follow-up-across-fall-back",
        ),
    ],
)
async def test_daylight_saving_moves_nothing_by_an_hour(
    world: World, enrolled: datetime, due: datetime, follow_up: datetime, digest: datetime
) -> None:
    world.clock.now = enrolled
    await world.staff(900)
    await world.enroll("S001", patient=101, at=enrolled)
    scheduler = await world.start()
    await world.run(scheduler, enrolled + timedelta(days=20))
    sent = world.telegram.to(101)
    assert [m.at for m in sent] == [due, follow_up]
    assert {wall(m.at).time() for m in sent} == {time(10)}
    assert [m.at for m in world.telegram.to(900)] == [digest]
    assert wall(digest).time() == time(9)


@pytest.mark.parametrize(
    "world",
    [study_with(quiet_start=time(0), quiet_end=time(0))],
    indirect=True,
    ids=["no-quiet-hours"],
)
async def test_half_past_two_on_both_change_days(world: World) -> None:
    spring, fall = loc(PRAGUE, 2027, 3, 14, 12), loc(PRAGUE, 2027, 10, 17, 12)
    for subject, uid, at in (("S001", 101, spring), ("S002", 201, fall)):
        world.clock.now = at
        pid = await world.enroll(subject, patient=uid, at=at)
        await change_schedule(
            world.services, pid, ScheduleChange(preferred_time=time(2, 30)), OPERATOR
        )
    world.clock.now = spring
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 11, 2))
    # 02:30 does not exist on 28 March: 03:00 CEST. It exists twice on 31 October: the first.
    assert world.telegram.to(101)[0].at == utc(2027, 3, 28, 1)
    assert wall(world.telegram.to(101)[0].at) == datetime(2027, 3, 28, 3, 0)
    october = [m.at for m in world.telegram.to(201) if m.at.month >= 10]
    assert october[:2] == [utc(2027, 10, 31, 0, 30), utc(2027, 11, 1, 1, 30)]


async def test_quiet_hours_hold_a_reminder_until_they_end(world: World) -> None:
    pid = await world.enroll("S001", patient=101)
    world.clock.now = ANCHOR + timedelta(days=1)
    await world.set_status(pid, ParticipantStatus.PAUSED)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 6, 20, 23))
    await world.set_status(pid, ParticipantStatus.ACTIVE)  # resumed at 23:00, in quiet hours
    await world.run(scheduler, loc(PRAGUE, 2027, 6, 22, 12))
    assert [wall(m.at) for m in world.telegram.to(101)] == [
        datetime(2027, 6, 21, 8, 0),  # waited for the end of the quiet hours
        datetime(2027, 6, 22, 8, 0),  # the follow-up, due at 23:00, waited too
    ]


async def test_after_a_night_down_the_overdue_reminder_waits_for_the_morning(
    world: World,
) -> None:
    await world.enroll("S001", patient=101)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 16))
    await scheduler.stop()
    world.clock.now = loc(PRAGUE, 2027, 5, 17, 23, 30)  # the bot was down all day
    restarted = await world.start()
    assert world.telegram.to(101) == []
    await world.run(restarted, loc(PRAGUE, 2027, 5, 18, 9))
    assert [wall(m.at) for m in world.telegram.to(101)] == [datetime(2027, 5, 18, 8)]


# --- the scheduler: submissions, pause, resume, withdrawal -----------------------------------


async def test_an_early_submission_resets_the_cycle(world: World) -> None:
    await world.enroll("S001", patient=101)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 13, 15))
    await world.submit(101)  # four days before it was due
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 29))
    assert [wall(m.at) for m in world.telegram.to(101)] == [
        datetime(2027, 5, 27, 10),
        datetime(2027, 5, 28, 10),
    ]


async def test_a_submission_after_the_reminder_stops_the_follow_up(world: World) -> None:
    await world.staff(900)
    await world.enroll("S001", patient=101)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 17, 18))
    await world.submit(101)
    await world.run(scheduler, loc(PRAGUE, 2027, 6, 1, 9))
    assert [wall(m.at) for m in world.telegram.to(101)] == [
        datetime(2027, 5, 17, 10),
        datetime(2027, 5, 31, 10),
    ]
    assert world.telegram.to(900) == []  # nothing missed


async def test_paused_withdrawn_and_resumed(world: World) -> None:
    await world.staff(900)
    paused = await world.enroll("S001", patient=101)
    withdrawn = await world.enroll("S002", patient=201)
    world.clock.now = ANCHOR + timedelta(days=3)
    await world.set_status(paused, ParticipantStatus.PAUSED)
    await world.set_status(withdrawn, ParticipantStatus.WITHDRAWN)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 6, 30, 15))
    assert world.telegram.messages == []
    assert not await world.set_status(withdrawn, ParticipantStatus.ACTIVE)  # final
    assert await world.set_status(paused, ParticipantStatus.ACTIVE)
    await world.run(scheduler, loc(PRAGUE, 2027, 7, 20))
    # One reminder when resumed (not a burst for the cycles missed while paused), its follow-up,
    # one missed notice three days later, and the rhythm counts from the resumption.
    assert [wall(m.at) for m in world.telegram.to(101)] == [
        datetime(2027, 6, 30, 15),
        datetime(2027, 7, 1, 15),
        datetime(2027, 7, 14, 10),
        datetime(2027, 7, 15, 10),
    ]
    assert world.telegram.to(201) == []
    assert [wall(m.at) for m in world.telegram.to(900)] == [
        datetime(2027, 7, 4, 9),
        datetime(2027, 7, 18, 9),
    ]


async def test_a_pending_reminder_is_dropped_when_the_participant_is_paused(
    world: World,
) -> None:
    pid = await world.enroll("S001", patient=101)
    world.telegram.outcomes.append(NetworkError("down"))  # the first try fails: network
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 17, 10))
    assert world.telegram.attempts == [101]
    await world.set_status(pid, ParticipantStatus.PAUSED)
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 25))
    assert world.telegram.messages == []
    assert await world.deliveries() == [("2027-05-17", "due", "dropped", "inactive")]


# --- the scheduler: restarts and failures -----------------------------------------------------


async def test_a_restart_while_a_reminder_is_due_sends_it_exactly_once(world: World) -> None:
    await world.enroll("S001", patient=101, caregivers=(102,))
    first = await world.start()
    await world.run(first, loc(PRAGUE, 2027, 5, 17, 9))
    await first.stop()
    world.clock.now = loc(PRAGUE, 2027, 5, 17, 13)  # down over the due time
    second = await world.start()
    assert [m.at for m in world.telegram.to(101)] == [world.clock.now]
    await second.stop()
    world.clock.now += timedelta(minutes=5)
    third = await world.start()
    await world.run(third, loc(PRAGUE, 2027, 5, 18, 12))
    assert kinds(world.telegram.to(101)) == kinds(world.telegram.to(102)) == ["due", "follow-up"]


async def test_a_crash_between_deciding_and_sending_sends_once_after_restart(
    world: World,
) -> None:
    await world.enroll("S001", patient=101)
    world.clock.now = loc(PRAGUE, 2027, 5, 17, 10)
    world.telegram.gate = asyncio.Event()  # Telegram never answers: the process dies waiting
    crashing = world.scheduler()
    await crashing.rebuild()
    tick = asyncio.create_task(crashing.tick())
    await world.telegram.entered.wait()
    tick.cancel()
    with pytest.raises(asyncio.CancelledError):
        await tick
    assert await world.deliveries() == [("2027-05-17", "due", "pending", None)]
    world.telegram.gate = None
    world.clock.now += timedelta(minutes=3)
    await world.start()
    await world.start()  # and once more: nothing twice
    assert [m.at for m in world.telegram.to(101)] == [loc(PRAGUE, 2027, 5, 17, 10, 3)]
    assert await world.deliveries() == [("2027-05-17", "due", "sent", None)]


async def test_a_pending_reminder_is_not_sent_after_its_window_closed(world: World) -> None:
    await world.enroll("S001", patient=101)
    world.clock.now = loc(PRAGUE, 2027, 5, 17, 10)
    world.telegram.outcomes.append(NetworkError("down"))
    first = await world.start()
    await first.stop()
    world.clock.now = loc(PRAGUE, 2027, 5, 21)  # back after the window closed
    await world.start()
    assert world.telegram.messages == []
    assert await world.deliveries() == [("2027-05-17", "due", "dropped", "expired")]


async def test_a_blocked_account_is_not_retried_and_the_others_still_get_it(
    world: World,
) -> None:
    await world.enroll("S001", patient=101, caregivers=(102,))
    world.telegram.blocked.add(101)
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 19))
    assert kinds(world.telegram.to(102)) == ["due", "follow-up"]
    assert world.telegram.attempts.count(101) == 2  # once per reminder, never again
    assert (await world.deliveries())[0] == ("2027-05-17", "due", "failed", "blocked")
    assert scheduler.stats.failed == 2


async def test_a_network_failure_is_retried_with_a_back_off(world: World) -> None:
    await world.enroll("S001", patient=101)
    world.telegram.outcomes.extend([NetworkError("down"), NetworkError("down")])
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 17, 12))
    assert [m.at for m in world.telegram.to(101)] == [loc(PRAGUE, 2027, 5, 17, 10, 3)]
    assert world.telegram.attempts == [101, 101, 101]  # 10:00, 10:01, 10:03


async def test_a_change_from_another_process_is_noticed_at_the_next_tick(world: World) -> None:
    pid = await world.enroll("S001", patient=101)
    scheduler = await world.start()
    world.clock.now = ANCHOR + timedelta(days=1)
    await scheduler.tick()
    assert scheduler.wake_of(pid) == loc(PRAGUE, 2027, 5, 17, 10)
    # The CLI (another process) sets the time; only the database and its audit trail change.
    await change_schedule(world.services, pid, ScheduleChange(preferred_time=time(15)), OPERATOR)
    await scheduler.tick()
    assert scheduler.wake_of(pid) == loc(PRAGUE, 2027, 5, 17, 15)
    await world.set_status(pid, ParticipantStatus.PAUSED)
    await scheduler.tick()
    assert scheduler.wake_of(pid) is None


async def test_each_site_s_staff_get_a_digest_of_only_their_participants(world: World) -> None:
    await world.staff(900, sites=frozenset({"CZ-BRNO"}))
    await world.staff(901, sites=frozenset({"CZ-PRAHA"}))
    await world.staff(902)  # study-wide
    await world.staff(903, sites=frozenset({"CZ-OSTRAVA"}))  # nobody missed there
    world.clock.now = ANCHOR
    await world.enroll("S001", patient=101, site="CZ-BRNO")
    await world.enroll("S002", patient=102, site="CZ-PRAHA")
    scheduler = await world.start()
    await world.run(scheduler, loc(PRAGUE, 2027, 5, 22, 12))
    [brno], [praha], [everyone] = (
        world.telegram.to(900),
        world.telegram.to(901),
        world.telegram.to(902),
    )
    assert "S001" in brno.text
    assert "S002" not in brno.text
    assert "one assessment was not answered" in brno.text
    assert "S002" in praha.text
    assert "S001" not in praha.text
    assert "S001" in everyone.text
    assert "S002" in everyone.text
    assert world.telegram.to(903) == []  # no empty digest


async def test_the_digest_goes_to_every_active_staff_member_once(world: World) -> None:
    await world.staff(900)
    await world.staff(901, "cs")
    gone = await world.staff(902)
    world.clock.now = ANCHOR
    for number in range(3):
        await world.enroll(f"S00{number}", patient=100 + number)

    async def revoke(tx: Tx) -> None:
        await people.revoke_link(tx, gone, actor=OPERATOR, now=ANCHOR)

    await world.db.write(revoke)
    first = await world.start()
    await world.run(first, loc(PRAGUE, 2027, 5, 21, 8))
    assert world.telegram.to(900) == []
    await world.run(first, loc(PRAGUE, 2027, 5, 21, 12))
    await first.stop()
    second = await world.start()  # a restart after the digest went out sends nothing again
    await world.run(second, loc(PRAGUE, 2027, 5, 22, 12))
    english, czech = world.telegram.to(900), world.telegram.to(901)
    assert len(english) == len(czech) == 1
    assert world.telegram.to(902) == []
    assert "3 assessments were not answered" in english[0].text
    assert "3 hodnocení nebyla zodpovězena" in czech[0].text
    assert all(f"S00{n}" in czech[0].text for n in range(3))


async def test_memory_of_the_scheduler_is_a_heap_entry_per_participant(world: World) -> None:
    for number in range(50):
        await world.enroll(f"S{number:03d}", patient=1000 + number)
    scheduler = world.scheduler(page_size=7)  # several pages
    assert await scheduler.rebuild() == 50
    assert scheduler.next_wakeup() == world.clock.now  # the first tick: the digest check
    await scheduler.tick()
    assert scheduler.next_wakeup() == loc(PRAGUE, 2027, 5, 4, 9)  # tomorrow's digest check
    assert {scheduler.wake_of(pid) for pid in range(1, 51)} == {loc(PRAGUE, 2027, 5, 17, 10)}
    assert scheduler.stats.rebuilt_participants == 50
