"""The daemon's wall-clock alarms, on ``schedule``, reading the daemon's own wall clock.

Some moments are local times, not amounts of active time: the daily rollover that ends a
pause "until tomorrow", and the edges of working hours. ``schedule`` plans those; each
job only wakes the loop, and the planner decides what the moment means, so a missed or
early alarm can never be wrong, only late by at most the loop's longest sleep.

``schedule`` reads ``datetime.datetime.now()`` itself, and its maintainers declined a
clock parameter (dbader/schedule#362). So schedule's module-level ``datetime`` is
replaced, once per process, by a view of the module whose ``now()`` asks the clock of
the WallJobs calling in (a context variable); outside those calls, and for anyone else
using schedule, it is the real one. This leans on schedule reading the time through that
global, which tests/test_walljobs.py checks against each schedule release. A simulated
day thus moves every clock the daemon reads without patching global time, and after a
clock jump the jobs are re-planned through schedule's public API.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import schedule

from deskbreak.core.events import ClockJumped, Event
from deskbreak.core.model import ROLLOVER, WEEKDAYS, WorkingHours

WallClock = Callable[[], dt.datetime]
_current: contextvars.ContextVar[WallClock | None] = contextvars.ContextVar(
    "deskbreak_wall_clock", default=None)


class _ClockedDatetime(dt.datetime):
    """``datetime.datetime`` whose ``now()`` is the clock of the WallJobs calling schedule."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
        clock = _current.get()
        if clock is None:
            return dt.datetime.now(tz)
        moment = clock()
        if tz is not None:
            return moment.astimezone(tz)
        return moment.replace(tzinfo=None)  # schedule works in naive local time


def _install() -> None:
    if isinstance(getattr(schedule, "datetime", None), types.ModuleType) \
            and schedule.datetime.datetime is _ClockedDatetime:
        return
    view = types.ModuleType("datetime", "the datetime module as deskbreak's schedule sees it")
    view.__dict__.update({k: v for k, v in vars(dt).items() if not k.startswith("__")})
    view.datetime = _ClockedDatetime  # type: ignore[attr-defined]
    schedule.datetime = view  # type: ignore[attr-defined]


_install()

_DAY_NAMES = dict(zip(WEEKDAYS, ("monday", "tuesday", "wednesday", "thursday", "friday",
                                 "saturday", "sunday"), strict=True))


class WallJobs:
    """Wakes the loop at local-time moments; a subscriber that re-plans after clock jumps."""

    def __init__(self, wall: WallClock, wake: Callable[[], None]) -> None:
        self._wall = wall
        self._wake = wake
        self._scheduler = schedule.Scheduler()
        self._hours = WorkingHours()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """schedule asks the time once per job; one reading of the clock serves them all."""
        moment = self._wall()
        token = _current.set(lambda: moment)
        try:
            yield
        finally:
            _current.reset(token)

    def plan(self, hours: WorkingHours) -> None:
        """The daily rollover, and every edge of the working hours when they are on."""
        self._hours = hours
        with self._reading():
            self._scheduler.clear()
            self._scheduler.every().day.at(ROLLOVER.strftime("%H:%M")).do(self._wake)
            if hours.enabled:
                for day, spans in zip(WEEKDAYS, hours.days, strict=True):
                    edges = {minute for span in spans for minute in span if minute < 24 * 60}
                    for minute in sorted(edges):
                        every = getattr(self._scheduler.every(), _DAY_NAMES[day])
                        every.at(f"{minute // 60:02d}:{minute % 60:02d}").do(self._wake)

    def run_pending(self) -> None:
        with self._reading():
            self._scheduler.run_pending()

    def seconds_until_next(self) -> float | None:
        """Seconds until the next alarm by the injected clock; None without jobs."""
        with self._reading():
            return self._scheduler.idle_seconds

    def __call__(self, event: Event) -> None:
        """Subscriber: local time jumped, so every alarm is planned anew from it."""
        if isinstance(event, ClockJumped):
            self.plan(self._hours)
