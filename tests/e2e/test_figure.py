"""The guide window's moving figure, in a real desktop: what a person sees beside the
steps at the start, in the middle of a hold, and holding the other side.

Screenshots of each are kept under the artifacts folder (guide-figure-*.png) for a
person to look at; the test checks what can be told from pixels: a figure is drawn,
it has moved into the hold, the other side is the same picture mirrored, and with
``illustrations = false`` there is none.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from deskbreak.catalogue import load_builtin
from deskbreak.core.routine import routine
from deskbreak.figure.illustrations import builtin
from deskbreak.guide.window import ILLUSTRATION_PT
from tests.e2e.conftest import artifacts_root
from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import (
    ROOT,
    TITLE,
    breaks,
    configure,
    guide_windows,
    key,
    start,
    wait,
)
from tests.test_figure_cli import figure_pixels

# A per-side exercise with holds long enough to photograph mid-hold.
EXERCISE = next(e for e in load_builtin() if e.id in builtin() and e.per_side
                and e.hold_s >= 10)
PHASES = routine(EXERCISE).phases


def _guide(desktop: Desktop, *extra: str, ids: tuple[str, ...] = (EXERCISE.id,)) -> str:
    desktop.spawn("guide", [sys.executable, "-m", "deskbreak", "guide", *ids, *extra],
                  env={"PYTHONPATH": str(ROOT)})
    (window,) = wait(lambda: guide_windows(desktop), bool, "the guide window", 15)
    time.sleep(1.3)  # keys are ignored for a second after it appears
    return window


def _canvas_box(desktop: Desktop, window: str) -> tuple[int, int, int, int]:
    """Where the figure's canvas is on the screen: the child window of its shape."""
    tree = desktop.run(["xwininfo", "-tree", "-id", window]).stdout
    want = ILLUSTRATION_PT[0] / ILLUSTRATION_PT[1]
    for match in re.finditer(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)", tree):
        width, height, x, y = map(int, match.groups())
        if width > 150 and abs(width / height - want) < 0.02:
            return x, y, width, height
    raise AssertionError(f"no figure canvas among the window's children:\n{tree}")


def _shot(desktop: Desktop, name: str, box: tuple[int, int, int, int]) -> Image.Image:
    path = desktop.screenshot(artifacts_root() / f"guide-figure-{name}.png")
    x, y, width, height = box
    return Image.open(path).convert("RGB").crop((x, y, x + width, y + height))


def _difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def _go_to(desktop: Desktop, window: str, index: int, at: int) -> None:
    for _ in range(index - at):
        key(desktop, window, "Right")


@pytest.mark.desktop(wm=True)
def test_the_figure_moves_into_the_hold_and_mirrors_for_the_other_side(
        desktop: Desktop) -> None:
    window = _guide(desktop)
    key(desktop, window, "Return")  # from the cautions to the first step
    time.sleep(0.5)
    box = _canvas_box(desktop, window)
    start = _shot(desktop, "start", box)
    assert figure_pixels(start) > 300, "no figure beside the first step"

    first = next(i for i, p in enumerate(PHASES) if p.kind == "hold")
    _go_to(desktop, window, first, 1)
    time.sleep(2.5)  # moved in (1.5 s) and holding
    held = _shot(desktop, "mid-hold", box)
    assert figure_pixels(held) > 300
    assert _difference(start, held) > 1.0, "the figure did not move into the hold"

    other = next(i for i, p in enumerate(PHASES) if p.kind == "hold"
                 and p.side == "Right side")
    _go_to(desktop, window, other, first)
    time.sleep(2.5)
    mirrored = _shot(desktop, "other-side", box)
    assert _difference(held, mirrored) > 1.0, "the other side looks the same"
    assert _difference(ImageOps.mirror(held), mirrored) < 1.5, "not the mirror image"
    key(desktop, window, "Escape")
    wait(lambda: guide_windows(desktop), lambda found: not found, "the window to close")


@pytest.mark.desktop(wm=True)
def test_illustrations_off_leaves_the_text_alone(desktop: Desktop, tmp_path: Path) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text("[guide]\nillustrations = false\n")
    window = _guide(desktop, "--config", str(settings))
    tree = desktop.run(["xwininfo", "-tree", "-id", window]).stdout
    desktop.screenshot(artifacts_root() / "guide-figure-off.png")
    want = ILLUSTRATION_PT[0] / ILLUSTRATION_PT[1]
    sizes = [(int(w), int(h)) for w, h in re.findall(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+", tree)]
    assert not [s for s in sizes if s[0] > 150 and abs(s[0] / s[1] - want) < 0.02]
    key(desktop, window, "Escape")


def test_the_steps_notification_shows_the_held_position(desktop: Desktop) -> None:
    """With no guide window, Start's steps come with the still of the held position."""
    from deskbreak.figure.stills import still_file

    others = [e.id for e in load_builtin() if "desk" in e.contexts and e.id != EXERCISE.id]
    configure(desktop, "[guide]\nwindow = false\n[exclude]\nids = [" +
              ", ".join(f'"{i}"' for i in others) + "]\n")
    start(desktop, "--interval", "4s")
    first = wait(lambda: breaks(desktop), bool, "a break", 15)[0]
    assert first.summary == TITLE + EXERCISE.name
    assert "image-path" not in first.hints  # the break itself is text only
    desktop.press_action("Start")
    steps = wait(lambda: [n for n in desktop.notifications() if n.summary == first.summary
                          and n.body.startswith("1. ")], bool, "the steps")[0]
    still = still_file(EXERCISE)
    assert still is not None and str(steps.hints["image-path"]).endswith(still.as_uri())
    time.sleep(0.5)
    desktop.screenshot(artifacts_root() / "steps-notification-figure.png")


@pytest.mark.desktop(wm=True)
def test_a_trip_routine_is_drawn_in_an_airline_seat(desktop: Desktop) -> None:
    """The first movement of a trip break, exactly as painted for an airline seat."""
    from deskbreak.figure.illustrations import in_airline_seat
    from deskbreak.figure.pictures import picture

    seated = [e for e in load_builtin() if e.in_seat() and e.id in builtin()][:2]
    window = _guide(desktop, "--walk", ids=tuple(e.id for e in seated))
    key(desktop, window, "Return")
    time.sleep(0.5)
    box = _canvas_box(desktop, window)
    shown = _shot(desktop, "trip", box)
    figure = builtin()[seated[0].id]
    background = shown.getpixel((1, 1))
    expected = picture(in_airline_seat(figure), figure.start, shown.size,
                       background=(*background, 255)).convert("RGB")
    assert _difference(shown, expected) < 2.0, "not the airline-seat picture"
    at_desk = picture(figure, figure.start, shown.size,
                      background=(*background, 255)).convert("RGB")
    assert _difference(shown, at_desk) > _difference(shown, expected)
    key(desktop, window, "Escape")
