"""Start at login through the daemon: the tray's checkbox, the command, the first run.

The tray's "Start at login" sends a command like every other item; the controller turns
it into an effect; the daemon writes the entry in a worker thread and reports a failure
in ``deskbreak status``. The first ``deskbreak run`` says how to turn it on, once, and
nothing writes the entry unless asked.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pty
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deskbreak import firstrun
from deskbreak.autostart.base import Autostart, AutostartError, AutostartState
from deskbreak.autostart.watch import AutostartWatch
from deskbreak.autostart.xdg import XdgAutostart
from deskbreak.catalogue import load_catalogue
from deskbreak.config import Config
from deskbreak.control import Refused
from deskbreak.core import commands as c
from deskbreak.core.controller import ChangeAutostart
from deskbreak.core.presenter import MenuView
from deskbreak.daemon import Daemon
from deskbreak.live_config import Loaded
from deskbreak.run import first_run_lines
from deskbreak.tray.menu import build_menu
from tests.fakes import Clock, Recorder
from tests.test_controller import World, controller


class FakeAutostart(Autostart):
    """Records calls and the thread they ran on; ``fail`` makes the next change fail."""

    name = "fake"

    def __init__(self, on: bool = False) -> None:
        self.on = on
        self.calls: list[tuple[str, str]] = []
        self.fail: str | None = None

    def status(self) -> AutostartState:
        return AutostartState("on" if self.on else "off", "fake place", None if self.on
                              else "there is no fake place")

    def enable(self, argv: Sequence[str]) -> str:
        self.calls.append(("enable", threading.current_thread().name))
        if self.fail:
            raise AutostartError(self.fail)
        self.on = True
        return f"Start at login: on (fake place starts {argv[0]} run)"

    def disable(self) -> str:
        self.calls.append(("disable", threading.current_thread().name))
        if self.fail:
            raise AutostartError(self.fail)
        self.on = False
        return "Start at login: off (removed fake place)"


# --- the controller ----------------------------------------------------------------------
@pytest.mark.parametrize("enabled", [True, False])
def test_the_command_becomes_an_effect_for_the_daemon(enabled: bool) -> None:
    world = World()
    result = controller(world).apply(c.SetAutostart(enabled), world.at())
    assert result.refused is None and result.effects == [ChangeAutostart(enabled)]
    assert result.message == f"Start at login: {'on' if enabled else 'off'}"


# --- the daemon --------------------------------------------------------------------------
def make(autostart: Autostart) -> Daemon:
    cfg = replace(Config(), tray=False, interval=60.0)
    return Daemon(Loaded(cfg, load_catalogue(cfg)), clocks=Clock().clocks(),
                  notifier=Recorder(), autostart=autostart)


def test_the_daemon_writes_the_entry_off_the_loop_and_logs_it(
        caplog: pytest.LogCaptureFixture) -> None:
    backend = FakeAutostart()

    async def scenario() -> dict[str, Any]:
        daemon = make(backend)
        with caplog.at_level(logging.INFO, logger="deskbreak"):
            return await daemon.handle(c.SetAutostart(True))
    reply = asyncio.run(scenario())
    assert reply["message"].startswith("Start at login: on (fake place starts /")
    assert backend.on and len(backend.calls) == 1
    assert backend.calls[0][1] != "MainThread"  # a worker thread, not the event loop
    assert any(r.getMessage().startswith("autostart: Start at login: on (fake place")
               for r in caplog.records)


def test_a_failed_change_is_refused_and_stays_a_status_note_until_one_works(
        caplog: pytest.LogCaptureFixture) -> None:
    backend = FakeAutostart(on=True)
    backend.fail = "cannot write fake place: No space left on device"
    note = ("start at login could not be turned off: cannot write fake place: No space left "
            "on device")

    async def scenario() -> tuple[list[str], list[str]]:
        daemon = make(backend)
        with pytest.raises(Refused, match=note):
            await daemon.handle(c.SetAutostart(False))
        failed = (await daemon.handle(c.Status()))["notes"]
        backend.fail = None
        await daemon.handle(c.SetAutostart(False))
        return failed, (await daemon.handle(c.Status()))["notes"]
    with caplog.at_level(logging.WARNING, logger="deskbreak"):
        failed, after = asyncio.run(scenario())
    assert note in failed and note not in after
    assert backend.on is False
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [note]


def test_the_tray_click_goes_through_submit_and_never_raises() -> None:
    backend = FakeAutostart()
    backend.fail = "nope"

    async def scenario() -> None:
        daemon = make(backend)
        daemon.submit(c.SetAutostart(True))  # what the menu item does
        await asyncio.sleep(0.05)
        await daemon.settle()
    asyncio.run(scenario())
    assert [name for name, _ in backend.calls] == ["enable"]


def test_starting_the_daemon_never_writes_an_entry(isolated_home: Path) -> None:
    """Neither building the daemon nor drawing its menu touches the autostart folder."""
    daemon = Daemon(Loaded(Config(), load_catalogue(Config())), clocks=Clock().clocks(),
                    notifier=Recorder())
    assert isinstance(daemon.autostart, XdgAutostart)
    drawn = build_menu(lambda: MenuView(), lambda _: None, (300.0,), (1800.0,))
    assert [i.checked for i in drawn.items if str(i.text) == "Start at login"] == [False]
    assert not (isolated_home / "config" / "autostart").exists()


# --- the tray menu -----------------------------------------------------------------------
class Watch(AutostartWatch):
    def __init__(self, on: bool) -> None:
        self.on = on

    def is_on(self) -> bool:
        return self.on


def menu(watch: AutostartWatch, sent: list[c.Command]) -> Any:
    return build_menu(lambda: MenuView(), sent.append, (300.0,), (1800.0,),
                      start_at_login=watch)


def test_the_checkbox_sits_above_quit_and_shows_the_real_state() -> None:
    sent: list[c.Command] = []
    watch = Watch(False)
    items = list(menu(watch, sent).items)
    labels = [str(i.text) for i in items]
    assert labels[-3:] == ["Open settings", "Start at login", "Quit"]
    item = items[-2]
    assert item.checked is False and not item.radio
    watch.on = True
    assert item.checked is True  # read each time the menu is drawn
    item(None)
    assert sent == [c.SetAutostart(False)]
    watch.on = False
    item(None)
    assert sent == [c.SetAutostart(False), c.SetAutostart(True)]


def test_the_host_sees_a_checkmark_item(isolated_home: Path, tmp_path: Path) -> None:
    """What DBusMenu hands the panel, from the real entry in the user's autostart folder."""
    from deskbreak.tray.sni import _MenuInterface

    backend = XdgAutostart.from_environment()
    built = menu(AutostartWatch(backend), [])

    def node() -> dict[str, Any]:
        nodes = _MenuInterface(None).build(built)  # type: ignore[arg-type]
        return next(n.props for n in nodes.values() if n.props.get("label") == "Start at login")
    assert node() == {"label": "Start at login", "toggle-type": "checkmark", "toggle-state": 0}
    program = tmp_path / "deskbreak"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    backend._install_icons = lambda *_: None
    backend.enable([str(program)])  # as `deskbreak autostart on` in a terminal would
    assert node()["toggle-state"] == 1


# --- the first run ------------------------------------------------------------------------
def test_once_is_true_exactly_once_per_name(tmp_path: Path) -> None:
    assert firstrun.once("first-run", tmp_path) is True
    assert firstrun.once("first-run", tmp_path) is False
    assert firstrun.once("doctor", tmp_path) is True
    assert (tmp_path / "once" / "first-run").is_file()


def test_once_defaults_to_the_state_directory(isolated_home: Path) -> None:
    assert firstrun.once(firstrun.FIRST_RUN) is True
    assert (isolated_home / "state" / "deskbreak" / "once" / "first-run").is_file()
    assert firstrun.once(firstrun.FIRST_RUN) is False


def test_once_is_silent_when_it_cannot_remember(tmp_path: Path) -> None:
    (tmp_path / "once").write_text("a file where the folder goes")
    assert firstrun.once("first-run", tmp_path) is False
    with pytest.raises(ValueError):
        firstrun.marker("../escape", tmp_path)


def test_a_hint_is_told_on_a_terminal_and_kept_for_one_otherwise(tmp_path: Path) -> None:
    """Each hint on its own name: a later one (a doctor's note) reaches every user once."""
    said: list[str] = []
    screen, terminal = pty.openpty()
    try:
        with (tmp_path / "log").open("w") as log:
            assert firstrun.tell_once("first-run", lambda: ["hint"], said.append,
                                      fd=log.fileno(), directory=tmp_path) is False
        assert said == [] and not firstrun.marker("first-run", tmp_path).exists()
        for _ in range(2):
            firstrun.tell_once("first-run", lambda: ["hint"], said.append, fd=terminal,
                               directory=tmp_path)
        firstrun.tell_once("doctor", lambda: ["check with your doctor"], said.append,
                           fd=terminal, directory=tmp_path)
    finally:
        os.close(screen)
        os.close(terminal)
    assert said == ["hint", "check with your doctor"]


def test_the_first_run_says_how_to_start_at_login_only_when_it_is_off() -> None:
    assert first_run_lines(tray=True, autostart=FakeAutostart(on=False)) == [
        'Start deskbreak at login: deskbreak autostart on (or the tray\'s "Start at login")']
    assert first_run_lines(tray=False, autostart=FakeAutostart(on=False)) == [
        "Start deskbreak at login: deskbreak autostart on"]
    assert first_run_lines(tray=True, autostart=FakeAutostart(on=True)) == []


def test_a_hint_never_keeps_the_daemon_from_starting() -> None:
    class Exploding(FakeAutostart):
        def status(self) -> AutostartState:
            raise OSError("the disk is on fire")
    assert first_run_lines(tray=False, autostart=Exploding())[0].startswith("Start deskbreak")
