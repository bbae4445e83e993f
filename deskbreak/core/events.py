"""What happened, as typed values: the seam every feature that records or reacts hangs on.

The core emits these (the planner for what time and the sensors did, the controller for
what the user did); the daemon hands each one to its subscribers: the log, the history
store (``core/history.py`` turns each into a record), and the guided window next. Each
event carries both clocks: ``mono`` to order and measure, ``wall`` (local time) for
people and for per-day statistics. ``trip`` marks what happened during a trip (trip
mode): the controller sets it, history keeps it, and statistics keep those apart from
the office figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Event:
    mono: float
    wall: dt.datetime
    trip: bool = False  # happened during a trip; set by the controller, never by hand


# --- breaks and their outcomes ---------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class BreakShown(Event):
    exercise_id: str  # the first movement of a trip routine; DRIVING_STOP for a driving stop
    context: str
    requested: bool  # the user asked ("Take a break now"), not the timer
    exercises: tuple[str, ...] = ()  # a trip break: every movement of its routine, in order
    walk: bool = False  # a trip break that also asks to stand and walk the aisle
    driving: bool = False  # a reminder to stop the car and walk, no exercise at all


@dataclass(frozen=True, kw_only=True)
class BreakStarted(Event):
    exercise_id: str


@dataclass(frozen=True, kw_only=True)
class BreakCompleted(Event):
    exercise_id: str
    fraction: float  # how much of the routine was done, 0..1 ("Done" on the steps: 1)


@dataclass(frozen=True, kw_only=True)
class BreakStopped(Event):
    """The guide was closed before the end of the routine."""

    exercise_id: str
    fraction: float  # how much of the routine was done, 0..1


@dataclass(frozen=True, kw_only=True)
class BreakSnoozed(Event):
    exercise_id: str | None  # None: the next break was postponed before it showed
    seconds: float


@dataclass(frozen=True, kw_only=True)
class BreakSkipped(Event):
    exercise_id: str | None  # None: skipped before it showed


@dataclass(frozen=True, kw_only=True)
class BreakIgnored(Event):
    """A shown break got no answer before something else ended it."""

    exercise_id: str
    reason: str  # "next break", "natural break", "paused", "off duty"


@dataclass(frozen=True, kw_only=True)
class NaturalBreak(Event):
    """Away from the keyboard, or asleep, for at least the idle threshold."""

    cause: str  # "away" or "suspend"
    seconds: float


# --- the user's state ------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Sat(Event):
    """The user sat at the desk, counted, for ``seconds`` ending at ``wall``.

    "Counted" means on duty, not paused, not away, the machine awake: the time the break
    interval measures. Spans are cut at every pause, absence, sleep, change of duty and
    break taken, and every ten to twenty minutes besides, so a ``kill -9`` loses at most the
    span in flight; history adds them up into active time and the longest stretch.
    """

    seconds: float


@dataclass(frozen=True, kw_only=True)
class WentAway(Event):
    idle: float  # seconds of no input when it was seen


@dataclass(frozen=True, kw_only=True)
class Paused(Event):
    seconds: float | None  # a timed pause
    until: dt.datetime | None  # local time, for "until tomorrow"; neither: until resumed


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    by: str  # "you", "end of pause", "new day"


@dataclass(frozen=True, kw_only=True)
class ContextChanged(Event):
    context: str


@dataclass(frozen=True, kw_only=True)
class DutyStarted(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class DutyEnded(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class BreakHeld(Event):
    """A due break is held back by do-not-disturb."""

    reasons: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class BreakReleased(Event):
    reasons: tuple[str, ...]  # what held it


@dataclass(frozen=True, kw_only=True)
class TripStarted(Event):
    """Trip mode began (or was started again over a running trip, with new terms)."""

    seconds: float | None  # how long, in elapsed time; None: until stopped
    driving: bool


@dataclass(frozen=True, kw_only=True)
class TripEnded(Event):
    by: str  # "you", "end of trip"


@dataclass(frozen=True, kw_only=True)
class TripDriving(Event):
    """The traveler took the wheel, or handed it over, during a trip."""

    driving: bool


# --- the machine -----------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class DaemonStarted(Event):
    """deskbreak began watching: a stretch without a break is counted within one run."""


@dataclass(frozen=True, kw_only=True)
class DaemonStopped(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class Suspended(Event):
    seconds: float


@dataclass(frozen=True, kw_only=True)
class ClockJumped(Event):
    seconds: float  # how far local time moved beyond the time that passed
