"""The figure follows the routine: the start while the steps are read, into the hold as
its countdown starts, still while it runs, back in the rest, mirrored for the other side;
and the window paints a frame only when the figure moves."""

from __future__ import annotations

from typing import Any

import pytest

from deskbreak.catalogue import load_builtin
from deskbreak.core.routine import Phase, routine
from deskbreak.core.trip import WALK_FIGURE, trip_routine
from deskbreak.figure.illustrations import builtin
from deskbreak.figure.timeline import MOVE_S, Moment, moment

CATALOGUE = {e.id: e for e in load_builtin()}
ALL = set(CATALOGUE)  # every movement drawn: the timeline alone
PER_SIDE_HOLD = next(e for e in load_builtin() if e.per_side and e.hold_s >= 5 and e.reps > 1)


def _first(phases: tuple[Phase, ...], kind: str, side: str | None = None) -> int:
    return next(i for i, p in enumerate(phases) if p.kind == kind
                and (side is None or p.side == side))


def test_every_phase_belongs_to_the_exercise_it_shows() -> None:
    phases = routine(PER_SIDE_HOLD).phases
    assert {p.exercise for p in phases} == {PER_SIDE_HOLD.id}


def test_the_steps_show_the_start_and_a_hold_moves_in_then_stays() -> None:
    phases = routine(PER_SIDE_HOLD).phases
    ident = PER_SIDE_HOLD.id
    assert moment(phases, 0, 30.0, ALL) == Moment(ident)  # the cautions: the start, still
    assert moment(phases, 1, 1.0, ALL) == Moment(ident)  # reading a step
    hold = _first(phases, "hold")
    going = moment(phases, hold, MOVE_S / 2, ALL)
    assert (going.a, going.b, going.moving, going.mirror) == ("start", "hold", True, False)
    assert 0.3 < going.t < 0.7
    assert moment(phases, hold, MOVE_S + 0.1, ALL) == Moment(ident, "hold", "hold", 1.0)
    late = (phases[hold].seconds or 0.0) - 0.1
    assert moment(phases, hold, late, ALL).moving is False


def test_after_a_hold_it_goes_back_to_the_start_on_the_same_side() -> None:
    phases = routine(PER_SIDE_HOLD).phases
    rest = _first(phases, "rest")
    assert phases[rest - 1].kind == "hold"
    back = moment(phases, rest, 0.2, ALL)
    assert (back.a, back.b, back.moving) == ("hold", "start", True)
    assert moment(phases, rest, MOVE_S + 0.1, ALL) == Moment(PER_SIDE_HOLD.id)


def test_the_other_side_is_mirrored_and_the_switch_returns_first() -> None:
    phases = routine(PER_SIDE_HOLD).phases
    switch = _first(phases, "switch")
    leaving = moment(phases, switch, 0.1, ALL)
    assert (leaving.a, leaving.b, leaving.mirror) == ("hold", "start", False)
    arrived = moment(phases, switch, MOVE_S + 0.5, ALL)
    assert (arrived.a, arrived.mirror, arrived.moving) == ("start", True, False)
    right = _first(phases, "hold", "Right side")
    assert moment(phases, right, MOVE_S + 0.1, ALL).mirror is True
    end = len(phases) - 1
    assert moment(phases, end, 0.1, ALL).mirror is True  # comes back out of the right side
    assert moment(phases, end, 10.0, ALL) == Moment(PER_SIDE_HOLD.id, mirror=True)


def test_a_repetition_without_a_hold_goes_out_and_back() -> None:
    exercise = next(e for e in load_builtin() if e.hold_s == 0 and e.reps > 2)
    phases = routine(exercise).phases
    move = _first(phases, "move")
    seconds = phases[move].seconds or 0.0
    ts = [moment(phases, move, seconds * u, ALL).t for u in (0.0, 0.25, 0.5, 0.75)]
    assert ts[0] == pytest.approx(0.0) and ts[2] == pytest.approx(1.0)
    assert 0 < ts[1] < 1 and 0 < ts[3] < 1


def test_a_long_movement_loops_at_its_own_pace() -> None:
    walk = CATALOGUE[WALK_FIGURE]
    phases = routine(walk).phases
    move = _first(phases, "move")
    assert (phases[move].seconds or 0) > 10
    looped = [moment(phases, move, s, ALL, {WALK_FIGURE: 1.0}).t for s in (0.0, 0.5, 1.0, 7.5)]
    assert looped == pytest.approx([0.0, 1.0, 0.0, 1.0])


def test_a_trip_routine_shows_each_movement_then_the_walk() -> None:
    seated = [e for e in load_builtin() if e.in_seat()][:2]
    phases = trip_routine(seated, walk=True).phases
    assert moment(phases, 0, 1.0, ALL).exercise == seated[0].id  # the intro shows the first
    second = next(i for i, p in enumerate(phases) if p.kind == "next" and p.exercise
                  == seated[1].id)
    assert moment(phases, second, 1.0, ALL).exercise == seated[1].id
    assert moment(phases, _first(phases, "walk"), 1.0, ALL).exercise == WALK_FIGURE
    assert moment(phases, len(phases) - 1, 5.0, ALL).exercise == WALK_FIGURE


def test_a_movement_without_a_figure_shows_none_and_its_neighbours_theirs() -> None:
    """A trip whose first movement and walk have no figure (a user's own entries):
    the intro shows the second movement's, the walk nothing, the end the last drawn."""
    seated = [e for e in load_builtin() if e.in_seat()][:2]
    phases = trip_routine(seated, walk=True).phases
    drawn = {seated[1].id}
    assert moment(phases, 0, 1.0, drawn).exercise == seated[1].id
    first = next(i for i, p in enumerate(phases) if p.exercise == seated[0].id)
    assert moment(phases, first, 1.0, drawn) == Moment(None)
    walk = moment(phases, _first(phases, "walk"), 1.0, drawn)
    assert walk == Moment(None) and walk.moving is False  # nothing to animate
    assert moment(phases, len(phases) - 1, 5.0, drawn).exercise == seated[1].id


def test_no_exercise_means_no_figure() -> None:
    phases = (Phase("intro", "x", None), Phase("end", "Well done", None))
    assert moment(phases, 0, 0.0, ALL) == Moment(None)


class _Canvas:
    """What FigureView asks of a Tk canvas."""

    def __init__(self) -> None:
        self.items: dict[int, dict[str, Any]] = {}

    def create_image(self, x: int, y: int, **options: Any) -> int:
        self.items[len(self.items) + 1] = dict(options)
        return len(self.items)

    def itemconfigure(self, item: int, **options: Any) -> None:
        self.items[item].update(options)

    def winfo_rgb(self, colour: str) -> tuple[int, int, int]:
        """As Tk answers for a theme's colour name, in 16-bit channels."""
        return {"SystemButtonFace": (220 * 257, 218 * 257, 213 * 257)}[colour]


def test_the_window_paints_a_frame_only_when_the_figure_changes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from deskbreak.guide import figure_view

    pasted: list[Any] = []
    monkeypatch.setattr(figure_view, "_photo",
                        lambda canvas, image: pasted.append(image) or object())
    monkeypatch.setattr(figure_view, "_paste", lambda photo, image: pasted.append(image))
    figures = builtin()
    assert PER_SIDE_HOLD.id in figures
    canvas = _Canvas()
    view = figure_view.FigureView(canvas, (240, 200), "SystemButtonFace", figures)
    assert view.background == (220, 218, 213, 255)  # Tk's name for it, not Pillow's
    phases = routine(PER_SIDE_HOLD).phases
    hold = _first(phases, "hold")
    for elapsed in (30.0, 31.0, 32.0):  # the cautions: one still
        view.show(moment(phases, 0, elapsed, ALL))
    assert view.frames == 1
    for step in range(10):  # moving into the hold: a frame each
        view.show(moment(phases, hold, step * MOVE_S / 10, ALL))
    assert view.frames == 11
    for elapsed in (MOVE_S + 1, MOVE_S + 5, MOVE_S + 9):  # held: nothing new
        view.show(moment(phases, hold, elapsed, ALL))
    assert view.frames == 12
    assert len(pasted) == 12 and pasted[-1].size == (240, 200)
    view.show(Moment(None))  # a movement with no figure hides it
    assert len(canvas.items) == 1 and canvas.items[1]["state"] == "hidden"
