"""Smart timing in the real headless desktop: X11 idle, a fullscreen window, clock changes.

The daemon runs for real; the desktop supplies real idle time (Xvfb's MIT-SCREEN-SAVER,
reset by xdotool moving the pointer through XTEST, as a mouse would: the raw input event
it makes is what wakes a daemon waiting for the user's return), a real fullscreen window
(xterm under openbox) and a moved wall clock (the daemon's injected wall-clock offset
file, see deskbreak.clocks).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import breaks, log_of, running, start, status, wait

_moves = itertools.cycle([("7", "7"), ("-7", "-7")])


def jiggle(desktop: Desktop) -> None:
    """A user at work: the mouse moves, so X11's idle time drops to zero.

    Relative motion goes through the XTEST device like a real mouse's; an absolute
    ``mousemove`` warps the pointer, which resets idle time but is no input event.
    """
    desktop.run(["xdotool", "mousemove_relative", "--", *next(_moves)])


def write_config(desktop: Desktop, text: str) -> None:
    path = Path(desktop.env["XDG_CONFIG_HOME"]) / "deskbreak" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_idle_counts_as_a_break_and_the_mouse_restarts_the_timer(desktop: Desktop) -> None:
    write_config(desktop, 'interval = "15s"\nidle_threshold = "10s"\n')
    jiggle(desktop)
    start(desktop)
    assert running(desktop)["idle_backend"] == "x11"
    away = wait(lambda: status(desktop), lambda s: s.get("state") == "away", "away", 20)
    assert away["held_because"] == "away" and away["next_break_in"] is None
    time.sleep(20 - 10)  # well past the 15 s interval
    assert breaks(desktop) == []  # no notification while the user is away

    jiggle(desktop)
    returned = time.monotonic()
    back = wait(lambda: status(desktop), lambda s: s.get("state") == "running", "return", 6)
    assert back["next_break_in"] > 15 - 6  # a fresh interval from the return
    assert "natural break: away" in log_of(desktop)

    def working() -> list[object]:
        jiggle(desktop)
        return breaks(desktop)
    wait(working, lambda found: len(found) == 1, "the first break after the return", 25)
    assert 15 - 1 <= time.monotonic() - returned <= 15 + 6


@pytest.mark.desktop(wm=True)
def test_fullscreen_window_defers_the_break_until_it_closes(desktop: Desktop) -> None:
    xterm = desktop.spawn("xterm", ["xterm", "-class", "DeskbreakFullscreen"])
    window = desktop.run(["xdotool", "search", "--sync", "--class",
                          "DeskbreakFullscreen"], timeout=10).stdout.split()[0]
    desktop.run(["xdotool", "windowactivate", "--sync", window], timeout=5)
    desktop.run(["wmctrl", "-i", "-r", window, "-b", "add,fullscreen"], timeout=5)
    start(desktop, "--interval", "5s")
    held = wait(lambda: status(desktop), lambda s: s.get("state") == "held", "held", 15)
    assert "fullscreen window" in held["held_because"]
    time.sleep(3)
    assert breaks(desktop) == []  # deferred, not shown over the presentation
    desktop.terminate(xterm)
    closed = time.monotonic()
    notes = wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "the break", 40)
    assert len(notes) == 1  # deferred, not lost, and not doubled
    assert time.monotonic() - closed >= 10  # "a short moment after the condition clears"
    assert "held" in log_of(desktop) and "released" in log_of(desktop)


def test_wall_clock_jumps_cause_no_burst_and_no_delay(desktop: Desktop) -> None:
    offset = desktop.tmpdir / "wall-offset"
    offset.write_text("0")
    began = time.time()
    desktop.spawn("deskbreak", [sys.executable, "-m", "deskbreak", "run", "--interval", "20s"],
                  env={"DESKBREAK_WALL_OFFSET_FILE": str(offset)})
    running(desktop)
    time.sleep(6)
    offset.write_text(str(3 * 3600))  # the clock jumps 3 h forward
    time.sleep(2)
    assert status(desktop)["next_break_in"] == pytest.approx(20 - (time.time() - began), abs=2)
    one = wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "first break", 25)
    assert 20 <= one[0].time - began <= 20 + 3  # not early, not late (start-up included)
    offset.write_text(str(-3 * 3600))  # and 3 h back: 6 h in all
    two = wait(lambda: breaks(desktop), lambda found: len(found) >= 2, "second break", 30)
    time.sleep(2)
    assert len(breaks(desktop)) == 2  # no burst
    assert two[1].time - two[0].time == pytest.approx(20, abs=2)  # no delay either
    assert "wall clock moved by +10800 s" in log_of(desktop)
    assert "wall clock moved by -21600 s" in log_of(desktop)
