"""``deskbreak guide [ID]``: walk through one exercise in a window, or in the terminal.

With no ID it guides the break on screen (asking the daemon to start it, so the daemon
opens its window and history counts it), else the last break shown, else the next one:
it works with no daemon too, to try an exercise. The daemon runs it as
``guide ID --report`` for Start; then the outcome goes back over the control channel
(Done with how much was done, or Stopped when closed early). A trip break names several
movements, ``guide ID ID ... [--walk] --report``, and they play as one routine
(``core.trip.trip_routine``). tkinter is imported only here, in this short-lived process.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING

from deskbreak import config, paths
from deskbreak.catalogue import Exercise, load_catalogue
from deskbreak.core import commands
from deskbreak.core.routine import Routine
from deskbreak.core.trip import WALK_FIGURE, trip_routine
from deskbreak.errors import DeskbreakError, NotRunningError
from deskbreak.guide.outcome import Outcome

if TYPE_CHECKING:
    from deskbreak.figure.illustrations import Illustration


def run(args: argparse.Namespace, cfg: config.Config) -> int:
    catalogue = load_catalogue(cfg)
    ids = list(args.id or [])
    if not ids:
        ident = _current(cfg)
        if ident is None:
            return 0  # the daemon opened its own window for the break on screen
        ids = [ident]
    exercises = []
    for ident in ids:
        exercise = catalogue.get(ident)
        if exercise is None:
            raise DeskbreakError(f"no exercise with id {ident!r} (see `deskbreak list`)")
        exercises.append(exercise)
    subject: Exercise | Routine = exercises[0]
    trip = len(exercises) > 1 or args.walk
    if trip:
        subject = trip_routine(exercises, walk=args.walk)
        if args.walk and (walk := catalogue.get(WALK_FIGURE)) is not None:
            exercises.append(walk)
    outcome = _play(subject, terminal=args.terminal, sound=args.sound or cfg.guide_sound,
                    figures=exercises if cfg.illustrations else [], travel=trip)
    if args.report:
        _report(outcome)
    return 0


def _current(cfg: config.Config) -> str | None:
    """The exercise to guide when none is named; None when the daemon took it over."""
    from deskbreak import control

    directory = paths.runtime_dir()
    try:
        status = control.request(directory, commands.Status())
    except NotRunningError:
        status = None
    if status is not None:
        if status.get("showing"):
            control.request(directory, commands.Start())
            return None
        last = status.get("last_break") or {}
        if isinstance(last, dict) and last.get("id"):
            return str(last["id"])
        reply = control.request(directory, commands.Next())
        return str(reply["id"])
    from deskbreak import storage

    eligible = [e.id for e in load_catalogue(cfg).eligible(cfg)]
    if not eligible:
        raise DeskbreakError(f"no exercises left in context {cfg.context!r}; name one: "
                             "deskbreak guide ID")
    return storage.load_rotation(storage.rotation_file()).peek(cfg.context, eligible)


def _play(exercise: Exercise | Routine, *, terminal: bool, sound: bool,
          figures: list[Exercise], travel: bool) -> Outcome:
    if not terminal:
        from deskbreak.guide import window

        why = window.why_not()
        if why is None:
            return window.run(exercise, sound=sound, figures=_figures(figures, travel))
        print(f"deskbreak: no guide window: {why}; guiding in the terminal", file=sys.stderr)
    from deskbreak.guide import terminal as player

    return player.play(exercise, out=sys.stdout, interactive=sys.stdout.isatty())


def _figures(exercises: list[Exercise], travel: bool) -> dict[str, Illustration]:
    """The figures of these movements that have one; on a trip, drawn in an airline
    seat (a seated figure on an office chair would look wrong on a plane)."""
    from deskbreak.figure.illustrations import for_exercise, in_airline_seat

    found = {e.id: f for e in exercises if (f := for_exercise(e)) is not None}
    return {ident: in_airline_seat(f) if travel else f for ident, f in found.items()}


def _report(outcome: Outcome) -> None:
    """Tell the daemon how it went; a daemon gone or moved on is not an error here."""
    from deskbreak import control

    command: commands.Command = commands.Done(outcome.fraction) if outcome.completed \
        else commands.Stopped(outcome.fraction)
    with contextlib.suppress(DeskbreakError):
        control.request(paths.runtime_dir(), command)
