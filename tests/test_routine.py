"""Every catalogue entry as a guided routine: sane, finite, close to its stated duration,
cautions first, each side and each rep in turn; and the player's clock."""

from __future__ import annotations

import dataclasses
import math

import pytest

from deskbreak.catalogue import STOP_RULE, Exercise, load_catalogue
from deskbreak.config import Config
from deskbreak.core.routine import STOP_FIRST, Player, routine

CATALOGUE = list(load_catalogue(Config()))


@pytest.mark.parametrize("exercise", CATALOGUE, ids=lambda e: e.id)
def test_every_entry_is_a_sane_routine_close_to_its_duration(exercise: Exercise) -> None:
    plan = routine(exercise)
    total = plan.timed_seconds
    assert math.isfinite(total) and total > 0
    assert 0.6 * exercise.duration_s <= total <= 1.6 * exercise.duration_s, total
    assert plan.phases[0].kind == "intro" and plan.phases[-1].kind == "end"
    assert all(p.seconds is None or 0 < p.seconds <= 600 for p in plan.phases)
    assert plan.cautions == exercise.cautions  # all of them, the stop rule first
    assert plan.cautions[0] == STOP_FIRST
    assert [p.text for p in plan.phases if p.kind == "step"] == list(exercise.steps)
    work = [p for p in plan.phases if p.kind in ("hold", "move")]
    sides = 2 if exercise.per_side else 1
    assert len(work) == exercise.reps * sides
    if exercise.hold_s:
        assert {p.seconds for p in work} == {float(exercise.hold_s)}


def test_a_per_side_hold_goes_left_then_right_with_reps_counted() -> None:
    hamstring = next(e for e in CATALOGUE if e.id == "hamstring-stretch")
    holds = [p for p in routine(hamstring).phases if p.kind == "hold"]
    assert [p.label for p in holds] == ["Left side · Rep 1 of 2", "Left side · Rep 2 of 2",
                                        "Right side · Rep 1 of 2", "Right side · Rep 2 of 2"]
    assert "Hold 20 seconds" in holds[0].text


def test_the_player_counts_down_moves_on_pauses_and_goes_back() -> None:
    hamstring = next(e for e in CATALOGUE if e.id == "hamstring-stretch")
    player = Player(routine(hamstring), now=0.0)
    assert player.left(100.0) is None and not player.tick(100.0)  # the start waits
    player.next(100.0)
    first = player.phase
    assert first.kind == "step" and player.left(101.0) == pytest.approx(first.seconds - 1)
    player.pause(101.0)
    assert not player.tick(500.0) and player.left(500.0) == pytest.approx(first.seconds - 1)
    player.resume(500.0)
    assert player.tick(500.0 + first.seconds) and player.index == 2
    player.back(500.0 + first.seconds + 0.5)  # just begun: back to the one before
    assert player.index == 1
    while not player.finished:
        player.tick(10_000.0)
        if not player.finished:
            player.next(10_000.0)
    assert player.progress(10_000.0) == 1.0


def test_progress_grows_with_time_and_the_end_waits() -> None:
    walk = next(e for e in CATALOGUE if e.id == "walk-around")
    player = Player(routine(walk), now=0.0)
    player.next(0.0)
    total = player.plan.timed_seconds
    player.tick(total / 2)
    assert player.progress(total / 2) == pytest.approx(0.5, abs=0.01)
    player.tick(total + 100)
    assert player.finished and player.progress(total + 100) == 1.0


def test_the_stop_rule_is_the_catalogues() -> None:
    assert STOP_FIRST == STOP_RULE


def test_a_users_entry_gets_the_stop_rule_first_and_keeps_all_its_cautions() -> None:
    """Its own stop rules ("stop if the knee hurts") are cautions too: none is dropped."""
    lunge = next(e for e in CATALOGUE if e.id == "lunge")
    mine = dataclasses.replace(lunge, cautions=(
        "Stop if the knee hurts.", "Stop if it causes pain, numbness or tingling.",
        STOP_FIRST.lower()))
    assert routine(mine).cautions == (STOP_FIRST, "Stop if the knee hurts.",
                                      "Stop if it causes pain, numbness or tingling.")
    assert routine(dataclasses.replace(lunge, cautions=())).cautions == (STOP_FIRST,)
