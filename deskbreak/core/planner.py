"""Turns what the sensors saw into decisions: fire a break, hold it, or count a natural one.

The daemon asks ``needs`` what to measure (idle time, do-not-disturb), measures it, and
hands an Observation to ``observe``; the Outcome says whether to show a break, take a
stale one down, and what happened (natural break, suspend, clock jump, duty change) for
the log and history. Pure: no clocks, threads or I/O, so a whole simulated working day
runs in milliseconds.

Three clocks come in with every observation, because each answers a different question:
``mono`` stops while the machine sleeps (active time, what the break interval counts),
``boot`` keeps running through suspend (so their difference is the length of a suspend),
and ``wall`` is local time (working hours, "until tomorrow"; it may jump at any time and
is never used to count the interval).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import Enum

from deskbreak.config import WorkingHours
from deskbreak.core.timer import BreakTimer
from deskbreak.core.workhours import next_start, on_duty

AWAY_RECHECK_S = 60.0  # while away, look for the user's return this often (at most)
MIN_IDLE_RECHECK_S = 5.0
DND_RECHECK_S = 15.0
DND_GRACE_S = 10.0  # a short moment after fullscreen ends, so the break is not in the way
JUMP_TOLERANCE_S = 2.0


class Hold(Enum):
    """Why no break is shown right now although time passes."""

    PAUSED = "paused"
    OFF_DUTY = "off duty"
    AWAY = "away"
    DND = "do not disturb"


class EventKind(Enum):
    NATURAL_BREAK = "natural-break"  # away from the keyboard at least the idle threshold
    AWAY = "away"  # the user just went away
    SUSPEND = "suspend"
    CLOCK_JUMP = "clock-jump"
    DUTY_START = "duty-start"
    DUTY_END = "duty-end"
    HELD = "held"  # a due break is held back by do-not-disturb
    RELEASED = "released"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    seconds: float = 0.0  # length of the break, suspend or jump
    detail: str = ""


@dataclass(frozen=True)
class IdleSample:
    """Seconds since the last keyboard or mouse input; a locked screen counts as away."""

    idle: float
    locked: bool = False


@dataclass(frozen=True)
class Observation:
    mono: float
    boot: float
    wall: dt.datetime
    idle: IdleSample | None = None  # None: not measured this time (or no idle backend)
    dnd: tuple[str, ...] | None = None  # reasons to hold notifications; None: not measured


@dataclass(frozen=True)
class Needs:
    """What the daemon should measure before the next ``observe``."""

    idle: bool
    dnd: bool


@dataclass
class Outcome:
    fire: bool = False
    withdraw: bool = False
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class PlanStatus:
    due_in: float | None
    progress: float
    held_because: Hold | None
    dnd_reasons: tuple[str, ...]
    off_until: dt.datetime | None
    paused_for: float | None
    snoozed: bool
    pending: bool


class Planner:
    """Owns the BreakTimer and every reason not to interrupt the user."""

    def __init__(self, *, interval: float, idle_threshold: float, hours: WorkingHours,
                 dnd: bool, first: Observation) -> None:
        self.timer = BreakTimer(interval, first.mono)
        self.idle_threshold = idle_threshold
        self.hours = hours
        self.dnd_enabled = dnd
        self._last = first
        self._on_duty = on_duty(hours, first.wall)
        self._away_since: float | None = None
        self._next_idle = first.mono
        self._dnd_reasons: tuple[str, ...] = ()
        self._dnd_clear_at: float | None = None  # held break may fire from here on
        self._dnd_next = first.mono

    # --- what to measure ---------------------------------------------------------------
    def _due(self, mono: float) -> bool:
        due = self.timer.due_at(mono)
        return due is not None and mono >= due and not self.timer.paused

    def needs(self, mono: float) -> Needs:
        due = self._due(mono) and self._on_duty
        return Needs(
            idle=mono >= self._next_idle or due,
            dnd=self.dnd_enabled and due and self._away_since is None and mono >= self._dnd_next,
        )

    def next_wakeup(self, mono: float) -> float | None:
        """Monotonic time when ``observe`` has something new to decide.

        Only what can change a decision counts: a held or away break must not make the
        daemon spin on a due time that has already passed.
        """
        times = [self._next_idle]
        hold = self.hold(mono)
        if hold is None:
            grace = self._dnd_clear_at
            times.append(grace if grace is not None and mono < grace
                         else self.timer.next_wakeup(mono) or math.inf)
        elif hold is Hold.PAUSED:
            times.append(self.timer.next_wakeup(mono) or math.inf)
        elif hold is Hold.DND:
            times.append(self._dnd_next)
        return max(mono, min(times))

    # --- deciding ------------------------------------------------------------------------
    def observe(self, obs: Observation) -> Outcome:
        out = Outcome()
        self._clocks(obs, out)
        self._duty(obs, out)
        if obs.idle is not None:
            self._idle(obs, obs.idle, out)
        if obs.dnd is not None:
            self._dnd(obs, obs.dnd, out)
        self._last = obs
        due = self.timer.tick(obs.mono)  # also ends a timed pause
        if due and self.hold(obs.mono) is None:
            if self._dnd_clear_at is not None and obs.mono < self._dnd_clear_at:
                return out
            self._dnd_clear_at = None
            out.fire = True
        return out

    def _clocks(self, obs: Observation, out: Outcome) -> None:
        last = self._last
        slept = (obs.boot - last.boot) - (obs.mono - last.mono)
        if slept > JUMP_TOLERANCE_S:
            out.events.append(Event(EventKind.SUSPEND, slept))
            if slept >= self.idle_threshold:
                # Away long enough: a natural break. No burst, no stale notification,
                # and a full interval from now.
                out.events.append(Event(EventKind.NATURAL_BREAK, slept, "suspend"))
                self._natural_break(obs.mono, out)
        wall_step = (obs.wall.replace(tzinfo=None) - last.wall.replace(tzinfo=None))
        jump = wall_step.total_seconds() - (obs.boot - last.boot)
        if abs(jump) > JUMP_TOLERANCE_S:
            out.events.append(Event(EventKind.CLOCK_JUMP, jump))

    def _natural_break(self, restart_at: float, out: Outcome) -> None:
        if not self.timer.paused:
            self.timer.skip(restart_at)
        self._dnd_clear_at = None
        out.withdraw = True

    def _duty(self, obs: Observation, out: Outcome) -> None:
        duty = on_duty(self.hours, obs.wall)
        if duty == self._on_duty:
            return
        self._on_duty = duty
        if duty:
            out.events.append(Event(EventKind.DUTY_START))
            if not self.timer.paused:
                self.timer.skip(obs.mono)  # a fresh interval when work starts
        else:
            out.events.append(Event(EventKind.DUTY_END))
            out.withdraw = True

    def _idle(self, obs: Observation, sample: IdleSample, out: Outcome) -> None:
        idle = max(sample.idle, self.idle_threshold) if sample.locked else sample.idle
        if idle >= self.idle_threshold:
            if self._away_since is None:
                self._away_since = obs.mono - idle
                out.events.append(Event(EventKind.AWAY, idle))
                out.withdraw = True
            # A fifth of the threshold: a return is seen well before it matters.
            self._next_idle = obs.mono + min(AWAY_RECHECK_S,
                                             max(MIN_IDLE_RECHECK_S / 5, self.idle_threshold / 5))
            return
        if self._away_since is not None:
            returned = obs.mono - idle
            out.events.append(Event(EventKind.NATURAL_BREAK, max(0.0, returned
                                                                 - self._away_since), "away"))
            self._away_since = None
            self._natural_break(returned, out)
        # The soonest the user could cross the threshold; no need to ask before then.
        self._next_idle = obs.mono + max(MIN_IDLE_RECHECK_S, self.idle_threshold - idle)

    def _dnd(self, obs: Observation, reasons: tuple[str, ...], out: Outcome) -> None:
        if reasons:
            if not self._dnd_reasons:
                out.events.append(Event(EventKind.HELD, detail=", ".join(reasons)))
            self._dnd_reasons = reasons
            self._dnd_clear_at = None
            self._dnd_next = obs.mono + DND_RECHECK_S
            return
        if self._dnd_reasons:
            out.events.append(Event(EventKind.RELEASED, detail=", ".join(self._dnd_reasons)))
            self._dnd_reasons = ()
            self._dnd_clear_at = obs.mono + DND_GRACE_S
            self._dnd_next = self._dnd_clear_at

    # --- queries -------------------------------------------------------------------------
    def hold(self, mono: float) -> Hold | None:
        if self.timer.paused:
            return Hold.PAUSED
        if not self._on_duty:
            return Hold.OFF_DUTY
        if self._away_since is not None:
            return Hold.AWAY
        if self._dnd_reasons and self._due(mono):
            return Hold.DND
        return None

    def status(self, mono: float, wall: dt.datetime) -> PlanStatus:
        timer = self.timer.status(mono)
        hold = self.hold(mono)
        return PlanStatus(
            due_in=None if hold in (Hold.OFF_DUTY, Hold.AWAY) else timer.due_in,
            progress=timer.progress,
            held_because=hold,
            dnd_reasons=self._dnd_reasons,
            off_until=next_start(self.hours, wall) if hold is Hold.OFF_DUTY else None,
            paused_for=timer.paused_for,
            snoozed=timer.snoozed,
            pending=timer.pending,
        )
