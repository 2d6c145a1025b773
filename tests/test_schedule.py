"""Reminder schedule arithmetic: cycles, quiet hours, daylight saving, pause, restarts, digest."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from conversations.domain.schedule import (
    Cycle,
    ParticipantSchedule,
    PlannedSend,
    ReminderKind,
    ReminderPlan,
    ScheduleSettings,
    after_quiet_hours,
    current_cycle,
    digest_at,
    digest_day,
    group_by_digest_day,
    in_quiet_hours,
    next_digest_at,
    next_wakeup,
    pending,
    plan_reminders,
    wall_clock_to_utc,
)
from storage.models import ParticipantStatus

PRAGUE = ZoneInfo("Europe/Prague")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
ZONES = [PRAGUE, NEW_YORK, TOKYO]

DUE = ReminderKind.DUE
FOLLOW_UP = ReminderKind.FOLLOW_UP
MISSED = ReminderKind.MISSED
ACTIVE = ParticipantStatus.ACTIVE

SETTINGS = ScheduleSettings()
NO_QUIET = ScheduleSettings(quiet_start=time(0, 0), quiet_end=time(0, 0))


def loc(zone: ZoneInfo, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A local wall time that exists and is not ambiguous, as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=zone).astimezone(UTC)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def sched(zone: ZoneInfo = PRAGUE, **changes: Any) -> ParticipantSchedule:
    return ParticipantSchedule(timezone=str(zone), **changes)


def make_plan(
    schedule: ParticipantSchedule,
    *,
    anchor: datetime,
    now: datetime,
    last: datetime | None = None,
    settings: ScheduleSettings = SETTINGS,
    status: ParticipantStatus = ACTIVE,
    active_since: datetime | None = None,
) -> ReminderPlan:
    return plan_reminders(
        schedule,
        settings,
        status=status,
        anchor=anchor,
        last_submission=last,
        now=now,
        active_since=active_since,
    )


def cycle_at(
    schedule: ParticipantSchedule,
    *,
    anchor: datetime,
    now: datetime,
    last: datetime | None = None,
    settings: ScheduleSettings = SETTINGS,
) -> Cycle:
    return current_cycle(schedule, settings, anchor=anchor, last_submission=last, now=now)


def kinds(sends: Sequence[PlannedSend]) -> list[tuple[str, ReminderKind]]:
    return [send.key for send in sends]


Log = list[tuple[str, ReminderKind, datetime]]


def simulate(
    schedule: ParticipantSchedule,
    *,
    anchor: datetime,
    until: datetime,
    settings: ScheduleSettings = SETTINGS,
    down: Sequence[tuple[datetime, datetime]] = (),
    submissions: Sequence[datetime] = (),
    poll: timedelta | None = None,
) -> Log:
    """A bot that re-plans at every wake-up and submission, and restarts after each downtime."""
    sent: dict[tuple[str, ReminderKind], datetime] = {}
    log: Log = []
    now = anchor
    while now < until:
        last = max((moment for moment in submissions if moment <= now), default=None)
        plan = make_plan(schedule, anchor=anchor, now=now, last=last, settings=settings)
        for send in pending(plan, sent.keys(), now):
            assert send.key not in sent, "sent twice"
            sent[send.key] = now
            log.append((send.cycle_key, send.kind, now))
        wake = next_wakeup(plan, sent.keys(), now)
        assert wake is not None
        assert wake > now
        following = [wake, *(moment for moment in submissions if moment > now)]
        if poll is not None:
            following.append(now + poll)
        now = min(following)
        for start, end in down:
            if start <= now < end:
                now = end
    return log


# Settings -----------------------------------------------------------------------------------


def test_defaults() -> None:
    assert SETTINGS.interval_days == 14
    assert SETTINGS.preferred_time == time(10, 0)
    assert SETTINGS.timezone == "Europe/Prague"
    assert (SETTINGS.quiet_start, SETTINGS.quiet_end) == (time(21, 0), time(8, 0))
    assert SETTINGS.follow_up_after_hours == 24
    assert SETTINGS.window_days == 3
    assert SETTINGS.digest_time == time(9, 0)
    assert ParticipantSchedule.from_settings(SETTINGS) == ParticipantSchedule()


@pytest.mark.parametrize(
    ("preferred", "quiet_start"),
    [("10:00:00", "21:30:00"), ('"10:00"', '"21:30"')],
    ids=["toml-local-time", "string"],
)
def test_the_schedule_table_of_a_study_file(preferred: str, quiet_start: str) -> None:
    text = f"""
[schedule]
interval_days = 28
preferred_time = {preferred}
timezone = "Asia/Tokyo"
quiet_start = {quiet_start}
quiet_end = 07:00:00
follow_up_after_hours = 12
window_days = 5
digest_time = 08:30:00
"""
    settings = ScheduleSettings.model_validate(tomllib.loads(text)["schedule"])
    assert settings.preferred_time == time(10, 0)
    assert settings.quiet_start == time(21, 30)
    assert settings.digest_time == time(8, 30)
    assert settings.zone == TOKYO
    schedule = ParticipantSchedule.from_settings(settings)
    assert (schedule.interval_days, schedule.timezone) == (28, "Asia/Tokyo")


@pytest.mark.parametrize(
    "bad",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"interval_days": 0},
        {"interval_days": 366},
        {"window_days": 0},
        {"follow_up_after_hours": 0},
        {"follow_up_after_hours": 72},
        {"preferred_time": "10:00+02:00"},
        {"digest_time": time(9, tzinfo=UTC)},
        {"quiet_start": "25:00"},
        {"reminders": True},
    ],
)
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ScheduleSettings.model_validate(bad)


def test_settings_and_schedules_are_frozen() -> None:
    with pytest.raises(ValidationError):
        SETTINGS.interval_days = 7
    with pytest.raises(ValidationError):
        ParticipantSchedule(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError):
        ParticipantSchedule(colour="red")  # type: ignore[call-arg]


# Local time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        pytest.param(PRAGUE, date(2027, 5, 17), time(10), utc(2027, 5, 17, 8), id="prague-summer"),
        pytest.param(PRAGUE, date(2027, 1, 17), time(10), utc(2027, 1, 17, 9), id="prague-winter"),
        pytest.param(NEW_YORK, date(2027, 5, 17), time(10), utc(2027, 5, 17, 14), id="ny"),
        pytest.param(TOKYO, date(2027, 5, 17), time(10), utc(2027, 5, 17, 1), id="tokyo"),
        pytest.param(
            PRAGUE, date(2027, 3, 28), time(2, 30), utc(2027, 3, 28, 1), id="prague-gap-to-0300"
        ),
        pytest.param(
            PRAGUE, date(2027, 10, 31), time(2, 30), utc(2027, 10, 31, 0, 30), id="prague-fold0"
        ),
        pytest.param(
            NEW_YORK, date(2027, 3, 14), time(2, 30), utc(2027, 3, 14, 7), id="ny-gap-to-0300"
        ),
        pytest.param(
            NEW_YORK, date(2027, 11, 7), time(1, 30), utc(2027, 11, 7, 5, 30), id="ny-fold0"
        ),
    ],
)
def test_wall_clock_to_utc(zone: ZoneInfo, day: date, at: time, expected: datetime) -> None:
    assert wall_clock_to_utc(day, at, zone) == expected
    assert wall_clock_to_utc(day, at, str(zone)) == expected
    assert expected.tzinfo is UTC


# Cycles in several zones --------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_due_follow_up_and_close_at_local_times(zone: ZoneInfo) -> None:
    schedule = sched(zone)
    anchor = loc(zone, 2027, 5, 3, 12)
    cycle = cycle_at(schedule, anchor=anchor, now=anchor)
    assert cycle.key == "2027-05-17"
    assert cycle.due_date == date(2027, 5, 17)
    assert cycle.due_at == loc(zone, 2027, 5, 17, 10)
    assert cycle.follow_up_at == loc(zone, 2027, 5, 18, 10)
    assert cycle.closes_at == loc(zone, 2027, 5, 20, 10)
    assert all(moment.tzinfo is UTC for moment in (cycle.due_at, cycle.closes_at))
    plan = make_plan(schedule, anchor=anchor, now=anchor)
    assert [(send.kind, wall(send.at, zone)) for send in plan.sends] == [
        (DUE, datetime(2027, 5, 17, 10)),
        (FOLLOW_UP, datetime(2027, 5, 18, 10)),
        (MISSED, datetime(2027, 5, 20, 10)),
    ]


@pytest.mark.parametrize(
    ("zone", "expected_utc_hour"), [(PRAGUE, 8), (NEW_YORK, 14), (TOKYO, 1)], ids=str
)
def test_the_same_preference_is_a_different_utc_instant(
    zone: ZoneInfo, expected_utc_hour: int
) -> None:
    anchor = loc(zone, 2027, 5, 3, 12)
    assert cycle_at(sched(zone), anchor=anchor, now=anchor).due_at == utc(
        2027, 5, 17, expected_utc_hour
    )


@pytest.mark.parametrize(
    ("zone", "anchor", "due_date"),
    [
        pytest.param(NEW_YORK, loc(NEW_YORK, 2027, 5, 3, 23, 30), date(2027, 5, 17), id="ny-late"),
        pytest.param(TOKYO, loc(TOKYO, 2027, 5, 4, 7), date(2027, 5, 18), id="tokyo-early"),
    ],
)
def test_the_local_date_counts_not_the_utc_date(
    zone: ZoneInfo, anchor: datetime, due_date: date
) -> None:
    assert anchor.date() != wall(anchor, zone).date()
    assert cycle_at(sched(zone), anchor=anchor, now=anchor).due_date == due_date


@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_without_submissions_the_rhythm_goes_on_and_each_miss_is_reported(zone: ZoneInfo) -> None:
    schedule = sched(zone)
    anchor = loc(zone, 2027, 5, 3, 12)
    now = loc(zone, 2027, 6, 1, 12)
    plan = make_plan(schedule, anchor=anchor, now=now)
    assert plan.cycle is not None
    assert plan.cycle.key == "2027-05-31"
    assert kinds(plan.sends) == [
        ("2027-05-17", MISSED),
        ("2027-05-31", DUE),
        ("2027-05-31", FOLLOW_UP),
        ("2027-05-31", MISSED),
    ]
    assert plan.next_cycle_at == loc(zone, 2027, 6, 14, 10)
    # The follow-up is due now; the old notice only if it never went out.
    assert kinds(pending(plan, set(), now)) == [("2027-05-17", MISSED), ("2027-05-31", FOLLOW_UP)]
    assert kinds(pending(plan, {("2027-05-17", "missed")}, now)) == [("2027-05-31", FOLLOW_UP)]


def test_the_cycle_between_its_close_and_the_next_due() -> None:
    anchor = loc(PRAGUE, 2027, 5, 3, 12)
    now = loc(PRAGUE, 2027, 5, 25, 12)
    cycle = cycle_at(sched(), anchor=anchor, now=now)
    assert cycle.key == "2027-05-17"
    assert not cycle.is_open(now)
    assert cycle.is_open(loc(PRAGUE, 2027, 5, 17, 10))
    assert not cycle.is_open(loc(PRAGUE, 2027, 5, 20, 10))


@pytest.mark.parametrize(
    ("interval", "closes", "follow_up"),
    [
        pytest.param(1, datetime(2027, 5, 5, 10), None, id="interval-1-window-ends-at-next-due"),
        pytest.param(
            2, datetime(2027, 5, 6, 10), datetime(2027, 5, 5, 10), id="interval-2-shorter"
        ),
        pytest.param(14, datetime(2027, 5, 7, 10), datetime(2027, 5, 5, 10), id="interval-14-full"),
    ],
)
def test_a_window_never_reaches_the_next_cycle(
    interval: int, closes: datetime, follow_up: datetime | None
) -> None:
    schedule = sched(interval_days=interval)
    anchor = loc(PRAGUE, 2027, 5, 4, 12) - timedelta(days=interval)
    cycle = cycle_at(schedule, anchor=anchor, now=anchor)
    assert wall(cycle.due_at, PRAGUE) == datetime(2027, 5, 4, 10)
    assert wall(cycle.closes_at, PRAGUE) == closes
    if follow_up is None:
        assert cycle.follow_up_at is None
    else:
        assert cycle.follow_up_at is not None
        assert wall(cycle.follow_up_at, PRAGUE) == follow_up
    plan = make_plan(schedule, anchor=anchor, now=anchor)
    assert [send.kind for send in plan.sends] == [DUE, *([FOLLOW_UP] if follow_up else []), MISSED]


# Quiet hours --------------------------------------------------------------------------------

NOON_TO_THREE = ScheduleSettings(quiet_start=time(13), quiet_end=time(15))


@pytest.mark.parametrize(
    ("settings", "at", "quiet"),
    [
        (SETTINGS, time(20, 59, 59), False),
        (SETTINGS, time(21), True),
        (SETTINGS, time(23, 59), True),
        (SETTINGS, time(0), True),
        (SETTINGS, time(7, 59, 59), True),
        (SETTINGS, time(8), False),
        (SETTINGS, time(12), False),
        (NOON_TO_THREE, time(12, 59), False),
        (NOON_TO_THREE, time(13), True),
        (NOON_TO_THREE, time(14, 59), True),
        (NOON_TO_THREE, time(15), False),
        (NOON_TO_THREE, time(23), False),
        (NO_QUIET, time(0), False),
        (NO_QUIET, time(23), False),
    ],
)
def test_in_quiet_hours(settings: ScheduleSettings, at: time, quiet: bool) -> None:
    assert in_quiet_hours(at, settings) is quiet


@pytest.mark.parametrize("zone", [PRAGUE, TOKYO], ids=str)
@pytest.mark.parametrize(
    ("settings", "at", "expected"),
    [
        pytest.param(SETTINGS, (17, 20, 59), (17, 20, 59), id="before"),
        pytest.param(SETTINGS, (17, 21, 0), (18, 8, 0), id="at-start"),
        pytest.param(SETTINGS, (17, 23, 30), (18, 8, 0), id="late-evening"),
        pytest.param(SETTINGS, (17, 0, 0), (17, 8, 0), id="midnight"),
        pytest.param(SETTINGS, (17, 7, 59), (17, 8, 0), id="early-morning"),
        pytest.param(SETTINGS, (17, 8, 0), (17, 8, 0), id="at-end"),
        pytest.param(NOON_TO_THREE, (17, 14, 0), (17, 15, 0), id="not-wrapping"),
        pytest.param(NOON_TO_THREE, (17, 23, 0), (17, 23, 0), id="not-wrapping-outside"),
    ],
)
def test_after_quiet_hours(
    zone: ZoneInfo,
    settings: ScheduleSettings,
    at: tuple[int, int, int],
    expected: tuple[int, int, int],
) -> None:
    day, hour, minute = at
    result = after_quiet_hours(loc(zone, 2027, 5, day, hour, minute), zone, settings)
    assert result.tzinfo is UTC
    assert wall(result, zone) == datetime(2027, 5, expected[0], expected[1], expected[2])


def test_quiet_hours_end_at_local_eight_across_spring_forward() -> None:
    evening = loc(PRAGUE, 2027, 3, 27, 22)  # CET
    morning = after_quiet_hours(evening, "Europe/Prague", SETTINGS)
    assert morning == utc(2027, 3, 28, 6)  # 08:00 CEST
    assert morning - evening == timedelta(hours=9)


def test_quiet_hours_ending_in_the_repeated_hour_end_on_the_second_pass() -> None:
    settings = ScheduleSettings(quiet_end=time(2, 30))
    second_pass = utc(2027, 10, 31, 1, 15)  # 02:15 CET, after 02:30 CEST has gone by
    assert wall(second_pass, PRAGUE) == datetime(2027, 10, 31, 2, 15)
    assert after_quiet_hours(second_pass, PRAGUE, settings) == utc(2027, 10, 31, 1, 30)
    first_pass = utc(2027, 10, 31, 0, 15)  # 02:15 CEST
    assert after_quiet_hours(first_pass, PRAGUE, settings) == utc(2027, 10, 31, 0, 30)


@pytest.mark.parametrize("zone", [PRAGUE, NEW_YORK], ids=str)
@pytest.mark.parametrize(
    ("preferred", "due", "follow_up"),
    [
        pytest.param(time(22), datetime(2027, 5, 18, 8), datetime(2027, 5, 19, 8), id="22:00"),
        pytest.param(time(21), datetime(2027, 5, 18, 8), datetime(2027, 5, 19, 8), id="21:00"),
        pytest.param(time(6), datetime(2027, 5, 17, 8), datetime(2027, 5, 18, 8), id="06:00"),
        pytest.param(time(8), datetime(2027, 5, 17, 8), datetime(2027, 5, 18, 8), id="08:00"),
        pytest.param(
            time(20, 59), datetime(2027, 5, 17, 20, 59), datetime(2027, 5, 18, 20, 59), id="20:59"
        ),
    ],
)
def test_reminders_inside_quiet_hours_wait_for_their_end(
    zone: ZoneInfo, preferred: time, due: datetime, follow_up: datetime
) -> None:
    schedule = sched(zone, preferred_time=preferred)
    anchor = loc(zone, 2027, 5, 3, 12)
    plan = make_plan(schedule, anchor=anchor, now=anchor)
    assert plan.cycle is not None
    assert wall(plan.cycle.due_at, zone).time() == preferred
    assert [(send.kind, wall(send.at, zone)) for send in plan.sends[:2]] == [
        (DUE, due),
        (FOLLOW_UP, follow_up),
    ]
    # The missed notice goes to staff and is not held back by the participant's night.
    assert plan.sends[2].at == plan.cycle.closes_at


def test_a_follow_up_that_quiet_hours_push_onto_its_reminder_is_dropped() -> None:
    settings = ScheduleSettings(follow_up_after_hours=6)
    schedule = sched(preferred_time=time(22))
    anchor = loc(PRAGUE, 2027, 5, 3, 12)
    plan = make_plan(schedule, anchor=anchor, now=anchor, settings=settings)
    # Due 22:00 and follow-up 04:00 both wait for 08:00: one reminder, not two at once.
    assert [(send.kind, wall(send.at, PRAGUE)) for send in plan.sends] == [
        (DUE, datetime(2027, 5, 18, 8)),
        (MISSED, datetime(2027, 5, 20, 22)),
    ]


# Daylight saving ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_day", "due", "follow_up", "closes"),
    [
        pytest.param(
            date(2027, 3, 27),
            utc(2027, 3, 27, 9),
            utc(2027, 3, 28, 8),
            utc(2027, 3, 30, 8),
            id="spring-forward-inside-window",
        ),
        pytest.param(
            date(2027, 3, 28),
            utc(2027, 3, 28, 8),
            utc(2027, 3, 29, 8),
            utc(2027, 3, 31, 8),
            id="due-on-spring-forward-day",
        ),
        pytest.param(
            date(2027, 10, 30),
            utc(2027, 10, 30, 8),
            utc(2027, 10, 31, 9),
            utc(2027, 11, 2, 9),
            id="fall-back-inside-window",
        ),
        pytest.param(
            date(2027, 10, 31),
            utc(2027, 10, 31, 9),
            utc(2027, 11, 1, 9),
            utc(2027, 11, 3, 9),
            id="due-on-fall-back-day",
        ),
    ],
)
def test_ten_o_clock_stays_ten_o_clock_across_daylight_saving(
    due_day: date, due: datetime, follow_up: datetime, closes: datetime
) -> None:
    anchor = loc(PRAGUE, due_day.year, due_day.month, due_day.day, 12) - timedelta(days=14)
    cycle = cycle_at(sched(), anchor=anchor, now=anchor)
    assert (cycle.due_at, cycle.follow_up_at, cycle.closes_at) == (due, follow_up, closes)
    for moment in (cycle.due_at, follow_up, cycle.closes_at):
        assert wall(moment, PRAGUE).time() == time(10)


@pytest.mark.parametrize(
    ("anchor", "offsets"),
    [
        pytest.param(loc(PRAGUE, 2027, 3, 10, 12), [1, 1, 1, 2, 2, 2], id="spring"),
        pytest.param(loc(PRAGUE, 2027, 10, 16, 12), [2, 1, 1, 1, 1, 1], id="fall"),
    ],
)
def test_a_whole_timeline_across_a_change_keeps_local_ten(
    anchor: datetime, offsets: list[int]
) -> None:
    log = simulate(sched(), anchor=anchor, until=anchor + timedelta(days=35))
    assert [kind for _, kind, _ in log] == [DUE, FOLLOW_UP, MISSED] * 2
    assert [moment.astimezone(PRAGUE).time() for _, _, moment in log] == [time(10)] * 6
    assert [
        int((moment.astimezone(PRAGUE).utcoffset() or timedelta()) / timedelta(hours=1))
        for _, _, moment in log
    ] == offsets


def test_half_past_two_on_the_spring_forward_day_moves_to_three() -> None:
    schedule = sched(preferred_time=time(2, 30))
    anchor = loc(PRAGUE, 2027, 3, 14, 12)
    cycle = cycle_at(schedule, anchor=anchor, now=anchor, settings=NO_QUIET)
    assert cycle.key == "2027-03-28"
    assert cycle.due_at == utc(2027, 3, 28, 1)
    assert wall(cycle.due_at, PRAGUE) == datetime(2027, 3, 28, 3, 0)
    assert cycle.follow_up_at == utc(2027, 3, 29, 0, 30)  # 02:30 CEST exists again
    assert cycle.closes_at == utc(2027, 3, 31, 0, 30)
    plan = make_plan(schedule, anchor=anchor, now=anchor, settings=NO_QUIET)
    assert plan.sends[0] == PlannedSend("2027-03-28", DUE, utc(2027, 3, 28, 1))
    # With the default quiet hours it simply waits for 08:00 CEST.
    assert make_plan(schedule, anchor=anchor, now=anchor).sends[0].at == utc(2027, 3, 28, 6)


def test_half_past_two_on_the_fall_back_day_is_the_first_occurrence() -> None:
    schedule = sched(preferred_time=time(2, 30))
    anchor = loc(PRAGUE, 2027, 10, 17, 12)
    cycle = cycle_at(schedule, anchor=anchor, now=anchor, settings=NO_QUIET)
    assert cycle.key == "2027-10-31"
    assert cycle.due_at == utc(2027, 10, 31, 0, 30)  # 02:30 CEST, not 02:30 CET
    assert cycle.follow_up_at == utc(2027, 11, 1, 1, 30)  # 02:30 CET
    assert cycle.closes_at == utc(2027, 11, 3, 1, 30)


def test_new_york_changes_on_another_date_than_prague() -> None:
    # 2027-03-14 to 2027-03-28: New York already on summer time, Prague not yet.
    prague = cycle_at(sched(PRAGUE), anchor=loc(PRAGUE, 2027, 3, 6, 12), now=utc(2027, 3, 6))
    new_york = cycle_at(sched(NEW_YORK), anchor=loc(NEW_YORK, 2027, 3, 6, 12), now=utc(2027, 3, 6))
    assert (prague.key, new_york.key) == ("2027-03-20", "2027-03-20")
    assert new_york.due_at - prague.due_at == timedelta(hours=5)


# Submissions --------------------------------------------------------------------------------

ANCHOR = loc(PRAGUE, 2027, 5, 3, 12)


@pytest.mark.parametrize(
    ("submitted", "next_key"),
    [
        pytest.param(loc(PRAGUE, 2027, 5, 14, 15), "2027-05-28", id="early"),
        pytest.param(loc(PRAGUE, 2027, 5, 17, 12), "2027-05-31", id="after-due"),
        pytest.param(loc(PRAGUE, 2027, 5, 18, 11), "2027-06-01", id="after-follow-up"),
        pytest.param(loc(PRAGUE, 2027, 5, 21, 12), "2027-06-04", id="late"),
        pytest.param(loc(PRAGUE, 2027, 5, 17, 23, 59), "2027-05-31", id="late-evening"),
    ],
)
def test_a_submission_restarts_the_count_from_its_local_date(
    submitted: datetime, next_key: str
) -> None:
    completed = cycle_at(sched(), anchor=ANCHOR, now=submitted)
    assert completed.key == "2027-05-17"
    later = [submitted + timedelta(hours=hours) for hours in range(0, 24 * 12, 5)]
    for now in later:
        plan = make_plan(sched(), anchor=ANCHOR, now=now, last=submitted)
        assert plan.cycle is not None
        assert plan.cycle.key == next_key
        assert all(send.cycle_key == next_key for send in plan.sends)
        assert pending(plan, set(), now) == []
    cycle = cycle_at(sched(), anchor=ANCHOR, now=submitted, last=submitted)
    assert wall(cycle.due_at, PRAGUE) == datetime.combine(date.fromisoformat(next_key), time(10))


def test_the_submitters_local_date_counts() -> None:
    submitted = loc(NEW_YORK, 2027, 5, 14, 23, 30)  # already 2027-05-15 in UTC
    cycle = cycle_at(sched(NEW_YORK), anchor=ANCHOR, now=submitted, last=submitted)
    assert cycle.key == "2027-05-28"


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        pytest.param(
            loc(PRAGUE, 2027, 5, 14, 15),
            [("2027-05-28", DUE), ("2027-05-28", FOLLOW_UP), ("2027-05-28", MISSED)],
            id="early",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 5, 17, 12),
            [("2027-05-17", DUE), ("2027-05-31", DUE), ("2027-05-31", FOLLOW_UP)],
            id="after-due",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 5, 18, 11),
            [("2027-05-17", DUE), ("2027-05-17", FOLLOW_UP), ("2027-06-01", DUE)],
            id="after-follow-up",
        ),
    ],
)
def test_no_reminder_after_the_submission_that_completes_the_cycle(
    submitted: datetime, expected: list[tuple[str, ReminderKind]]
) -> None:
    log = simulate(
        sched(), anchor=ANCHOR, until=loc(PRAGUE, 2027, 6, 1, 12), submissions=[submitted]
    )
    assert [(key, kind) for key, kind, _ in log] == expected
    assert all(moment < submitted for key, _, moment in log if key == "2027-05-17")


def test_a_new_preferred_time_does_not_send_the_same_reminder_again() -> None:
    sent = {("2027-05-17", DUE)}  # went out at 10:00
    now = loc(PRAGUE, 2027, 5, 17, 12)
    evening = sched(preferred_time=time(18))
    plan = make_plan(evening, anchor=ANCHOR, now=now)
    assert plan.cycle is not None
    assert plan.cycle.key == "2027-05-17"
    assert pending(plan, sent, loc(PRAGUE, 2027, 5, 17, 18)) == []
    assert next_wakeup(plan, sent, now) == loc(PRAGUE, 2027, 5, 18, 18)


# Pause, withdrawal, resumption --------------------------------------------------------------


@pytest.mark.parametrize("status", [ParticipantStatus.PAUSED, ParticipantStatus.WITHDRAWN])
@pytest.mark.parametrize(
    "now",
    [
        loc(PRAGUE, 2027, 5, 10),
        loc(PRAGUE, 2027, 5, 17, 10),
        loc(PRAGUE, 2027, 5, 18, 12),
        loc(PRAGUE, 2027, 5, 25),
    ],
    ids=["before", "due", "follow-up", "closed"],
)
def test_paused_and_withdrawn_participants_get_nothing(
    status: ParticipantStatus, now: datetime
) -> None:
    plan = make_plan(sched(), anchor=ANCHOR, now=now, status=status)
    assert plan.sends == ()
    assert not plan.active
    assert pending(plan, set(), now) == []
    assert next_wakeup(plan, set(), now) is None


@pytest.mark.parametrize(
    ("resumed", "first_reminder"),
    [
        pytest.param(loc(PRAGUE, 2027, 8, 20, 15), loc(PRAGUE, 2027, 8, 20, 15), id="afternoon"),
        pytest.param(loc(PRAGUE, 2027, 8, 20, 23), loc(PRAGUE, 2027, 8, 21, 8), id="at-night"),
    ],
)
def test_resuming_long_after_the_due_date_sends_one_reminder_not_a_burst(
    resumed: datetime, first_reminder: datetime
) -> None:
    last = loc(PRAGUE, 2027, 5, 14, 15)  # next due 2027-05-28; paused soon after
    plan = make_plan(sched(), anchor=ANCHOR, now=resumed, last=last, active_since=resumed)
    assert plan.cycle is not None
    assert plan.cycle.due_at == resumed
    key = wall(resumed, PRAGUE).date().isoformat()
    assert kinds(plan.sends) == [(key, DUE), (key, FOLLOW_UP), (key, MISSED)]
    assert plan.sends[0].at == first_reminder
    assert plan.sends[2].at == resumed + timedelta(days=3)
    assert next_wakeup(plan, set(), resumed) == first_reminder
    assert pending(plan, set(), first_reminder) == [plan.sends[0]]
    assert plan.next_cycle_at == loc(PRAGUE, 2027, 9, 3, 10)


def test_resuming_before_the_due_date_changes_nothing() -> None:
    last = loc(PRAGUE, 2027, 5, 14, 15)
    resumed = loc(PRAGUE, 2027, 5, 20, 9)
    with_resume = make_plan(sched(), anchor=ANCHOR, now=resumed, last=last, active_since=resumed)
    without = make_plan(sched(), anchor=ANCHOR, now=resumed, last=last)
    assert with_resume == without


def test_resuming_on_the_due_day_after_the_reminder_went_out_does_not_repeat_it() -> None:
    resumed = loc(PRAGUE, 2027, 5, 17, 12)
    plan = make_plan(sched(), anchor=ANCHOR, now=resumed, active_since=resumed)
    assert kinds(plan.sends)[0] == ("2027-05-17", DUE)
    assert pending(plan, {("2027-05-17", DUE)}, resumed) == []
    assert next_wakeup(plan, {("2027-05-17", DUE)}, resumed) == loc(PRAGUE, 2027, 5, 18, 12)


# Restarts -----------------------------------------------------------------------------------

BASELINE: Log = [
    ("2027-05-17", DUE, loc(PRAGUE, 2027, 5, 17, 10)),
    ("2027-05-17", FOLLOW_UP, loc(PRAGUE, 2027, 5, 18, 10)),
    ("2027-05-17", MISSED, loc(PRAGUE, 2027, 5, 20, 10)),
    ("2027-05-31", DUE, loc(PRAGUE, 2027, 5, 31, 10)),
    ("2027-05-31", FOLLOW_UP, loc(PRAGUE, 2027, 6, 1, 10)),
    ("2027-05-31", MISSED, loc(PRAGUE, 2027, 6, 3, 10)),
]
UNTIL = loc(PRAGUE, 2027, 6, 10)


def replaced(log: Log, **changes: tuple[str, ReminderKind, datetime] | None) -> Log:
    """The baseline with entries (named kind_key, e.g. DUE_0517) moved or removed."""
    result: Log = []
    for key, kind, moment in log:
        name = f"{kind.name}_{key[5:7]}{key[8:]}"
        if name in changes:
            change = changes[name]
            if change is not None:
                result.append(change)
        else:
            result.append((key, kind, moment))
    return sorted(result, key=lambda entry: entry[2])


def test_a_bot_that_never_stops_sends_everything_on_time() -> None:
    assert simulate(sched(), anchor=ANCHOR, until=UNTIL) == BASELINE


def test_polling_often_never_sends_twice() -> None:
    log = simulate(sched(), anchor=ANCHOR, until=UNTIL, poll=timedelta(minutes=47))
    assert [(key, kind) for key, kind, _ in log] == [(key, kind) for key, kind, _ in BASELINE]


@pytest.mark.parametrize(
    ("down", "expected"),
    [
        pytest.param(
            (loc(PRAGUE, 2027, 5, 17, 9), loc(PRAGUE, 2027, 5, 17, 14)),
            replaced(BASELINE, DUE_0517=("2027-05-17", DUE, loc(PRAGUE, 2027, 5, 17, 14))),
            id="missed-due-sent-once-at-start",
        ),
        pytest.param(
            (loc(PRAGUE, 2027, 5, 17, 9), loc(PRAGUE, 2027, 5, 17, 22, 30)),
            replaced(BASELINE, DUE_0517=("2027-05-17", DUE, loc(PRAGUE, 2027, 5, 18, 8))),
            id="restart-in-quiet-hours-waits-for-morning",
        ),
        pytest.param(
            (loc(PRAGUE, 2027, 5, 16), loc(PRAGUE, 2027, 5, 19, 12)),
            replaced(
                BASELINE,
                DUE_0517=None,
                FOLLOW_UP_0517=("2027-05-17", FOLLOW_UP, loc(PRAGUE, 2027, 5, 19, 12)),
            ),
            id="down-over-both-reminders-sends-one",
        ),
        pytest.param(
            (loc(PRAGUE, 2027, 5, 16), loc(PRAGUE, 2027, 5, 21)),
            replaced(
                BASELINE,
                DUE_0517=None,
                FOLLOW_UP_0517=None,
                MISSED_0517=("2027-05-17", MISSED, loc(PRAGUE, 2027, 5, 21)),
            ),
            id="window-closed-only-missed",
        ),
        pytest.param(
            (loc(PRAGUE, 2027, 5, 16), loc(PRAGUE, 2027, 6, 1, 12)),
            replaced(
                BASELINE,
                DUE_0517=None,
                FOLLOW_UP_0517=None,
                MISSED_0517=("2027-05-17", MISSED, loc(PRAGUE, 2027, 6, 1, 12)),
                DUE_0531=None,
                FOLLOW_UP_0531=("2027-05-31", FOLLOW_UP, loc(PRAGUE, 2027, 6, 1, 12)),
            ),
            id="down-for-a-whole-cycle",
        ),
        pytest.param(
            (loc(PRAGUE, 2027, 5, 20, 9), loc(PRAGUE, 2027, 5, 30)),
            replaced(BASELINE, MISSED_0517=("2027-05-17", MISSED, loc(PRAGUE, 2027, 5, 30))),
            id="missed-notice-late-but-once",
        ),
    ],
)
def test_restarts(down: tuple[datetime, datetime], expected: Log) -> None:
    assert simulate(sched(), anchor=ANCHOR, until=UNTIL, down=[down]) == expected


def test_pending_after_a_restart() -> None:
    now = loc(PRAGUE, 2027, 5, 17, 14)
    plan = make_plan(sched(), anchor=ANCHOR, now=now)
    assert kinds(pending(plan, set(), now)) == [("2027-05-17", DUE)]
    # Keys as the caller loads them from storage: plain strings.
    assert pending(plan, {("2027-05-17", "due")}, now) == []
    assert pending(plan, {("2027-05-17", DUE)}, now) == []
    # A later reminder of the cycle already sent: the earlier one never goes out.
    later = loc(PRAGUE, 2027, 5, 18, 14)
    assert pending(plan, {("2027-05-17", FOLLOW_UP)}, later) == []
    assert kinds(pending(plan, set(), later)) == [("2027-05-17", FOLLOW_UP)]
    # The window has closed: only the missed notice, once.
    closed = loc(PRAGUE, 2027, 5, 21)
    assert kinds(pending(plan, set(), closed)) == [("2027-05-17", MISSED)]
    assert pending(plan, {("2027-05-17", MISSED)}, closed) == []


@pytest.mark.parametrize(
    ("now", "sent", "expected"),
    [
        pytest.param(loc(PRAGUE, 2027, 5, 10), set(), loc(PRAGUE, 2027, 5, 17, 10), id="before"),
        pytest.param(
            loc(PRAGUE, 2027, 5, 17, 10), set(), loc(PRAGUE, 2027, 5, 17, 10), id="due-now"
        ),
        pytest.param(
            loc(PRAGUE, 2027, 5, 17, 10),
            {("2027-05-17", DUE)},
            loc(PRAGUE, 2027, 5, 18, 10),
            id="then-follow-up",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 5, 18, 10),
            {("2027-05-17", DUE), ("2027-05-17", FOLLOW_UP)},
            loc(PRAGUE, 2027, 5, 20, 10),
            id="then-missed",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 5, 20, 10),
            {("2027-05-17", DUE), ("2027-05-17", FOLLOW_UP), ("2027-05-17", MISSED)},
            loc(PRAGUE, 2027, 5, 31, 10),
            id="then-next-cycle",
        ),
        pytest.param(
            loc(PRAGUE, 2027, 5, 17, 23), set(), loc(PRAGUE, 2027, 5, 18, 8), id="quiet-overdue"
        ),
    ],
)
def test_next_wakeup(
    now: datetime, sent: set[tuple[str, ReminderKind]], expected: datetime
) -> None:
    plan = make_plan(sched(), anchor=ANCHOR, now=now)
    assert next_wakeup(plan, sent, now) == expected


# Staff digest -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 5, 18), utc(2027, 5, 18, 7)),
        (date(2027, 3, 27), utc(2027, 3, 27, 8)),
        (date(2027, 3, 28), utc(2027, 3, 28, 7)),
        (date(2027, 10, 30), utc(2027, 10, 30, 7)),
        (date(2027, 10, 31), utc(2027, 10, 31, 8)),
    ],
)
def test_digest_at_nine_study_time(day: date, expected: datetime) -> None:
    assert digest_at(SETTINGS, day) == expected


def test_digest_in_another_study_zone() -> None:
    settings = ScheduleSettings(timezone="Asia/Tokyo", digest_time=time(8, 30))
    assert digest_at(settings, date(2027, 5, 18)) == utc(2027, 5, 17, 23, 30)
    assert digest_day(utc(2027, 5, 17, 23), settings) == date(2027, 5, 18)


@pytest.mark.parametrize(
    ("missed", "day"),
    [
        pytest.param(loc(PRAGUE, 2027, 5, 17, 0), date(2027, 5, 17), id="midnight"),
        pytest.param(loc(PRAGUE, 2027, 5, 17, 8, 59), date(2027, 5, 17), id="before"),
        pytest.param(loc(PRAGUE, 2027, 5, 17, 9), date(2027, 5, 17), id="at"),
        pytest.param(loc(PRAGUE, 2027, 5, 17, 9, 1), date(2027, 5, 18), id="after"),
        pytest.param(loc(PRAGUE, 2027, 5, 17, 23, 59), date(2027, 5, 18), id="late"),
        pytest.param(loc(TOKYO, 2027, 5, 18, 7), date(2027, 5, 18), id="tokyo-utc-day-before"),
    ],
)
def test_digest_day(missed: datetime, day: date) -> None:
    assert digest_day(missed, SETTINGS) == day
    assert next_digest_at(SETTINGS, missed) == digest_at(SETTINGS, day)


def test_the_digest_gathers_one_days_missed_notices() -> None:
    notices: list[tuple[str, PlannedSend]] = []
    for subject, zone in [("S001", PRAGUE), ("S002", NEW_YORK), ("S003", TOKYO), ("S004", PRAGUE)]:
        anchor = loc(zone, 2027, 5, 3, 12) if subject != "S004" else loc(PRAGUE, 2027, 5, 4, 12)
        plan = make_plan(sched(zone), anchor=anchor, now=anchor)
        notices += [(subject, send) for send in plan.sends if send.kind is MISSED]
    groups = group_by_digest_day(notices, SETTINGS, lambda notice: notice[1].at)
    # Tokyo's window closes at 03:00 Prague time, before the 09:00 digest; Prague's at 10:00
    # and New York's at 16:00 wait for the next morning's.
    assert {day: [subject for subject, _ in items] for day, items in groups.items()} == {
        date(2027, 5, 20): ["S003"],
        date(2027, 5, 21): ["S001", "S002"],
        date(2027, 5, 22): ["S004"],
    }
    assert list(groups) == sorted(groups)


# Inputs -------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2027, 5, 17, 10)
    with pytest.raises(ValueError, match="anchor"):
        cycle_at(sched(), anchor=naive, now=ANCHOR)
    with pytest.raises(ValueError, match="now"):
        make_plan(sched(), anchor=ANCHOR, now=naive)
    with pytest.raises(ValueError, match="last_submission"):
        make_plan(sched(), anchor=ANCHOR, now=ANCHOR, last=naive)
    with pytest.raises(ValueError, match="instant"):
        after_quiet_hours(naive, PRAGUE, SETTINGS)
    with pytest.raises(ValueError, match="missed_at"):
        digest_day(naive, SETTINGS)
    plan = make_plan(sched(), anchor=ANCHOR, now=ANCHOR)
    with pytest.raises(ValueError, match="now"):
        pending(plan, set(), naive)


def test_instants_in_other_offsets_are_the_same_instants() -> None:
    anchor = ANCHOR.astimezone(TOKYO)
    assert make_plan(sched(), anchor=anchor, now=anchor) == make_plan(
        sched(), anchor=ANCHOR, now=ANCHOR
    )
