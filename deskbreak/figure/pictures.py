"""Pictures of an illustration: the still of the held pose, and the contact sheet.

``still`` is what ``deskbreak show ID --picture`` writes and what a notification shows;
``contact_sheet`` puts every entry's key poses beside its name and steps, one row each,
so a reviewer can check each figure against the words it illustrates.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from deskbreak.figure.draw import Frame, paint
from deskbreak.figure.illustrations import Illustration
from deskbreak.figure.scene import bounds
from deskbreak.figure.skeleton import Pose, blend

WHITE = (255, 255, 255, 255)


@functools.lru_cache(maxsize=64)
def frame_of(illustration: Illustration, *, mirror: bool = False) -> Frame:
    """The box around every key pose and the props: fixed for a whole animation, so the
    figure never jumps or rescales between frames."""
    scene = illustration.scene
    shapes = [shape for t in (0.0, 0.25, 0.5, 0.75, 1.0)  # limbs swing wider in between
              for shape in scene.shapes(blend(illustration.start, illustration.hold, t))]
    x0, y0, x1, y1 = bounds(shapes)
    if scene.view != "above":
        y0 = min(y0, -2.0)  # the floor line
    return (-x1, y0, -x0, y1) if mirror else (x0, y0, x1, y1)


def picture(illustration: Illustration, pose: Pose, size: tuple[int, int], *,
            mirror: bool = False, background: tuple[int, int, int, int] = WHITE
            ) -> Image.Image:
    """``pose`` in the illustration's scene, framed as its animation is."""
    shapes = illustration.scene.shapes(pose, mirror=mirror)
    return paint(shapes, size, frame_of(illustration, mirror=mirror), background=background)


def still(illustration: Illustration, size: int = 256) -> Image.Image:
    """The held position: the one picture that says what the exercise is."""
    return picture(illustration, illustration.hold, (size, size))


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow before 10.1: one small bitmap font
        return ImageFont.load_default()


def contact_sheet(rows: Sequence[tuple[Any, Illustration | None]], *, cell: int = 220,
                  text_width: int = 560) -> Image.Image:
    """One row per exercise: start, held and other side, then its name and steps.

    ``rows`` are (catalogue entry, its illustration or None: listed as "no figure").
    """
    title, body = _font(17), _font(13)
    line_h = 17
    heights = []
    texts = []
    for exercise, _ in rows:
        lines = [f"{exercise.name}  ({exercise.id})",
                 f"{exercise.position}; needs {', '.join(exercise.needs) or 'nothing'}"
                 f"{'; per side' if exercise.per_side else ''}"]
        for number, step in enumerate(exercise.steps, start=1):
            wrapped = textwrap.wrap(f"{number}. {step}", 78) or [""]
            lines += [wrapped[0], *("    " + w for w in wrapped[1:])]
        texts.append(lines)
        heights.append(max(cell + 24, 12 + line_h * (len(lines) + 1)))
    width = 3 * cell + text_width + 40
    sheet = Image.new("RGBA", (width, sum(heights) + 10), WHITE)
    pen = ImageDraw.Draw(sheet)
    y = 5
    for (exercise, illustration), lines, height in zip(rows, texts, heights, strict=True):
        pen.line([(0, y), (width, y)], fill="#bbbbbb", width=1)
        labels = ["start", "held", "other side"]
        for column in range(3):
            x = 10 + column * cell
            if illustration is None:
                if column == 0:
                    pen.text((x, y + 20), "no figure", fill="#9b1c1c", font=title)
                continue
            if column == 2 and not exercise.per_side:
                continue
            pose = illustration.start if column == 0 else illustration.hold
            image = picture(illustration, pose, (cell - 10, cell - 10), mirror=column == 2)
            sheet.alpha_composite(image, (x, y + 18))
            pen.rectangle((x, y + 18, x + cell - 11, y + cell + 7), outline="#dddddd")
            pen.text((x + 4, y + 3), labels[column], fill="#555555", font=body)
        tx = 10 + 3 * cell + 10
        for number, line in enumerate(lines):
            pen.text((tx, y + 6 + number * line_h), line, fill="#000000",
                     font=title if number == 0 else body)
        y += height
    return sheet
