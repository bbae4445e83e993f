"""Which pose the figure shows at each moment of a guided routine.

The figure follows the routine's phases: it shows the start position while the steps
are read, moves into the hold as a hold begins and stays there while the countdown
runs, goes back to the start in the rest that follows (or the side switch, or the end),
and is mirrored for the other side. A repetition with no hold moves start, far end,
start, once per repetition, or loops for a walk. Pure, so a test can play a whole
routine through it without a window.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

from deskbreak.core.routine import Phase

MOVE_S = 1.5  # into the hold, and back out of it
LOOP_S = 3.0  # one cycle of a long movement with no hold and no cycle of its own
OTHER_SIDE = "Right side"  # the routine's second side: the picture mirrored


@dataclass(frozen=True)
class Moment:
    """The figure at one moment: ``t`` of the way from pose ``a`` to pose ``b``."""

    exercise: str | None  # None: no figure
    a: str = "start"  # "start" or "hold"
    b: str = "start"
    t: float = 0.0
    mirror: bool = False
    moving: bool = False  # it will look different a frame from now


def ease(u: float) -> float:
    """Slow out, slow in: a limb starts and stops moving gently."""
    u = min(1.0, max(0.0, u))
    return u * u * (3.0 - 2.0 * u)


def _exercise_near(phases: Sequence[Phase], index: int, drawn: Container[str]) -> str | None:
    """The figure to show: the phase's own movement's, else (an intro, or the end of a
    trip whose walk has no figure) the next drawn one's, else the last one's."""
    own = phases[index].exercise
    if own is not None:
        return own if own in drawn else None
    later = (p.exercise for p in phases[index + 1:] if p.exercise in drawn)
    earlier = (p.exercise for p in reversed(phases[:index]) if p.exercise in drawn)
    return next(later, None) or next(earlier, None)


def _side_mirror(phase: Phase) -> bool:
    return phase.side == OTHER_SIDE


def moment(phases: Sequence[Phase], index: int, elapsed: float,
           drawn: Container[str], cycles: Mapping[str, float] | None = None) -> Moment:
    """The figure ``elapsed`` seconds into phase ``index``.

    ``drawn``: the movements that have a figure (a movement without one shows none, and
    nothing moves); ``cycles`` gives a loop time for movements that repeat within one
    phase (a walk).
    """
    phase = phases[index]
    ident = _exercise_near(phases, index, drawn)
    if ident is None:
        return Moment(None)
    mirror = _side_mirror(phase)
    seconds = phase.seconds
    if phase.kind == "hold" and seconds:
        move = min(MOVE_S, 0.4 * seconds)
        if elapsed < move:
            return Moment(ident, "start", "hold", ease(elapsed / move), mirror, True)
        return Moment(ident, "hold", "hold", 1.0, mirror)
    if phase.kind in ("move", "walk") and seconds:
        loop = (cycles or {}).get(ident) or (seconds if seconds <= 2 * LOOP_S else LOOP_S)
        u = (elapsed % loop) / loop
        return Moment(ident, "start", "hold", ease(1.0 - abs(2.0 * u - 1.0)), mirror, True)
    before = phases[index - 1] if index > 0 else None
    if before is not None and before.kind == "hold" and before.exercise == ident:
        move = min(MOVE_S, 0.4 * seconds) if seconds else MOVE_S
        if elapsed < move:  # back out of the hold, on the side it was held
            return Moment(ident, "hold", "start", ease(elapsed / move),
                          _side_mirror(before), True)
    if phase.kind in ("switch", "end") and before is not None:
        mirror = _side_mirror(phase) if phase.kind == "switch" else _side_mirror(before)
    return Moment(ident, "start", "start", 0.0, mirror)

