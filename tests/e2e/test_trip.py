"""Trip mode in the real headless desktop: no input at all, a fullscreen film, a driver.

The daemon runs for real with a shortened trip (``[trip] interval = "3s"``): Xvfb's idle
time grows from the first second (nobody touches anything, ever), an xterm plays the
film fullscreen under openbox, dunst receives the notifications, and the tray host shows
the "Trip mode" submenu. What a traveler would see is checked, and photographed.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import artifacts_root
from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import ICON, ROW, breaks, cli, log_of, running, start, status, wait

SAFETY = "Trip mode: blood clots on long journeys"


def write_config(desktop: Desktop, text: str) -> None:
    path = Path(desktop.env["XDG_CONFIG_HOME"]) / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def fullscreen_film(desktop: Desktop) -> None:
    """An xterm, fullscreen and focused: what a film in a player looks like to deskbreak."""
    desktop.spawn("xterm", ["xterm", "-class", "DeskbreakFilm"])
    window = desktop.run(["xdotool", "search", "--sync", "--class", "DeskbreakFilm"],
                         timeout=10).stdout.split()[0]
    desktop.run(["xdotool", "windowactivate", "--sync", window], timeout=5)
    desktop.run(["wmctrl", "-i", "-r", window, "-b", "add,fullscreen"], timeout=5)


@pytest.mark.desktop(wm=True)
def test_a_trip_keeps_breaks_coming_with_no_input_through_a_fullscreen_film(
        desktop: Desktop) -> None:
    write_config(desktop, 'interval = "20m"\nidle_threshold = "10s"\ncontext = "home"\n'
                          '[trip]\ninterval = "3s"\n')
    fullscreen_film(desktop)
    start(desktop)
    assert running(desktop)["idle_backend"] == "x11"

    started = cli(desktop, "trip", "start", "1h")
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith("Trip mode on: for 1 h (until ")
    assert SAFETY in started.stdout and "CDC: Blood Clots and Travel" in started.stdout
    note = wait(lambda: [n for n in desktop.notifications() if n.summary == SAFETY], bool,
                "the safety note", 10)[0]
    assert "Sources: WHO, NHS, CDC." in note.body

    began = time.monotonic()
    notes = wait(lambda: breaks(desktop), lambda found: len(found) >= 4, "four trip breaks",
                 25)
    for first, second in itertools.pairwise(notes):
        assert second.time - first.time == pytest.approx(3.0, abs=1.5)
    for number, shown in enumerate(notes[:4], start=1):
        assert "In your seat, about" in shown.body and " + " in shown.summary
        assert ("seat-belt sign is off" in shown.body) == (number % 2 == 0)
        assert {"Start", "Snooze", "Skip"} <= {label for _, label in shown.actions}
        assert shown.hints.get("sound-name") == "default"  # the desktop's own sound
    desktop.screenshot(artifacts_root() / "trip-break-notification.png")
    state = status(desktop)
    # Well past the 10 s idle threshold with nobody at the keys, a film fullscreen: on a
    # trip that is neither "away" nor "held".
    assert time.monotonic() - began > 8 and state["state"] == "running"
    assert state["context"] == "travel" and state["trip"]["interval"] == 3.0
    assert "fullscreen" not in log_of(desktop).split("trip started")[-1]

    stopped = cli(desktop, "trip", "stop")
    assert stopped.stdout.startswith("Trip mode off: context home")
    after = status(desktop)
    assert after["trip"] is None and after["context"] == "home"
    count = len(breaks(desktop))
    time.sleep(7)
    assert len(breaks(desktop)) == count  # office rules again: no break every 3 s
    assert status(desktop)["state"] in ("away", "held")


def test_driving_gives_only_stop_reminders_and_the_trip_ends_by_itself(
        desktop: Desktop) -> None:
    write_config(desktop, 'interval = "20m"\n[trip]\ndriving_interval = "3s"\n')
    start(desktop)
    running(desktop)
    started = cli(desktop, "trip", "start", "11s", "--driving")
    assert started.returncode == 0 and "Highway Code, rule 91" in started.stdout
    assert status(desktop)["trip"]["driving"] is True
    ended = wait(lambda: status(desktop), lambda s: s.get("trip") is None,
                 "the trip to end by itself", 20)
    assert ended["context"] == "desk"
    stops = breaks(desktop)
    assert len(stops) == 3  # at 3, 6 and 9 s; the trip ended at 11
    for stop in stops:
        assert stop.summary == "Time to move: stop for a break"
        assert "rule 91" in stop.body
        assert [label for _, label in stop.actions if label] == ["Snooze", "Skip"]
    assert "trip ended (end of trip)" in log_of(desktop)
    ended_note = [n for n in desktop.notifications() if n.summary == "deskbreak: trip mode ended"]
    assert ended_note and "Back to the desk context" in ended_note[0].body
    time.sleep(4)
    assert len(breaks(desktop)) == 3


def open_trip_submenu(desktop: Desktop) -> None:
    desktop.click(*ICON)
    time.sleep(0.8)
    desktop.move_mouse(60, ROW["Trip mode"])
    time.sleep(0.5)
    desktop.move_mouse(150, ROW["Trip mode"])
    desktop.move_mouse(240, ROW["Trip mode"])
    time.sleep(0.5)


# The submenu's rows, beside "Trip mode" (measured on the screenshot): 2 h, 4 h, 8 h,
# "Until I stop it", a separator, "I'm driving", "Stop trip".
TRIP_ROW = {"2 h": 0, "4 h": 25, "8 h": 50, "Until I stop it": 75, "I'm driving": 101,
            "Stop trip": 126}


def test_the_tray_trip_mode_submenu_starts_drives_and_stops_a_trip(desktop: Desktop) -> None:
    start(desktop, "--interval", "30m")
    desktop.wait_for_sni(timeout=10)
    running(desktop)
    open_trip_submenu(desktop)
    shot = desktop.screenshot(artifacts_root() / "sni-trip-submenu.png")
    assert shot.stat().st_size > 1000
    desktop.click(240, ROW["Trip mode"] + TRIP_ROW["4 h"])
    trip = wait(lambda: status(desktop), lambda s: s.get("trip") is not None, "a 4 h trip")
    assert trip["trip"]["length"] == 4 * 3600 and trip["trip"]["driving"] is False
    assert trip["context"] == "travel"

    open_trip_submenu(desktop)
    desktop.click(240, ROW["Trip mode"] + TRIP_ROW["I'm driving"])
    driving = wait(lambda: status(desktop), lambda s: (s.get("trip") or {}).get("driving"),
                   "driving")
    assert driving["trip"]["length"] == 4 * 3600  # the same trip, now at the wheel

    open_trip_submenu(desktop)
    desktop.screenshot(artifacts_root() / "sni-trip-submenu-driving.png")
    desktop.click(240, ROW["Trip mode"] + TRIP_ROW["Stop trip"])
    done = wait(lambda: status(desktop), lambda s: s.get("trip") is None, "the trip stopped")
    assert done["context"] == "desk"


def test_start_on_a_trip_break_guides_the_whole_routine_in_one_window(
        desktop: Desktop) -> None:
    from tests.e2e.test_daemon import guide_windows, key

    write_config(desktop, 'interval = "20m"\n[trip]\ninterval = "4s"\n')
    start(desktop)
    running(desktop)
    assert cli(desktop, "trip", "start").returncode == 0
    shown = wait(lambda: breaks(desktop), bool, "a trip break", 15)[0]
    names = shown.summary.removeprefix("Time to move: ").split(" + ")
    assert len(names) == 3
    desktop.press_action("Start")
    (window,) = wait(lambda: guide_windows(desktop), bool, "the guide window", 10)
    title = desktop.run(["xdotool", "getwindowname", window]).stdout.strip()
    assert title == "deskbreak: In your seat: 3 movements"
    time.sleep(1.3)  # keys are ignored for a second after it appears
    key(desktop, window, "Return")  # past the cautions: "Next: <the first movement>"
    time.sleep(0.5)
    desktop.screenshot(artifacts_root() / "trip-guide-first-movement.png")
    key(desktop, window, "Escape")
    wait(lambda: guide_windows(desktop), lambda found: not found, "the window to close", 10)
    wait(lambda: log_of(desktop), lambda text: "guide closed at" in text,
         "the guide's report in the log")
    assert cli(desktop, "trip", "stop").returncode == 0
