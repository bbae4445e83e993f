"""The daemon's loop and wiring with moved clocks and a recording notifier: no real waiting."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deskbreak.catalogue import load_catalogue
from deskbreak.config import Config
from deskbreak.control import Refused
from deskbreak.core import commands as c
from deskbreak.core.events import BreakShown, Event
from deskbreak.daemon import MAX_SLEEP_S, Daemon
from deskbreak.live_config import LiveConfig, Loaded
from tests.fakes import Clock, Recorder


def make(cfg: Config | None = None, source: LiveConfig | None = None
         ) -> tuple[Daemon, Clock, Recorder]:
    if source is not None:
        loaded = source.load()
    else:
        cfg = cfg or replace(Config(), tray=False, interval=60.0)
        loaded = Loaded(cfg, load_catalogue(cfg))
    clock, recorder = Clock(), Recorder()
    daemon = Daemon(loaded, source=source, clocks=clock.clocks(), notifier=recorder)
    return daemon, clock, recorder


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def advance(daemon: Daemon, clock: Clock, seconds: float, step: float = 1.0) -> None:
    """Let time pass; what a step set going (a reload) finishes before the next one."""
    end = clock.now + seconds
    while clock.now < end:
        clock.now = min(end, clock.now + step)
        await daemon.step()
        await daemon.settle()


async def live(daemon: Daemon, clock: Clock, seconds: float) -> int:
    """Pass ``seconds`` waking exactly when the daemon asks, as its loop does; the steps."""
    end, steps = clock.now + seconds, 0
    while clock.now < end:
        clock.now = min(end, clock.now + daemon.next_delay())
        await daemon.step()
        await daemon.settle()
        steps += 1
    return steps


async def status(daemon: Daemon) -> dict[str, Any]:
    return await daemon.handle(c.Status())


def edit(path: Path, text: str) -> None:
    """Save the file as an editor would; its mtime moves on even within one clock tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


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
    async def scenario() -> Recorder:
        daemon, clock, recorder = make(replace(Config(), tray=False, interval=60.0,
                                               snooze=120.0))
        await advance(daemon, clock, 60)
        assert len(recorder.shown) == 1
        daemon.submit(c.Snooze())  # what the notification's button does
        await asyncio.sleep(0.01)
        assert recorder.withdrawn == 1
        await advance(daemon, clock, 119)
        assert len(recorder.shown) == 1
        await advance(daemon, clock, 2)
        return recorder
    recorder = run(scenario())
    assert len(recorder.shown) == 2


def test_start_from_the_notification_shows_the_steps_of_the_shown_exercise() -> None:
    async def scenario() -> tuple[Recorder, dict[str, Any]]:
        daemon, clock, recorder = make()
        await advance(daemon, clock, 60)
        assert (await status(daemon))["showing"] == recorder.shown[0].exercise_id
        daemon.submit(c.Start())
        await asyncio.sleep(0.01)
        return recorder, await status(daemon)
    recorder, after = run(scenario())
    assert [n.exercise_id for n in recorder.steps] == [recorder.shown[0].exercise_id]
    assert recorder.steps[0].steps.startswith("1. ")
    assert after["showing"] is None and after["break_pending"] is False


@pytest.mark.parametrize("illustrations", [True, False])
def test_the_steps_carry_the_still_of_the_held_position_unless_turned_off(
        illustrations: bool) -> None:
    from deskbreak.figure.stills import still_file

    catalogue = load_catalogue(Config())
    drawn = next(e for e in catalogue.in_context("desk") if still_file(e) is not None)
    cfg = replace(Config(), tray=False, interval=60.0, illustrations=illustrations,
                  exclude_ids=tuple(e.id for e in catalogue.in_context("desk")
                                    if e.id != drawn.id))

    async def scenario() -> Recorder:
        daemon, clock, recorder = make(cfg)
        await advance(daemon, clock, 60)
        daemon.submit(c.Start())
        await asyncio.sleep(0.01)
        return recorder
    recorder = run(scenario())
    assert recorder.steps[0].exercise_id == drawn.id
    assert recorder.steps[0].picture == (str(still_file(drawn)) if illustrations else "")


def test_pause_holds_breaks_and_status_says_until_when() -> None:
    async def scenario() -> tuple[dict[str, Any], Recorder, dict[str, Any]]:
        daemon, clock, recorder = make()
        reply = await daemon.handle(c.Pause(600.0))
        assert reply == {"message": "Paused for 10 min"}
        await advance(daemon, clock, 300)
        paused = await status(daemon)
        await advance(daemon, clock, 400)  # pause over at 600, first break at 660
        return paused, recorder, await status(daemon)
    paused, recorder, after = run(scenario())
    assert paused["state"] == "paused" and paused["pause"] == "timed"
    assert paused["paused_until"] == "2026-11-23T10:10:00"
    assert paused["next_break_in"] == pytest.approx(300 + 60)
    assert len(recorder.shown) == 1
    assert after["state"] == "running" and after["pause"] is None


def test_pause_until_tomorrow_is_one_state_that_ends_at_the_rollover() -> None:
    """Monday 10:00: paused until Tuesday 04:00; the loop wakes for it by itself."""
    async def scenario() -> tuple[Daemon, dict[str, Any]]:
        daemon, clock, recorder = make()
        reply = await daemon.handle(c.Pause(until_tomorrow=True))
        assert reply["message"] == "Paused until tomorrow 04:00"
        paused = await status(daemon)
        steps = await live(daemon, clock, 18 * 3600 - 1)
        assert recorder.shown == [] and (await status(daemon))["state"] == "paused"
        assert steps <= 18 * 60 + 5  # a minute's sleep at a time, no spinning
        await live(daemon, clock, 2)  # 04:00:01
        return daemon, paused
    daemon, paused = run(scenario())
    assert paused["pause"] == "until-tomorrow"
    assert paused["paused_until"] == "2026-11-24T04:00:00"
    assert paused["next_break_in"] == pytest.approx(18 * 3600 + 60)
    after = run(status(daemon))
    assert after["state"] == "running" and after["next_break_in"] == pytest.approx(59, abs=1)


def test_snooze_and_skip_while_paused_are_refused_and_change_nothing() -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        daemon, _clock, _recorder = make()
        await daemon.handle(c.Pause())
        before = await status(daemon)
        reasons = []
        for command in (c.Snooze(), c.Skip(), c.Snooze(600.0)):
            with pytest.raises(Refused) as refused:
                await daemon.handle(command)
            reasons.append(str(refused.value))
        assert (await status(daemon)) == before
        assert (await daemon.handle(c.Resume()))["message"] == "Resumed: next break in 1 min"
        with pytest.raises(Refused, match=r"^not paused: nothing to resume$"):
            await daemon.handle(c.Resume())
        return before, await status(daemon), reasons
    before, after, reasons = run(scenario())
    assert reasons == ["paused: nothing to snooze; resume first",
                       "paused: nothing to skip; resume first",
                       "paused: nothing to snooze; resume first"]
    assert before["state"] == "paused" and before["pause"] == "until-resumed"
    assert after["state"] == "running"  # only the valid resume changed anything


def test_break_now_while_paused_shows_a_break_and_keeps_the_pause() -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], Recorder]:
        daemon, _clock, recorder = make()
        await daemon.handle(c.Pause(3600.0))
        before = await status(daemon)
        reply = await daemon.handle(c.BreakNow())
        assert reply == {"message": "Break now (still paused)"}
        return before, await status(daemon), recorder
    before, after, recorder = run(scenario())
    assert len(recorder.shown) == 1
    assert after["state"] == "paused" and after["paused_until"] == before["paused_until"]
    assert after["showing"] == recorder.shown[0].exercise_id


def test_skip_and_break_now() -> None:
    async def scenario() -> tuple[Daemon, Recorder]:
        daemon, clock, recorder = make()
        await advance(daemon, clock, 50)
        assert (await daemon.handle(c.Skip()))["message"] == "Skipped: next break in 1 min"
        await advance(daemon, clock, 50)
        assert recorder.shown == []  # skipped: a fresh interval started at 50 s
        await daemon.handle(c.BreakNow())
        return daemon, recorder
    daemon, recorder = run(scenario())
    assert len(recorder.shown) == 1
    assert run(status(daemon))["next_break_in"] == pytest.approx(60.0)


def test_context_choice_changes_the_exercises_and_survives_a_restart() -> None:
    async def scenario() -> list[str]:
        daemon, _clock, _recorder = make()
        assert (await daemon.handle(c.SetContext("home"))) == {"message": "Context: home"}
        again, clock2, recorder2 = make()
        assert again.controller.context == "home"
        await advance(again, clock2, 60 * 40)
        return [n.exercise_id for n in recorder2.shown]
    shown = run(scenario())
    catalogue = load_catalogue(Config())
    assert any(catalogue.get(i).position.startswith("lying") for i in shown)  # type: ignore[union-attr]


def test_an_idle_daemon_sleeps_a_minute_at_a_time() -> None:
    """No idle source here (none was given) and no watch: no look for an idle reading
    that cannot come, then a minute at a time, for what only a look would notice."""
    daemon, clock, _ = make(replace(Config(), tray=False))
    assert daemon.next_delay() == pytest.approx(MAX_SLEEP_S)
    for _ in range(5):
        run(daemon.step())
        assert daemon.next_delay() == pytest.approx(MAX_SLEEP_S)
        clock.now += MAX_SLEEP_S


def test_every_event_reaches_every_subscriber() -> None:
    seen: list[Event] = []

    async def scenario() -> None:
        daemon, clock, _ = make()
        daemon.subscribers.append(seen.append)
        await advance(daemon, clock, 60)
        await daemon.handle(c.Skip())
    run(scenario())
    assert [type(e).__name__ for e in seen] == ["BreakShown", "BreakSkipped"]
    assert isinstance(seen[0], BreakShown) and seen[0].context == "desk"


def test_a_failing_subscriber_or_step_does_not_stop_the_breaks(
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("history store on fire")

    async def scenario() -> Recorder:
        daemon, clock, recorder = make()
        daemon.subscribers.insert(0, broken)
        original = daemon.controller.observe
        calls = 0

        def flaky(obs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise ValueError("a bug in one step")
            return original(obs)

        daemon.controller.observe = flaky  # type: ignore[method-assign]
        for _ in range(130):
            clock.now += 1
            await daemon._guarded(daemon.step)
        return recorder

    with caplog.at_level(logging.INFO, logger="deskbreak"):
        recorder = run(scenario())
    assert len(recorder.shown) == 2  # both breaks of the two minutes, despite it all
    failures = [r for r in caplog.records if r.exc_info]
    assert any("a bug in one step" in str(r.exc_info[1]) for r in failures)  # type: ignore[index]
    assert any("history store on fire" in str(r.exc_info[1]) for r in failures)  # type: ignore[index]


# --- settings applied while running -------------------------------------------------------
def test_an_edited_config_applies_at_the_next_wake_up(isolated_home: Path) -> None:
    path = isolated_home / "config" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True)
    edit(path, 'interval = "1m"\ntray = false\n')

    async def scenario() -> tuple[Recorder, dict[str, Any]]:
        daemon, clock, recorder = make(source=LiveConfig())
        await advance(daemon, clock, 30)
        edit(path, 'interval = "10m"\ntray = false\ncontext = "home"\n')
        await advance(daemon, clock, 1)
        reloaded = await status(daemon)
        await advance(daemon, clock, 60)
        assert recorder.shown == []  # the 1-minute break did not come
        await advance(daemon, clock, 9 * 60)
        return recorder, reloaded
    recorder, reloaded = run(scenario())
    assert reloaded["interval"] == 600 and reloaded["context"] == "home"
    assert reloaded["next_break_in"] == pytest.approx(600 - 31)  # active time kept
    assert len(recorder.shown) == 1


def test_a_broken_edit_keeps_the_last_good_settings_and_says_so_once(
        isolated_home: Path) -> None:
    path = isolated_home / "config" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True)
    edit(path, 'interval = "1m"\ntray = false\n')

    async def scenario() -> tuple[Recorder, dict[str, Any], dict[str, Any]]:
        daemon, clock, recorder = make(source=LiveConfig())
        edit(path, 'interval = "1m"\ntray = false\nsnooze = "soon"\n')
        await advance(daemon, clock, 120)
        broken = await status(daemon)
        with pytest.raises(Refused, match="snooze: not a duration") as refused:
            await daemon.handle(c.Reload())
        assert refused.value.code == "invalid"
        edit(path, 'interval = "2m"\ntray = false\n')
        await advance(daemon, clock, 1)
        return recorder, broken, await status(daemon)
    recorder, broken, fixed = run(scenario())
    assert len(recorder.shown) == 2  # breaks went on with the last good interval
    error = f"{path}:3: snooze: not a duration: 'soon' (use e.g. \"45s\", \"30m\", \"1h30m\")"
    assert broken["config_error"] == error
    assert broken["notes"][0].startswith("settings not applied: " + error)
    assert recorder.messages == [("deskbreak: settings not applied",
                                  error + "\nStill using the last good settings.")]
    assert fixed["config_error"] is None and fixed["interval"] == 120


def test_exclusions_that_leave_nothing_are_a_broken_edit(isolated_home: Path) -> None:
    path = isolated_home / "config" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True)
    edit(path, "tray = false\n")

    async def scenario() -> dict[str, Any]:
        daemon, clock, _ = make(source=LiveConfig())
        edit(path, 'tray = false\n[exclude]\npositions = ["standing", "seated"]\n')
        await advance(daemon, clock, 1)
        return await status(daemon)
    after = run(scenario())
    assert "no exercises left in context 'desk'" in after["config_error"]


def test_a_tray_context_falls_back_when_new_exclusions_empty_it(isolated_home: Path) -> None:
    path = isolated_home / "config" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True)
    edit(path, "tray = false\n")
    travel = [e.id for e in load_catalogue(Config()) if "travel" in e.contexts]

    async def scenario() -> tuple[str, dict[str, Any]]:
        daemon, clock, _ = make(source=LiveConfig())
        await daemon.handle(c.SetContext("travel"))
        edit(path, f"tray = false\n[exclude]\nids = {travel!r}\n".replace("'", '"'))
        await advance(daemon, clock, 1)
        with pytest.raises(Refused, match="no exercises left in context 'travel'"):
            await daemon.handle(c.SetContext("travel"))
        return daemon.controller.context, await status(daemon)
    context, after = run(scenario())
    assert context == "desk" and after["context"] == "desk" and after["config_error"] is None


@pytest.mark.parametrize("hazard", ["nul", "fifo"])
def test_a_config_that_cannot_even_be_opened_never_stops_the_breaks(
        isolated_home: Path, hazard: str) -> None:
    path = isolated_home / "config" / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True)
    edit(path, 'interval = "1m"\ntray = false\n')

    async def scenario() -> tuple[Recorder, dict[str, Any], dict[str, Any]]:
        daemon, clock, recorder = make(source=LiveConfig())
        if hazard == "nul":
            edit(path, 'interval = "1m"\ntray = false\nextra_catalogue = "a\\u0000b"\n')
        else:
            path.unlink()
            os.mkfifo(path)  # opening it for reading would wait for a writer forever
        await asyncio.wait_for(advance(daemon, clock, 130), 10)
        broken = await status(daemon)
        path.unlink()
        edit(path, 'interval = "2m"\ntray = false\n')
        await advance(daemon, clock, 1)
        return recorder, broken, await status(daemon)
    recorder, broken, fixed = run(scenario())
    assert len(recorder.shown) == 2
    problem = "the path contains a NUL character" if hazard == "nul" else "not a regular file"
    assert problem in broken["config_error"]
    assert fixed["config_error"] is None and fixed["interval"] == 120


class StalledSource(LiveConfig):
    """A config on a network share that stops answering: load() waits for the gate."""

    def __init__(self, loaded: Loaded) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.loaded = loaded
        self.edited = False

    def changed(self) -> bool:
        return self.edited

    def load(self) -> Loaded:
        self.edited = False
        self.gate.wait(20)
        return self.loaded


def test_a_config_read_that_hangs_holds_up_no_break() -> None:
    async def scenario() -> float:
        cfg = replace(Config(), tray=False, interval=60.0)
        newer = replace(cfg, interval=600.0)
        source = StalledSource(Loaded(newer, load_catalogue(newer)))
        clock, recorder = Clock(), Recorder()
        daemon = Daemon(Loaded(cfg, load_catalogue(cfg)), source=source,
                        clocks=clock.clocks(), notifier=recorder)
        source.edited = True
        for _ in range(130):  # the read hangs all along
            clock.now += 1
            await asyncio.wait_for(daemon.step(), 2)
        assert len(recorder.shown) == 2
        with pytest.raises(TimeoutError):  # who asked for a reload waits; no one else
            await asyncio.wait_for(asyncio.shield(daemon.handle(c.Reload())), 0.2)
        source.gate.set()
        await daemon.settle()
        return float((await status(daemon))["interval"])
    assert run(scenario()) == 600.0


def test_effects_of_two_quick_commands_land_in_their_order() -> None:
    """Take a break now, then skip it at once: the slow notification must not stay up."""
    async def scenario() -> tuple[list[str], dict[str, Any]]:
        cfg = replace(Config(), tray=False)
        recorder = Recorder(show_takes=0.05)
        daemon = Daemon(Loaded(cfg, load_catalogue(cfg)), clocks=Clock().clocks(),
                        notifier=recorder)
        daemon.submit(c.BreakNow())  # the tray's item
        await asyncio.sleep(0.01)
        daemon.submit(c.Skip())  # the notification's button, pressed at once
        await daemon.settle()
        return recorder.screen, await status(daemon)
    screen, after = run(scenario())
    assert [line.split()[0] for line in screen] == ["show", "withdraw"]
    assert after["showing"] is None


def test_a_step_that_keeps_failing_logs_one_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        daemon, clock, _ = make()

        def broken(obs: Any) -> Any:
            raise ValueError("the same bug every time")

        daemon.controller.observe = broken  # type: ignore[method-assign]
        for _ in range(5):
            clock.now += 1
            await daemon._guarded(daemon.step)
        assert daemon.next_delay() >= 1.0  # and it does not spin on it

    with caplog.at_level(logging.INFO, logger="deskbreak"):
        run(scenario())
    assert sum(1 for r in caplog.records if r.exc_info) == 1
    assert sum("the same failure again" in r.getMessage() for r in caplog.records) == 4


class BrokenWatch:
    """A watch whose inotify read failed: the daemon must not keep sleeping ten minutes."""

    failed: str | None = None

    def watch_files(self, files: object) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_watch_allows_long_sleeps_only_while_it_works() -> None:
    from deskbreak.daemon import WATCHED_SLEEP_S

    daemon, _, _ = make(replace(Config(), tray=False))
    daemon.watch = BrokenWatch()  # type: ignore[assignment]
    assert daemon.next_delay() == pytest.approx(WATCHED_SLEEP_S)
    daemon.watch.failed = "file watch: [Errno 9] Bad file descriptor"  # type: ignore[union-attr]
    assert daemon.next_delay() == pytest.approx(MAX_SLEEP_S)
    notes = daemon._edges().notes
    assert any("change watch stopped" in note and "every minute" in note for note in notes)


def test_a_poke_during_a_step_is_not_lost() -> None:
    """The watch or the X server may poke while a step awaits the disk or the bus: the
    sleep after it must end at once, not ten minutes later."""
    async def scenario() -> float:
        daemon, _, _ = make(replace(Config(), tray=False))
        daemon._wake.clear()
        daemon._poke()  # as if during the step
        began = asyncio.get_running_loop().time()
        await asyncio.wait_for(daemon._sleep(), 5)
        return asyncio.get_running_loop().time() - began
    assert run(scenario()) < 1


def test_a_reload_wakes_the_loop_to_plan_with_the_new_settings(tmp_path: Path) -> None:
    """A shorter interval may make the break due now: the sleep planned on the old
    settings must not stand (nor must a save that landed during the read)."""
    config = tmp_path / "config.toml"
    config.write_text('interval = "50m"\n')

    async def scenario() -> bool:
        daemon, _, _ = make(source=LiveConfig(str(config)))
        daemon._wake.clear()
        config.write_text('interval = "20m"\n')
        ok, _ = await daemon.reload("edited")
        return ok and daemon._wake.is_set()
    assert run(scenario())


def test_a_watch_that_cannot_start_leaves_the_daemon_looking_every_minute(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import deskbreak.daemon as daemon_mod

    def broken(*args: object) -> None:
        raise OSError("epoll says no")

    monkeypatch.setattr(daemon_mod, "choose_watch", broken)

    async def scenario() -> Daemon:
        daemon, _, _ = make(replace(Config(), tray=False))
        daemon._start_watch()
        return daemon
    daemon = run(scenario())
    assert daemon.watch is None and daemon.next_delay() == pytest.approx(MAX_SLEEP_S)
    assert any("epoll says no" in note for note in daemon._edges().notes)
