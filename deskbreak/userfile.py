"""Reading a file the user named (the config, their exercises): text, or one line saying why not.

The daemon re-reads these files on its loop whenever they change, so reading must never
block or swallow the machine: the file is opened without blocking (a FIFO would
otherwise wait forever for a writer), and anything but a regular file of sane size is
refused (``/dev/zero`` or a 4 GiB log named by mistake). Every failure, including a path
the OS cannot even look up (a NUL byte, a name too long), becomes one line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_BYTES = 4 * 1024 * 1024  # far above any real config or exercise file


class UserFileError(Exception):
    """The file cannot be used; the message is the problem, without the path."""


def read_user_text(path: Path, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of ``path``; ``what`` names the kind of file in messages ("config")."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UserFileError("no such file") from None
    except IsADirectoryError:
        raise UserFileError(f"is a directory, not a {what} file") from None
    except ValueError:  # os.open refuses NUL bytes in paths
        raise UserFileError("the path contains a NUL character") from None
    except OSError as exc:
        raise UserFileError(f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserFileError(f"is a directory, not a {what} file")
        if not stat.S_ISREG(info.st_mode):
            raise UserFileError(f"is not a regular file (a {what} file must be one)")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise UserFileError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise UserFileError(f"too large for a {what} file (over {max_bytes // 2**20} MiB)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserFileError("not a text file (expected UTF-8 TOML)") from None
