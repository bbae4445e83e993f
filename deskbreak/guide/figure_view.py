"""The moving figure in the guide window: a Tk canvas showing Pillow's frames.

Each frame is painted by ``deskbreak.figure.draw`` at the canvas's size in pixels (so
it is as crisp on a 4K screen as on a laptop) and pasted into one Tk photo image. A
frame is painted only when the pose changed: a held stretch costs nothing, a movement
a few milliseconds a frame. Lives in the guide's own process; the daemon never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deskbreak.figure.illustrations import Illustration
from deskbreak.figure.pictures import picture
from deskbreak.figure.skeleton import blend
from deskbreak.figure.timeline import Moment


class FigureView:
    """Draws a ``Moment`` of a routine on ``canvas``; ``figures`` by exercise id."""

    def __init__(self, canvas: Any, size: tuple[int, int], background: str,
                 figures: Mapping[str, Illustration]) -> None:
        self.canvas = canvas
        self.size = size
        self.figures = dict(figures)
        # Tk resolves the theme's colour names ("SystemButtonFace" on Windows, "system
        # WindowBackgroundColor" on macOS), which Pillow does not know.
        red, green, blue = (value // 257 for value in canvas.winfo_rgb(background))
        self.background = (red, green, blue, 255)
        self._key: tuple[Any, ...] | None = None
        self._photo: Any = None
        self._item: int | None = None
        self.frames = 0  # painted so far: what a test and the benchmark count

    def show(self, moment: Moment) -> None:
        """Paint ``moment`` unless it is what is on the canvas already."""
        ident = moment.exercise
        if ident is None or ident not in self.figures:
            self.hide()
            return
        key = (ident, moment.a, moment.b, round(moment.t, 3), moment.mirror)
        if key == self._key:
            return
        self._key = key
        illustration = self.figures[ident]
        poses = {"start": illustration.start, "hold": illustration.hold}
        pose = blend(poses[moment.a], poses[moment.b], moment.t)
        image = picture(illustration, pose, self.size, mirror=moment.mirror,
                        background=self.background)
        self._put(image.convert("RGB"))
        self.frames += 1

    def hide(self) -> None:
        if self._item is not None:
            self.canvas.itemconfigure(self._item, state="hidden")
        self._key = None

    def _put(self, image: Any) -> None:
        if self._photo is None:
            self._photo = _photo(self.canvas, image)
            self._item = self.canvas.create_image(0, 0, anchor="nw", image=self._photo)
        else:
            _paste(self._photo, image)
        self.canvas.itemconfigure(self._item, state="normal")


def _photo(canvas: Any, image: Any) -> Any:
    """A Tk photo image of ``image``: Pillow's ImageTk where it works, else PNG data
    (Tk 8.6 reads PNG itself)."""
    try:
        from PIL import ImageTk

        return ImageTk.PhotoImage(image, master=canvas)
    except Exception:  # no working _imagingtk in this Pillow
        import tkinter as tk

        return tk.PhotoImage(master=canvas, data=_png(image), format="png")


def _paste(photo: Any, image: Any) -> None:
    paste = getattr(photo, "paste", None)
    if paste is not None:
        paste(image)
    else:
        photo.configure(data=_png(image), format="png")


def _png(image: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
