"""deskbreak itself in a real headless desktop: tray hosts, dunst, the command line.

Each test starts its own desktop (Xvfb, a private session bus, dunst, and the tray host
the test needs) and runs ``python -m deskbreak run`` in it, then checks what a user
would see: the icon in the host, its menu, the notifications dunst received, and what
``deskbreak status --json`` reports after pressing buttons or typing commands.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.e2e.conftest import artifacts_root
from tests.e2e.desktop import Desktop

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
TITLE = "Time to move: "
# Where gtk-sni-tray-standalone --top draws our icon and our menu's rows (measured).
ICON = (14, 14)
ROW = {"Take a break now": 72, "Snooze": 97, "Skip this break": 122, "Pause": 147,
       "Resume": 172, "Context": 197, "Trip mode": 222, "Statistics": 248,
       "Open settings": 273, "Start at login": 298, "Quit": 323}
PNG = b"\x89PNG\r\n\x1a\n"


def start(desktop: Desktop, *args: str, name: str = "deskbreak",
          env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return desktop.spawn(name, [sys.executable, "-m", "deskbreak", "run", *args],
                         env={"DESKBREAK_SEED": "3", "PYTHONPATH": str(ROOT), **(env or {})})


def cli(desktop: Desktop, *args: str) -> subprocess.CompletedProcess[str]:
    return desktop.run([sys.executable, "-m", "deskbreak", *args], check=False,
                       env={"PYTHONPATH": str(ROOT)})


def status(desktop: Desktop) -> dict[str, Any]:
    result = cli(desktop, "status", "--json")
    return json.loads(result.stdout)


def wait(get: Callable[[], T], ok: Callable[[T], bool], what: str, timeout: float = 10) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}; last saw {value!r}")
        time.sleep(0.1)


def running(desktop: Desktop) -> dict[str, Any]:
    return wait(lambda: status(desktop), lambda s: s.get("running") is True,
                "deskbreak to answer status")


def output_of(desktop: Desktop, name: str = "deskbreak") -> str:
    """What the daemon printed on stdout and stderr."""
    return (desktop.logs_dir / f"{name}.log").read_text(errors="replace")


def log_of(desktop: Desktop) -> str:
    """The daemon's own rotating log in the state directory."""
    path = Path(desktop.env["XDG_STATE_HOME"]) / "deskbreak" / "deskbreak.log"
    return path.read_text(errors="replace") if path.exists() else ""


def breaks(desktop: Desktop) -> list[Any]:
    return [n for n in desktop.notifications() if n.summary.startswith(TITLE)]


def test_tray_icon_registers_and_its_menu_works_through_the_host(desktop: Desktop) -> None:
    start(desktop, "--interval", "30m")
    items = desktop.wait_for_sni(timeout=10)
    assert len(items) == 1 and items[0].startswith("org.kde.StatusNotifierItem-")
    state = running(desktop)
    assert state["tray"] == "sni" and state["tray_menu"] is True

    desktop.click(*ICON)
    time.sleep(0.8)
    shot = desktop.screenshot(artifacts_root() / "sni-menu.png")
    assert shot.stat().st_size > 1000
    tree = desktop.run(["xwininfo", "-root", "-tree"]).stdout
    assert "195x310+0+30" in tree  # the popup menu, twelve rows and two separators

    # "Take a break now", clicked in the host's menu, opens the guide at once.
    desktop.click(60, ROW["Take a break now"])
    (window,) = wait(lambda: guide_windows(desktop), bool, "the guide window", 10)
    assert status(desktop)["last_break"] is not None
    time.sleep(1.3)  # keys are ignored for a second after it appears
    key(desktop, window, "Escape")
    wait(lambda: guide_windows(desktop), lambda found: not found, "the window to close", 10)
    wait(lambda: log_of(desktop), lambda text: "guide closed at" in text, "the stop in the log")

    # Pause > 1 h through the submenu: the daemon reports it paused.
    desktop.click(*ICON)
    time.sleep(0.8)
    desktop.move_mouse(60, ROW["Pause"])
    time.sleep(0.5)
    desktop.move_mouse(150, ROW["Pause"])
    desktop.move_mouse(240, ROW["Pause"])
    time.sleep(0.5)
    desktop.screenshot(artifacts_root() / "sni-pause-submenu.png")
    desktop.click(240, ROW["Pause"] + 25)  # second row: "1 h"
    paused = wait(lambda: status(desktop), lambda s: s.get("state") == "paused", "paused")
    assert paused["held_because"] == "paused"


def test_breaks_reach_dunst_with_buttons_and_different_exercises(desktop: Desktop) -> None:
    start(desktop, "--interval", "3s")
    notes = wait(lambda: breaks(desktop), lambda found: len(found) >= 2, "two breaks", 20)
    first, second = notes[:2]
    assert first.summary != second.summary
    for note in (first, second):
        labels = [label for _, label in note.actions]
        assert {"Start", "Snooze", "Skip"} <= set(labels)
        assert "About " in note.body
    assert second.time - first.time == pytest.approx(3.0, abs=1.5)


def test_snooze_button_in_dunst_postpones_the_break(desktop: Desktop) -> None:
    start(desktop, "--interval", "4s")
    wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "a break", 15)
    desktop.press_action("Snooze")
    state = wait(lambda: status(desktop), lambda s: s.get("snoozed") is True, "snoozed")
    assert state["next_break_in"] > 200  # the default snooze is 5 minutes
    shown = len(breaks(desktop))
    time.sleep(5)
    assert len(breaks(desktop)) == shown  # nothing fires during the snooze


def configure(desktop: Desktop, text: str) -> Path:
    config = Path(desktop.env["XDG_CONFIG_HOME"]) / "deskbreak" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return config


def test_start_button_shows_the_steps_when_the_guide_window_is_off(desktop: Desktop) -> None:
    configure(desktop, "[guide]\nwindow = false\n")
    start(desktop, "--interval", "4s")
    first = wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "a break", 15)[0]
    desktop.press_action("Start")
    name = first.summary.removeprefix(TITLE)
    steps = wait(lambda: [n for n in desktop.notifications() if n.summary == first.summary
                          and n.body.startswith("1. ")], bool, "the steps")
    assert name and "2. " in steps[0].body
    assert [label for _, label in steps[0].actions if label] == ["Done"]
    desktop.press_action("Done")
    wait(lambda: log_of(desktop), lambda text: "break completed (100%)" in text,
         "the completed break in the log")


def test_command_line_controls_the_daemon(desktop: Desktop) -> None:
    start(desktop, "--interval", "20m")
    running(desktop)
    assert cli(desktop, "pause", "30m").returncode == 0
    state = status(desktop)
    assert state["state"] == "paused" and state["next_break_in"] > 30 * 60
    assert cli(desktop, "resume").returncode == 0
    assert status(desktop)["state"] == "running"
    assert cli(desktop, "pause", "until-tomorrow").returncode == 0
    paused = status(desktop)
    assert paused["pause"] == "until-tomorrow" and paused["paused_until"].endswith("T04:00:00")
    cli(desktop, "resume")
    assert cli(desktop, "break-now").returncode == 0
    wait(lambda: breaks(desktop), lambda found: len(found) == 1, "break-now's break")
    assert cli(desktop, "skip").returncode == 0
    state = status(desktop)
    assert state["break_pending"] is False and state["next_break_in"] > 19 * 60
    assert cli(desktop, "snooze", "10m").returncode == 0
    assert status(desktop)["next_break_in"] > 20 * 60  # postponed by 10 minutes
    text = cli(desktop, "status").stdout
    assert "Next break:" in text and "sni" in text


def test_second_instance_refuses_and_kill_9_leaves_nothing_stale(desktop: Desktop) -> None:
    first = start(desktop, "--interval", "20m")
    pid = running(desktop)["pid"]
    second = cli(desktop, "run")
    assert second.returncode == 0
    assert second.stdout.strip() == f"deskbreak is already running (pid {pid})"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(5)
    assert cli(desktop, "status").returncode == 1  # stale socket: "not running"
    start(desktop, "--interval", "20m", name="deskbreak-again")
    assert running(desktop)["pid"] != pid


def test_sigterm_removes_icon_and_socket(desktop: Desktop) -> None:
    proc = start(desktop, "--interval", "20m")
    desktop.wait_for_sni()
    running(desktop)
    runtime = Path(desktop.env["XDG_RUNTIME_DIR"]) / "deskbreak"
    assert (runtime / "control.sock").exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    wait(desktop.sni_items, lambda items: items == [], "the icon to leave the watcher")
    assert not (runtime / "control.sock").exists()
    assert cli(desktop, "status").returncode == 1


@pytest.mark.desktop(sni=False, xembed=True)
def test_xembed_tray_gets_the_fallback_icon(desktop: Desktop) -> None:
    start(desktop, "--interval", "20m")
    assert desktop.wait_for_xembed(timeout=10) == 1
    state = running(desktop)
    assert state["tray"] == "xorg" and state["tray_menu"] is False
    assert any("no menu" in note for note in state["notes"])
    assert cli(desktop, "pause").returncode == 0  # the command line still works
    desktop.screenshot(artifacts_root() / "xembed-tray.png")


def test_no_tray_mode_still_notifies(desktop: Desktop) -> None:
    start(desktop, "--interval", "3s", "--no-tray")
    wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "a break", 15)
    state = status(desktop)
    assert state["tray"] == "none" and desktop.sni_items() == []


@pytest.mark.desktop(notifications=False)
def test_without_a_notification_server_breaks_go_to_the_terminal(desktop: Desktop) -> None:
    proc = start(desktop, "--interval", "2s")
    state = running(desktop)
    assert state["notifier"] == "terminal"
    assert any("desktop-notifier unavailable" in note for note in state["notes"])
    wait(lambda: output_of(desktop), lambda text: TITLE in text, "a break on stdout", 15)
    assert proc.poll() is None


def test_a_broken_config_edit_is_said_once_in_a_notification(desktop: Desktop) -> None:
    config = Path(desktop.env["XDG_CONFIG_HOME"]) / "deskbreak" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('interval = "30m"\n')
    start(desktop)
    running(desktop)
    config.write_text('interval = "30m"\nsnooze = "soon"\n')
    for _ in range(3):  # the same broken file, reloaded again and again
        result = cli(desktop, "reload")
        assert result.returncode == 2 and "snooze: not a duration" in result.stderr
    title = "deskbreak: settings not applied"
    notes = wait(lambda: [n for n in desktop.notifications() if n.summary == title], bool,
                 "the settings notification")
    time.sleep(1)
    notes = [n for n in desktop.notifications() if n.summary == title]
    assert len(notes) == 1 and f"{config}:2: snooze: not a duration" in notes[0].body
    desktop.screenshot(artifacts_root() / "settings-not-applied.png")
    assert status(desktop)["config_error"].startswith(f"{config}:2: snooze")
    config.write_text('interval = "20m"\n')
    assert cli(desktop, "reload").returncode == 0
    assert status(desktop)["interval"] == 1200


def test_the_tray_greys_out_what_a_pause_refuses(desktop: Desktop) -> None:
    start(desktop, "--interval", "30m")
    desktop.wait_for_sni(timeout=10)
    running(desktop)
    assert cli(desktop, "pause").returncode == 0
    desktop.click(*ICON)
    time.sleep(0.8)
    shot = desktop.screenshot(artifacts_root() / "sni-menu-paused.png")
    assert shot.stat().st_size > 1000
    # Skip and Snooze are greyed: clicking Skip does nothing, and the pause stays.
    desktop.click(60, ROW["Skip this break"])
    time.sleep(0.5)
    state = status(desktop)
    assert state["state"] == "paused" and state["pause"] == "until-resumed"
    desktop.run(["xdotool", "key", "Escape"])  # a greyed item leaves the menu open
    time.sleep(0.3)
    desktop.click(*ICON)
    time.sleep(0.8)
    desktop.click(60, ROW["Resume"])
    wait(lambda: status(desktop), lambda s: s.get("state") == "running", "resumed by the menu")


def test_statistics_in_the_tray_menu_draws_a_chart_and_opens_it(desktop: Desktop) -> None:
    # A fake xdg-open, first on the daemon's PATH: it keeps what it was handed and a copy
    # of the file as it was at that moment (the chart must be whole before it is opened).
    tools = desktop.tmpdir / "fake-bin"
    tools.mkdir()
    seen, copy = desktop.tmpdir / "xdg-open-args", desktop.tmpdir / "xdg-open-copy"
    opener = tools / "xdg-open"
    opener.write_text(f'#!/bin/sh\ncp -- "$1" "{copy}"\n'
                      f'printf "%s\\n" "$@" > "{seen}.tmp" && mv "{seen}.tmp" "{seen}"\n')
    opener.chmod(0o755)
    start(desktop, "--interval", "30m",
          env={"PATH": f"{tools}{os.pathsep}{desktop.env['PATH']}"})
    desktop.wait_for_sni(timeout=10)
    running(desktop)
    for command in ("break-now", "start", "done"):  # something for the chart to show
        assert cli(desktop, command).returncode == 0

    desktop.click(*ICON)
    time.sleep(0.8)
    shot = desktop.screenshot(artifacts_root() / "sni-menu-statistics.png")
    assert shot.stat().st_size > 1000
    desktop.click(60, ROW["Statistics"])

    picture = Path(desktop.env["XDG_RUNTIME_DIR"]) / "deskbreak" / "statistics.png"
    # A process of its own imports matplotlib and draws: seconds, not minutes.
    wait(lambda: seen.exists(), bool, "the chart handed to xdg-open", 30)
    assert seen.read_text().splitlines() == [str(picture)]
    data = picture.read_bytes()
    assert data.startswith(PNG) and copy.read_bytes() == data
    shutil.copy(picture, artifacts_root() / "statistics-chart.png")
    width, height = int.from_bytes(data[16:20]), int.from_bytes(data[20:24])
    assert data[12:16] == b"IHDR" and width > 0 and height > 0
    assert status(desktop)["running"] is True
    assert "drawing the statistics failed" not in log_of(desktop)


def test_a_break_asked_for_while_paused_offers_no_snooze(desktop: Desktop) -> None:
    start(desktop, "--interval", "30m")
    running(desktop)
    assert cli(desktop, "pause", "1h").returncode == 0
    paused = status(desktop)
    assert cli(desktop, "break-now").stdout == "Break now (still paused)\n"
    note = wait(lambda: breaks(desktop), lambda found: len(found) == 1, "the break")[0]
    assert [label for _, label in note.actions if label] == ["Start", "Skip"]  # "": a click
    desktop.press_action("Skip")
    after = wait(lambda: status(desktop), lambda s: s.get("showing") is None, "skipped")
    assert after["state"] == "paused" and after["paused_until"] == paused["paused_until"]
    assert "break skipped" in log_of(desktop)


def guide_windows(desktop: Desktop) -> list[str]:
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--name", "^deskbreak: "],
                        check=False)
    return found.stdout.split()


def key(desktop: Desktop, window: str, name: str) -> None:
    desktop.run(["xdotool", "windowactivate", "--sync", window], check=False)
    desktop.run(["xdotool", "key", "--clearmodifiers", name])


def test_start_opens_the_guide_window_and_done_records_the_break(desktop: Desktop) -> None:
    from deskbreak.catalogue import load_catalogue
    from deskbreak.config import Config
    from deskbreak.core.routine import routine

    start(desktop, "--interval", "20m")
    running(desktop)
    assert cli(desktop, "break-now").returncode == 0
    wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "a break", 15)
    desktop.press_action("Start")
    (window,) = wait(lambda: guide_windows(desktop), bool, "the guide window", 10)
    ident = status(desktop)["last_break"]["id"]
    phases = routine(load_catalogue(Config()).get(ident)).phases  # type: ignore[arg-type]
    shots = artifacts_root()
    time.sleep(1.3)  # keys are ignored for a second after it appears
    desktop.screenshot(shots / "guide-cautions.png")
    key(desktop, window, "Return")  # the first screen: start
    time.sleep(0.5)
    desktop.screenshot(shots / "guide-first-step.png")
    work = next(i for i, p in enumerate(phases) if p.kind in ("hold", "move"))
    for _ in range(work - 1):
        key(desktop, window, "Right")
    time.sleep(1.5)
    desktop.screenshot(shots / "guide-mid-hold.png")
    for _ in range(len(phases) - 1 - work):
        key(desktop, window, "Right")
    time.sleep(0.5)
    desktop.screenshot(shots / "guide-end.png")
    key(desktop, window, "Return")  # Done
    wait(lambda: guide_windows(desktop), lambda found: not found, "the window to close", 10)
    wait(lambda: desktop.run(["pgrep", "-f", "deskbreak guide"], check=False).returncode,
         lambda code: code == 1, "the guide's process to exit")
    wait(lambda: log_of(desktop), lambda text: "break completed (100%)" in text,
         "the completed break in the log")
    stats = json.loads(cli(desktop, "stats", "--json", "--days", "1").stdout)
    assert (stats["total"]["completed"], stats["total"]["breaks"]) == (1, 1)
