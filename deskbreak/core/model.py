"""The words the core and its edges share: contexts, working hours, settings, holds, clocks.

They live in the core (not in ``config``) so that deciding when a break is due needs no
config file, no paths and no platformdirs: the config loader builds these values, the
core only reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

CONTEXTS = ("desk", "home", "travel")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Every duration a user can give, from any source (config file, command line, control
# channel, tray), must fall in one of these ranges, in seconds: long enough to be meant,
# short enough not to be a typo, and always finite.
INTERVAL_RANGE = (1.0, 12 * 3600.0)
SNOOZE_RANGE = (1.0, 24 * 3600.0)
PAUSE_RANGE = (60.0, 7 * 24 * 3600.0)
IDLE_RANGE = (10.0, 4 * 3600.0)
TRIP_RANGE = (1.0, 7 * 24 * 3600.0)  # a trip's length: a week at most (the Trans-Siberian)

# "Until tomorrow" ends here, local time: a night owl's 01:00 still belongs to today.
ROLLOVER = dt.time(4, 0)

Span = tuple[int, int]  # minutes after midnight, [start, end)


@dataclass(frozen=True)
class WorkingHours:
    """Per-weekday spans of work; breaks are reminded only inside them when enabled."""

    enabled: bool = False
    days: tuple[tuple[Span, ...], ...] = (
        ((540, 1050),), ((540, 1050),), ((540, 1050),), ((540, 1050),), ((540, 1050),), (), (),
    )


@dataclass(frozen=True)
class Settings:
    """The slice of the user's config that decides when breaks come; seconds throughout."""

    interval: float = 1800.0
    snooze: float = 300.0
    idle_threshold: float = 300.0
    do_not_disturb: bool = True
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    context: str = "desk"
    trip_interval: float = 1800.0  # elapsed time between breaks during a trip
    driving_interval: float = 7200.0  # between stop reminders while driving
    trip_sound: bool = True  # a sound with each trip break: eyes may be on a film


class Hold(Enum):
    """Why no break is shown right now although time passes; the only such type.

    The values are the ``state`` words of ``deskbreak status --json``.
    """

    PAUSED = "paused"
    OFF_DUTY = "off-duty"
    AWAY = "away"
    DND = "held"  # by do-not-disturb


class Look(Enum):
    """What the tray icon shows; the tray edge draws it."""

    COUNTING = "counting"
    DUE = "due"
    PAUSED = "paused"
    OFF_DUTY = "off-duty"


@dataclass(frozen=True)
class IdleSample:
    """Seconds since the last keyboard or mouse input; a locked screen counts as away."""

    idle: float
    locked: bool = False
    # The source will wake the daemon at the next input (``idle.base.IdleMonitor``): while
    # away, the daemon need not keep asking whether the user is back.
    announced: bool = False


@dataclass(frozen=True)
class Observation:
    """The three clocks at one moment, and what the sensors saw then, if they were asked.

    ``mono`` stops while the machine sleeps (active time, what the interval counts),
    ``boot`` keeps running through suspend (their difference is the length of a suspend),
    ``wall`` is local time (working hours, "until tomorrow"; it may jump at any time and
    is never used to count the interval). A command is applied at an Observation with no
    sensor readings.
    """

    mono: float
    boot: float
    wall: dt.datetime
    idle: IdleSample | None = None  # None: not measured this time (or no idle source)
    dnd: tuple[str, ...] | None = None  # reasons to hold notifications; None: not measured

    @property
    def local(self) -> dt.datetime:
        """Wall time as naive local time, the form working hours and pauses compare."""
        return self.wall.replace(tzinfo=None)
