"""The pure break timer, driven by explicit times: whole days run in milliseconds."""

from __future__ import annotations

import math

import pytest

from deskbreak.core.timer import BreakTimer, Hold

MIN = 60.0


def run_until(timer: BreakTimer, start: float, end: float) -> list[float]:
    """Wake whenever the timer asks (as the daemon does) and record when breaks fire."""
    fired: list[float] = []
    now = start
    while now < end:
        if timer.tick(now):
            fired.append(now)
            timer.fired(now)
        wake = timer.next_wakeup(now)
        now = end if wake is None else max(wake, now + 0.001)
    return fired


def test_fires_only_after_a_full_interval() -> None:
    timer = BreakTimer(30 * MIN, now=1000.0)
    assert not timer.tick(1000.0 + 30 * MIN - 1)
    assert timer.tick(1000.0 + 30 * MIN)


def test_a_working_day_gets_a_break_every_interval_and_no_more() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    fired = run_until(timer, 0.0, 8 * 60 * MIN)
    assert fired == [n * 30 * MIN for n in range(1, 16)]


def test_after_a_break_fires_the_next_interval_counts_from_then() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.tick(31 * MIN)  # the daemon woke a minute late
    timer.fired(31 * MIN)
    assert timer.status(31 * MIN).due_in == pytest.approx(30 * MIN)
    assert timer.status(31 * MIN).pending


def test_snooze_of_a_shown_break_fires_it_again_after_the_snooze() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.fired(30 * MIN)
    timer.snooze(31 * MIN, 5 * MIN)
    assert not timer.tick(35 * MIN)
    assert timer.tick(36 * MIN)
    assert timer.status(31 * MIN).snoozed


def test_snooze_before_the_break_postpones_it() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.snooze(10 * MIN, 10 * MIN)
    assert timer.status(10 * MIN).due_in == pytest.approx(30 * MIN)
    assert not timer.tick(39 * MIN)
    assert timer.tick(40 * MIN)


def test_skip_starts_a_fresh_interval() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.fired(30 * MIN)
    timer.skip(32 * MIN)
    assert not timer.status(32 * MIN).pending
    assert timer.status(32 * MIN).due_in == pytest.approx(30 * MIN)


def test_pause_until_resumed_never_fires() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.pause(10 * MIN, None)
    assert run_until(timer, 10 * MIN, 24 * 60 * MIN) == []
    status = timer.status(100 * MIN)
    assert status.hold is Hold.PAUSED and status.due_in is None
    assert math.isinf(status.paused_for or 0)
    timer.resume(100 * MIN)
    assert timer.status(100 * MIN).due_in == pytest.approx(30 * MIN)


def test_timed_pause_ends_by_itself_and_a_full_interval_follows() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.pause(20 * MIN, 60 * MIN)
    assert timer.status(20 * MIN).due_in == pytest.approx(90 * MIN)
    fired = run_until(timer, 20 * MIN, 200 * MIN)
    assert fired == [110 * MIN, 140 * MIN, 170 * MIN]


def test_progress_follows_active_time_and_freezes_while_paused() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    assert timer.status(15 * MIN).progress == pytest.approx(0.5)
    timer.pause(15 * MIN, None)
    assert timer.status(25 * MIN).progress == pytest.approx(0.5)


def test_snooze_while_paused_changes_nothing() -> None:
    timer = BreakTimer(30 * MIN, now=0.0)
    timer.pause(5 * MIN, None)
    timer.snooze(6 * MIN, 5 * MIN)
    assert timer.paused and timer.status(6 * MIN).due_in is None
