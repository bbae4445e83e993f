"""The daemon's decisions with a moved clock and a recording notifier: no real waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from deskbreak.catalogue import load_catalogue
from deskbreak.clocks import Clocks
from deskbreak.config import Config
from deskbreak.daemon import Daemon
from deskbreak.notify import Action, BreakNotice


class Clock:
    """Monotonic, boot and wall clocks moving together (no suspend, no clock change)."""

    START = dt.datetime(2026, 11, 23, 10, 0)

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> dt.datetime:
        return self.START + dt.timedelta(seconds=self.now - 5000.0)

    def clocks(self) -> Clocks:
        return Clocks(mono=self, boot=self, wall=self.wall)


class Recorder:
    """Stands in for the NotifierChain; records what the user would have seen."""

    name = "recorder"

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.shown: list[BreakNotice] = []
        self.steps: list[BreakNotice] = []
        self.withdrawn = 0

    async def start(self) -> str:
        return self.name

    async def show(self, notice: BreakNotice) -> None:
        self.shown.append(notice)

    async def show_steps(self, notice: BreakNotice) -> None:
        self.steps.append(notice)

    async def withdraw(self) -> None:
        self.withdrawn += 1

    async def close(self) -> None:
        pass


def make(cfg: Config | None = None) -> tuple[Daemon, Clock, Recorder]:
    cfg = cfg or replace(Config(), tray=False, interval=60.0)
    clock, recorder = Clock(), Recorder()
    daemon = Daemon(cfg, load_catalogue(cfg), clocks=clock.clocks(),
                    notifier=recorder)  # type: ignore[arg-type]
    return daemon, clock, recorder


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def advance(daemon: Daemon, clock: Clock, seconds: float, step: float = 1.0) -> None:
    end = clock.now + seconds
    while clock.now < end:
        clock.now = min(end, clock.now + step)
        await daemon.step()


def test_breaks_fire_each_interval_with_different_exercises() -> None:
    async def scenario() -> Recorder:
        daemon, clock, recorder = make()
        await advance(daemon, clock, 60 * 10)
        return recorder
    recorder = run(scenario())
    assert len(recorder.shown) == 10
    ids = [n.exercise_id for n in recorder.shown]
    assert len(set(ids)) == 10  # no repeats before the deck is through
    assert all(n.title.startswith("Time to move: ") for n in recorder.shown)


def test_snooze_from_the_notification_postpones_and_withdraws() -> None:
    async def scenario() -> tuple[Daemon, Clock, Recorder]:
        daemon, clock, recorder = make(replace(Config(), tray=False, interval=60.0,
                                               snooze=120.0))
        await advance(daemon, clock, 60)
        assert len(recorder.shown) == 1
        await daemon.command("snooze", {})
        await advance(daemon, clock, 119)
        assert len(recorder.shown) == 1
        await advance(daemon, clock, 2)
        return daemon, clock, recorder
    _daemon, _clock, recorder = run(scenario())
    assert len(recorder.shown) == 2 and recorder.withdrawn >= 1


def test_start_action_shows_the_steps_of_the_shown_exercise() -> None:
    async def scenario() -> Recorder:
        daemon, clock, recorder = make()
        await advance(daemon, clock, 60)
        daemon._on_action(Action.START)
        await asyncio.sleep(0.01)
        return recorder
    recorder = run(scenario())
    assert [n.exercise_id for n in recorder.steps] == [recorder.shown[0].exercise_id]
    assert recorder.steps[0].steps.startswith("1. ")


def test_pause_holds_breaks_and_status_says_so() -> None:
    async def scenario() -> tuple[dict[str, Any], Recorder, dict[str, Any]]:
        daemon, clock, recorder = make()
        await daemon.command("pause", {"seconds": 600.0})
        await advance(daemon, clock, 300)
        paused = daemon.status()
        await advance(daemon, clock, 400)  # pause over at 600, first break at 660
        return paused, recorder, daemon.status()
    paused, recorder, after = run(scenario())
    assert paused["state"] == "paused" and paused["held_because"] == "paused"
    assert paused["paused_until"] == "2026-11-23T10:10:00"
    assert len(recorder.shown) == 1
    assert after["state"] == "running"


def test_pause_until_tomorrow_ends_at_the_daily_rollover() -> None:
    async def scenario() -> tuple[Daemon, Recorder]:
        daemon, clock, recorder = make()
        await daemon.command("pause", {"until_tomorrow": True})
        await advance(daemon, clock, 3600, step=60)
        assert recorder.shown == [] and daemon.status()["paused_until"] == "tomorrow 04:00"
        daemon._rollover()
        await advance(daemon, clock, 61)
        return daemon, recorder
    daemon, recorder = run(scenario())
    assert len(recorder.shown) == 1 and daemon.status()["state"] == "running"


def test_skip_and_break_now() -> None:
    async def scenario() -> tuple[Daemon, Clock, Recorder]:
        daemon, clock, recorder = make()
        await advance(daemon, clock, 50)
        await daemon.command("skip", {})
        await advance(daemon, clock, 50)
        assert recorder.shown == []  # skipped: a fresh interval started at 50 s
        await daemon.command("break-now", {})
        return daemon, clock, recorder
    daemon, _clock, recorder = run(scenario())
    assert len(recorder.shown) == 1
    assert daemon.status()["next_break_in"] == pytest.approx(60.0)


def test_context_choice_changes_the_exercises_and_survives_a_restart() -> None:
    async def scenario() -> list[str]:
        daemon, _clock, _recorder = make()
        await daemon.command("context", {"context": "home"})
        again, clock2, recorder2 = make()
        assert again.context == "home"
        await advance(again, clock2, 60 * 40)
        return [n.exercise_id for n in recorder2.shown]
    shown = run(scenario())
    catalogue = load_catalogue(Config())
    assert any(catalogue.get(i).position.startswith("lying") for i in shown)  # type: ignore[union-attr]


def test_sleep_is_long_when_nothing_is_due() -> None:
    """An idle daemon must not poll: with no tray and a 30 min interval it sleeps ~30 min."""
    daemon, clock, _ = make(replace(Config(), tray=False))
    wake = daemon.timer.next_wakeup(clock.now)
    assert wake is not None and wake - clock.now == pytest.approx(1800.0)
