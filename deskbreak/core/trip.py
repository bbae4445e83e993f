"""Trip mode: what a trip is, what its breaks hold, and what it says to the traveler.

On a plane, a train or in a car the desk's rules are wrong: someone reading, sleeping or
watching a film has the keyboard idle for hours (not a break: they are still sitting),
the film plays fullscreen (exactly when a reminder is needed), and working hours mean
nothing. A trip therefore counts elapsed time while the machine is awake, and each break
is a short routine that fits a seat: one movement for the circulation of the legs (the
blood-clot risk of long journeys), one for the lower back, a third for the shoulders when
there is no walk, and every second break a walk down the aisle when that is possible.
A driver gets none of that, only a reminder to stop.

Pure: the planner keeps a ``Trip`` (when it ends, driving or not), the controller picks
the movements with ``compose``, the guide plays ``trip_routine``; the wording (the
safety note, the driving reminder, the walk) lives here so the notification, the CLI and
the README say one thing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from deskbreak.core.durations import format_duration
from deskbreak.core.model import CONTEXTS, TRIP_RANGE, Observation
from deskbreak.core.rotation import Rotation
from deskbreak.core.routine import Exercise, Phase, Routine, cautions_of, reading_time, routine

DRIVING_STOP = "driving-stop"
"""The exercise id a driving stop is recorded under: it is no catalogue entry."""
FOCUSES = ("circulation", "back", "upper")  # a routine's order: legs first, then the back
WALK_EVERY = 2  # every second trip break asks for a walk
WALK_S = 60.0
WALK_FIGURE = "walk-around"  # the catalogue entry whose figure walks the aisle
SAME_BOOT_S = 120.0  # boot and wall clocks that agree this well saw no reboot between

SAFETY_TITLE = "Trip mode: blood clots on long journeys"
SAFETY_NOTE = (
    "Sitting still for over 4 hours (plane, train, bus or car) roughly doubles the small "
    "risk of a blood clot in a leg vein (DVT). Higher risk: a past clot, recent surgery "
    "or injury, pregnancy or a recent birth, the pill or HRT, cancer, obesity, age over "
    "40.\n"
    "Urgent: pain, swelling or warmth in one leg; sudden breathlessness or chest pain "
    "(call an emergency number).\n"
    "If in doubt, ask a doctor before you travel.\n"
    "Sources: WHO, NHS, CDC.")
SOURCES = (
    "WHO: Research Into Global Hazards of Travel (WRIGHT) project, final report of phase I",
    "NHS: Deep vein thrombosis (nhs.uk/conditions/deep-vein-thrombosis-dvt)",
    "CDC: Blood Clots and Travel: What You Need to Know",
)
DRIVING_RULE = ("A break of at least 15 minutes every two hours of driving "
                "(UK Highway Code, rule 91).")
WALK_PROMPT = ("Stand up and walk the aisle for a minute, when the seat-belt sign is off "
               "or at the next stop.")
WALK_CAUTION = "Stand and walk only when it is safe: seat-belt sign off, or the vehicle stopped."


@dataclass(frozen=True)
class Trip:
    """A trip as the planner counts it: driving or not, and when it ends.

    ``until_boot`` is on the boot clock, which runs on through a suspend: a four-hour
    trip is four hours of the journey, lid closed or not, in whatever time zone it ends.
    """

    driving: bool = False
    length: float | None = None  # seconds of elapsed time; None: until stopped
    until_boot: float | None = None

    @classmethod
    def starting(cls, now: Observation, length: float | None, driving: bool) -> Trip:
        return cls(driving, length, None if length is None else now.boot + length)

    def over(self, now: Observation) -> bool:
        return self.until_boot is not None and now.boot >= self.until_boot

    def left(self, now: Observation) -> float | None:
        """Seconds until it ends by itself, or None when only a stop ends it."""
        return None if self.until_boot is None else max(0.0, self.until_boot - now.boot)


# --- persistence -------------------------------------------------------------------------
def to_json(trip: Trip, now: Observation, previous_context: str, breaks: int
            ) -> dict[str, Any]:
    """The trip as the state file keeps it, so a restart of deskbreak keeps the trip.

    What is left is saved with both clocks it was read on: the boot clock (right across
    time zones and clock changes, but reset by a reboot) and UTC (right across a reboot).
    """
    return {"driving": trip.driving, "length": trip.length, "left": trip.left(now),
            "saved_boot": now.boot, "saved_utc": _utc(now), "previous_context":
            previous_context, "breaks": breaks}


def from_json(data: object, now: Observation) -> tuple[Trip, str, int] | None:
    """(trip, context to go back to, breaks so far), or None for anything malformed.

    A trip that ended while deskbreak was not running comes back already over: the
    planner ends it at its first look, and history records the end.
    """
    if not isinstance(data, Mapping):
        return None
    driving, length, left = data.get("driving"), data.get("length"), data.get("left")
    saved_boot, saved_utc = data.get("saved_boot"), data.get("saved_utc")
    previous, breaks = data.get("previous_context"), data.get("breaks")
    if not isinstance(driving, bool) or previous not in CONTEXTS:
        return None
    if isinstance(breaks, bool) or not isinstance(breaks, int) or breaks < 0:
        return None
    if length is None:
        return Trip(driving), str(previous), breaks
    if not all(_number(v) for v in (length, left, saved_boot, saved_utc)):
        return None
    if not TRIP_RANGE[0] <= length <= TRIP_RANGE[1] or not 0 <= left <= length:
        return None
    by_boot = now.boot - saved_boot
    by_utc = _utc(now) - saved_utc
    same_boot = by_boot >= 0 and abs(by_boot - by_utc) <= SAME_BOOT_S
    passed = by_boot if same_boot else max(0.0, by_utc)  # after a reboot: UTC
    return Trip(driving, float(length), now.boot + left - passed), str(previous), breaks


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _utc(now: Observation) -> float:
    """Seconds since the epoch: naive wall time is local, as the daemon reads it."""
    try:
        return now.wall.timestamp()
    except (OverflowError, OSError, ValueError):
        return 0.0


# --- which movements -----------------------------------------------------------------------
class TravelEntry(Protocol):
    """What choosing a trip routine reads of a catalogue entry."""

    id: str
    position: str
    needs: tuple[str, ...]
    contexts: tuple[str, ...]
    focus: tuple[str, ...]


def in_seat(entry: TravelEntry) -> bool:
    """Done without leaving the seat: seated, needing nothing but the seat."""
    return "travel" in entry.contexts and entry.position == "seated" \
        and set(entry.needs) <= {"chair"}


def trip_pool(entries: Iterable[TravelEntry]) -> dict[str, tuple[str, ...]]:
    """The in-seat entries by focus ("circulation", "back", "upper"): what trips deal from.

    An entry with no ``focus`` (a catalogue older than the field) counts as "back".
    """
    pool: dict[str, list[str]] = {focus: [] for focus in FOCUSES}
    for entry in entries:
        if in_seat(entry):
            for focus in getattr(entry, "focus", ("back",)):
                if focus in pool:
                    pool[focus].append(entry.id)
    return {focus: tuple(ids) for focus, ids in pool.items()}


def walks(number: int) -> bool:
    """Whether the ``number``-th trip break (from 1) asks for a walk: every second one."""
    return number > 0 and number % WALK_EVERY == 0


def compose(pool: Mapping[str, Sequence[str]], rotation: Rotation, number: int
            ) -> tuple[str, ...]:
    """The movements of the ``number``-th trip break, each dealt from its focus's deck.

    One for the circulation, one for the lower back, and one for the shoulders when this
    break has no walk: two or three movements, a few minutes in all. A focus the catalogue
    (or the user's exclusions) left empty is simply missing; the caller falls back to an
    ordinary travel break when nothing is left at all.
    """
    focuses = FOCUSES if not walks(number) else FOCUSES[:2]
    chosen: list[str] = []
    for focus in focuses:
        ids = [i for i in pool.get(focus, ()) if i not in chosen]
        if ids:
            chosen.append(rotation.take(f"trip-{focus}", ids))
    return tuple(chosen)


# --- the guided routine ------------------------------------------------------------------
def trip_routine(exercises: Sequence[Exercise], *, walk: bool) -> Routine:
    """Several movements (and the walk) as one guided routine, for the window or terminal.

    Each movement plays as it would alone, announced by its name and labelled with it, so
    "Step 2 of 3" and "Rep 4 of 10" are always about the movement on screen.
    """
    if not exercises:
        raise ValueError("a trip routine needs at least one movement")
    names = [e.name for e in exercises]
    title = f"In your seat: {len(exercises)} movement{'s' if len(exercises) > 1 else ''}"
    cautions: dict[str, None] = {}
    for exercise in exercises:
        cautions.update(dict.fromkeys(cautions_of(exercise)))
    if walk:
        cautions[WALK_CAUTION] = None
    phases: list[Phase] = [Phase("intro", ", ".join(names), None)]
    for number, exercise in enumerate(exercises, start=1):
        part = f"{exercise.name} ({number} of {len(exercises)})"
        summary = getattr(exercise, "summary", "") or exercise.name  # what it is for
        phases.append(Phase("next", summary, reading_time(summary), part=part,
                            exercise=getattr(exercise, "id", None)))
        phases += [replace(p, part=part) for p in routine(exercise).phases
                   if p.kind not in ("intro", "end")]
    if walk:
        phases.append(Phase("walk", WALK_PROMPT, WALK_S, part="Walk", exercise=WALK_FIGURE))
    phases.append(Phase("end", "Well done", None))
    seconds = sum(e.duration_s for e in exercises)
    setting = f"Seated, about {format_duration(seconds)}" + (", then a walk" if walk else "")
    return Routine(title + (" and a walk" if walk else ""), setting, tuple(cautions),
                   tuple(phases))


# --- wording -------------------------------------------------------------------------------
def driving_text(interval: float) -> str:
    """The body of a driving stop: stop somewhere safe and walk, and why."""
    return (f"About {format_duration(interval)} at the wheel: when you can, stop somewhere "
            "safe (never on a motorway's hard shoulder), get out and walk for a few "
            f"minutes. {DRIVING_RULE}")


def safety_note(driving: bool) -> str:
    """The note shown once when a trip starts, and printed by ``deskbreak trip start``.

    Short on purpose: a notification server shows some fifteen lines, and the sources
    (the last line) must be among them.
    """
    if driving:
        return SAFETY_NOTE.replace("\nSources:", "\nDriving: stop for at least 15 minutes "
                                   "every 2 hours (Highway Code, rule 91).\nSources:")
    return SAFETY_NOTE
