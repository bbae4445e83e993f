"""The pure break timer, driven by explicit times: whole days run in milliseconds."""

from __future__ import annotations

import pytest

from deskbreak.core.timer import BreakTimer

MIN = 60.0


def run_until(timer: BreakTimer, start: float, end: float) -> list[float]:
    """Wake whenever the timer asks (as the daemon does) and record when breaks fire."""
    fired: list[float] = []
    now = start
    while now < end:
        if timer.is_due(now):
            fired.append(now)
            timer.restart(now)
        wake = timer.due_at()
        now = end if wake is None else max(wake, now + 0.001)
    return fired


def test_fires_only_after_a_full_interval() -> None:
    timer = BreakTimer(30 * MIN, now=1000.0)
    assert not timer.is_due(1000.0 + 30 * MIN - 1)
    assert timer.is_due(1000.0 + 30 * MIN)


def test_a_working_day_gets_a_break_every_interval_and_no_more() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    fired = run_until(timer, 0.0, 8 * 60 * MIN)
    assert fired == [n * 30 * MIN for n in range(1, 16)]


def test_after_a_break_shows_the_next_interval_counts_from_then() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    assert timer.is_due(31 * MIN)  # the daemon woke a minute late
    timer.restart(31 * MIN)
    assert timer.status(31 * MIN).due_in == pytest.approx(30 * MIN)


def test_snooze_of_a_shown_break_fires_it_again_after_the_snooze() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.restart(30 * MIN)
    timer.snooze(31 * MIN, 5 * MIN, from_now=True)
    assert not timer.is_due(35 * MIN)
    assert timer.is_due(36 * MIN)
    assert timer.status(31 * MIN).snoozed


def test_snooze_before_the_break_postpones_it() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.snooze(10 * MIN, 10 * MIN, from_now=False)
    assert timer.status(10 * MIN).due_in == pytest.approx(30 * MIN)
    assert not timer.is_due(39 * MIN)
    assert timer.is_due(40 * MIN)


def test_stopped_never_fires_and_resuming_gives_a_full_interval() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.stop(10 * MIN)
    assert run_until(timer, 10 * MIN, 24 * 60 * MIN) == []
    status = timer.status(100 * MIN)
    assert status.stopped and status.due_in is None
    timer.resume(100 * MIN)
    assert timer.status(100 * MIN).due_in == pytest.approx(30 * MIN)


def test_progress_follows_active_time_and_freezes_while_stopped() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    assert timer.status(15 * MIN).progress == pytest.approx(0.5)
    timer.stop(15 * MIN)
    assert timer.status(25 * MIN).progress == pytest.approx(0.5)


def test_snooze_while_stopped_changes_nothing() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.stop(5 * MIN)
    timer.snooze(6 * MIN, 5 * MIN, from_now=True)
    assert timer.stopped and timer.status(6 * MIN).due_in is None


def test_a_new_interval_keeps_the_active_time_counted() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.set_interval(45 * MIN)
    assert timer.status(20 * MIN).due_in == pytest.approx(25 * MIN)
    timer.set_interval(10 * MIN)  # already past it: due at once
    assert timer.is_due(20 * MIN)
    with pytest.raises(ValueError):
        timer.set_interval(float("nan"))
