"""Reading a file the user named (the config, their exercises): text, or one line saying why not.

The daemon re-reads these files on its loop whenever they change, so reading must never
block or swallow the machine: the file is opened without blocking (a FIFO would
otherwise wait forever for a writer), and anything but a regular file of sane size is
refused (``/dev/zero`` or a 4 GiB log named by mistake). Every failure, including a path
the OS cannot even look up (a NUL byte, a name too long), becomes one line.

``read_user_bytes`` is that careful read on its own, shared with the files deskbreak
installs into the desktop (``autostart/files.py``), which phrase the same problems with
the path and a remedy; ``UserFileError.kind`` tells them which problem it was.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Literal

MAX_BYTES = 4 * 1024 * 1024  # far above any real config or exercise file

#: What went wrong: no file; a directory in its place; a file where a folder of the path
#: should be; a FIFO, device or socket; over the size limit; anything else the OS said.
Problem = Literal["missing", "directory", "in-the-way", "not-regular", "too-large",
                  "unreadable"]


class UserFileError(Exception):
    """The file cannot be used; the message is the problem, without the path.

    ``kind`` says which problem it was, and ``reason`` what the OS said (for
    "unreadable"), so a caller can say it in its own words.
    """

    def __init__(self, message: str, kind: Problem = "unreadable", reason: str = "") -> None:
        super().__init__(message)
        self.kind: Problem = kind
        self.reason = reason or message


def _unreadable(exc: OSError) -> UserFileError:
    reason = exc.strerror or str(exc)
    return UserFileError(f"cannot read: {reason}", "unreadable", reason)


def read_user_bytes(path: Path, what: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path`` (following links), at most ``max_bytes`` of them; ``what``
    names the kind of file in messages ("config"). UserFileError for anything else."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    directory = f"is a directory, not a {what} file"
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:  # absent, or a link to nothing
        raise UserFileError("no such file", "missing") from None
    except IsADirectoryError:
        raise UserFileError(directory, "directory") from None
    except NotADirectoryError as exc:  # a file where one of the path's folders should be
        raise UserFileError(f"cannot read: {exc.strerror or exc}", "in-the-way") from None
    except ValueError:  # os.open refuses NUL bytes in paths
        message = "the path contains a NUL character"
        raise UserFileError(message, "unreadable", message) from None
    except OSError as exc:
        raise _unreadable(exc) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserFileError(directory, "directory")
        if not stat.S_ISREG(info.st_mode):
            raise UserFileError(f"is not a regular file (a {what} file must be one)",
                                "not-regular")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise _unreadable(exc) from None
    if len(data) > max_bytes:
        raise UserFileError(f"too large for a {what} file (over {max_bytes // 2**20} MiB)",
                            "too-large")
    return data


def read_user_text(path: Path, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of ``path``; ``what`` names the kind of file in messages ("config")."""
    data = read_user_bytes(path, what, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserFileError("not a text file (expected UTF-8 TOML)") from None
