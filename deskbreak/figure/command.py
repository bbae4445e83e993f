"""``deskbreak show ID --picture FILE.png`` and ``deskbreak pictures SHEET.png [ID...]``.

Pillow is loaded here, in the command's own process. A file is written whole or not at
all (a temporary file renamed into place), and any trouble writing it (no such folder,
no permission, a full disk) is one line and a non-zero exit.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deskbreak.catalogue import Catalogue, Exercise
from deskbreak.errors import DeskbreakError
from deskbreak.figure.illustrations import for_exercise, left_out


def _target(name: str) -> Path:
    path = Path(name).expanduser()
    if path.is_dir():
        raise DeskbreakError(f"{name}: is a folder; give a file name ending in .png")
    if path.suffix.lower() != ".png":
        raise DeskbreakError(f"{name}: the picture is a PNG; give a file name ending in .png")
    return path


def _save(image: Any, path: Path) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=".deskbreak-", suffix=".png", dir=folder)
    except OSError as exc:
        raise DeskbreakError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(buffer.getvalue())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise DeskbreakError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_still(exercise: Exercise, name: str, size: int) -> str:
    """Write the held position of ``exercise``; what to tell the user."""
    path = _target(name)
    illustration = for_exercise(exercise)
    if illustration is None:
        why = ("your own exercises have no figure" if exercise.origin == "user"
               else left_out().get(exercise.id, "it has no figure yet"))
        raise DeskbreakError(f"{exercise.id} has no picture: {why}")
    from deskbreak.figure.pictures import still

    _save(still(illustration, size), path)
    return f"Wrote {path}: {exercise.name}, the held position ({size}x{size})"


def write_sheet(catalogue: Catalogue, name: str, ids: Sequence[str]) -> str:
    """Write the contact sheet of ``ids`` (all exercises when empty)."""
    path = _target(name)
    from deskbreak.figure.pictures import contact_sheet

    chosen = [catalogue.get(i) for i in ids] if ids else list(catalogue)
    rows = [(e, for_exercise(e)) for e in chosen if e is not None]
    _save(contact_sheet(rows), path)
    drawn = sum(1 for _, figure in rows if figure is not None)
    return f"Wrote {path}: {len(rows)} exercises, {drawn} with a figure"
