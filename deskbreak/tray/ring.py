"""The tray icon's pixels, computed in pure Python: a ring that fills towards the next break.

Why not Pillow: the daemon is resident all day, and Pillow cost it about 4 MiB of RSS
(idle daemon with its SNI icon: 35.8 MiB with Pillow, 31.8 without) only to draw four
simple looks. Each look is a few shapes (rings, a sector, a disc, rectangles),
so the pixels are cheap to compute directly, at each size a panel asks for, instead of
drawing once and resizing. Only pystray's thread backends (xorg, appindicator, gtk,
win32) still want Pillow images; ``tray.icon`` wraps these bytes for them.

Edges are anti-aliased by coverage: a pixel that an edge crosses is sampled on a 4 x 4
grid, every other pixel takes its one colour at once; later shapes replace earlier ones
(as Pillow's drawing did on an RGBA image), so the arc covers the track it lies on.

The looks must read at a glance on a 22-pixel panel: a filling ring while counting, two
bars when paused, the grey ring with a dash when off duty, a full bright ring and a dot
when a break is due. Geometry is given on a 64-unit grid (the icon's old 64-pixel
drawing, whose downscaled copies panels showed until now) and scaled to the size asked.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from deskbreak.core.model import Look
from deskbreak.core.presenter import ICON_STEPS as STEPS

__all__ = ["STEPS", "Ring", "rgba"]

Colour = tuple[int, int, int, int]  # straight (non-premultiplied) RGBA

ACTIVE: Colour = (46, 160, 67, 255)
DUE: Colour = (230, 126, 34, 255)
TRACK: Colour = (128, 128, 128, 110)
MUTED: Colour = (140, 140, 140, 255)

# The geometry on a 64-unit grid: the extents of the old 64-pixel Pillow drawing, whose
# inclusive boxes put the glyphs inside the ring half a unit right of and below its centre
# (the dash one unit below); kept, so the icon looks as it did.
GRID = 64.0  # design units across the icon
CENTRE = 32.0  # the ring's
OUTER, INNER = 27.0, 19.0  # the ring: 8 units wide
DOT = (32.5, 32.5, 9.5)  # the due dot: centre x, y, radius
BARS = ((20.0, 20.0, 29.0, 45.0), (36.0, 20.0, 45.0, 45.0))  # pause bars: x0, y0, x1, y1
DASH = (16.0, 29.0, 49.0, 37.0)  # the off-duty dash

SUPER = 4  # samples per axis in a pixel an edge crosses
_HALF_DIAG = math.sqrt(0.5)  # from a pixel's centre to its corners
_TAU = 2 * math.pi
INSIDE, OUTSIDE, EDGE = 1, 0, -1


class _Shape(Protocol):
    def classify(self, x: float, y: float) -> int:
        """INSIDE or OUTSIDE if the whole pixel centred on (x, y) is, else EDGE."""
        ...

    def contains(self, x: float, y: float) -> bool: ...


@dataclass(frozen=True)
class _Annulus:
    """The ring between two radii, optionally only the sector from 12 o'clock clockwise."""

    cx: float
    cy: float
    inner: float
    outer: float
    sweep: float = _TAU  # radians

    def classify(self, x: float, y: float) -> int:
        dx, dy = x - self.cx, y - self.cy
        d = math.hypot(dx, dy)
        if d + _HALF_DIAG <= self.inner or d - _HALF_DIAG >= self.outer:
            return OUTSIDE
        radial = self.inner <= d - _HALF_DIAG and d + _HALF_DIAG <= self.outer
        if self.sweep >= _TAU:
            return INSIDE if radial else EDGE
        if d <= _HALF_DIAG:
            return EDGE
        theta = math.atan2(dx, -dy) % _TAU
        spread = math.asin(_HALF_DIAG / d)  # the pixel's half-angle seen from the centre
        if theta - spread >= self.sweep and theta + spread <= _TAU:
            return OUTSIDE
        if radial and theta - spread >= 0 and theta + spread <= self.sweep:
            return INSIDE
        return EDGE

    def contains(self, x: float, y: float) -> bool:
        dx, dy = x - self.cx, y - self.cy
        d2 = dx * dx + dy * dy
        if not self.inner * self.inner <= d2 < self.outer * self.outer:
            return False
        return self.sweep >= _TAU or math.atan2(dx, -dy) % _TAU < self.sweep


@dataclass(frozen=True)
class _Disc:
    cx: float
    cy: float
    r: float

    def classify(self, x: float, y: float) -> int:
        d = math.hypot(x - self.cx, y - self.cy)
        if d + _HALF_DIAG <= self.r:
            return INSIDE
        return OUTSIDE if d - _HALF_DIAG >= self.r else EDGE

    def contains(self, x: float, y: float) -> bool:
        dx, dy = x - self.cx, y - self.cy
        return dx * dx + dy * dy < self.r * self.r


@dataclass(frozen=True)
class _Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def classify(self, x: float, y: float) -> int:
        if x + 0.5 <= self.x0 or x - 0.5 >= self.x1 or y + 0.5 <= self.y0 or y - 0.5 >= self.y1:
            return OUTSIDE
        if self.x0 <= x - 0.5 and x + 0.5 <= self.x1 and self.y0 <= y - 0.5 and y + 0.5 <= self.y1:
            return INSIDE
        return EDGE

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1


def _shapes(look: Look, step: int, size: int) -> list[tuple[_Shape, Colour]]:
    """What to paint, bottom first, in pixel units for a ``size`` icon."""
    k = size / GRID
    c = CENTRE * k
    out: list[tuple[_Shape, Colour]] = [(_Annulus(c, c, INNER * k, OUTER * k), TRACK)]
    if look is Look.COUNTING and step > 0:
        sweep = _TAU * min(step, STEPS) / STEPS
        out.append((_Annulus(c, c, INNER * k, OUTER * k, sweep), ACTIVE))
    elif look is Look.DUE:
        out.append((_Annulus(c, c, INNER * k, OUTER * k), DUE))
        x, y, r = DOT
        out.append((_Disc(x * k, y * k, r * k), DUE))
    elif look is Look.PAUSED:
        for x0, y0, x1, y1 in BARS:
            out.append((_Rect(x0 * k, y0 * k, x1 * k, y1 * k), MUTED))
    elif look is Look.OFF_DUTY:
        x0, y0, x1, y1 = DASH
        out.append((_Rect(x0 * k, y0 * k, x1 * k, y1 * k), MUTED))
    return out


def _sample(shapes: list[tuple[_Shape, Colour]], px: int, py: int) -> Colour:
    """A pixel an edge crosses: the mean of its samples, premultiplied, then made straight."""
    r = g = b = a = 0
    step = 1.0 / SUPER
    offsets = [(i + 0.5) * step for i in range(SUPER)]
    for oy in offsets:
        y = py + oy
        for ox in offsets:
            x = px + ox
            for shape, colour in reversed(shapes):
                if shape.contains(x, y):
                    alpha = colour[3]
                    r += colour[0] * alpha
                    g += colour[1] * alpha
                    b += colour[2] * alpha
                    a += alpha
                    break
    if not a:
        return (0, 0, 0, 0)
    return (round(r / a), round(g / a), round(b / a), round(a / (SUPER * SUPER)))


CACHED = 64
"""How many drawings (look, step, size) are kept, compressed, for the life of the process.

Why bounded this way is safe: the keys are normalised (only a counting ring has a step, and
that is clamped to ``0..STEPS``), so there are eight looks at most; the tray asks for five
sizes (the StatusNotifierItem's 22, 24, 32, 48, 64; pystray's thread backends 64 of them).
That is 40 drawings, under the bound, so the daemon never evicts or draws anything twice,
and under 19 KiB holds them all. A caller asking for other sizes only evicts the least
recently used."""


def rgba(look: Look, step: int, size: int) -> bytes:
    """The icon as straight RGBA rows, ``size`` x ``size``.

    Drawing costs 1 to 4.5 ms a size in pure Python (12 ms for a look at the five tray
    sizes) and the same few images recur all day, so each is drawn once per process. The
    cache keeps them zlib-compressed: all eight looks at five sizes are 265 KiB as rows but
    under 19 KiB packed (mostly transparent, few colours), against a 30 MiB budget for the
    daemon; unpacking one costs about 13 us at 64 px, and zlib is loaded by the daemon anyway.
    """
    # Only a counting ring has steps: the other looks are one drawing each, however asked.
    step = max(0, min(STEPS, step)) if look is Look.COUNTING else 0
    return zlib.decompress(_packed(look, step, size))


@lru_cache(maxsize=CACHED)
def _packed(look: Look, step: int, size: int) -> bytes:
    return zlib.compress(_draw(look, step, size))


def cache_clear() -> None:
    """Forget every drawing (tests that count or time drawing start from nothing)."""
    _packed.cache_clear()


def _draw(look: Look, step: int, size: int) -> bytes:
    """The pixels computed, uncached: every call costs the full drawing."""
    shapes = _shapes(look, step, size)
    top_first = shapes[::-1]
    out = bytearray(size * size * 4)
    i = 0
    for py in range(size):
        y = py + 0.5
        for px in range(size):
            x = px + 0.5
            colour: Colour | None = None
            for shape, paint in top_first:
                kind = shape.classify(x, y)
                if kind == INSIDE:
                    colour = paint
                    break
                if kind == EDGE:
                    colour = _sample(shapes, px, py)
                    break
            if colour is not None:
                out[i:i + 4] = bytes(colour)
            i += 4
    return bytes(out)


@dataclass(frozen=True)
class Ring:
    """One look of the tray icon, drawn at whatever size a backend asks for.

    The tray backends take this rather than pixels: the StatusNotifierItem renders it at
    each size it offers, pystray's thread backends make one Pillow image of it.
    """

    look: Look
    step: int = 0

    def rgba(self, size: int) -> bytes:
        """Straight RGBA rows, ``size`` x ``size`` (see the module's ``rgba``)."""
        return rgba(self.look, self.step, size)
