"""The tray ring drawn in pure Python looks like the Pillow drawing it replaced.

Until the ring had its own renderer, ``tray.icon`` drew each look with Pillow at 64 px and
the StatusNotifierItem resized that image for each size it offered (Lanczos). That drawing
is kept below, in the test only, as the reference: the panel must show the same icon.
"""

from __future__ import annotations

import time
from functools import lru_cache

import pytest
from PIL import Image, ImageDraw

from deskbreak.core.model import Look
from deskbreak.tray import ring
from deskbreak.tray.icon import image
from deskbreak.tray.ring import STEPS, Ring

LOOKS = [(Look.COUNTING, step) for step in range(STEPS + 1)] + [
    (Look.DUE, 0), (Look.PAUSED, 0), (Look.OFF_DUTY, 0)]


@lru_cache(maxsize=32)
def pillow_draw(look: Look, step: int = 0, size: int = 64) -> Image.Image:
    """deskbreak/tray/icon.py's ``draw`` as it was (Pillow, aliased, inclusive boxes)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    width = max(2, size // 8)
    box = (width // 2 + 1, width // 2 + 1, size - width // 2 - 2, size - width // 2 - 2)
    pen.ellipse(box, outline=ring.TRACK, width=width)
    if look is Look.COUNTING and step:
        pen.arc(box, -90, -90 + 360 * step / STEPS, fill=ring.ACTIVE, width=width)
    elif look is Look.DUE:
        pen.ellipse(box, outline=ring.DUE, width=width)
        r = size // 7
        c = size // 2
        pen.ellipse((c - r, c - r, c + r, c + r), fill=ring.DUE)
    elif look is Look.PAUSED:
        bar_w, bar_h = size // 8, size * 3 // 8
        top = (size - bar_h) // 2
        for x in (size // 2 - bar_w - size // 16, size // 2 + size // 16):
            pen.rectangle((x, top, x + bar_w, top + bar_h), fill=ring.MUTED)
    elif look is Look.OFF_DUTY:
        half = size // 4
        pen.line((size // 2 - half, size // 2, size // 2 + half, size // 2), fill=ring.MUTED,
                 width=width)
    return image


def shown_before(look: Look, step: int, size: int) -> bytes:
    """What the SNI host got at ``size``: the 64 px drawing, resized as sni.py did."""
    drawn = pillow_draw(look, step)
    if size != drawn.width:
        drawn = drawn.resize((size, size), Image.Resampling.LANCZOS)
    return drawn.tobytes()


def channel_differences(a: bytes, b: bytes) -> list[float]:
    """Mean absolute difference of R, G, B (premultiplied: hidden colour is no colour), A."""
    sums = [0, 0, 0, 0]
    for i in range(0, len(a), 4):
        alpha_a, alpha_b = a[i + 3], b[i + 3]
        for c in range(3):
            sums[c] += abs(a[i + c] * alpha_a - b[i + c] * alpha_b) / 255
        sums[3] += abs(alpha_a - alpha_b)
    return [s / (len(a) // 4) for s in sums]


def mask_difference(a: bytes, b: bytes) -> float:
    """The share of pixels that are opaque-ish (alpha > 128) in one image but not the other."""
    differ = sum((x > 128) != (y > 128) for x, y in zip(a[3::4], b[3::4], strict=True))
    return differ / (len(a) // 4)


@pytest.mark.parametrize("size", [22, 24, 32, 48])
@pytest.mark.parametrize(("look", "step"), LOOKS)
def test_the_ring_looks_as_the_pillow_drawing_did_on_the_panel(
        look: Look, step: int, size: int) -> None:
    new, old = ring.rgba(look, step, size), shown_before(look, step, size)
    assert len(new) == size * size * 4
    assert max(channel_differences(new, old)) < 8.0  # of 255 (measured: 6.1 at most)
    assert mask_difference(new, old) < 0.03  # the same shape (measured: 2.1% at most)


@pytest.mark.parametrize(("look", "step"), LOOKS)
def test_pystrays_backends_get_the_64_px_image_they_got_before(look: Look, step: int) -> None:
    """The thread backends took the 64 px drawing itself; now anti-aliased, same shape."""
    new, old = image(Ring(look, step)), pillow_draw(look, step)
    assert new.mode == "RGBA" and new.size == (64, 64)
    assert max(channel_differences(new.tobytes(), old.tobytes())) < 8.0  # measured: 5.2
    assert mask_difference(new.tobytes(), old.tobytes()) < 0.03  # measured: 0.9%


def pixel(data: bytes, size: int, x: int, y: int) -> tuple[int, ...]:
    return tuple(data[(y * size + x) * 4:(y * size + x) * 4 + 4])


def test_the_arc_fills_clockwise_from_twelve_oclock() -> None:
    size, mid = 48, 6  # mid: halfway across the ring's width (9 of 64 units in)
    half = ring.rgba(Look.COUNTING, STEPS // 2, size)
    assert pixel(half, size, size // 2, mid) == ring.ACTIVE  # 12 o'clock
    assert pixel(half, size, size - mid, size // 2) == ring.ACTIVE  # 3 o'clock
    assert pixel(half, size, mid, size // 2) == ring.TRACK  # 9 o'clock: not yet
    assert pixel(half, size, 0, 0) == (0, 0, 0, 0)
    assert pixel(half, size, size // 2, size // 2) == (0, 0, 0, 0)  # the hole
    empty = ring.rgba(Look.COUNTING, 0, size)
    assert ring.ACTIVE[:3] not in {pixel(empty, size, x, y)[:3]
                                  for x in range(size) for y in range(size)}
    assert ring.rgba(Look.COUNTING, STEPS, size) != ring.rgba(Look.COUNTING, STEPS - 1, size)


def test_edges_are_anti_aliased() -> None:
    data = ring.rgba(Look.DUE, 0, 22)
    alphas = set(data[3::4])
    assert {0, 255} <= alphas and len(alphas) > 8  # partial coverage along the curves


def test_rendering_a_48_px_icon_is_quick() -> None:
    """A tray refresh must not stall the daemon's loop; measured 3 ms here (cold)."""
    ring.cache_clear()
    began = time.perf_counter()
    ring.rgba(Look.COUNTING, 5, 48)
    assert time.perf_counter() - began < 0.05
