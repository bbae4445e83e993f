"""Every caution of every exercise reaches the user when it matters: in the guided
routine (window and terminal), in the steps text after Start, and in ``deskbreak show``.

The review behind this found the stop rule last and only two cautions shown at a break,
so the one rule that applies to all exercises was never seen.
"""

from __future__ import annotations

import dataclasses
import io

import pytest

from deskbreak.catalogue import DOCTOR_NOTE, STOP_RULE, Exercise, load_builtin
from deskbreak.guide.terminal import play
from deskbreak.notify.base import TITLE_PREFIX, BreakNotice, Limits
from deskbreak.render import exercise_text

BUILTIN = load_builtin()
PLATFORMS = (Limits(64, 256), Limits(120, 400))  # Windows toasts; everywhere else


@pytest.mark.parametrize("limits", PLATFORMS, ids=("windows", "elsewhere"))
@pytest.mark.parametrize("exercise", BUILTIN, ids=lambda e: e.id)
def test_the_steps_text_shows_every_caution_or_points_to_them(
    exercise: Exercise, limits: Limits
) -> None:
    notice = BreakNotice.for_exercise(exercise, limits)
    lines = notice.steps.splitlines()
    assert lines[: len(exercise.steps)] == [f"{n}. {s}" for n, s in
                                            enumerate(exercise.steps, start=1)]
    cautions = lines[len(exercise.steps):]
    assert cautions[0] == f"Caution: {STOP_RULE}"
    shown = [c.removeprefix("Caution: ") for c in cautions if c.startswith("Caution: ")]
    if shown != list(exercise.cautions):
        assert shown == list(exercise.cautions[: len(shown)])
        assert cautions[-1] == f"More cautions: deskbreak show {exercise.id}"
    assert len(notice.steps) <= max(limits.body, 1000)
    # and the bubble itself is whole: nothing of the name or summary is cut
    assert notice.title == TITLE_PREFIX + exercise.name
    assert notice.body.startswith(exercise.summary + "\n")
    assert len(notice.title) <= limits.title and len(notice.body) <= limits.body


def test_cautions_that_do_not_fit_are_pointed_to_not_dropped() -> None:
    long = dataclasses.replace(BUILTIN[0], cautions=(
        STOP_RULE, *(f"Caution number {n}: " + "x" * 150 for n in range(12))))
    lines = BreakNotice.for_exercise(long).steps.splitlines()
    assert f"Caution: {STOP_RULE}" in lines
    assert lines[-1] == f"More cautions: deskbreak show {long.id}"
    assert len("\n".join(lines)) <= 1000


@pytest.mark.parametrize("exercise", BUILTIN, ids=lambda e: e.id)
def test_the_terminal_guide_and_show_give_every_caution(exercise: Exercise) -> None:
    out = io.StringIO()
    clock = iter(range(0, 100_000, 50))
    play(exercise, out=out, clock=lambda: float(next(clock)), sleep=lambda _: None,
         interactive=False)
    intro = out.getvalue().split("Before you start:\n", 1)[1].split("\n\n", 1)[0]
    shown = [" ".join(item.split()) for item in intro.split("  - ")[1:]]  # unwrapped
    assert shown == list(exercise.cautions)
    text = exercise_text(exercise, 10_000)
    for caution in exercise.cautions:
        assert f"  - {caution}" in text.splitlines()
    assert DOCTOR_NOTE in text
