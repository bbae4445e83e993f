"""Writing an export (``--csv FILE``, ``--chart FILE``) where the user pointed, safely.

A regular file (or a new one) is replaced atomically: a temporary file beside it, then
a rename, so a crash or a full disk never leaves half a chart and the old one stays.
Anything else at that name (``/dev/stdout``, a FIFO, a terminal, a device) is written
in place: renaming over it would replace the device with a plain file. A symbolic link
is followed, so it stays a link and its target gets the new content.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def writing(target: Path) -> Iterator[BinaryIO]:
    """A binary stream that ends up at ``target``; on an error ``target`` is untouched
    (when it is a regular file)."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as stream:
            yield stream
        return
    with _replacing(Path(os.path.realpath(target))) as stream:
        yield stream


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``path``, renamed over it on success.

    Created with mode 0666 so the umask decides, as it would for a file written in
    place; on any error it is removed and ``path`` is left as it was.
    """
    for _ in range(100):
        temp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise FileExistsError(f"no free temporary name beside {path}")
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
