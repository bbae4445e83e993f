"""Painting a scene's shapes with Pillow: smooth edges at any size, the same everywhere.

The guide window, ``deskbreak show --picture``, the contact sheet and the still beside a
notification all come from here, so what was reviewed is what users see. Shapes are
drawn at ``SUPERSAMPLE`` times the size and scaled down, which gives antialiased limbs
(Pillow draws hard edges, as does Tk's canvas on X11); twice is enough once the
big picture is averaged down in whole 2x2 blocks, and costs a quarter of what thrice
with a Lanczos filter did.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

from deskbreak.figure.scene import Shape

SUPERSAMPLE = 2
Frame = tuple[float, float, float, float]  # x0, y0, x1, y1 in centimetres


def fit(frame: Frame, size: tuple[int, int], margin: float = 0.06) -> tuple[float, float, float]:
    """Scale (pixels per centimetre) and the offset that centre ``frame`` in ``size``."""
    x0, y0, x1, y1 = frame
    width, height = size
    room_w, room_h = width * (1 - 2 * margin), height * (1 - 2 * margin)
    scale = min(room_w / max(1.0, x1 - x0), room_h / max(1.0, y1 - y0))
    left = (width - (x1 - x0) * scale) / 2 - x0 * scale
    # Centred both ways; the frame is fixed for a whole animation, so the floor stays put.
    top = height * (1 - margin) + y0 * scale - ((room_h - (y1 - y0) * scale) / 2)
    return scale, left, top


def paint(shapes: Sequence[Shape], size: tuple[int, int], frame: Frame, *,
          background: tuple[int, int, int, int] = (255, 255, 255, 0)) -> Image.Image:
    """The shapes, framed by ``frame`` (keep it fixed through an animation), as RGBA."""
    k = SUPERSAMPLE
    big = (size[0] * k, size[1] * k)
    scale, left, top = fit(frame, big)
    image = Image.new("RGBA", big, background)
    pen = ImageDraw.Draw(image)

    def px(point: tuple[float, float]) -> tuple[float, float]:
        return left + point[0] * scale, top - point[1] * scale

    for shape in shapes:
        if shape.kind == "rect":
            (ax, ay), (bx, by) = px(shape.points[0]), px(shape.points[1])
            pen.rectangle((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)),
                          fill=shape.fill, outline=shape.outline or None,
                          width=max(1, round(0.8 * scale)))
        elif shape.kind == "line":
            pen.line([px(p) for p in shape.points], fill=shape.fill,
                     width=max(1, round(shape.width * k)))
        elif shape.kind == "disc":
            (cx, cy), r = px(shape.points[0]), shape.width * scale
            if shape.outline:
                g = 1.2 * scale
                pen.ellipse((cx - r - g, cy - r - g, cx + r + g, cy + r + g),
                            fill=shape.outline)
            pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=shape.fill)
        elif shape.kind == "capsule":
            a, b = px(shape.points[0]), px(shape.points[1])
            if shape.outline:
                _capsule(pen, a, b, (shape.width + 2.4) * scale, shape.outline)
            _capsule(pen, a, b, shape.width * scale, shape.fill)
    return image.reduce(k)  # a box filter over whole k x k blocks: quick, and smooth


def _capsule(pen: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float],
             width: float, colour: str) -> None:
    """A thick line with round ends: Pillow's lines end square."""
    r = width / 2
    pen.line([a, b], fill=colour, width=max(1, round(width)))
    for x, y in (a, b):
        pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)
