"""The guided stretch as a countdown in the terminal, where no window can be shown.

The same routine as the window (``core.routine``): the title and setting, the cautions
with "stop if it hurts" first, then each phase with its label and text and a countdown.
On a terminal the countdown is rewritten in place once a second; into a pipe or a file
each phase is one line, so a log stays readable. The start and the end do not wait
(there is nothing to press here); Ctrl-C stops early, and Ctrl-Z then ``fg`` pauses:
the time the process was stopped is not counted. The clock and sleep are parameters,
so a test plays a whole routine in no time.
"""

from __future__ import annotations

import math
import shutil
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

from deskbreak.core.routine import Exercise, Player, Routine, routine
from deskbreak.guide.outcome import Outcome

KIND_TITLES = {"hold": "Hold", "move": "Move", "rest": "Rest", "switch": "Switch sides",
               "next": "Next movement", "walk": "Walk"}
PIPE_WIDTH = 78
# A wake-up this much later than asked means the process was stopped (Ctrl-Z, a
# debugger) or the machine was busy: that time is a pause, not part of the exercise.
LATE_S = 1.5


def heading(plan: Routine, index: int) -> str:
    """What a phase is, in a word or three: "Step 2 of 6", "Hold", "Switch sides"."""
    phase = plan.phases[index]
    if phase.kind == "step":  # counted within its movement, in a routine of several
        steps = [i for i, p in enumerate(plan.phases) if p.kind == "step"
                 and p.part == phase.part]
        return f"Step {steps.index(index) + 1} of {len(steps)}"
    if phase.kind == "intro":
        return "Before you start"
    if phase.kind == "end":
        return ""
    return KIND_TITLES.get(phase.kind, phase.kind.capitalize())


def whole_seconds(left: float) -> int:
    """The countdown as shown: 20 for the first second of a 20 s hold, 1 for the last."""
    return max(0, math.ceil(left - 1e-6))


def _write(out: TextIO, text: str) -> None:
    try:
        out.write(text)
    except UnicodeEncodeError:  # an ASCII terminal: "·" and friends become "?"
        encoding = getattr(out, "encoding", None) or "ascii"
        out.write(text.encode(encoding, "replace").decode(encoding))
    out.flush()


def play(exercise: Exercise | Routine, *, out: TextIO,
         clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep, interactive: bool) -> Outcome:
    """Play ``exercise`` (or a routine made already) on ``out``; ``interactive`` (a tty)
    counts down in place."""
    plan = exercise if isinstance(exercise, Routine) else routine(exercise)
    player = Player(plan, clock())
    width = min(100, shutil.get_terminal_size().columns) - 1 if interactive else PIPE_WIDTH
    try:
        _write(out, _intro(plan, width, interactive))
        player.next(clock())  # the start only prints here: there is nothing to press
        while not player.finished:
            _play_phase(player, out, clock, sleep, interactive, width)
        _write(out, "Well done\n")
        return Outcome(True, player.progress(clock()))
    except KeyboardInterrupt:
        now = clock()
        fraction = player.progress(now)
        _write(out, f"\nStopped, {round(fraction * 100)}% done.\n")
        return Outcome(False, fraction)


def _intro(plan: Routine, width: int, interactive: bool) -> str:
    lines = [plan.title, plan.setting, "", "Before you start:"]
    for caution in plan.cautions:
        lines += textwrap.wrap(caution, width, initial_indent="  - ",
                               subsequent_indent="    ")
    if interactive:
        lines.append("(Ctrl-C stops; Ctrl-Z pauses until fg.)")
    return "\n".join(lines) + "\n\n"


def _play_phase(player: Player, out: TextIO, clock: Callable[[], float],
                sleep: Callable[[float], None], interactive: bool, width: int) -> None:
    """Show the current phase and wait until the player has moved past it."""
    index, phase = player.index, player.phase
    title = " · ".join(part for part in (heading(player.plan, index), phase.label) if part)
    if interactive:
        text = textwrap.fill(phase.text, width, initial_indent="  ", subsequent_indent="  ")
        _write(out, f"{title}\n{text}\n")
    else:
        _write(out, f"{title} ({whole_seconds(phase.seconds or 0)} s): {phase.text}\n")
    last, asked = clock(), 0.0
    while player.index == index:
        now = clock()
        if now - last - asked > LATE_S:  # stopped meanwhile: do not count that time
            player.pause(last + asked)
            player.resume(now)
        last = now
        if player.tick(now):
            break
        left = player.left(now) or 0.0
        shown = whole_seconds(left)
        if shown and interactive:
            _write(out, f"\r{shown:>6} s ")
            # Wake when the number changes: with 17.3 s left, 18 shows for 0.3 s more.
            asked = left - (shown - 1)
        else:
            asked = left
        asked = max(0.001, asked)  # and a hair past the end, so the phase is over
        sleep(asked)
    if interactive:
        _write(out, "\r" + " " * 10 + "\r")
