"""Turns what the clocks and sensors saw into decisions: fire a break, hold it, or count one.

The daemon asks ``needs`` what to measure (idle time, do-not-disturb), measures it, and
hands an Observation to ``observe``; the Outcome says whether to show a break, take a
stale one down, and what happened (natural break, suspend, clock jump, duty change, the
end of a pause) as typed events. The planner owns the BreakTimer and every reason not to
interrupt the user, the user's pause among them: a pause is one state here, whether it
ends after a time, at tomorrow's rollover or only when resumed. Pure: no clocks, threads
or I/O, so a whole simulated working day runs in milliseconds.

A trip (``core.trip``) changes the rules while it lasts: the interval is the trip's,
counted whether or not the keyboard is used (idle time on a plane is still sitting), a
suspend only stops the count (the lid closed for landing is no break), a fullscreen
film does not hold a break, and working hours do not apply. It ends by itself after its
length on the boot clock, so crossing time zones or a clock change does not move it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from deskbreak.core.events import (
    BreakHeld,
    BreakReleased,
    ClockJumped,
    DutyEnded,
    DutyStarted,
    Event,
    NaturalBreak,
    Resumed,
    Sat,
    Suspended,
    TripEnded,
    WentAway,
)
from deskbreak.core.model import Hold, IdleSample, Observation, Settings
from deskbreak.core.timer import BreakTimer
from deskbreak.core.trip import Trip
from deskbreak.core.workhours import next_start, on_duty

AWAY_RECHECK_S = 60.0  # while away, look for the user's return this often (at most)
# ... unless the idle source announces the return (an input event wakes the daemon):
# then only as a safety net, should the announcement never come.
ANNOUNCED_AWAY_RECHECK_S = 600.0
MIN_IDLE_RECHECK_S = 5.0
DND_RECHECK_S = 15.0
DND_GRACE_S = 10.0  # a short moment after fullscreen ends, so the break is not in the way
JUMP_TOLERANCE_S = 2.0
SIT_SPAN_S = 600.0  # sitting time is reported in spans of at least this length...
# ... cut at the first wake-up after it, and at twice it at the latest: a wake-up of its
# own only when nothing else woke the daemon meanwhile (a kill -9 loses little).
SIT_SPAN_MAX_S = 2 * SIT_SPAN_S
# Do-not-disturb reasons that mean "something is being watched": they hold an office
# break, never a trip's (the film on a long flight is exactly when a reminder is due).
# Do-not-disturb the user turned on (paused notifications, quiet time) still holds.
WATCHING = ("fullscreen", "inhibits idle")


def watching(reason: str) -> bool:
    """Whether a do-not-disturb reason only says something is on screen (see WATCHING)."""
    return any(word in reason for word in WATCHING)


@dataclass(frozen=True)
class Pause:
    """The user's pause: it ends at ``until_boot``, at ``until_wall``, or (neither) never.

    A timed pause is counted on the boot clock, which keeps running while the machine
    sleeps: "pause for 2 hours" means two hours of the day, lid closed or not.
    """

    until_boot: float | None = None
    until_wall: dt.datetime | None = None  # naive local time ("until tomorrow")

    def over(self, obs: Observation) -> bool:
        if self.until_boot is not None:
            return obs.boot >= self.until_boot
        return self.until_wall is not None and obs.local >= self.until_wall

    def left(self, obs: Observation) -> float | None:
        """Seconds until it ends, or None when only a resume ends it."""
        if self.until_boot is not None:
            return max(0.0, self.until_boot - obs.boot)
        if self.until_wall is not None:
            return max(0.0, (self.until_wall - obs.local).total_seconds())
        return None


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
    hold: Hold | None
    dnd_reasons: tuple[str, ...]
    off_until: dt.datetime | None
    pause: Pause | None
    pause_left: float | None
    snoozed: bool
    trip: Trip | None = None
    trip_left: float | None = None  # seconds until the trip ends by itself


class Planner:
    """Owns the BreakTimer, the pause, and every reason not to interrupt the user."""

    def __init__(self, settings: Settings, first: Observation) -> None:
        self.timer = BreakTimer(settings.interval, first.mono)
        self.settings = settings
        self.pause_state: Pause | None = None
        self.trip: Trip | None = None
        self._last = first
        self._on_duty = on_duty(settings.working_hours, first.local)
        self._away_since: float | None = None
        self._away_slept = 0.0  # suspends during the current away spell: part of it
        self._next_idle = first.mono
        self._dnd_reasons: tuple[str, ...] = ()
        self._dnd_clear_at: float | None = None  # a held break may fire from here on
        self._dnd_next = first.mono
        self._sat_from: float | None = first.mono if self._counting() else None
        self._last_input: float | None = None  # mono of the last input seen; None: no source

    # --- what to measure ---------------------------------------------------------------
    def _due(self, mono: float) -> bool:
        return self.pause_state is None and self.timer.is_due(mono)

    def needs(self, mono: float) -> Needs:
        due = self._due(mono) and self._on_duty
        cut = self._sat_from is not None and mono - self._sat_from >= SIT_SPAN_S
        return Needs(
            idle=self.trip is None and (mono >= self._next_idle or due or cut),
            dnd=self.settings.do_not_disturb and due and self._away_since is None
            and mono >= self._dnd_next,
        )

    def next_wakeup(self, mono: float, *, idle_source: bool = True) -> float:
        """Monotonic time when ``observe`` has something new to decide.

        Only what can change a decision counts: a held or away break must not make the
        daemon spin on a due time that has already passed. Wall-clock moments (the end of
        "until tomorrow", working-hours edges) are the daemon's wall-clock jobs. With no
        ``idle_source`` on this desktop, no moment is planned for a reading that cannot
        come.
        """
        times = [self._next_idle if self.trip is None and idle_source else math.inf]
        if self.trip is not None and self.trip.until_boot is not None:
            times.append(self._last.mono + self.trip.until_boot - self._last.boot)
        hold = self.hold(mono)
        if hold is None:
            grace = self._dnd_clear_at
            times.append(grace if grace is not None and mono < grace
                         else self.timer.due_at() or math.inf)
        elif hold is Hold.PAUSED and self.pause_state is not None:
            end = self.pause_state.until_boot  # boot and mono run together while awake
            times.append(math.inf if end is None else self._last.mono + end - self._last.boot)
        elif hold is Hold.DND:
            times.append(self._dnd_next)
        if self._sat_from is not None and self._sat_from + SIT_SPAN_MAX_S > mono:
            times.append(self._sat_from + SIT_SPAN_MAX_S)  # passed and not cut: no spin
        return max(mono, min(times))

    # --- deciding ------------------------------------------------------------------------
    def observe(self, obs: Observation) -> Outcome:
        out = Outcome()
        self._clocks(obs, out)
        if self.trip is not None and self.trip.over(obs):
            self._close_sitting(obs.mono, obs.wall, out.events)  # the trip's, up to its end
            self.stop_trip(obs.mono)
            out.events.append(TripEnded(mono=obs.mono, wall=obs.wall, by="end of trip"))
        self._duty(obs, out)
        if obs.idle is not None and self.trip is None:  # a trip counts idle time too
            self._idle(obs, obs.idle, out)
        elif obs.mono >= self._next_idle:
            # Asked for idle time and got none: no source here. Do not ask again at once,
            # or the daemon would wake over and over for a reading that never comes.
            self._next_idle = obs.mono + max(MIN_IDLE_RECHECK_S, self.settings.idle_threshold)
        if obs.dnd is not None:
            self._dnd(obs, obs.dnd, out)
        self._last = obs
        if self.pause_state is not None and self.pause_state.over(obs):
            by = "end of pause" if self.pause_state.until_boot is not None else "new day"
            self.resume(obs.mono)
            out.events.append(Resumed(mono=obs.mono, wall=obs.wall, by=by))
        self._track_sitting(obs, out.events)
        if self._due(obs.mono) and self.hold(obs.mono) is None:
            if self._dnd_clear_at is not None and obs.mono < self._dnd_clear_at:
                return out
            self._dnd_clear_at = None
            out.fire = True
        return out

    def _clocks(self, obs: Observation, out: Outcome) -> None:
        last = self._last
        slept = (obs.boot - last.boot) - (obs.mono - last.mono)
        if slept > JUMP_TOLERANCE_S:
            out.events.append(Suspended(mono=obs.mono, wall=obs.wall, seconds=slept))
            if self.trip is not None:
                pass  # the interval's count only stopped: asleep in a seat is no break
            elif self._away_since is not None:
                # Away before the lid closed: one absence, counted when the user is back.
                self._away_slept += slept
            elif slept >= self.settings.idle_threshold:
                # Away long enough: a natural break. No burst, no stale notification,
                # and a full interval from now.
                self._close_sitting(obs.mono, obs.wall - dt.timedelta(seconds=slept),
                                    out.events)
                out.events.append(NaturalBreak(mono=obs.mono, wall=obs.wall, cause="suspend",
                                               seconds=slept))
                self._natural_break(obs.mono, out)
        wall_step = (obs.local - last.local).total_seconds()
        jump = wall_step - (obs.boot - last.boot)
        if abs(jump) > JUMP_TOLERANCE_S:
            out.events.append(ClockJumped(mono=obs.mono, wall=obs.wall, seconds=jump))

    def _natural_break(self, restart_at: float, out: Outcome) -> None:
        if self.pause_state is None:
            self._restart(restart_at)
        out.withdraw = True

    def _restart(self, mono: float) -> None:
        """A fresh interval; anything that held the old break back is forgotten with it."""
        self.timer.restart(mono)
        self._forget_dnd(mono)

    def _forget_dnd(self, mono: float) -> None:
        self._dnd_reasons = ()
        self._dnd_clear_at = None
        self._dnd_next = mono

    def _duty(self, obs: Observation, out: Outcome) -> None:
        duty = self.trip is not None or on_duty(self.settings.working_hours, obs.local)
        if duty == self._on_duty:
            return
        self._on_duty = duty
        if duty:
            out.events.append(DutyStarted(mono=obs.mono, wall=obs.wall))
            if self.pause_state is None:
                self._restart(obs.mono)  # a fresh interval when work starts
        else:
            out.events.append(DutyEnded(mono=obs.mono, wall=obs.wall))
            out.withdraw = True

    def _idle(self, obs: Observation, sample: IdleSample, out: Outcome) -> None:
        threshold = self.settings.idle_threshold
        idle = max(sample.idle, threshold) if sample.locked else sample.idle
        self._last_input = obs.mono - idle
        if idle >= threshold:
            if self._away_since is None:
                self._close_sitting(obs.mono - idle, obs.wall - dt.timedelta(seconds=idle),
                                    out.events)
                self._away_since = obs.mono - idle
                out.events.append(WentAway(mono=obs.mono, wall=obs.wall, idle=idle))
                out.withdraw = True
            # A fifth of the threshold: a return is seen well before it matters. The
            # return's moment is exact however late it is seen (now minus the idle time).
            recheck = ANNOUNCED_AWAY_RECHECK_S if sample.announced else \
                min(AWAY_RECHECK_S, max(MIN_IDLE_RECHECK_S / 5, threshold / 5))
            self._next_idle = obs.mono + recheck
            return
        if self._away_since is not None:
            returned = obs.mono - idle
            away = max(0.0, returned - self._away_since) + self._away_slept
            out.events.append(NaturalBreak(mono=obs.mono, wall=obs.wall, cause="away",
                                           seconds=away))
            self._away_since, self._away_slept = None, 0.0
            self._natural_break(returned, out)
            if self._counting():
                self._sat_from = returned
        # The soonest the user could cross the threshold; no need to ask before then.
        self._next_idle = obs.mono + max(MIN_IDLE_RECHECK_S, threshold - idle)

    def _dnd(self, obs: Observation, reasons: tuple[str, ...], out: Outcome) -> None:
        if self.trip is not None:
            reasons = tuple(r for r in reasons if not watching(r))
        if reasons:
            if not self._dnd_reasons:
                out.events.append(BreakHeld(mono=obs.mono, wall=obs.wall, reasons=reasons))
            self._dnd_reasons = reasons
            self._dnd_clear_at = None
            self._dnd_next = obs.mono + DND_RECHECK_S
            return
        if self._dnd_reasons:
            out.events.append(BreakReleased(mono=obs.mono, wall=obs.wall,
                                            reasons=self._dnd_reasons))
            self._dnd_reasons = ()
            self._dnd_clear_at = obs.mono + DND_GRACE_S
            self._dnd_next = self._dnd_clear_at

    # --- sitting time ---------------------------------------------------------------------
    def _counting(self) -> bool:
        """The user sits and the interval counts: on duty, not paused, not away."""
        return self.pause_state is None and self._on_duty and self._away_since is None

    def _close_sitting(self, mono: float, wall: dt.datetime, events: list[Event]) -> None:
        start, self._sat_from = self._sat_from, None
        if start is not None and mono > start:
            events.append(Sat(mono=mono, wall=wall, seconds=mono - start))

    def _track_sitting(self, obs: Observation, events: list[Event]) -> None:
        """Open, cut or close the sitting span to match the state after ``obs``."""
        if not self._counting():
            self._close_sitting(obs.mono, obs.wall, events)
        elif self._sat_from is None:
            self._sat_from = obs.mono
        else:
            # Cut at the last input seen, never later: the user may have left since, and
            # an absence found later ends the span where the input stopped.
            cut = obs.mono if self._last_input is None else \
                max(self._sat_from, min(obs.mono, self._last_input))
            if cut - self._sat_from >= SIT_SPAN_S:
                self._close_sitting(cut, obs.wall - dt.timedelta(seconds=obs.mono - cut), events)
                self._sat_from = cut

    def cut_sitting(self, now: Observation, *, reopen: bool = True) -> list[Event]:
        """Report the sitting span up to ``now``; the controller calls it when a command
        changes what counts (a pause, a resume), a break is taken, and at shutdown."""
        events: list[Event] = []
        self._close_sitting(now.mono, now.wall, events)
        if reopen:
            self._track_sitting(now, events)
        return events

    # --- what the user did (the controller calls these) ----------------------------------
    def shown(self, mono: float) -> None:
        """A break was shown: the next interval starts counting now."""
        if self.pause_state is None:
            self._restart(mono)

    def skip(self, mono: float) -> None:
        if self.pause_state is None:  # a pause already restarts the interval when it ends
            self._restart(mono)

    def snooze(self, mono: float, seconds: float, *, showing: bool) -> None:
        self.timer.snooze(mono, seconds, from_now=showing)
        self._forget_dnd(mono)

    def pause(self, mono: float, pause: Pause) -> None:
        """Start (or replace) the pause; the timer stops until it ends."""
        self.timer.stop(mono)
        self.pause_state = pause
        self._forget_dnd(mono)

    def resume(self, mono: float) -> None:
        """End the pause: a full interval from now."""
        self.pause_state = None
        self.timer.resume(mono)
        self._forget_dnd(mono)

    def start_trip(self, mono: float, trip: Trip) -> None:
        """Trip mode from now (or new terms for the running trip): a fresh trip interval.

        An absence in progress simply ends (on a trip idle time is no break), and so does
        anything do-not-disturb was holding.
        """
        self.trip = trip
        self._on_duty = True
        self._away_since, self._away_slept = None, 0.0
        self._last_input = None  # sitting is cut by time alone until idle counts again
        self.timer.set_interval(self.interval)
        if self.pause_state is None:
            self._restart(mono)

    def stop_trip(self, mono: float) -> None:
        """Back to the office rules: a full interval from now (working hours are looked
        at, and announced, at the next ``observe``)."""
        self.trip = None
        self.timer.set_interval(self.interval)
        self._next_idle = mono
        if self.pause_state is None:
            self._restart(mono)

    @property
    def interval(self) -> float:
        """The interval that applies now: the office's, the trip's, or the driver's."""
        if self.trip is None:
            return self.settings.interval
        return self.settings.driving_interval if self.trip.driving \
            else self.settings.trip_interval

    def reconfigure(self, settings: Settings) -> None:
        """New settings from a reloaded config; counted time and the pause are kept.

        A change of working hours is seen (and announced) at the next ``observe``.
        """
        self.settings = settings
        self.timer.set_interval(self.interval)
        if not settings.do_not_disturb:
            self._forget_dnd(self._last.mono)

    # --- queries -------------------------------------------------------------------------
    def hold(self, mono: float) -> Hold | None:
        if self.pause_state is not None:
            return Hold.PAUSED
        if not self._on_duty:
            return Hold.OFF_DUTY
        if self._away_since is not None:
            return Hold.AWAY
        if self._dnd_reasons and self._due(mono):
            return Hold.DND
        return None

    def status(self, now: Observation) -> PlanStatus:
        timer = self.timer.status(now.mono)
        hold = self.hold(now.mono)
        pause_left = None if self.pause_state is None else self.pause_state.left(now)
        trip_left = None if self.trip is None else self.trip.left(now)
        due_in = timer.due_in
        if hold is Hold.PAUSED:
            # Resuming starts a fresh interval: the break comes a full interval after it.
            due_in = None if pause_left is None else pause_left + self.timer.interval
        elif hold in (Hold.OFF_DUTY, Hold.AWAY):
            due_in = None
        return PlanStatus(
            due_in=due_in,
            progress=timer.progress,
            hold=hold,
            dnd_reasons=self._dnd_reasons,
            off_until=next_start(self.settings.working_hours, now.local)
            if hold is Hold.OFF_DUTY else None,
            pause=self.pause_state,
            pause_left=pause_left,
            snoozed=timer.snoozed,
            trip=self.trip,
            trip_left=trip_left,
        )
