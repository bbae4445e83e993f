"""One daemon per user: an advisory lock the kernel drops when the process dies.

A lock file rather than a pid file, because the kernel releases the lock even on
``kill -9``, so a crash never blocks the next start; the pid written inside is only
for the "already running (pid N)" message.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import IO

from deskbreak.errors import DeskbreakError


class AlreadyRunning(Exception):
    """Another daemon holds the lock; ``pid`` is what it wrote, if readable."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        super().__init__(f"deskbreak is already running (pid {pid if pid else 'unknown'})")


class InstanceLock:
    """Held for the daemon's whole life; released by ``release`` or by the process dying."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = _open_private(self.path)
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            text = handle.read().strip()
            handle.close()
            raise AlreadyRunning(int(text) if text.isdigit() else None) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            try:
                self._handle.seek(0)
                self._handle.truncate()
            finally:
                _unlock(self._handle)
                self._handle.close()
                self._handle = None


def _open_private(path: Path) -> IO[str]:
    """Open (or make, 0600) the lock file, never through a symbolic link.

    The lock sits in the user's private runtime directory, but a fallback directory in
    /tmp is only as safe as its checks: a link planted there must not make deskbreak
    write its pid into a file of the attacker's choosing.
    """
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DeskbreakError(f"{path} is a symbolic link; refusing to follow it "
                                 "(remove it)") from None
        raise DeskbreakError(f"cannot open the lock file {path}: "
                             f"{exc.strerror or exc}") from None
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)  # made by an older deskbreak with the umask's mode
    return os.fdopen(fd, "r+", encoding="ascii")


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
