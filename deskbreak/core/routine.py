"""An exercise as a guided routine: timed phases, and a player that walks through them.

A person mid-stretch cannot read a paragraph and count a 20-second hold at once, so the
guide shows one thing at a time: the cautions first, then each step long enough to read
it, then a countdown for every hold, move and rest, "Rep 3 of 8", and each side in turn.
The timing comes from the catalogue's ``hold_s``, ``reps``, ``per_side`` and ``rest_s``;
the words are the catalogue's own. Pure: the window and the terminal player share it,
and a test walks every catalogue entry through it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol

STOP_FIRST = "Stop if it hurts or causes numbness or tingling."  # the catalogue checks it
READ_WORDS_PER_S = 2.5  # a calm reading pace, out loud in one's head
MIN_READ_S, MAX_READ_S = 4.0, 12.0
MOVE_S = 3.0  # one repetition with no hold, at least: into the position and back
MAX_MOVE_S = 120.0
REST_BETWEEN_S = 3.0  # between holds when the catalogue gives no rest
SWITCH_S = 5.0  # to change sides


class Exercise(Protocol):
    """What the routine reads of a catalogue entry."""

    name: str
    position: str
    needs: tuple[str, ...]
    duration_s: int
    hold_s: int
    reps: int
    per_side: bool
    rest_s: int
    steps: tuple[str, ...]
    cautions: tuple[str, ...]


@dataclass(frozen=True)
class Phase:
    """One thing on screen. ``seconds`` None: it waits for the user (the start, the end)."""

    kind: str  # "intro", "step", "hold", "move", "rest", "switch", "end"; trips: "next", "walk"
    text: str
    seconds: float | None
    rep: int | None = None
    reps: int | None = None
    side: str | None = None  # "Left side", "Right side", or None
    part: str | None = None  # in a routine of several movements: "Ankle pumps (1 of 3)"
    exercise: str | None = None  # the catalogue id of the movement on screen (its figure)

    @property
    def label(self) -> str:
        """"Ankle pumps (1 of 3) · Left side · Rep 3 of 8", as much as applies."""
        parts = [p for p in (self.part, self.side, f"Rep {self.rep} of {self.reps}"
                             if self.rep is not None and (self.reps or 0) > 1 else None) if p]
        return " · ".join(parts)


@dataclass(frozen=True)
class Routine:
    title: str
    setting: str  # the position and what it needs: "Standing, with a chair"
    cautions: tuple[str, ...]  # "Stop if it hurts..." first
    phases: tuple[Phase, ...]

    @property
    def timed_seconds(self) -> float:
        return sum(p.seconds or 0.0 for p in self.phases)


def reading_time(text: str) -> float:
    return min(MAX_READ_S, max(MIN_READ_S, len(text.split()) / READ_WORDS_PER_S))


def _hold_text(steps: tuple[str, ...]) -> str:
    """The step that says what to hold, else the last one that is not about switching."""
    for step in steps:
        if "hold" in step.lower():
            return step
    return next((s for s in reversed(steps) if "switch" not in s.lower()), steps[-1])


def cautions_of(exercise: Exercise) -> tuple[str, ...]:
    """All of the catalogue's cautions, with the stop rule first.

    Built-in entries already open with it; a user's entry that doesn't gets it added in
    front. Nothing else is dropped: a caution such as "stop if pain spreads into your leg"
    is the key rule of its exercise, so only a repeat of the stop rule itself is left out.
    """
    def same(text: str) -> bool:
        return " ".join(text.lower().rstrip(".").split()) == STOP_FIRST.lower().rstrip(".")

    return (STOP_FIRST, *(c for c in exercise.cautions if not same(c)))


def setting_of(exercise: Exercise) -> str:
    position = exercise.position.replace("-", " ").capitalize()
    position = {"Lying back": "Lying on your back", "Lying front": "Lying on your front",
                "Lying side": "Lying on your side", "All fours": "On all fours"}.get(
        position, position)
    needs = [("a " if n in ("chair", "bed", "wall", "desk") else "") + n.replace("-", " ")
             for n in exercise.needs]
    return position + (f", with {' and '.join(needs)}" if needs else "")


def routine(exercise: Exercise) -> Routine:
    """Turn a catalogue entry into the phases the guide plays."""
    ident = getattr(exercise, "id", None)
    steps = tuple(s for s in exercise.steps if s.strip()) or (exercise.name,)
    reps = max(1, int(exercise.reps))
    hold = max(0.0, float(exercise.hold_s))
    rest = float(exercise.rest_s) if exercise.rest_s > 0 else REST_BETWEEN_S
    phases: list[Phase] = [Phase("intro", exercise.name, None)]
    phases += [Phase("step", step, reading_time(step)) for step in steps]
    sides: tuple[str | None, ...] = ("Left side", "Right side") if exercise.per_side \
        else (None,)
    # With no hold, the repetitions share what the dose leaves after reading: a walk of
    # a minute is one long "move", eight lunges are eight short ones.
    reading = sum(p.seconds or 0.0 for p in phases)
    move = min(MAX_MOVE_S, max(MOVE_S, (exercise.duration_s - reading) / (reps * len(sides))))
    hold_text = _hold_text(steps)
    for number, side in enumerate(sides):
        if number:
            phases.append(Phase("switch", "Now the other side", SWITCH_S, side=side))
        for rep in range(1, reps + 1):
            if hold > 0:
                phases.append(Phase("hold", hold_text, hold, rep, reps, side))
            else:
                phases.append(Phase("move", hold_text, move, rep, reps, side))
            if rep < reps and (hold > 0 or exercise.rest_s > 0):
                phases.append(Phase("rest", "Relax", rest, rep, reps, side))
    phases.append(Phase("end", "Well done", None))
    return Routine(exercise.name, setting_of(exercise), cautions_of(exercise),
                   tuple(replace(p, exercise=ident) for p in phases))


class Player:
    """Walks a routine on a clock the caller gives: pause, back, next, and the countdown.

    The window asks ``tick(now)`` a few times a second; a timed phase that has run out
    moves on by itself, an untimed one (the start, the end) waits for ``next``.
    """

    def __init__(self, plan: Routine, now: float) -> None:
        self.plan = plan
        self.index = 0
        self._started = now  # when the current phase began (moved on a resume)
        self._paused_at: float | None = None

    @property
    def phase(self) -> Phase:
        return self.plan.phases[self.index]

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    @property
    def finished(self) -> bool:
        return self.phase.kind == "end"

    def elapsed(self, now: float) -> float:
        """Seconds into this phase, stopped while paused (where the figure stands)."""
        return (self._paused_at if self._paused_at is not None else now) - self._started

    def left(self, now: float) -> float | None:
        """Seconds left in this phase (None for one that waits for the user)."""
        seconds = self.phase.seconds
        if seconds is None:
            return None
        return max(0.0, seconds - self.elapsed(now))

    def tick(self, now: float) -> bool:
        """Move on past every timed phase that has run out; True when the phase changed."""
        changed = False
        while not self.paused and self.phase.seconds is not None \
                and self.elapsed(now) >= self.phase.seconds:
            self._started += self.phase.seconds
            self.index += 1
            changed = True
        return changed

    def go(self, index: int, now: float) -> None:
        self.index = min(max(0, index), len(self.plan.phases) - 1)
        self._started = now
        if self._paused_at is not None:
            self._paused_at = now

    def next(self, now: float) -> None:
        self.go(self.index + 1, now)

    def back(self, now: float) -> None:
        """To the start of this phase, or to the one before when just begun (like a
        music player's back button)."""
        if self.elapsed(now) < 2.0 or self.phase.seconds is None:
            self.go(self.index - 1, now)
        else:
            self.go(self.index, now)

    def pause(self, now: float) -> None:
        if self._paused_at is None:
            self._paused_at = now

    def resume(self, now: float) -> None:
        if self._paused_at is not None:
            self._started += now - self._paused_at
            self._paused_at = None

    def toggle(self, now: float) -> None:
        (self.resume if self.paused else self.pause)(now)

    def progress(self, now: float) -> float:
        """How much of the timed routine is behind the user, 0..1."""
        total = self.plan.timed_seconds
        if total <= 0 or not math.isfinite(total):
            return 1.0 if self.finished else 0.0
        before = sum(p.seconds or 0.0 for p in self.plan.phases[:self.index])
        current = 0.0 if self.phase.seconds is None else \
            min(self.phase.seconds, self.elapsed(now))
        return min(1.0, (before + current) / total)
