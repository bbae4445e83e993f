"""The tray icon as a Pillow image, for pystray's thread backends only.

pystray's xorg, appindicator, gtk and win32 backends take ``PIL.Image`` icons; the
StatusNotifierItem path (the usual one on Linux) takes the ring's bytes directly and never
imports Pillow, which is why Pillow is imported here lazily, on the first image built.
The pixels come from ``tray.ring``, so every backend shows the same icon.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deskbreak.tray.ring import Ring

if TYPE_CHECKING:
    from PIL import Image

SIZE = 64  # what pystray's backends get; they scale it to their panel themselves


def image(ring: Ring, size: int = SIZE) -> Image.Image:
    """A Pillow RGBA image of ``ring`` (not cached: the ring's bytes are)."""
    from PIL import Image

    return Image.frombytes("RGBA", (size, size), ring.rgba(size))
