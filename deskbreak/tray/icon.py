"""The tray icon image: a ring that fills towards the next break, drawn with Pillow.

States must read at a glance on a 22-pixel panel: a filling ring while counting, two
bars when paused, a hollow grey ring with a dash when off duty, a full bright ring when a
break is due. The presenter picks the look; the ring moves in twelfths of the interval,
so the daemon's refresh rarely redraws anything.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

from deskbreak.core.model import Look
from deskbreak.core.presenter import ICON_STEPS as STEPS

SIZE = 64
ACTIVE = (46, 160, 67, 255)
DUE = (230, 126, 34, 255)
TRACK = (128, 128, 128, 110)
MUTED = (140, 140, 140, 255)


@lru_cache(maxsize=32)
def draw(look: Look, step: int = 0, size: int = SIZE) -> Image.Image:
    """The icon for a state; cached because the same dozen images recur all day."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    width = max(2, size // 8)
    box = (width // 2 + 1, width // 2 + 1, size - width // 2 - 2, size - width // 2 - 2)
    pen.ellipse(box, outline=TRACK, width=width)
    if look is Look.COUNTING and step:
        pen.arc(box, -90, -90 + 360 * step / STEPS, fill=ACTIVE, width=width)
    elif look is Look.DUE:
        pen.ellipse(box, outline=DUE, width=width)
        r = size // 7
        c = size // 2
        pen.ellipse((c - r, c - r, c + r, c + r), fill=DUE)
    elif look is Look.PAUSED:
        bar_w, bar_h = size // 8, size * 3 // 8
        top = (size - bar_h) // 2
        for x in (size // 2 - bar_w - size // 16, size // 2 + size // 16):
            pen.rectangle((x, top, x + bar_w, top + bar_h), fill=MUTED)
    elif look is Look.OFF_DUTY:
        half = size // 4
        pen.line((size // 2 - half, size // 2, size // 2 + half, size // 2), fill=MUTED,
                 width=width)
    return image
