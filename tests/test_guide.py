"""The guided stretch without a display: the terminal player on a fake clock, the window's
controls (the input guard, the keys and buttons, auto-repeat), where the window goes, and
why no window can be shown."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deskbreak.catalogue import Exercise, load_catalogue
from deskbreak.config import Config
from deskbreak.core.routine import STOP_FIRST, Player, routine
from deskbreak.guide import terminal, window
from deskbreak.guide.outcome import Outcome
from deskbreak.guide.window import GUARD_S, TK_MISSING, Controls, place, why_not

CATALOGUE = load_catalogue(Config())
ROOT = Path(__file__).resolve().parents[1]


def exercise(ident: str) -> Exercise:
    found = CATALOGUE.get(ident)
    assert found is not None
    return found


class FakeTime:
    """A clock that only moves when slept on; ``interrupt_at`` plays Ctrl-C."""

    def __init__(self, interrupt_at: float | None = None) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.interrupt_at = interrupt_at

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert 0 < seconds <= 600
        self.slept.append(seconds)
        if self.interrupt_at is not None and self.now + seconds - 1000.0 >= self.interrupt_at:
            self.now = 1000.0 + self.interrupt_at  # Ctrl-C cuts the sleep short
            raise KeyboardInterrupt
        self.now += seconds


def play(ident: str, *, interactive: bool, fake: FakeTime | None = None) -> tuple[str, Outcome]:
    fake = fake or FakeTime()
    out = io.StringIO()
    outcome = terminal.play(exercise(ident), out=out, clock=fake.clock, sleep=fake.sleep,
                            interactive=interactive)
    return out.getvalue(), outcome


# --- the terminal player -------------------------------------------------------------------

def test_the_terminal_prints_the_cautions_then_every_phase_in_order_one_line_each() -> None:
    fake = FakeTime()
    text, outcome = play("hamstring-stretch", interactive=False, fake=fake)
    plan = routine(exercise("hamstring-stretch"))
    assert outcome == Outcome(True, 1.0)
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[:2] == [plan.title, plan.setting]
    assert lines[lines.index("Before you start:") + 1] == "  - " + STOP_FIRST
    timed = [p for p in plan.phases if p.seconds is not None]
    phase_lines = [line for line in lines if re.match(r"^\S.* \(\d+ s\): ", line)]
    assert len(phase_lines) == len(timed)
    for line, phase in zip(phase_lines, timed, strict=True):
        assert line.endswith(": " + phase.text)
        assert phase.label in line
    assert phase_lines[0].startswith("Step 1 of 6 (")
    assert phase_lines[6].startswith("Hold · Left side · Rep 1 of 2 (20 s): Hold 20 seconds")
    assert lines[-1] == "Well done"
    # It waited the routine's time, no more, and the start and the end did not wait.
    assert sum(fake.slept) == pytest.approx(plan.timed_seconds, abs=0.05)


def test_the_terminal_counts_down_in_place_once_a_second_on_a_tty() -> None:
    text, outcome = play("hamstring-stretch", interactive=True)
    assert outcome.completed
    hold = text.index("Hold · Left side · Rep 1 of 2\n  Hold 20 seconds")
    countdown = re.findall(r"\r +(\d+) s ", text[hold:text.index("Rest", hold)])
    assert countdown == [str(n) for n in range(20, 0, -1)]
    assert text.index(STOP_FIRST) < text.index("Step 1 of 6") < hold
    assert text.rstrip().endswith("Well done")


def test_a_whole_second_countdown_wakes_when_the_number_changes() -> None:
    fake = FakeTime()
    play("hamstring-stretch", interactive=True, fake=fake)
    assert max(fake.slept) <= 1.0 + 1e-9
    assert terminal.whole_seconds(20.0) == 20 and terminal.whole_seconds(19.2) == 20
    assert terminal.whole_seconds(0.3) == 1 and terminal.whole_seconds(0.0) == 0


@pytest.mark.parametrize("interactive", [True, False])
def test_ctrl_c_stops_early_with_how_far_the_user_got(interactive: bool) -> None:
    fake = FakeTime(interrupt_at=40.0)
    text, outcome = play("hamstring-stretch", interactive=interactive, fake=fake)
    total = routine(exercise("hamstring-stretch")).timed_seconds
    assert not outcome.completed
    assert 0 < outcome.fraction < 1
    assert outcome.fraction == pytest.approx(40.0 / total, abs=0.02)
    assert "Well done" not in text and "Stopped" in text


def test_time_stopped_with_ctrl_z_is_a_pause_not_a_skip() -> None:
    fake = FakeTime()
    slept = 0

    def sleep(seconds: float) -> None:
        nonlocal slept
        slept += 1
        fake.sleep(seconds + (300.0 if slept == 40 else 0.0))  # stopped for 5 minutes

    out = io.StringIO()
    outcome = terminal.play(exercise("hamstring-stretch"), out=out, clock=fake.clock,
                            sleep=sleep, interactive=True)
    assert outcome.completed
    holds = re.findall(r"Hold · \w+ side · Rep \d of 2\n", out.getvalue())
    assert len(holds) == 4  # every hold was shown, none swallowed by the stop
    countdown = re.findall(r"\r +(\d+) s ", out.getvalue())
    assert countdown.count("20") == 4


# --- the window's controls -----------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def controls(ident: str = "hamstring-stretch") -> tuple[Controls, Clock]:
    clock = Clock()
    return Controls(Player(routine(exercise(ident)), clock()), clock), clock


def test_keys_and_clicks_are_ignored_for_the_first_second_on_screen() -> None:
    guide, clock = controls()
    clock.now = 3.0
    guide.appeared()  # mapped three seconds after the process started: the guard runs now
    for at in (3.0, 3.5, 3.0 + GUARD_S - 0.01):
        clock.now = at
        assert not guide.ready()
        assert not guide.key("Return") and not guide.key("Escape")
        guide.key_up("Return")
        guide.key_up("Escape")
        assert not guide.press("next") and not guide.press("skip")
        assert guide.player.index == 0 and guide.outcome is None
    clock.now = 3.0 + GUARD_S
    assert guide.ready() and guide.key("Return")
    assert guide.player.phase.kind == "step"


def test_the_window_close_button_is_never_guarded() -> None:
    guide, _ = controls()
    assert guide.close() == Outcome(False, 0.0)
    assert not guide.press("next")  # closed: nothing more happens


def test_space_pauses_and_resumes_a_timed_phase_only() -> None:
    guide, clock = controls()
    clock.now = 2.0
    assert not guide.key("space")  # the cautions wait anyway
    guide.key_up("space")
    assert not guide.player.paused
    guide.key("Return")
    assert guide.countdown() == str(terminal.whole_seconds(guide.player.phase.seconds or 0))
    clock.now = 3.0
    guide.key_up("Return")
    assert guide.key("space") and guide.player.paused
    left = guide.countdown()
    clock.now = 30.0
    assert not guide.tick() and guide.countdown() == left
    guide.key_up("space")
    assert guide.key("space") and not guide.player.paused


def test_right_and_left_step_through_the_routine() -> None:
    guide, clock = controls()
    clock.now = 2.0
    for expected in (1, 2, 3):
        assert guide.key("Right")
        guide.key_up("Right")
        assert guide.player.index == expected
    assert guide.key("Left") and guide.player.index == 2  # just begun: the one before
    guide.key_up("Left")
    assert guide.enabled("back") and guide.enabled("done")


def test_enter_at_the_end_is_done_and_completes() -> None:
    guide, clock = controls()
    clock.now = 2.0
    guide.key("Return")  # the intro: Start
    guide.key_up("Return")
    clock.now = 3.0
    assert not guide.key("Return")  # mid-routine Enter does nothing
    guide.key_up("Return")
    clock.now = 1000.0
    assert guide.tick() and guide.player.finished
    assert not guide.enabled("next") and not guide.enabled("skip")
    assert guide.countdown() == ""
    assert guide.key("Return")
    assert guide.outcome == Outcome(True, 1.0)


def test_escape_closes_without_completing_and_reports_progress() -> None:
    guide, clock = controls()
    clock.now = 2.0
    guide.key("Return")
    clock.now = 40.0
    guide.tick()
    assert guide.key("Escape")
    assert guide.outcome is not None and not guide.outcome.completed
    assert 0.3 < guide.outcome.fraction < 0.5
    assert guide.outcome.fraction == pytest.approx(guide.progress())


def test_skip_stops_here_and_done_is_not_offered_before_the_start() -> None:
    guide, clock = controls()
    clock.now = 2.0
    assert not guide.enabled("done") and not guide.press("done")
    guide.press("next")
    clock.now = 5.0
    assert guide.press("skip")
    assert guide.outcome is not None and not guide.outcome.completed
    assert 0 < guide.outcome.fraction < 0.1


def test_a_held_key_repeats_nothing() -> None:
    """Held since before the window appeared (say, an arrow key in an editor): its
    auto-repeat must not race through the routine once the guard is over."""
    guide, clock = controls()
    for ms in range(0, 3000, 40):  # X repeats a release and a press at the same time
        clock.now = ms / 1000
        guide.key_up("Right", 10_000 + ms)
        assert not guide.key("Right", 10_000 + ms)
    assert guide.player.index == 0
    guide.key_up("Right", 13_100)
    clock.now = 3.2
    assert guide.key("Right", 13_400)  # pressed again: that counts
    assert guide.player.index == 1
    # Systems that repeat the press alone: a press of a key that is down is a repeat.
    assert not guide.key("Right")
    guide.focus_lost()  # its release went elsewhere
    assert guide.key("Right") and guide.player.index == 2


# --- where the window goes, and why there is none ------------------------------------------

def test_the_window_is_centred_on_the_monitor_with_the_pointer_and_fits_it() -> None:
    laptop = (0, 0, 1366, 768)
    assert place((1000, 667), (1366, 768), (10, 10), [laptop]) == (183, 50, 1000, 667)
    two = [(0, 0, 1920, 1080), (1920, 0, 2560, 1440)]
    x, y, width, height = place((1000, 667), (4480, 1440), (3000, 500), two)
    assert (x, y) == (1920 + 780, 386) and (width, height) == (1000, 667)
    # Tk alone knows only the whole screen: two monitors side by side are guessed.
    assert place((1000, 667), (3840, 1080), (100, 100))[:2] == (460, 206)
    assert place((1000, 667), (3840, 1080), (3000, 100))[:2] == (2380, 206)
    # Too big for the monitor: 90% of it, still centred.
    assert place((3000, 3000), (1366, 768), None) == (68, 38, 1229, 691)


def test_headings_name_each_phase() -> None:
    plan = routine(exercise("hamstring-stretch"))
    headings = [terminal.heading(plan, i) for i in range(len(plan.phases))]
    assert headings[:3] == ["Before you start", "Step 1 of 6", "Step 2 of 6"]
    assert set(headings[7:-1]) == {"Hold", "Rest", "Switch sides"}
    assert headings[-1] == ""


def test_no_display_is_one_line_saying_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert why_not() == "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def test_a_display_that_cannot_be_reached_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tkinter")
    monkeypatch.setenv("DISPLAY", ":4321")  # no such server
    reason = why_not()
    assert reason is not None and "\n" not in reason
    assert reason.startswith("cannot open a window: ")


def test_without_tkinter_the_module_imports_and_says_what_to_install() -> None:
    probe = ("import sys; sys.modules['tkinter'] = None; "
             "from deskbreak.guide import window; print(window.why_not())")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={"DISPLAY": ":0", "PATH": ""}).stdout
    assert out.strip() == TK_MISSING
    assert "tkinter" not in window.__dict__  # only imported where a window is made
