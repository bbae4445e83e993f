"""Reading and replacing the small files deskbreak installs for the desktop, safely.

These files sit in directories the user and their desktop also write to, so deskbreak
is careful with what it finds there: it reads without blocking (a FIFO never hangs the
tray) and only a few KiB; it writes through a temporary file and a rename, so a full
disk leaves the old entry whole rather than half a file the session would reject; and
it never writes through, or deletes, a symbolic link or a directory someone put in its
place (a dotfiles manager's link points at a file the user keeps elsewhere). Each
refusal is one line naming the path and what to do.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from deskbreak.errors import DeskbreakError
from deskbreak.userfile import Problem, UserFileError, read_user_bytes

MAX_BYTES = 64 * 1024  # a desktop entry or a property list is a few hundred bytes


class FileProblem(DeskbreakError):
    """An installed file cannot be read or replaced; the message is the one line."""

    exit_code = 1


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def read_small(path: Path, what: str, hint: str) -> bytes | None:
    """The bytes of ``path`` (following links, as the session does); None when absent.

    The careful read itself is ``userfile.read_user_bytes`` (shared with the config's);
    only the words differ here: each problem names the path and how to get past it.
    """
    try:
        return read_user_bytes(path, what, MAX_BYTES)
    except UserFileError as exc:
        if exc.kind == "missing":  # absent, or a link to nothing: the session sees nothing
            return None
        raise FileProblem(_problem(path, exc.kind, what, hint, exc.reason)) from None


def _problem(path: Path, kind: Problem, what: str, hint: str, reason: str = "") -> str:
    """One problem with ``path`` in words, the same whether reading or replacing."""
    if kind == "directory":
        return f"{path} is a directory, not {what}; move it away and {hint}"
    if kind == "in-the-way":
        return (f"cannot read {path}: a file is in the way where a folder should be; "
                f"move it away and {hint}")
    if kind == "not-regular":
        return f"{path} is not a regular file; move it away and {hint}"
    if kind == "too-large":
        return (f"{path} is too large to be {what} (over {MAX_BYTES // 1024} KiB); move it "
                f"away and {hint}")
    return f"cannot read {path}: {reason}"


def check_replaceable(path: Path, what: str, hint: str) -> bool:
    """True when ``path`` is a regular file deskbreak may replace or delete, False when
    absent; FileProblem for a link, a directory or anything else in its place."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise FileProblem(f"cannot look at {path}: {_why(exc)}") from None
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise FileProblem(f"{path} is a symbolic link (to {target}); deskbreak does not "
                          "change files through links: edit the file it points to "
                          f"yourself, or remove the link and {hint}")
    if stat.S_ISDIR(info.st_mode):
        raise FileProblem(_problem(path, "directory", what, hint))
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(_problem(path, "not-regular", what, hint))
    return True


def make_dirs(directory: Path) -> None:
    """``mkdir -p``, or one line saying why not (a file in the way, read-only, ...)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileProblem(f"cannot create {directory}: something that is not a directory "
                          "is in the way") from None
    except OSError as exc:
        raise FileProblem(f"cannot create {directory}: {_why(exc)}") from None
    if not directory.is_dir():
        raise FileProblem(f"cannot use {directory}: not a directory")


def write_atomic(path: Path, data: bytes, what: str, hint: str, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` all at once (temporary file, fsync, rename)."""
    make_dirs(path.parent)
    check_replaceable(path, what, hint)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FileProblem(f"cannot write {path}: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise FileProblem(f"cannot write {path}: {_why(exc)}") from None


def remove(path: Path, what: str, hint: str) -> bool:
    """Delete ``path`` if it is a regular file; False when there was nothing to delete."""
    if not check_replaceable(path, what, hint):
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise FileProblem(f"cannot remove {path}: {_why(exc)}") from None
    return True
