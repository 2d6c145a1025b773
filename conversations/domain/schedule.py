"""When to remind a participant to answer the ALSFRS, as pure arithmetic on instants and zones.

No Telegram, no SQL, no clock: every function takes `now` (or an instant) and returns aware UTC
datetimes. The job queue asks `plan_reminders` what the current cycle looks like, `pending` what
to send now and `next_wakeup` when to ask again; the caller stores the key of everything it
sends and passes those keys back.

The cycle model
---------------
Wall-clock arithmetic happens on local dates and times in the participant's zone; only the
result is converted to UTC (see "Local time" below), so a 10:00 preference stays 10:00 local
across daylight-saving changes.

* Base: the last submission, or, when there is none, the anchor (enrollment or the schedule's
  start). Any submission moves the base, so it completes whatever cycle was current, whether it
  came early, inside the window or after the window closed.
* Cycle 1 falls due on the base's local date + `interval_days`, at the preferred local time.
  Cycle n + 1 falls due on the local date cycle n fell due + `interval_days`, at the preferred
  time: without a submission the schedule keeps its rhythm.
* Not before the participant was active: when cycle 1's due time lies before `active_since`
  (the participant was resumed, or staff changed the schedule, after it), it falls due at
  `active_since` instead, and the chain continues from that local date. Cycles that would have
  fallen due while the participant was paused do not exist: no burst of old reminders, no missed
  notices for them.
* A cycle's key is the local date it falls due, ISO (`2027-05-17`). Together with a kind it
  identifies one message for ever: the caller stores (key, kind) when it sends.
* Window: from the due time to `closes_at` = due wall time + `window_days` days, but never past
  the next cycle's due time (short intervals get shorter windows).
* DUE at the due time; FOLLOW_UP at due wall time + `follow_up_after_hours` hours (wall clock:
  24 hours after 10:00 is 10:00 the next day, 23 or 25 elapsed hours across a change), only
  when that is still inside the window; MISSED to staff when the window closes without a
  submission.
* Quiet hours (participant's zone, `quiet_start` inclusive to `quiet_end` exclusive, may wrap
  midnight; equal ends mean none) delay DUE and FOLLOW_UP to their end; a reminder pushed to or
  past the window's close is dropped, and a follow-up that lands on its reminder's instant is
  dropped too. MISSED goes to staff in a daily digest and ignores the participant's quiet hours.
* The current cycle at `now` is the last one whose due time is at or before `now` (the first one
  when none is yet). A plan holds its sends and the MISSED notices of earlier cycles of the same
  chain (since the base), so a notice lost to downtime is still delivered.
* Only active participants are planned for; a paused or withdrawn participant gets an empty plan.
  Re-plan whenever an input changes: a submission, a status or schedule change, and at every
  wake-up.

Sending (`pending`): a MISSED notice is due once its window has closed and it has not been sent;
once the window has closed, the cycle's reminders are never sent. While the window is open, the
latest reminder whose time has come is sent, once, outside quiet hours; it stands for the earlier
ones (after downtime over both DUE and FOLLOW_UP only the follow-up goes out, and a DUE is never
sent after its cycle's FOLLOW_UP).

Digest: a MISSED notice belongs to the first digest at or after it, `digest_time` local in
`ScheduleSettings.timezone` (the study's zone); `digest_day` names that study-local date.

Staff and operator input (`parse_change`, `parse_time`, `validate_change`): the words of
`/schedule` and the options of `alsfrs-bot schedule`, parsed and checked without I/O; a
`ScheduleError` names the message (a locale key) to show. `time_choices` are the times of day a
participant may tap with `/time`.

Local time: a wall time that does not exist (spring forward, e.g. 02:30 in Europe/Prague on
2027-03-28) becomes the first instant after the gap (03:00 CEST); an ambiguous one (fall back,
02:30 on 2027-10-31) is its first occurrence (fold=0, CEST).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from html import escape
from math import ceil, floor
from typing import Annotated, Final, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "TIME_CHOICES",
    "Cycle",
    "ParticipantSchedule",
    "PlannedSend",
    "ReminderKind",
    "ReminderPlan",
    "ScheduleChange",
    "ScheduleError",
    "ScheduleSettings",
    "after_quiet_hours",
    "current_cycle",
    "digest_at",
    "digest_day",
    "group_by_digest_day",
    "hhmm",
    "in_quiet_hours",
    "is_canonical_zone",
    "next_digest_at",
    "next_wakeup",
    "parse_change",
    "parse_time",
    "pending",
    "plan_reminders",
    "time_choices",
    "validate_change",
    "wall_clock_to_utc",
]

ACTIVE: Final = "active"  # the participant status in which reminders are planned

_T = TypeVar("_T")


_ZONE_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}", re.ASCII)
# Names in the zone database that are not places: the host's own zone, the alternative trees
# (leap-second and POSIX copies) and the placeholder zone.
_NOT_PLACES: Final = frozenset({"localtime", "Factory", "posixrules"})


@cache
def _places() -> frozenset[str]:
    return frozenset(available_timezones())


def is_canonical_zone(value: str) -> bool:
    """Whether `value` names a place in the IANA zone database (`Europe/Prague`, `UTC`), not
    the host's `localtime`, a `right/` or `posix/` copy, `Factory`, or a path."""
    if len(value) > 64 or not _ZONE_NAME.fullmatch(value) or value in _NOT_PLACES:
        return False
    if value.split("/", 1)[0] in ("right", "posix"):
        return False
    if value not in _places():
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _known_zone(value: str) -> str:
    if not is_canonical_zone(value):
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise ValueError(f"unknown time zone {shown!r}")
    return value


def _naive_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local time of day, without a UTC offset")
    return value


ZoneName = Annotated[str, AfterValidator(_known_zone)]
LocalTime = Annotated[time, AfterValidator(_naive_time)]
IntervalDays = Annotated[int, Field(ge=1, le=365)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleSettings(_Strict):
    """The study's `[schedule]`: defaults for participants and the reminder rules for all."""

    interval_days: IntervalDays = 14
    preferred_time: LocalTime = time(10, 0)
    # The study's zone: new participants' default, and the zone of the staff digest.
    timezone: ZoneName = "Europe/Prague"
    quiet_start: LocalTime = time(21, 0)
    quiet_end: LocalTime = time(8, 0)
    follow_up_after_hours: Annotated[int, Field(ge=1)] = 24
    window_days: Annotated[int, Field(ge=1, le=365)] = 3
    digest_time: LocalTime = time(9, 0)

    @model_validator(mode="after")
    def _follow_up_inside_window(self) -> Self:
        if self.follow_up_after_hours >= self.window_days * 24:
            raise ValueError("follow_up_after_hours must be shorter than window_days")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ParticipantSchedule(_Strict):
    """One participant's schedule: staff set it; the respondent may change the time of day."""

    interval_days: IntervalDays = 14
    preferred_time: LocalTime = time(10, 0)
    timezone: ZoneName = "Europe/Prague"

    @classmethod
    def from_settings(cls, settings: ScheduleSettings) -> ParticipantSchedule:
        """The study's defaults."""
        return cls(
            interval_days=settings.interval_days,
            preferred_time=settings.preferred_time,
            timezone=settings.timezone,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ReminderKind(StrEnum):
    DUE = "due"
    FOLLOW_UP = "follow_up"
    MISSED = "missed"


_ORDER = {ReminderKind.DUE: 0, ReminderKind.FOLLOW_UP: 1, ReminderKind.MISSED: 2}


@dataclass(frozen=True, slots=True)
class Cycle:
    """One assessment cycle: instants in UTC, before quiet hours are applied."""

    key: str
    due_date: date
    due_at: datetime
    follow_up_at: datetime | None  # None when it would not fall inside the window
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.due_at <= _utc(now, "now") < self.closes_at


@dataclass(frozen=True, slots=True)
class PlannedSend:
    """One message: to the participant (DUE, FOLLOW_UP) or to staff (MISSED), not before `at`."""

    cycle_key: str
    kind: ReminderKind
    at: datetime

    @property
    def key(self) -> tuple[str, ReminderKind]:
        """What the caller stores when it sends, and passes back in `sent`."""
        return (self.cycle_key, self.kind)


@dataclass(frozen=True, slots=True)
class ReminderPlan:
    """What `plan_reminders` decided at one `now`: input to `pending` and `next_wakeup`."""

    sends: tuple[PlannedSend, ...]
    cycle: Cycle | None  # the current cycle; None for a participant who is not active
    next_cycle_at: datetime | None  # when the next cycle falls due: re-plan then at the latest
    timezone: str  # the participant's, for quiet hours
    settings: ScheduleSettings

    @property
    def active(self) -> bool:
        return self.cycle is not None


# Local time ---------------------------------------------------------------------------------


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not naive")
    return moment.astimezone(UTC)


def _zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(_known_zone(zone))


def _local_wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _resolve(wall: datetime, zone: ZoneInfo, fold: int = 0) -> datetime:
    """A naive local wall time as a UTC instant (see "Local time" in the module docstring)."""
    guess = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    if _local_wall(guess, zone) == wall:
        return guess
    # In a gap. fold=1 reads the wall time with the offset after the transition, an instant
    # before the gap; fold=0 with the offset before it, an instant after the gap. The first
    # instant whose local wall time reaches `wall` is the transition, to the second.
    low = floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = ceil(wall.replace(tzinfo=zone, fold=0).timestamp())
    if low >= high:
        return guess
    while high - low > 1:
        middle = (low + high) // 2
        if _local_wall(datetime.fromtimestamp(middle, UTC), zone) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def wall_clock_to_utc(day: date, at: time, zone: ZoneInfo | str) -> datetime:
    """`at` local on `day` in `zone`, as UTC; a time in a gap moves to the gap's end and an
    ambiguous time is its first occurrence."""
    return _resolve(datetime.combine(day, _naive_time_of(at)), _zone(zone))


def _naive_time_of(at: time) -> time:
    return at.replace(tzinfo=None)


# Quiet hours --------------------------------------------------------------------------------


def in_quiet_hours(at: time, settings: ScheduleSettings) -> bool:
    """Whether a local time of day is quiet: start inclusive, end exclusive, may wrap midnight.

    Equal start and end mean no quiet hours at all."""
    moment = _naive_time_of(at)
    start, end = settings.quiet_start, settings.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def after_quiet_hours(
    instant: datetime, zone: ZoneInfo | str, settings: ScheduleSettings
) -> datetime:
    """`instant` in UTC, or the end of the quiet hours it falls in (local in `zone`)."""
    moment = _utc(instant, "instant")
    tz = _zone(zone)
    local = moment.astimezone(tz)
    if not in_quiet_hours(local.time(), settings):
        return moment
    end_day = local.date()
    if settings.quiet_start > settings.quiet_end and local.time() >= settings.quiet_start:
        end_day += timedelta(days=1)
    wall = datetime.combine(end_day, settings.quiet_end)
    end = _resolve(wall, tz)
    if end <= moment:
        # The second pass through a repeated hour on a fall-back night ends at its second pass.
        end = _resolve(wall, tz, fold=1)
    return max(end, moment)


# Cycles -------------------------------------------------------------------------------------


def _cycles(
    schedule: ParticipantSchedule,
    settings: ScheduleSettings,
    base: datetime,
    active_since: datetime | None,
) -> Iterator[Cycle]:
    zone = schedule.zone
    interval = timedelta(days=schedule.interval_days)
    day = base.astimezone(zone).date() + interval
    wall = datetime.combine(day, schedule.preferred_time)
    due = _resolve(wall, zone)
    if active_since is not None and due < active_since:
        due = active_since
        wall = _local_wall(active_since, zone)
        day = wall.date()
    while True:
        next_day = day + interval
        next_wall = datetime.combine(next_day, schedule.preferred_time)
        next_due = _resolve(next_wall, zone)
        closes = min(_resolve(wall + timedelta(days=settings.window_days), zone), next_due)
        follow_up = _resolve(wall + timedelta(hours=settings.follow_up_after_hours), zone)
        yield Cycle(
            key=day.isoformat(),
            due_date=day,
            due_at=due,
            follow_up_at=follow_up if due < follow_up < closes else None,
            closes_at=closes,
        )
        day, wall, due = next_day, next_wall, next_due


def _walk(
    schedule: ParticipantSchedule,
    settings: ScheduleSettings,
    *,
    anchor: datetime,
    last_submission: datetime | None,
    now: datetime,
    active_since: datetime | None,
) -> tuple[list[Cycle], Cycle, Cycle]:
    """The earlier cycles of the chain, the current one and the next one."""
    start = _utc(anchor, "anchor")
    base = start if last_submission is None else _utc(last_submission, "last_submission")
    since = None if active_since is None else _utc(active_since, "active_since")
    moment = _utc(now, "now")
    cycles = _cycles(schedule, settings, base, since)
    earlier: list[Cycle] = []
    current = next(cycles)
    following = next(cycles)
    while following.due_at <= moment:
        earlier.append(current)
        current, following = following, next(cycles)
    return earlier, current, following


def current_cycle(
    schedule: ParticipantSchedule,
    settings: ScheduleSettings,
    *,
    anchor: datetime,
    last_submission: datetime | None,
    now: datetime,
    active_since: datetime | None = None,
) -> Cycle:
    """The cycle current at `now`: the last one due at or before it, else the first one.

    `anchor` is enrollment or the schedule's start; `active_since` when the participant last
    became active (resumed) or the schedule last changed, None when active since the anchor.
    With `now` a submission's instant and `last_submission` the one before, this is the cycle
    the submission completes."""
    _, current, _ = _walk(
        schedule,
        settings,
        anchor=anchor,
        last_submission=last_submission,
        now=now,
        active_since=active_since,
    )
    return current


def plan_reminders(
    schedule: ParticipantSchedule,
    settings: ScheduleSettings,
    *,
    status: str,
    anchor: datetime,
    last_submission: datetime | None,
    now: datetime,
    active_since: datetime | None = None,
) -> ReminderPlan:
    """The current cycle's sends with quiet hours applied, plus the MISSED notices of earlier
    cycles since the base, in time order. Empty for a participant who is not active."""
    if status != ACTIVE:
        _utc(now, "now")
        return ReminderPlan((), None, None, schedule.timezone, settings)
    earlier, current, following = _walk(
        schedule,
        settings,
        anchor=anchor,
        last_submission=last_submission,
        now=now,
        active_since=active_since,
    )
    sends = [PlannedSend(cycle.key, ReminderKind.MISSED, cycle.closes_at) for cycle in earlier]
    due = after_quiet_hours(current.due_at, schedule.zone, settings)
    if due < current.closes_at:
        sends.append(PlannedSend(current.key, ReminderKind.DUE, due))
    if current.follow_up_at is not None:
        follow_up = after_quiet_hours(current.follow_up_at, schedule.zone, settings)
        if due < follow_up < current.closes_at:
            sends.append(PlannedSend(current.key, ReminderKind.FOLLOW_UP, follow_up))
    sends.append(PlannedSend(current.key, ReminderKind.MISSED, current.closes_at))
    return ReminderPlan(
        sends=tuple(sorted(sends, key=_send_order)),
        cycle=current,
        next_cycle_at=following.due_at,
        timezone=schedule.timezone,
        settings=settings,
    )


def _send_order(send: PlannedSend) -> tuple[datetime, int]:
    return (send.at, _ORDER[send.kind])


# Sending ------------------------------------------------------------------------------------


def _due_at(
    plan: ReminderPlan, sent: AbstractSet[tuple[str, str]], moment: datetime
) -> list[PlannedSend]:
    groups: dict[str, list[PlannedSend]] = {}
    for send in plan.sends:
        groups.setdefault(send.cycle_key, []).append(send)
    quiet = in_quiet_hours(moment.astimezone(_zone(plan.timezone)).time(), plan.settings)
    result: list[PlannedSend] = []
    for group in groups.values():
        missed = [send for send in group if send.kind is ReminderKind.MISSED]
        if missed and missed[0].at <= moment:
            if missed[0].key not in sent:
                result.append(missed[0])
            continue
        reminders = sorted(
            (send for send in group if send.kind is not ReminderKind.MISSED), key=_send_order
        )
        reached = [send for send in reminders if send.at <= moment]
        if not reached or quiet:
            continue
        latest = reached[-1]
        superseded = reminders[reminders.index(latest) :]
        if not any(send.key in sent for send in superseded):
            result.append(latest)
    return sorted(result, key=_send_order)


def pending(
    plan: ReminderPlan, sent: AbstractSet[tuple[str, str]], now: datetime
) -> list[PlannedSend]:
    """What to send at `now`, given the (cycle key, kind) pairs already sent.

    A closed window yields only its MISSED notice; an open one its latest reached reminder,
    outside quiet hours, unless that or a later reminder of the cycle was sent. Nothing whose key
    is in `sent` is ever returned, so after a restart an overdue reminder goes out once.

    `sent` must hold every key sent for the plan's cycles, i.e. since the base (the last
    submission or the anchor): older MISSED notices are in the plan until one is sent."""
    return _due_at(plan, sent, _utc(now, "now"))


def next_wakeup(
    plan: ReminderPlan, sent: AbstractSet[tuple[str, str]], now: datetime
) -> datetime | None:
    """The first instant at or after `now` when `pending` has something, or when the next cycle
    falls due (re-plan then); None for a participant who is not active."""
    moment = _utc(now, "now")
    if not plan.active:
        return None
    if _due_at(plan, sent, moment):
        return moment
    candidates = {send.at for send in plan.sends if send.at > moment}
    candidates.add(after_quiet_hours(moment, plan.timezone, plan.settings))
    if plan.next_cycle_at is not None:
        candidates.add(plan.next_cycle_at)
    for candidate in sorted(instant for instant in candidates if instant > moment):
        if candidate == plan.next_cycle_at or _due_at(plan, sent, candidate):
            return candidate
    return None


# Staff digest -------------------------------------------------------------------------------


def digest_at(settings: ScheduleSettings, day: date) -> datetime:
    """When the digest of a study-local day goes out: `digest_time` in the study's zone."""
    return wall_clock_to_utc(day, settings.digest_time, settings.zone)


def digest_day(missed_at: datetime, settings: ScheduleSettings) -> date:
    """The study-local day whose digest carries a notice: the first digest at or after it."""
    moment = _utc(missed_at, "missed_at")
    day = moment.astimezone(settings.zone).date()
    return day if digest_at(settings, day) >= moment else day + timedelta(days=1)


def next_digest_at(settings: ScheduleSettings, now: datetime) -> datetime:
    """The first digest at or after `now`."""
    return digest_at(settings, digest_day(now, settings))


def group_by_digest_day(
    items: Iterable[_T], settings: ScheduleSettings, when: Callable[[_T], datetime]
) -> dict[date, list[_T]]:
    """Missed notices grouped into one digest per study-local day, days and items in order."""
    ordered = sorted(items, key=lambda item: _utc(when(item), "missed_at"))
    groups: dict[date, list[_T]] = {}
    for item in ordered:
        groups.setdefault(digest_day(when(item), settings), []).append(item)
    return dict(sorted(groups.items()))


# Staff and operator input -------------------------------------------------------------------

# Times a participant can pick with /time: taps, not typing.
TIME_CHOICES: Final = tuple(time(hour) for hour in (8, 10, 12, 15, 18, 20))
_CLOCK: Final = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_DAY_WORDS: Final = frozenset({"day", "days", "d"})


class ScheduleError(ValueError):
    """A schedule change that cannot be made; `key` and `args` are the message to show."""

    def __init__(self, key: str, **args: str) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args

    def text(self, t: Callable[..., str]) -> str:
        """The message in the language of `t` (a `locales.Translator`)."""
        return t(self.key, **self.args_)


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """What to change; None keeps the current value. `reset` first returns to the defaults."""

    interval_days: int | None = None
    preferred_time: time | None = None
    timezone: str | None = None
    reset: bool = False

    @property
    def empty(self) -> bool:
        return self == ScheduleChange()


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def parse_time(text: str) -> time:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ScheduleError("schedule-error-time")
    return time(int(match.group(1)), int(match.group(2)))


def _interval(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or not 1 <= int(text) <= 365:
        raise ScheduleError("schedule-error-interval")
    return int(text)


def parse_change(words: Sequence[str]) -> ScheduleChange:
    """`every N [days]`, `at HH:MM`, `tz Area/City` in any order, or `default` alone."""
    lowered = [word.lower() for word in words]
    if lowered == ["default"]:
        return ScheduleChange(reset=True)
    interval: int | None = None
    at: time | None = None
    zone: str | None = None
    position = 0
    while position < len(words):
        word = lowered[position]
        value = words[position + 1] if position + 1 < len(words) else None
        if value is None:
            raise ScheduleError("schedule-usage")
        if word == "every" and interval is None:
            interval = _interval(value)
            position += 2
            if position < len(words) and lowered[position] in _DAY_WORDS:
                position += 1
        elif word == "at" and at is None:
            at = parse_time(value)
            position += 2
        elif word in ("tz", "zone") and zone is None:
            zone = value
            position += 2
        else:
            raise ScheduleError("schedule-usage")
    return ScheduleChange(interval_days=interval, preferred_time=at, timezone=zone)


def validate_change(change: ScheduleChange, settings: ScheduleSettings) -> None:
    if change.interval_days is not None:
        _interval(str(change.interval_days))
    if change.timezone is not None and not is_canonical_zone(change.timezone):
        zone = change.timezone if len(change.timezone) <= 40 else change.timezone[:40] + "…"
        raise ScheduleError("schedule-error-zone", zone=escape(zone, quote=False))
    if change.preferred_time is not None and in_quiet_hours(change.preferred_time, settings):
        raise ScheduleError(
            "schedule-error-quiet",
            time=hhmm(change.preferred_time),
            start=hhmm(settings.quiet_start),
            end=hhmm(settings.quiet_end),
        )


def time_choices(settings: ScheduleSettings) -> tuple[time, ...]:
    """The offered times of day that are outside the study's quiet hours."""
    return tuple(choice for choice in TIME_CHOICES if not in_quiet_hours(choice, settings))
