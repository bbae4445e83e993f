"""What the history says about a person's days: breaks due and done, sitting, streaks.

Pure: records in, per-day tallies out, so days across midnight, daylight-saving changes,
a flight across time zones and a night-long suspend are unit tests. The rules, in the
words ``deskbreak stats`` uses:

- A *break* is one reminder that came due. Snoozing it and seeing it again is still the
  same break; its last answer decides what it was: completed, skipped, ignored (left
  unanswered until the next one), or a natural break (the user walked away from it, or
  the machine slept).
- *Due* counts breaks, skips of an upcoming break, and natural breaks that ended a spell
  of sitting while on duty and not paused. A break dismissed by a pause, by the end of
  working hours or by deskbreak stopping (one on screen, or snoozed) is not due: the
  user was not there for it; nor is one asked for while paused or off duty and then
  skipped. A break started but never marked done stays due and not done. *Done*
  counts completed breaks and natural breaks. *Adherence* is done / due.
- *Active* time is time sat at the desk and counted (on duty, not paused, not away). The
  *longest stretch* is the most active time between two breaks taken (started, completed
  or natural), a pause, the end of working hours, or a stop of deskbreak, on the day the
  stretch ended.
- A day is a local calendar day, as the user lived it: records keep local time, so a
  traveller's evening in another time zone belongs to that evening's date.
- *Trips* (trip mode) are kept out of all of the above: a flight's breaks every 30
  minutes of elapsed time, its hours of sitting and its driving stops are not office
  work. They are counted apart (``Trips``): trips started, breaks shown and completed in
  a seat, driving stops, and time sat on trips. A trip's start and end still end the
  office stretch and any break open before it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from deskbreak.core.history import Record

DAY = dt.timedelta(days=1)


@dataclass
class Day:
    """One day's tally (or, with ``day`` None, the totals of several)."""

    day: dt.date | None
    breaks: int = 0  # breaks that came due and were shown (a re-shown snooze counts once)
    completed: int = 0
    started: int = 0  # started from the notification (completed or not)
    snoozed: int = 0  # snoozes pressed
    skipped: int = 0
    ignored: int = 0  # shown and left unanswered
    natural: int = 0  # away or asleep for at least the idle threshold
    natural_seconds: float = 0.0
    active_seconds: float = 0.0
    longest_stretch: float = 0.0
    due: int = 0
    done: int = 0

    @property
    def adherence(self) -> float | None:
        """done / due, or None on a day when nothing came due."""
        return min(1.0, self.done / self.due) if self.due > 0 else None

    @property
    def active(self) -> bool:
        """Anything happened that day: the daemon counted sitting, or a break came."""
        return self.active_seconds > 0 or self.breaks > 0 or self.natural > 0 \
            or self.skipped > 0


@dataclass
class Trips:
    """What happened on trips in a range of days, kept apart from the office figures."""

    trips: int = 0  # trips started (not new terms for a running one)
    breaks: int = 0  # in-seat breaks shown (a snoozed one shown again counts once)
    completed: int = 0
    walks: int = 0  # breaks that also asked for a walk down the aisle
    driving_stops: int = 0
    seconds: float = 0.0  # time sat on trips, the machine awake


@dataclass(frozen=True)
class ExerciseCount:
    exercise: str
    shown: int
    completed: int


@dataclass(frozen=True)
class Report:
    """The answer to ``deskbreak stats`` for one range of days."""

    days: list[Day]  # every day of the range, oldest first, empty days included
    total: Day
    current_streak: int  # active days in a row, up to today, with a break completed
    best_streak: int
    most_done: list[ExerciseCount]
    least_done: list[ExerciseCount]
    recorded_since: dt.date | None  # the first day in the history at all
    all_days: dict[dt.date, Day] = field(repr=False)  # every recorded day (the heatmap)
    trips: Trips = field(default_factory=Trips)  # the range's trips, not in the above


class _Tally:
    """Walks the records in the order they happened and keeps the open break and stretch."""

    def __init__(self) -> None:
        self.days: dict[dt.date, Day] = {}
        self.shown: Counter[tuple[dt.date, str]] = Counter()
        self.completed: Counter[tuple[dt.date, str]] = Counter()
        self.chain: str | None = None  # "shown", "snoozed", "started": a break still open
        self.chain_day: dt.date | None = None
        self.optional = False  # the open break was asked for while paused or off duty
        self.left_day: dt.date | None = None  # a break walked away from, its natural next
        self.stretch = 0.0
        self.stretch_day: dt.date | None = None
        self.paused = False
        self.off_duty = False

    def day(self, date: dt.date) -> Day:
        found = self.days.get(date)
        if found is None:
            found = self.days[date] = Day(date)
        return found

    def feed(self, record: Record) -> None:
        today = self.day(record.local.date())
        match record.kind:
            case "sat":
                self._sat(record)
            case "shown":
                self._shown(record, today)
            case "snoozed":
                today.snoozed += 1
                if record.exercise is not None and self.chain is not None:
                    self.chain = "snoozed"
            case "started":
                today.started += 1
                self._open(today)
                self.chain = "started"
                self._end_stretch()
            case "completed":
                today.completed += 1
                if record.exercise is not None:
                    self.completed[(record.local.date(), record.exercise)] += 1
                self._done(self._open(today))
                self._close()
                self._end_stretch()
            case "stopped":  # the guide closed early: started, not done
                self._close()
            case "skipped":
                today.skipped += 1
                self._open(today)  # skipped before it showed: it was due all the same
                self._close(answered=False)
            case "ignored":
                self._ignored(record, today)
            case "natural":
                self._natural(record)
            case "paused" | "duty-end" | "daemon-stop":
                # Not there for what is open: a snoozed break, or one on screen at a
                # stop, is not held against anyone; a started one stays started.
                if self.chain in ("snoozed", "shown"):
                    self._undue()
                self._close()
                self.left_day = None
                self._end_stretch()
                self.paused = self.paused or record.kind == "paused"
                self.off_duty = self.off_duty or record.kind == "duty-end"
            case "resumed":
                self.paused = False
            case "duty-start":
                self.off_duty = False
            case "trip-start" | "trip-end":
                # Off to a trip, or back: the stretch at the desk ends there, and a
                # break still open belongs to neither.
                if self.chain in ("snoozed", "shown"):
                    self._undue()
                self._close()
                self.left_day = None
                self._end_stretch()
                self.off_duty = False  # working hours are looked at again after it
            case "daemon-start":
                self._close()  # a break left on screen by a crash has no known answer
                self.left_day = None
                self.paused = self.off_duty = False  # a pause does not outlive a run
                self._end_stretch()

    def _sat(self, record: Record) -> None:
        seconds = max(0.0, record.seconds or 0.0)
        end = record.local
        start = end - dt.timedelta(seconds=seconds)
        date = start.date()
        while date <= end.date():  # split at each local midnight it crosses
            midnight = dt.datetime.combine(date, dt.time())
            part = (min(end, midnight + DAY) - max(start, midnight)).total_seconds()
            if part > 0:
                self.day(date).active_seconds += part
            date += DAY
        self.stretch += seconds
        if seconds > 0:  # a span ending at 00:00 ended on the day before
            self.stretch_day = (end - dt.timedelta(microseconds=1)).date()

    def _shown(self, record: Record, today: Day) -> None:
        if self.chain == "snoozed":  # the same break, back after its snooze
            self.chain = "shown"
            return
        self._close(answered=False)
        if record.exercise is not None:
            self.shown[(record.local.date(), record.exercise)] += 1
        today.breaks += 1
        self._open(today)

    def _open(self, today: Day) -> dt.date:
        """The open break's day; a break seen first here is due today."""
        if self.chain is None or self.chain_day is None:
            self.chain, self.chain_day = "shown", today.day
            self.optional = self.paused or self.off_duty
            today.due += 1
            self.left_day = None
        return self.chain_day  # type: ignore[return-value]

    def _close(self, *, answered: bool = True) -> None:
        """The open break ends; one asked for while paused or off duty and left undone
        (skipped, or followed by the next) was never due."""
        if not answered and self.optional and self.chain in ("shown", "snoozed"):
            self._undue()
        self.chain = self.chain_day = None
        self.optional = False

    def _undue(self) -> None:
        if self.chain_day is not None:
            day = self.day(self.chain_day)
            day.due = max(0, day.due - 1)

    def _done(self, date: dt.date) -> None:
        self.day(date).done += 1

    def _ignored(self, record: Record, today: Day) -> None:
        today.ignored += 1
        if self.chain is None or self.chain_day is None:
            return  # already answered by the natural break before it
        if record.detail == "natural break":
            self.left_day = self.chain_day  # the natural break that follows answers it
        elif record.detail in ("paused", "off duty", "trip"):
            self._undue()  # not there for it: not held against anyone
        self._close(answered=record.detail != "next break")

    def _natural(self, record: Record) -> None:
        seconds = max(0.0, record.seconds or 0.0)
        began = self.day((record.local - dt.timedelta(seconds=seconds)).date())
        began.natural += 1
        began.natural_seconds += seconds
        if self.chain is not None and self.chain_day is not None:
            self._done(self.chain_day)  # walked away from the break on screen: taken
            self._close()
        elif self.left_day is not None:
            self._done(self.left_day)
        elif self.stretch > 0 and not (self.paused or self.off_duty):
            began.due += 1  # broke a spell of sitting on its own: due, and done
            began.done += 1
        self.left_day = None
        self._end_stretch()

    def _end_stretch(self) -> None:
        if self.stretch > 0 and self.stretch_day is not None:
            day = self.day(self.stretch_day)
            day.longest_stretch = max(day.longest_stretch, self.stretch)
        self.stretch = 0.0


def _office(record: Record) -> bool:
    """Counted in the office figures: not a trip's, except where a trip begins or ends."""
    return not record.trip or record.kind in ("trip-start", "trip-end")


def tally(records: Iterable[Record]) -> _Tally:
    """Every recorded day, in the order the records were written (trips left out)."""
    counted = _Tally()
    for record in records:
        if not _plausible(record) or not _office(record):
            continue
        try:
            counted.feed(record)
        except (OverflowError, ValueError):  # a date or length no calendar can hold
            continue
    counted._end_stretch()  # the stretch still going counts for its day
    return counted


MAX_SECONDS = 1e8  # three years: longer than any sleep, absence or sitting span


def _plausible(record: Record) -> bool:
    """A record deskbreak could have written (a hand-edited file may hold anything)."""
    seconds = record.seconds
    return 1971 <= record.local.year <= 9000 and (
        seconds is None or -MAX_SECONDS <= seconds <= MAX_SECONDS)


def date_range(today: dt.date, *, days: int | None = None, week: bool = False,
               month: bool = False) -> tuple[dt.date, dt.date]:
    """(first, last) of the range asked for: the last N days, this week, this month."""
    if week:
        return today - dt.timedelta(days=today.weekday()), today
    if month:
        return today.replace(day=1), today
    count = 7 if days is None else days
    return today - dt.timedelta(days=count - 1), today


def trips(records: Iterable[Record], first: dt.date, last: dt.date) -> Trips:
    """The trips of the days ``first``..``last``, counted apart from the office."""
    found = Trips()
    on_trip = False  # a trip already running: new terms are not a new trip
    snoozed = False  # the trip break on screen was snoozed: its return is not a new one
    for record in records:
        if not _plausible(record):
            continue
        inside = first <= record.local.date() <= last
        if record.kind == "trip-start":
            found.trips += inside and not on_trip
            on_trip = True
        elif record.kind == "trip-end":
            on_trip = False
        if not record.trip or not inside:
            continue
        match record.kind:
            case "shown" if record.detail == "driving stop":
                found.driving_stops += not snoozed
            case "shown":
                if not snoozed:
                    found.breaks += 1
                    found.walks += (record.detail or "").endswith("+ walk")
            case "completed":
                found.completed += 1
            case "sat":
                found.seconds += max(0.0, record.seconds or 0.0)
        if record.kind in ("shown", "snoozed"):
            snoozed = record.kind == "snoozed" and record.exercise is not None
    return found


def report(records: Iterable[Record], first: dt.date, last: dt.date,
           today: dt.date) -> Report:
    """The statistics for the days ``first``..``last``, with streaks up to ``today``."""
    records = list(records)
    counted = tally(records)
    days = []
    date = first
    while date <= last:
        days.append(counted.days.get(date) or Day(date))
        date += DAY
    total = _sum(days)
    current, best = streaks(counted.days, today)
    most, least = _exercises(counted, first, last)
    return Report(days=days, total=total, current_streak=current, best_streak=best,
                  most_done=most, least_done=least,
                  recorded_since=min(counted.days) if counted.days else None,
                  all_days=counted.days, trips=trips(records, first, last))


def _sum(days: list[Day]) -> Day:
    total = Day(None)
    added = [f.name for f in fields(Day) if f.name not in ("day", "longest_stretch")]
    for day in days:
        for name in added:
            setattr(total, name, getattr(total, name) + getattr(day, name))
        total.longest_stretch = max(total.longest_stretch, day.longest_stretch)
    return total


def streaks(days: dict[dt.date, Day], today: dt.date) -> tuple[int, int]:
    """(current, best) runs of active days with a completed break.

    Days with nothing recorded (a weekend, a holiday) neither count nor break a run, and
    today does not break the current one before its first break is done.
    """
    current = best = run = 0
    for date in sorted(d for d, day in days.items() if day.active and d <= today):
        if days[date].completed > 0:
            run += 1
            best = max(best, run)
        elif date != today:
            run = 0
    current = run
    return current, best


def _exercises(counted: _Tally, first: dt.date,
               last: dt.date) -> tuple[list[ExerciseCount], list[ExerciseCount]]:
    shown: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    for (date, ident), count in counted.shown.items():
        if first <= date <= last:
            shown[ident] += count
    for (date, ident), count in counted.completed.items():
        if first <= date <= last:
            completed[ident] += count
    rows = [ExerciseCount(i, shown[i], completed[i]) for i in {*shown, *completed}]
    most = sorted((r for r in rows if r.completed),
                  key=lambda r: (-r.completed, -r.shown, r.exercise))[:3]
    chosen = {r.exercise for r in most}
    least = sorted((r for r in rows if r.shown and r.exercise not in chosen),
                   key=lambda r: (r.completed / r.shown, -r.shown, r.exercise))[:3]
    return most, least
