"""Break events as history records: one flat row per event, the shape the store keeps.

A Record is what outlives the daemon: the kind of event, local time as the user lived
it (so a day in Tokyo is a Tokyo day), and the few values statistics need. Turning
events into records is pure and total: every event type has a kind, so nothing that
happens can be dropped on the way to the disk by accident (a test walks all of them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from deskbreak.core import events as ev

# The kinds as they are stored; renaming one would orphan a user's history.
KINDS: dict[type[ev.Event], str] = {
    ev.BreakShown: "shown",
    ev.BreakStarted: "started",
    ev.BreakCompleted: "completed",
    ev.BreakStopped: "stopped",
    ev.BreakSnoozed: "snoozed",
    ev.BreakSkipped: "skipped",
    ev.BreakIgnored: "ignored",
    ev.NaturalBreak: "natural",
    ev.Sat: "sat",
    ev.WentAway: "away",
    ev.Paused: "paused",
    ev.Resumed: "resumed",
    ev.ContextChanged: "context",
    ev.DutyStarted: "duty-start",
    ev.DutyEnded: "duty-end",
    ev.BreakHeld: "held",
    ev.BreakReleased: "released",
    ev.Suspended: "suspended",
    ev.ClockJumped: "clock-jump",
    ev.DaemonStarted: "daemon-start",
    ev.DaemonStopped: "daemon-stop",
    ev.TripStarted: "trip-start",
    ev.TripEnded: "trip-end",
    ev.TripDriving: "trip-driving",
}


@dataclass(frozen=True)
class Record:
    """One row of history. ``local`` is naive local wall time when it happened."""

    kind: str
    local: dt.datetime
    exercise: str | None = None
    context: str | None = None
    seconds: float | None = None  # a length: snooze, natural break, sitting, pause
    fraction: float | None = None  # how much of the routine was done (completed)
    detail: str | None = None  # why or how: ignore reason, natural cause, resumed by
    requested: bool = False  # a break the user asked for, not the timer
    trip: bool = False  # happened during a trip (trip mode): kept apart in statistics


def record_of(event: ev.Event) -> Record:
    """The record for ``event``; raises KeyError for a type this module does not know."""
    record = _record(event)
    return replace(record, trip=True) if event.trip else record


def _record(event: ev.Event) -> Record:
    kind = KINDS[type(event)]
    local = event.wall.replace(tzinfo=None)
    match event:
        case ev.BreakShown():
            return Record(kind, local, exercise=event.exercise_id, context=event.context,
                          requested=event.requested, detail=_routine(event))
        case ev.BreakStarted():
            return Record(kind, local, exercise=event.exercise_id)
        case ev.BreakCompleted() | ev.BreakStopped():
            return Record(kind, local, exercise=event.exercise_id, fraction=event.fraction)
        case ev.BreakSnoozed():
            return Record(kind, local, exercise=event.exercise_id, seconds=event.seconds)
        case ev.BreakSkipped():
            return Record(kind, local, exercise=event.exercise_id)
        case ev.BreakIgnored():
            return Record(kind, local, exercise=event.exercise_id, detail=event.reason)
        case ev.NaturalBreak():
            return Record(kind, local, seconds=event.seconds, detail=event.cause)
        case ev.Sat():
            return Record(kind, local, seconds=event.seconds)
        case ev.WentAway():
            return Record(kind, local, seconds=event.idle)
        case ev.Paused():
            until = event.until.isoformat(timespec="minutes") if event.until else None
            return Record(kind, local, seconds=event.seconds, detail=until)
        case ev.Resumed():
            return Record(kind, local, detail=event.by)
        case ev.ContextChanged():
            return Record(kind, local, context=event.context)
        case ev.BreakHeld() | ev.BreakReleased():
            return Record(kind, local, detail=", ".join(event.reasons))
        case ev.Suspended() | ev.ClockJumped():
            return Record(kind, local, seconds=event.seconds)
        case ev.TripStarted():
            return Record(kind, local, seconds=event.seconds,
                          detail="driving" if event.driving else "passenger")
        case ev.TripEnded():
            return Record(kind, local, detail=event.by)
        case ev.TripDriving():
            return Record(kind, local, detail="driving" if event.driving else "passenger")
    return Record(kind, local)


def _routine(event: ev.BreakShown) -> str | None:
    """What a trip break held beyond its first movement: "driving stop", or the routine."""
    if event.driving:
        return "driving stop"
    if not event.exercises:
        return None
    return " + ".join([*event.exercises, *(["walk"] if event.walk else [])])
