"""How the core's state reads to people: the status reply, the tray, the icon, the log.

One place for the wording, so the tray headline, ``deskbreak status`` and the log never
tell three different stories. Pure functions of a Snapshot (and, for the status reply,
of what the edges report about themselves); nothing here can raise on extreme values:
a date past year 9999 or an infinite duration is worded, not crashed on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deskbreak.core import events as ev
from deskbreak.core.durations import format_duration
from deskbreak.core.model import Hold, Look

if TYPE_CHECKING:  # the controller imports this module for its wording
    from deskbreak.core.controller import Snapshot
    from deskbreak.core.planner import PlanStatus

# The ring fills in quarters: each new image makes a tray host call back about five
# times (measured, and each call wakes the daemon), so the icon changes four times an
# interval at most.
ICON_STEPS = 4


def tray_step_in(snap: Snapshot) -> float | None:
    """Seconds until the icon changes by itself (the ring's next quarter), or None while
    nothing counts down: the daemon wakes for that and for nothing else on the tray's
    account. The tooltip names a time of day (see ``headline``), so it has no steps."""
    plan = snap.plan
    if look(snap)[0] is not Look.COUNTING or plan.hold is not None or not plan.due_in:
        return None
    step = int(plan.progress * ICON_STEPS)
    if step >= ICON_STEPS:
        return None
    interval = snap.trip_interval or snap.interval
    wait = ((step + 1) / ICON_STEPS - plan.progress) * interval
    return max(1.0, wait + 0.05)  # just past the step, never a spin on rounding


def in_minutes(seconds: float) -> str:
    """Tray wording: whole minutes, rounded up, so "in 0 min" never shows."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 100 * 60:
        return f"{-(-int(seconds) // 60)} min"
    return format_duration(seconds)


def _later(now: dt.datetime, seconds: float) -> dt.datetime | None:
    try:
        return now + dt.timedelta(seconds=seconds)
    except (OverflowError, ValueError):  # past year 9999
        return None


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def local_moment(moment: dt.datetime, now: dt.datetime) -> str:
    """"04:00", "tomorrow 04:00" or "Mon 30 Nov 04:00", as seen from ``now``."""
    days = (moment.date() - now.date()).days
    if days == 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return "tomorrow " + moment.strftime("%H:%M")
    return moment.strftime("%a %d %b %H:%M")


def until_work(off_until: dt.datetime | None) -> str:
    """" until Mon 09:00" when working hours start again, else ""."""
    return f" until {off_until.strftime('%a %H:%M')}" if off_until else ""


def trip_ends(plan: PlanStatus, now: dt.datetime) -> str:
    """"for 4 h (until 18:30)" or "until you stop it", for a trip in progress."""
    if plan.trip_left is None:
        return "until you stop it"
    end = _later(now, plan.trip_left)
    until = f" (until {local_moment(end, now)})" if end is not None else ""
    return f"for {format_duration(plan.trip_left)}{until}"


def trip_terms(plan: PlanStatus, interval: float, now: dt.datetime) -> str:
    """What a trip does, in one line: how long, and what its breaks are."""
    trip = plan.trip
    if trip is None:
        return "no trip"
    every = format_duration(interval)
    if trip.driving:
        return f"driving, {trip_ends(plan, now)}; a reminder to stop every {every}"
    return f"{trip_ends(plan, now)}; a break every {every} in your seat"


def after_command(plan: PlanStatus) -> str:
    """What a command's reply says comes next: the break, or why it is not counting."""
    if plan.hold is Hold.AWAY:
        return "next break a full interval after you are back"
    if plan.hold is Hold.OFF_DUTY:
        return "off duty" + until_work(plan.off_until)
    return f"next break in {format_duration(plan.due_in or 0.0)}"


# --- the tray --------------------------------------------------------------------------
def headline(snap: Snapshot, *, rough: bool = False) -> str:
    """The first line of the tray menu, or with ``rough`` the icon's tooltip.

    The menu counts down ("Next break in 12 min"), worded afresh whenever it opens. The
    tooltip names the time of day instead ("Next break at 14:35"): a countdown changes by
    itself, and every change makes the panel call back (two calls) and needs a wake-up
    to send; a time of day stays true until the plan itself changes, when the daemon is
    awake anyway.
    """
    plan = snap.plan

    def count(seconds: float) -> str:
        moment = _later(snap.now.local, seconds) if rough else None
        if moment is None:
            return "in " + in_minutes(seconds)
        return "at " + local_moment(moment, snap.now.local)

    if plan.hold is Hold.OFF_DUTY:
        return ("Off" + until_work(plan.off_until)) if plan.off_until else "Off duty"
    if plan.hold is Hold.AWAY:
        return "Away: counts as a break"
    if plan.hold is Hold.DND:
        return "Break held: " + ", ".join(plan.dnd_reasons)
    if plan.hold is Hold.PAUSED:
        assert plan.pause is not None
        if plan.pause.until_wall is not None:
            return "Paused until " + local_moment(plan.pause.until_wall, snap.now.local)
        if plan.pause_left is None:
            return "Paused"
        if rough and (end := _later(snap.now.local, plan.pause_left)) is not None:
            return "Paused until " + local_moment(end, snap.now.local)
        return f"Paused for {in_minutes(max(60.0, plan.pause_left))}"
    if plan.due_in is None:
        return "No break planned"
    if plan.trip is not None and plan.trip.driving:
        return f"Driving: stop {count(plan.due_in)}"
    if plan.trip is not None:
        return f"Trip: next break {count(plan.due_in)}"
    return f"Next break {count(plan.due_in)}"


def look(snap: Snapshot) -> tuple[Look, int]:
    """The icon: paused bars, off-duty dash, a due ring, or the ring filled so far."""
    hold = snap.plan.hold
    if hold is Hold.PAUSED:
        return Look.PAUSED, 0
    if hold is Hold.OFF_DUTY:
        return Look.OFF_DUTY, 0
    if snap.showing is not None or hold is Hold.DND:
        return Look.DUE, 0
    return Look.COUNTING, max(0, min(ICON_STEPS, int(snap.plan.progress * ICON_STEPS)))


@dataclass(frozen=True)
class MenuView:
    """What the tray menu shows; the daemon replaces it whenever the state changes."""

    headline: str = "Starting…"
    can_snooze: bool = True
    can_skip: bool = True
    paused: bool = False
    context: str = "desk"
    contexts: tuple[str, ...] = ("desk", "home", "travel")  # those with exercises left
    trip: bool = False  # a trip is on: "Stop trip" is offered
    trip_driving: bool = False  # the "I'm driving" check mark


def menu_view(snap: Snapshot) -> MenuView:
    """Items are greyed out exactly when the controller would refuse them."""
    hold = snap.plan.hold
    blocked = hold in (Hold.PAUSED, Hold.OFF_DUTY)
    return MenuView(
        headline=headline(snap),
        can_snooze=not blocked,
        can_skip=not blocked or snap.showing is not None,
        paused=hold is Hold.PAUSED,
        context=snap.context,
        contexts=snap.contexts,
        trip=snap.plan.trip is not None,
        trip_driving=snap.plan.trip is not None and snap.plan.trip.driving,
    )


# --- deskbreak status ------------------------------------------------------------------
@dataclass(frozen=True)
class EdgeReport:
    """What the edges say about themselves, for the status reply."""

    pid: int
    notifier: str
    tray: str
    tray_menu: bool
    idle: str
    dnd: tuple[str, ...]
    config: str | None  # the config file in use; None: built-in defaults
    config_error: str | None  # the last edit that could not be applied
    notes: tuple[str, ...]
    history: str | None = None  # the history file being recorded to; None: not recording
    idle_tried: tuple[str, ...] = ()  # "wayland (org_kde_kwin_idle): in use", "gnome: ..."


_REASONS = {Hold.PAUSED: "paused", Hold.OFF_DUTY: "off duty", Hold.AWAY: "away",
            Hold.DND: "do not disturb"}


def status(snap: Snapshot, edges: EdgeReport) -> dict[str, Any]:
    """The JSON reply of ``deskbreak status``; the CLI words it with ``status_text``."""
    plan, now = snap.plan, snap.now.local
    pause_kind = pause_until = None
    if plan.pause is not None:
        if plan.pause.until_wall is not None:
            pause_kind, pause_until = "until-tomorrow", plan.pause.until_wall
        elif plan.pause_left is not None:
            pause_kind, pause_until = "timed", _later(now, plan.pause_left)
        else:
            pause_kind = "until-resumed"
    held = None if plan.hold is None else _REASONS[plan.hold] + (
        f" ({', '.join(plan.dnd_reasons)})" if plan.hold is Hold.DND else "")
    notes = list(edges.notes)
    if edges.config_error:
        notes.insert(0, f"settings not applied: {edges.config_error}; "
                        "still using the last good settings")
    return {
        "running": True,
        "pid": edges.pid,
        "state": plan.hold.value if plan.hold else "running",
        "held_because": held,
        "next_break_in": None if plan.due_in is None else round(plan.due_in, 3),
        "next_break_at": None if plan.due_in is None else _iso(_later(now, plan.due_in)),
        "off_until": plan.off_until.isoformat(timespec="minutes") if plan.off_until else None,
        "pause": pause_kind,
        "paused_until": _iso(pause_until),
        "snoozed": plan.snoozed,
        "break_pending": snap.showing is not None,
        "showing": snap.showing,
        "interval": snap.interval,
        "context": snap.context,
        "idle_backend": edges.idle,
        "idle_tried": list(edges.idle_tried),
        "dnd_sources": list(edges.dnd),
        "notifier": edges.notifier,
        "tray": edges.tray,
        "tray_menu": edges.tray_menu,
        "config": edges.config,
        "config_error": edges.config_error,
        "history": edges.history,
        "last_break": None if snap.last_shown is None else
        {"id": snap.last_shown[0], "at": _iso(snap.last_shown[1].replace(tzinfo=None))},
        "trip": _trip(snap),
        "notes": notes,
    }


def _trip(snap: Snapshot) -> dict[str, Any] | None:
    """``status``'s ``trip``: None, or what it is and when it ends (local time)."""
    plan = snap.plan
    if plan.trip is None:
        return None
    left = plan.trip_left
    return {
        "driving": plan.trip.driving,
        "length": plan.trip.length,
        "ends_in": None if left is None else round(left, 3),
        "ends_at": None if left is None else _iso(_later(snap.now.local, left)),
        "interval": snap.trip_interval,
        "breaks": snap.trip_breaks,
        "back_to": snap.trip_from,
    }


# --- the log ---------------------------------------------------------------------------
def describe(event: ev.Event) -> str:
    """One log line for an event."""
    match event:
        case ev.BreakShown():
            how = "asked for" if event.requested else "due"
            if event.driving:
                return f"driving stop shown ({how})"
            what = " + ".join([*event.exercises, *(["walk"] if event.walk else [])]) \
                or event.exercise_id
            kind = "trip break" if event.trip else "break"
            return f"{kind} shown ({how}): {what} [{event.context}]"
        case ev.BreakStarted():
            return f"break started: {event.exercise_id}"
        case ev.BreakCompleted():
            return f"break completed ({event.fraction:.0%}): {event.exercise_id}"
        case ev.BreakStopped():
            return f"guide closed at {event.fraction:.0%}: {event.exercise_id}"
        case ev.BreakSnoozed():
            what = event.exercise_id or "the next break"
            return f"break snoozed for {format_duration(event.seconds)}: {what}"
        case ev.BreakSkipped():
            return f"break skipped: {event.exercise_id or 'the next break'}"
        case ev.BreakIgnored():
            return f"break ignored ({event.reason}): {event.exercise_id}"
        case ev.NaturalBreak():
            return f"natural break: {event.cause} for {format_duration(event.seconds)}"
        case ev.WentAway():
            return f"away: no input for {format_duration(event.idle)}"
        case ev.Paused():
            if event.until is not None:
                return f"paused until {event.until.isoformat(timespec='minutes')}"
            if event.seconds is not None:
                return f"paused for {format_duration(event.seconds)}"
            return "paused until resumed"
        case ev.Resumed():
            return f"resumed ({event.by})"
        case ev.ContextChanged():
            return f"context: {event.context}"
        case ev.DutyStarted():
            return "working hours started"
        case ev.DutyEnded():
            return "working hours ended"
        case ev.BreakHeld():
            return f"break held: {', '.join(event.reasons)}"
        case ev.BreakReleased():
            return f"break released: {', '.join(event.reasons)} ended"
        case ev.Suspended():
            return f"machine slept for {format_duration(event.seconds)}"
        case ev.Sat():
            return f"sat for {format_duration(event.seconds)}"
        case ev.DaemonStarted():
            return "history: deskbreak started"
        case ev.DaemonStopped():
            return "history: deskbreak stopped"
        case ev.TripStarted():
            how = "driving" if event.driving else "in a seat"
            length = "until stopped" if event.seconds is None else \
                f"for {format_duration(event.seconds)}"
            return f"trip started ({how}), {length}"
        case ev.TripEnded():
            return f"trip ended ({event.by})"
        case ev.TripDriving():
            return "trip: driving" if event.driving else "trip: not driving"
        case ev.ClockJumped():
            return f"wall clock moved by {event.seconds:+.0f} s; re-planning wall-clock jobs"
    return type(event).__name__
