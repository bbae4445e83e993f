"""The held position of each built-in exercise as a small PNG shipped in the package.

A notification shows a picture from a file, and the daemon must not load Pillow to
paint one (it would stay in its memory for good), so the stills are painted once, when
the illustrations change, and shipped: ``python -m deskbreak.figure.stills`` repaints
them, and a test fails when one no longer matches its pose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STILLS = Path(__file__).resolve().parent / "stills"  # absolute: a file URI needs it
STILL_PX = 128  # what notification servers show (dunst's largest icon is 128 by default)


def shipped(exercise: Any) -> bool:
    """Whether a catalogue entry is the one shipped in exercises.toml, the only kind with
    a figure: a user's own entry, even one that replaces a built-in id (whatever origin
    it claims), may say something else in its steps."""
    return bool(getattr(exercise, "builtin", False))


def still_file(exercise: Any) -> Path | None:
    """The shipped still of a catalogue entry, or None (users' own entries; a built-in one
    whose figure was left out)."""
    if not shipped(exercise):
        return None
    path = STILLS / f"{exercise.id}.png"
    return path if path.is_file() else None


def render(directory: Path = STILLS) -> list[Path]:
    """Paint every built-in still into ``directory``, removing those of figures gone."""
    from deskbreak.figure.illustrations import builtin
    from deskbreak.figure.pictures import still

    directory.mkdir(parents=True, exist_ok=True)
    figures = builtin()
    for old in directory.glob("*.png"):
        if old.stem not in figures:
            old.unlink()
    written = []
    for ident, illustration in sorted(figures.items()):
        path = directory / f"{ident}.png"
        still(illustration, STILL_PX).save(path, format="PNG", optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    print(f"painted {len(render())} stills in {STILLS}")
