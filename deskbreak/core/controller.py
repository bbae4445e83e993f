"""The one place where commands are applied and break events are born.

Every input ends up here as a value: a Command from the command line, the control
channel, the tray or a notification button, an Observation from the loop, new Settings
from a reloaded config. The controller applies the rules (what each command means in
each state, and what it refuses), and returns a Result: a one-line message or a refusal,
the typed events that happened, and the effects the daemon must carry out at the edges
(show a break, take it down, open the settings). It owns the planner, the exercise
rotation, the chosen context and which break is on screen; it reads no clock and does
no I/O, so every rule is a unit test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
from deskbreak.core.presenter import after_command, local_moment, until_work
from deskbreak.core.rotation import Rotation


# --- effects: what the daemon must do at the edges ---------------------------------------
@dataclass(frozen=True)
class ShowBreak:
    exercise_id: str
    snoozable: bool = True  # not while paused or off duty: there is no "later" to put it


@dataclass(frozen=True)
class ShowSteps:
    exercise_id: str


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


Effect = ShowBreak | ShowSteps | Withdraw | OpenSettingsFile | OpenStatistics | ChangeAutostart \
    | ReloadSettings | Stop


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


def rollover_after(local: dt.datetime) -> dt.datetime:
    """When "until tomorrow" ends: the next ROLLOVER, so 01:00 runs only until 04:00."""
    moment = dt.datetime.combine(local.date(), ROLLOVER)
    return moment if local < moment else moment + dt.timedelta(days=1)


class Controller:
    """Applies commands, observations and settings; see the module docstring."""

    def __init__(self, settings: Settings, eligible: Mapping[str, Sequence[str]],
                 rotation: Rotation, first: Observation,
                 chosen_context: tuple[str, str] | None = None) -> None:
        """``chosen_context``: (context, the config's context when it was chosen).

        A context chosen in the tray outlives a restart, unless the config's own context
        changed since: then the config wins.
        """
        self.settings = settings
        self.eligible = {context: tuple(ids) for context, ids in eligible.items()}
        self.rotation = rotation
        self.planner = Planner(settings, first)
        self.context = settings.context
        if chosen_context is not None:
            value, base = chosen_context
            if base == settings.context and self.eligible.get(value):
                self.context = value
        self._showing: str | None = None
        self._started: str | None = None  # started from its notification, not yet done
        self._snoozed: str | None = None  # snoozed on screen: it comes back, not another
        self._last_shown: tuple[str, dt.datetime] | None = None

    # --- the loop's input ----------------------------------------------------------------
    def observe(self, obs: Observation) -> Result:
        """Time passed and the sensors saw ``obs``: fire, hold, or count a natural break."""
        outcome = self.planner.observe(obs)
        result = Result(events=list(outcome.events))
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
        return result

    # --- commands --------------------------------------------------------------------------
    def apply(self, command: Command, now: Observation) -> Result:
        """Apply one command; a refusal leaves every bit of state as it was."""
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
        if not self.eligible.get(self.context):
            return Result(refused=self._no_exercises(self.context))
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
        ident, self._showing = self._showing, None
        self._started = ident
        return Result("Started", events=[*self.planner.cut_sitting(now), BreakStarted(
            mono=now.mono, wall=now.wall, exercise_id=ident)], effects=[ShowSteps(ident)])

    def _done(self, now: Observation, fraction: float) -> Result:
        if self._started is None:
            return Result(refused="no break was started: nothing to mark done")
        ident, self._started = self._started, None
        return Result("Done: well moved", events=[*self.planner.cut_sitting(now), BreakCompleted(
            mono=now.mono, wall=now.wall, exercise_id=ident, fraction=fraction)],
            effects=[Withdraw()])  # its steps are no longer needed on screen

    def _stopped(self, now: Observation, fraction: float) -> Result:
        if self._started is None:
            return Result(refused="no break was started: nothing to stop")
        ident, self._started = self._started, None
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
        ident, showing = self._showing, self._showing is not None
        due_in = self.planner.status(now).due_in
        if not showing and due_in is not None and due_in + seconds > SNOOZE_RANGE[1]:
            return Result(refused=f"the next break would be more than "
                                  f"{format_duration(SNOOZE_RANGE[1])} away; pause instead "
                                  "(e.g. deskbreak pause 2d)")
        self.planner.snooze(now.mono, seconds, showing=showing)
        self._showing = None
        if ident is not None:
            self._snoozed = ident
        return Result(f"Snoozed: {self._next_break(now)}",
                      events=[BreakSnoozed(mono=now.mono, wall=now.wall, exercise_id=ident,
                                           seconds=seconds)],
                      effects=[Withdraw()] if showing else [])

    def _skip(self, now: Observation) -> Result:
        hold = self.planner.hold(now.mono)
        if hold in (Hold.PAUSED, Hold.OFF_DUTY) and self._showing is not None:
            # A break asked for while paused or off duty: dismiss it, and stay as we were.
            ident, self._showing = self._showing, None
            still = "still paused" if hold is Hold.PAUSED else "still off duty"
            return Result(f"Skipped ({still})",
                          events=[BreakSkipped(mono=now.mono, wall=now.wall, exercise_id=ident)],
                          effects=[Withdraw()])
        refused = self._refusal(now, "skip")
        if refused:
            return Result(refused=refused)
        ident, self._showing, self._snoozed = self._showing, None, None
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
                    now: Observation) -> Result:
        """New settings and exercises from a reloaded config; counted time is kept.

        The config's context wins when it changed; a chosen context that lost all its
        exercises to new exclusions falls back to it too.
        """
        old_base = self.settings.context
        self.settings = settings
        self.eligible = {context: tuple(ids) for context, ids in eligible.items()}
        self.planner.reconfigure(settings)
        result = Result(save=settings.context != old_base)  # the chosen one's base moved
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
        ids = self.eligible.get(self.context, ())
        if not ids:  # cannot happen through the checks above; never fire in a loop
            self.planner.skip(now.mono)
            return
        if self._showing is not None:
            self._ignored(now, "next break", result)
        snoozed, self._snoozed = self._snoozed, None
        ident = snoozed if snoozed in ids else self.rotation.take(self.context, ids)
        snoozable = self.planner.hold(now.mono) not in (Hold.PAUSED, Hold.OFF_DUTY)
        self.planner.shown(now.mono)
        self._showing, self._started = ident, None
        self._last_shown = (ident, now.wall)
        result.events.append(BreakShown(mono=now.mono, wall=now.wall, exercise_id=ident,
                                        context=self.context, requested=requested))
        if notify:
            result.effects.append(ShowBreak(ident, snoozable))
        result.save = True

    def _ignored(self, now: Observation, reason: str, result: Result) -> None:
        assert self._showing is not None
        result.events.append(BreakIgnored(mono=now.mono, wall=now.wall,
                                          exercise_id=self._showing, reason=reason))
        self._showing = None

    @staticmethod
    def _no_exercises(context: str) -> str:
        return f"no exercises left in context {context!r} after your exclusions"

    # --- queries ---------------------------------------------------------------------------
    def needs(self, mono: float) -> Needs:
        """What to measure before the next ``observe``."""
        return self.planner.needs(mono)

    def next_wakeup(self, mono: float) -> float:
        """Monotonic time when ``observe`` has something new to decide."""
        return self.planner.next_wakeup(mono)

    def snapshot(self, now: Observation) -> Snapshot:
        return Snapshot(now=now, plan=self.planner.status(now), showing=self._showing,
                        last_shown=self._last_shown, context=self.context,
                        contexts=tuple(c for c, ids in self.eligible.items() if ids),
                        interval=self.settings.interval)

    def chosen_context(self) -> tuple[str, str]:
        """(context, the config's context) to persist, see ``__init__``."""
        return self.context, self.settings.context
