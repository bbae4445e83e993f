"""The one place where commands are applied and break events are born.

Every input ends up here as a value: a Command from the command line, the control
channel, the tray or a notification button, an Observation from the loop, new Settings
from a reloaded config. The controller applies the rules (what each command means in
each state, and what it refuses), and returns a Result: a one-line message or a refusal,
the typed events that happened, and the effects the daemon must carry out at the edges
(show a break, take it down, open the settings). It owns the planner, the exercise
rotation, the chosen context and which break is on screen; it reads no clock and does
no I/O, so every rule is a unit test.

During a trip (``core.trip``) it switches to the travel context and back, deals each
break as a short in-seat routine (or, for a driver, a reminder to stop), and marks every
event that happens meanwhile with ``trip``, so history can keep trips apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from deskbreak.core import events as ev
from deskbreak.core import trip as trips
from deskbreak.core.commands import (
    BreakNow,
    Command,
    Done,
    Next,
    OpenSettings,
    Pause,
    Quit,
    Reload,
    Resume,
    SetAutostart,
    SetContext,
    ShowStatistics,
    Skip,
    Snooze,
    Start,
    Status,
    Stopped,
    TripDriving,
    TripStart,
    TripStop,
)
from deskbreak.core.durations import format_duration
from deskbreak.core.events import (
    BreakCompleted,
    BreakIgnored,
    BreakShown,
    BreakSkipped,
    BreakSnoozed,
    BreakStarted,
    BreakStopped,
    ContextChanged,
    DutyEnded,
    Event,
    NaturalBreak,
    Paused,
    Resumed,
    WentAway,
)
from deskbreak.core.model import ROLLOVER, SNOOZE_RANGE, Hold, Observation, Settings
from deskbreak.core.planner import Needs, Planner, PlanStatus
from deskbreak.core.planner import Pause as PauseState
from deskbreak.core.presenter import after_command, local_moment, trip_terms, until_work
from deskbreak.core.rotation import Rotation
from deskbreak.core.trip import Trip


# --- effects: what the daemon must do at the edges ---------------------------------------
@dataclass(frozen=True)
class ShowBreak:
    exercise_id: str
    snoozable: bool = True  # not while paused or off duty: there is no "later" to put it
    routine: tuple[str, ...] = ()  # a trip break: every movement, the first being exercise_id
    walk: bool = False  # a trip break that also asks for a walk down the aisle
    driving: bool = False  # a reminder to stop the car: no exercise, nothing to start
    sound: bool = False  # with a sound: a traveler may be looking at a film, or the road


@dataclass(frozen=True)
class ShowSteps:
    exercise_id: str
    routine: tuple[str, ...] = ()  # guide every movement of a trip break, in order
    walk: bool = False


@dataclass(frozen=True)
class Inform:
    """A message with no buttons (the trip's safety note, its end)."""

    title: str
    body: str


@dataclass(frozen=True)
class Withdraw:
    """Take down the break on screen (answered elsewhere, or stale)."""


@dataclass(frozen=True)
class OpenSettingsFile:
    pass


@dataclass(frozen=True)
class OpenStatistics:
    """Draw the history in a short-lived process and open the picture."""


@dataclass(frozen=True)
class ChangeAutostart:
    """Write or remove the start-at-login entry (file or registry: edge work)."""

    enabled: bool


@dataclass(frozen=True)
class ReloadSettings:
    pass


@dataclass(frozen=True)
class Stop:
    pass


Effect = ShowBreak | ShowSteps | Inform | Withdraw | OpenSettingsFile | OpenStatistics \
    | ChangeAutostart | ReloadSettings | Stop


@dataclass(frozen=True)
class Shown:
    """A break as dealt: one exercise, a trip's in-seat routine, or a driving stop."""

    exercise_id: str
    routine: tuple[str, ...] = ()
    walk: bool = False
    driving: bool = False


@dataclass
class Result:
    """What applying one input did. ``refused``: why nothing changed (a one-line reason)."""

    message: str = ""
    refused: str | None = None
    data: dict[str, Any] | None = None
    events: list[Event] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    save: bool = False  # the rotation or the context may have changed: persist them


@dataclass(frozen=True)
class Snapshot:
    """Everything the presenter needs to word the state, taken at one moment."""

    now: Observation
    plan: PlanStatus
    showing: str | None  # the exercise on screen, unanswered
    last_shown: tuple[str, dt.datetime] | None
    context: str
    contexts: tuple[str, ...]  # the contexts that have exercises left to show
    interval: float
    trip_interval: float | None = None  # during a trip: its interval (or the driver's)
    trip_from: str | None = None  # during a trip: the context it goes back to
    trip_breaks: int = 0  # trip breaks dealt so far (every second one has the walk)


def rollover_after(local: dt.datetime) -> dt.datetime:
    """When "until tomorrow" ends: the next ROLLOVER, so 01:00 runs only until 04:00."""
    moment = dt.datetime.combine(local.date(), ROLLOVER)
    return moment if local < moment else moment + dt.timedelta(days=1)


class Controller:
    """Applies commands, observations and settings; see the module docstring."""

    def __init__(self, settings: Settings, eligible: Mapping[str, Sequence[str]],
                 rotation: Rotation, first: Observation,
                 chosen_context: tuple[str, str] | None = None, *,
                 trip_pool: Mapping[str, Sequence[str]] | None = None,
                 trip: tuple[Trip, str, int] | None = None) -> None:
        """``chosen_context``: (context, the config's context when it was chosen).

        A context chosen in the tray outlives a restart, unless the config's own context
        changed since: then the config wins. ``trip_pool``: the in-seat exercises by focus
        (``trip.trip_pool``); ``trip``: a trip saved by an earlier run (``trip.from_json``).
        """
        self.settings = settings
        self.eligible = {context: tuple(ids) for context, ids in eligible.items()}
        self.trip_pool = {focus: tuple(ids) for focus, ids in (trip_pool or {}).items()}
        self.rotation = rotation
        self.planner = Planner(settings, first)
        self.context = settings.context
        if chosen_context is not None:
            value, base = chosen_context
            if base == settings.context and self.eligible.get(value):
                self.context = value
        self._showing: Shown | None = None
        self._started: Shown | None = None  # started from its notification, not yet done
        self._snoozed: Shown | None = None  # snoozed on screen: it comes back, not another
        self._last_shown: tuple[str, dt.datetime] | None = None
        self._trip_from: str | None = None  # the context to go back to after the trip
        self._trip_breaks = 0
        if trip is not None:
            state, self._trip_from, self._trip_breaks = trip
            self.planner.start_trip(first.mono, state)
            if self.eligible.get("travel"):
                self.context = "travel"

    # --- the loop's input ----------------------------------------------------------------
    def observe(self, obs: Observation) -> Result:
        """Time passed and the sensors saw ``obs``: fire, hold, or count a natural break."""
        on_trip = self.planner.trip is not None
        outcome = self.planner.observe(obs)
        result = Result(events=list(outcome.events))
        if any(isinstance(e, ev.TripEnded) for e in outcome.events):
            self._after_trip(obs, result)
            result.effects.append(Inform("deskbreak: trip mode ended",
                                         f"Back to the {self.context} context: "
                                         f"{after_command(self.planner.status(obs))}."))
        left = any(isinstance(e, WentAway | NaturalBreak) for e in outcome.events)
        ended = any(isinstance(e, DutyEnded) for e in outcome.events)
        if left or ended:
            self._snoozed = None  # a fresh interval after a natural break: a fresh exercise
        if self._showing is not None:
            if left:
                self._ignored(obs, "natural break", result)  # away: it becomes one
            elif ended:
                self._ignored(obs, "off duty", result)
        if outcome.fire:
            self._show(obs, requested=False, result=result)
        elif outcome.withdraw:
            result.effects.append(Withdraw())
        result.events = _tagged(result.events, on_trip)
        return result

    # --- commands --------------------------------------------------------------------------
    def apply(self, command: Command, now: Observation) -> Result:
        """Apply one command; a refusal leaves every bit of state as it was."""
        on_trip = self.planner.trip is not None
        result = self._apply(command, now)
        result.events = _tagged(result.events, on_trip)
        return result

    def _apply(self, command: Command, now: Observation) -> Result:
        match command:
            case Status():
                return Result()
            case Next():
                return self._next()
            case BreakNow():
                return self._break_now(now, start=command.start)
            case Start():
                return self._start(now)
            case Done():
                return self._done(now, command.fraction)
            case Stopped():
                return self._stopped(now, command.fraction)
            case Snooze():
                return self._snooze(now, command.seconds or self.settings.snooze)
            case Skip():
                return self._skip(now)
            case Pause():
                return self._pause(now, command)
            case Resume():
                return self._resume(now)
            case SetContext():
                return self._set_context(now, command.context)
            case TripStart():
                return self._trip_start(now, command)
            case TripStop():
                return self._trip_stop(now)
            case TripDriving():
                return self._trip_driving(now, command.driving)
            case OpenSettings():
                return Result("Opening the settings file", effects=[OpenSettingsFile()])
            case ShowStatistics():
                return Result("Drawing your statistics", effects=[OpenStatistics()])
            case SetAutostart():
                return Result(f"Start at login: {'on' if command.enabled else 'off'}",
                              effects=[ChangeAutostart(command.enabled)])
            case Reload():
                return Result("Reloading the settings", effects=[ReloadSettings()])
            case Quit():
                return Result("deskbreak is stopping", effects=[Stop()])
        raise TypeError(f"not a command: {command!r}")

    def _next(self) -> Result:
        ids = self.eligible.get(self.context, ())
        if not ids:
            return Result(refused=self._no_exercises(self.context))
        ident = self.rotation.peek(self.context, ids)
        return Result(data={"id": ident, "context": self.context}, save=True)

    def _break_now(self, now: Observation, *, start: bool) -> Result:
        if not self._can_deal():
            return Result(refused=self._no_exercises(self.context))
        if start and self.planner.trip is not None and self.planner.trip.driving:
            start = False  # a stop for a driver: nothing to guide, the notification says it
        result = Result()
        self._show(now, requested=True, result=result, notify=not start)
        if start:  # no notification to answer: the guide opens with it
            started = self._start(now)
            result.events += started.events
            result.effects += started.effects
        still = " (still paused)" if self.planner.pause_state is not None else ""
        result.message = "Break now" + still
        return result

    def _start(self, now: Observation) -> Result:
        if self._showing is None:
            return Result(refused="no break is showing: nothing to start")
        if self._showing.driving:
            return Result(refused="a driving stop has no steps to guide: stop somewhere "
                                  "safe, then walk")
        shown, self._showing = self._showing, None
        self._started = shown
        return Result("Started", events=[*self.planner.cut_sitting(now), BreakStarted(
            mono=now.mono, wall=now.wall, exercise_id=shown.exercise_id)],
            effects=[ShowSteps(shown.exercise_id, shown.routine, shown.walk)])

    def _done(self, now: Observation, fraction: float) -> Result:
        if self._started is None:
            return Result(refused="no break was started: nothing to mark done")
        ident, self._started = self._started.exercise_id, None
        return Result("Done: well moved", events=[*self.planner.cut_sitting(now), BreakCompleted(
            mono=now.mono, wall=now.wall, exercise_id=ident, fraction=fraction)],
            effects=[Withdraw()])  # its steps are no longer needed on screen

    def _stopped(self, now: Observation, fraction: float) -> Result:
        if self._started is None:
            return Result(refused="no break was started: nothing to stop")
        ident, self._started = self._started.exercise_id, None
        return Result(f"Stopped at {fraction:.0%}; the next break comes as planned",
                      events=[BreakStopped(mono=now.mono, wall=now.wall, exercise_id=ident,
                                           fraction=fraction)])

    def _refusal(self, now: Observation, verb: str) -> str | None:
        """Why there is no break to ``verb`` now, or None when there is one."""
        plan = self.planner.status(now)
        state = "paused" if plan.hold is Hold.PAUSED else \
            "off duty" + until_work(plan.off_until) if plan.hold is Hold.OFF_DUTY else None
        if state is None:
            return None
        if self._showing is not None and verb == "snooze":  # asked for now: no "later"
            return f"{state}: this break cannot be snoozed; skip it" + \
                (", or resume first" if plan.hold is Hold.PAUSED else "")
        return f"{state}: nothing to {verb}" + ("; resume first" if plan.hold is Hold.PAUSED
                                               else "")

    def _next_break(self, now: Observation) -> str:
        return after_command(self.planner.status(now))

    def _snooze(self, now: Observation, seconds: float) -> Result:
        refused = self._refusal(now, "snooze")
        if refused:
            return Result(refused=refused)
        shown, showing = self._showing, self._showing is not None
        ident = None if shown is None else shown.exercise_id
        due_in = self.planner.status(now).due_in
        if not showing and due_in is not None and due_in + seconds > SNOOZE_RANGE[1]:
            return Result(refused=f"the next break would be more than "
                                  f"{format_duration(SNOOZE_RANGE[1])} away; pause instead "
                                  "(e.g. deskbreak pause 2d)")
        self.planner.snooze(now.mono, seconds, showing=showing)
        self._showing = None
        if shown is not None:
            self._snoozed = shown
        return Result(f"Snoozed: {self._next_break(now)}",
                      events=[BreakSnoozed(mono=now.mono, wall=now.wall, exercise_id=ident,
                                           seconds=seconds)],
                      effects=[Withdraw()] if showing else [])

    def _skip(self, now: Observation) -> Result:
        hold = self.planner.hold(now.mono)
        if hold in (Hold.PAUSED, Hold.OFF_DUTY) and self._showing is not None:
            # A break asked for while paused or off duty: dismiss it, and stay as we were.
            ident, self._showing = self._showing.exercise_id, None
            still = "still paused" if hold is Hold.PAUSED else "still off duty"
            return Result(f"Skipped ({still})",
                          events=[BreakSkipped(mono=now.mono, wall=now.wall, exercise_id=ident)],
                          effects=[Withdraw()])
        refused = self._refusal(now, "skip")
        if refused:
            return Result(refused=refused)
        ident = None if self._showing is None else self._showing.exercise_id
        self._showing, self._snoozed = None, None
        self.planner.skip(now.mono)
        return Result(f"Skipped: {self._next_break(now)}",
                      events=[BreakSkipped(mono=now.mono, wall=now.wall, exercise_id=ident)],
                      effects=[Withdraw()] if ident is not None else [])

    def _pause(self, now: Observation, command: Pause) -> Result:
        result = Result()
        self._snoozed = None
        if self._showing is not None:
            self._ignored(now, "paused", result)
            result.effects.append(Withdraw())
        if command.until_tomorrow:
            until = rollover_after(now.local)
            state = PauseState(until_wall=until)
            result.message = f"Paused until {local_moment(until, now.local)}"
        elif command.seconds is not None:
            state = PauseState(until_boot=now.boot + command.seconds)
            result.message = f"Paused for {format_duration(command.seconds)}"
        else:
            state = PauseState()
            result.message = "Paused until resumed"
        self.planner.pause(now.mono, state)
        result.events.extend(self.planner.cut_sitting(now))
        result.events.append(Paused(mono=now.mono, wall=now.wall, seconds=command.seconds,
                                    until=state.until_wall))
        return result

    def _resume(self, now: Observation) -> Result:
        if self.planner.pause_state is None:
            return Result(refused="not paused: nothing to resume")
        self.planner.resume(now.mono)
        sitting = self.planner.cut_sitting(now)  # sitting counts again from now
        return Result(f"Resumed: {self._next_break(now)}",
                      events=[*sitting, Resumed(mono=now.mono, wall=now.wall, by="you")])

    def _set_context(self, now: Observation, context: str) -> Result:
        if not self.eligible.get(context):
            return Result(refused=self._no_exercises(context))
        result = Result(f"Context: {context}")
        if context != self.context:
            self.context = context
            result.save = True
            result.events.append(ContextChanged(mono=now.mono, wall=now.wall, context=context))
        return result

    def finish(self, now: Observation) -> Result:
        """The daemon stops: report the sitting span in flight, so history keeps it."""
        return Result(events=self.planner.cut_sitting(now, reopen=False))

    # --- settings --------------------------------------------------------------------------
    def reconfigure(self, settings: Settings, eligible: Mapping[str, Sequence[str]],
                    now: Observation, trip_pool: Mapping[str, Sequence[str]] | None = None
                    ) -> Result:
        """New settings and exercises from a reloaded config; counted time is kept.

        The config's context wins when it changed; a chosen context that lost all its
        exercises to new exclusions falls back to it too. During a trip that applies to
        the context the trip goes back to; the trip keeps travel.
        """
        old_base = self.settings.context
        self.settings = settings
        self.eligible = {context: tuple(ids) for context, ids in eligible.items()}
        if trip_pool is not None:
            self.trip_pool = {focus: tuple(ids) for focus, ids in trip_pool.items()}
        self.planner.reconfigure(settings)
        result = Result(save=settings.context != old_base)  # the chosen one's base moved
        if self._trip_from is not None:
            if settings.context != old_base or not self.eligible.get(self._trip_from):
                self._trip_from = settings.context
            if self.eligible.get(self.context):
                return result
        fall_back = settings.context != old_base or not self.eligible.get(self.context)
        if fall_back and self.context != settings.context:
            self.context = settings.context
            result.save = True
            result.events.append(ContextChanged(mono=now.mono, wall=now.wall,
                                                context=self.context))
        return result

    # --- helpers ---------------------------------------------------------------------------
    def _show(self, now: Observation, *, requested: bool, result: Result,
              notify: bool = True) -> None:
        if not self._can_deal():  # cannot happen through the checks above; never fire in a loop
            self.planner.skip(now.mono)
            return
        if self._showing is not None:
            self._ignored(now, "next break", result)
        snoozed, self._snoozed = self._snoozed, None
        shown = snoozed if snoozed is not None and self._still_fits(snoozed) else self._deal()
        snoozable = self.planner.hold(now.mono) not in (Hold.PAUSED, Hold.OFF_DUTY)
        self.planner.shown(now.mono)
        self._showing, self._started = shown, None
        self._last_shown = (shown.exercise_id, now.wall)
        result.events.append(BreakShown(
            mono=now.mono, wall=now.wall, exercise_id=shown.exercise_id, context=self.context,
            requested=requested, exercises=shown.routine, walk=shown.walk,
            driving=shown.driving))
        if notify:
            sound = self.planner.trip is not None and self.settings.trip_sound
            result.effects.append(ShowBreak(shown.exercise_id, snoozable, shown.routine,
                                            shown.walk, shown.driving, sound))
        result.save = True

    def _can_deal(self) -> bool:
        """Whether a break can be dealt now (a refusal otherwise)."""
        trip = self.planner.trip
        if trip is not None and (trip.driving or any(self.trip_pool.values())):
            return True
        return bool(self.eligible.get(self.context))

    def _deal(self) -> Shown:
        """The next break: a driving stop, a trip's in-seat routine, or one exercise."""
        trip = self.planner.trip
        if trip is not None and trip.driving:
            return Shown(trips.DRIVING_STOP, driving=True)
        if trip is not None:
            number = self._trip_breaks + 1
            chosen = trips.compose(self.trip_pool, self.rotation, number)
            if chosen:
                self._trip_breaks = number
                return Shown(chosen[0], chosen, walk=trips.walks(number))
        return Shown(self.rotation.take(self.context, self.eligible.get(self.context, ())))

    def _still_fits(self, shown: Shown) -> bool:
        """A snoozed break comes back only if it still fits: a driving stop only to a
        driver, a trip routine only on a trip, an exercise only if still eligible."""
        trip = self.planner.trip
        if shown.driving:
            return trip is not None and trip.driving
        if shown.routine:
            return trip is not None and not trip.driving
        return (trip is None or not trip.driving) \
            and shown.exercise_id in self.eligible.get(self.context, ())

    # --- trips -----------------------------------------------------------------------------
    def _trip_start(self, now: Observation, command: TripStart) -> Result:
        if not command.driving and not self._trip_possible():
            return Result(refused=self._no_exercises("travel"))
        new = self.planner.trip is None
        result = Result(save=True)
        result.events += self.planner.cut_sitting(now, reopen=False)
        if self._showing is not None:
            self._ignored(now, "trip", result)
            result.effects.append(Withdraw())
        self._snoozed = None
        if self.planner.pause_state is not None:  # asked for reminders: the pause is over
            self.planner.resume(now.mono)
            result.events.append(Resumed(mono=now.mono, wall=now.wall, by="trip"))
        trip = Trip.starting(now, command.seconds, command.driving)
        self.planner.start_trip(now.mono, trip)
        result.events.append(ev.TripStarted(mono=now.mono, wall=now.wall,
                                            seconds=command.seconds, driving=command.driving))
        if new:
            self._trip_from, self._trip_breaks = self.context, 0
            result.effects.append(Inform(trips.SAFETY_TITLE,
                                         trips.safety_note(command.driving)))
        if self.context != "travel" and self.eligible.get("travel"):
            self.context = "travel"
            result.events.append(ContextChanged(mono=now.mono, wall=now.wall,
                                                context="travel"))
        result.events += self.planner.cut_sitting(now)  # the trip's sitting counts from now
        verb = "Trip mode on" if new else "Trip changed"
        result.message = f"{verb}: {self._trip_terms(now)}"
        return result

    def _trip_terms(self, now: Observation) -> str:
        return trip_terms(self.planner.status(now), self.planner.interval, now.local)

    def _trip_possible(self) -> bool:
        return any(self.trip_pool.values()) or bool(self.eligible.get("travel"))

    def _trip_stop(self, now: Observation) -> Result:
        if self.planner.trip is None:
            return Result(refused="no trip: nothing to stop")
        result = Result(save=True)
        result.events += self.planner.cut_sitting(now, reopen=False)
        self.planner.stop_trip(now.mono)
        result.events.append(ev.TripEnded(mono=now.mono, wall=now.wall, by="you"))
        self._after_trip(now, result)
        result.events += self.planner.cut_sitting(now)
        result.message = f"Trip mode off: context {self.context}; {self._next_break(now)}"
        return result

    def _after_trip(self, now: Observation, result: Result) -> None:
        """The trip is over (stopped, or its time is up): back to the context before it."""
        back, self._trip_from, self._trip_breaks = self._trip_from, None, 0
        self._snoozed = None  # a trip routine does not come back at the desk
        result.save = True
        back = back if back is not None and self.eligible.get(back) else self.settings.context
        if back != self.context and self.eligible.get(back):
            self.context = back
            result.events.append(ContextChanged(mono=now.mono, wall=now.wall, context=back))

    def _trip_driving(self, now: Observation, driving: bool) -> Result:
        trip = self.planner.trip
        if trip is None:
            if not driving:
                return Result(refused="no trip: not driving already")
            return self._trip_start(now, TripStart(None, driving=True))
        if trip.driving == driving:
            return Result(f"Driving: {'yes' if driving else 'no'} (no change)")
        if not driving and not self._trip_possible():
            return Result(refused=self._no_exercises("travel"))
        result = Result(save=True)
        result.events += self.planner.cut_sitting(now, reopen=False)
        if self._showing is not None:  # the other kind of break: no longer right
            self._ignored(now, "trip", result)
            result.effects.append(Withdraw())
        self._snoozed = None
        self.planner.start_trip(now.mono, replace(trip, driving=driving))
        result.events.append(ev.TripDriving(mono=now.mono, wall=now.wall, driving=driving))
        result.events += self.planner.cut_sitting(now)
        result.message = f"Trip changed: {self._trip_terms(now)}"
        return result

    def trip_state(self, now: Observation) -> dict[str, Any] | None:
        """The running trip as the state file keeps it (None: no trip), see ``trip``."""
        trip = self.planner.trip
        if trip is None:
            return None
        return trips.to_json(trip, now, self._trip_from or self.settings.context,
                             self._trip_breaks)

    def _ignored(self, now: Observation, reason: str, result: Result) -> None:
        assert self._showing is not None
        result.events.append(BreakIgnored(mono=now.mono, wall=now.wall,
                                          exercise_id=self._showing.exercise_id, reason=reason))
        self._showing = None

    @staticmethod
    def _no_exercises(context: str) -> str:
        return f"no exercises left in context {context!r} after your exclusions"

    # --- queries ---------------------------------------------------------------------------
    def needs(self, mono: float) -> Needs:
        """What to measure before the next ``observe``."""
        return self.planner.needs(mono)

    def next_wakeup(self, mono: float, *, idle_source: bool = True) -> float:
        """Monotonic time when ``observe`` has something new to decide."""
        return self.planner.next_wakeup(mono, idle_source=idle_source)

    def snapshot(self, now: Observation) -> Snapshot:
        on_trip = self.planner.trip is not None
        return Snapshot(now=now, plan=self.planner.status(now),
                        showing=None if self._showing is None else self._showing.exercise_id,
                        last_shown=self._last_shown, context=self.context,
                        contexts=tuple(c for c, ids in self.eligible.items() if ids),
                        interval=self.settings.interval,
                        trip_interval=self.planner.interval if on_trip else None,
                        trip_from=self._trip_from, trip_breaks=self._trip_breaks)

    def chosen_context(self) -> tuple[str, str]:
        """(context, the config's context) to persist, see ``__init__``.

        During a trip, the context it goes back to: if the trip's own state is lost, the
        next run is where the user was before the trip, not stuck in travel.
        """
        return self._trip_from or self.context, self.settings.context


def _tagged(events: list[Event], on_trip: bool) -> list[Event]:
    """Mark what happened during a trip: from a TripStarted (or from the start, when a
    trip was running) up to and including its TripEnded."""
    out = []
    for event in events:
        if isinstance(event, ev.TripStarted):
            on_trip = True
        out.append(replace(event, trip=True) if on_trip and not event.trip else event)
        if isinstance(event, ev.TripEnded):
            on_trip = False
    return out
