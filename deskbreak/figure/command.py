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
    """The file to write: a link is followed, so the picture lands where it points."""
    path = Path(name).expanduser().resolve()
    if path.is_dir():
        raise DeskbreakError(f"{name}: is a folder; give a file name ending in .png")
    if path.suffix.lower() != ".png":
        raise DeskbreakError(f"{name}: the picture is a PNG; give a file name ending in .png")
    return path


def _mode(path: Path) -> int:
    """What a plain ``open`` would give the file: the old file's mode, or the umask's."""
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _save(image: Any, path: Path) -> None:
    """Written whole or not at all: a reader never sees half a PNG, and a full disk
    leaves the old picture as it was."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    try:
        fd, temporary = tempfile.mkstemp(prefix=".deskbreak-", suffix=".png",
                                         dir=path.parent)
    except OSError as exc:
        raise DeskbreakError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(buffer.getvalue())
        os.chmod(temporary, _mode(path))
        os.replace(temporary, path)
    except OSError as exc:
        raise DeskbreakError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:  # also on Ctrl-C: no temporary file left behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def write_still(exercise: Exercise, name: str, size: int) -> str:
    """The held position alone: the one picture that says what the exercise is (for a
    handout, a slide, a chat). Returns what to tell the user."""
    path = _target(name)
    illustration = for_exercise(exercise)
    if illustration is None:
        why = (left_out().get(exercise.id, "it has no figure yet") if exercise.builtin
               else "your own exercises have no figure")
        raise DeskbreakError(f"{exercise.id} has no picture: {why}")
    from deskbreak.figure.pictures import still

    _save(still(illustration, size), path)
    return f"Wrote {path}: {exercise.name}, the held position ({size}x{size})"


def write_sheet(catalogue: Catalogue, name: str, ids: Sequence[str]) -> str:
    """Every figure beside its steps (of ``ids``, or all), so a reviewer checks each
    against the words it illustrates in one look. Returns what to tell the user."""
    path = _target(name)
    from deskbreak.figure.pictures import contact_sheet

    chosen = [e for e in catalogue if e.id in ids] if ids else list(catalogue)
    rows = [(e, for_exercise(e)) for e in chosen]
    _save(contact_sheet(rows), path)
    drawn = sum(1 for _, figure in rows if figure is not None)
    return f"Wrote {path}: {len(rows)} exercises, {drawn} with a figure"
