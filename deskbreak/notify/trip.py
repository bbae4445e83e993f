"""What a trip break says: an in-seat routine of a few movements, or a driver's stop.

A trip break holds two or three movements, so its notification names them all with
their length, adds the walk down the aisle every second time, and says how long it
takes; Start opens the guide for the whole routine. A driving stop names no exercise at
all: it asks the driver to stop somewhere safe and walk, and offers nothing to start.
Both come with a sound (``[trip] sound``): a traveler may be watching a film or the road.
"""

from __future__ import annotations

from collections.abc import Sequence

from deskbreak.catalogue import Exercise
from deskbreak.core import trip as trips
from deskbreak.core.durations import format_duration
from deskbreak.core.routine import STOP_FIRST, cautions_of
from deskbreak.notify.base import LIMITS, TITLE_PREFIX, BreakNotice, Limits, fit

STEPS_LIMIT = 1600  # three movements' steps, read at leisure after Start


def trip_notice(exercises: Sequence[Exercise], *, walk: bool, limits: Limits = LIMITS,
                snoozable: bool = True, sound: bool = True) -> BreakNotice:
    """The notification of a trip break: the movements in order, then the walk."""
    first = exercises[0]
    title = fit(TITLE_PREFIX + " + ".join(e.name for e in exercises), limits.title)
    seconds = sum(e.duration_s for e in exercises)  # the walk says its own minute
    tail = f"In your seat, about {format_duration(seconds)}."
    moves = [f"{n}. {e.name} ({format_duration(e.duration_s)})"
             for n, e in enumerate(exercises, start=1)]
    if walk:
        moves.append(f"Then: {trips.WALK_PROMPT}")
    body = fit("\n".join(moves), limits.body - len(tail) - 1) + "\n" + tail
    lines = [f"Caution: {STOP_FIRST}"]
    for number, exercise in enumerate(exercises, start=1):
        lines.append(f"{number}. {exercise.name}")
        lines += [f"   {s}" for s in exercise.steps]
        lines += [f"   Caution: {c}" for c in cautions_of(exercise)[1:]]
    if walk:
        lines.append(f"{len(exercises) + 1}. {trips.WALK_PROMPT}")
    return BreakNotice(first.id, title, body, fit("\n".join(lines), STEPS_LIMIT),
                       snoozable, sound=sound)


def driving_notice(interval: float, *, limits: Limits = LIMITS, snoozable: bool = True,
                   sound: bool = True) -> BreakNotice:
    """The reminder a driver gets instead of exercises: stop, get out, walk."""
    body = fit(trips.driving_text(interval), limits.body)
    return BreakNotice(trips.DRIVING_STOP, fit(TITLE_PREFIX + "stop for a break",
                                               limits.title), body, body, snoozable,
                       startable=False, sound=sound)
