"""The daemon's log: a rotating file in the state directory, private to the user (0600).

The log names the exercises done and skipped and when the user was away, which is
nobody else's business on a shared machine; the standard handler would create it (and
each rotated file) with the umask's mode, usually readable by all. Warnings also go to
stderr as one line each; tracebacks of unexpected failures go to the file in full.

The rotation is the standard library's RotatingFileHandler's, done here on
``logging.FileHandler``: ``logging.handlers`` would bring ``pickle``, ``struct`` and the
network handlers' code into the always-running daemon (about 0.3 MiB) for these few
lines. tests/test_logfile.py checks that both rotate alike.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from pathlib import Path
from typing import IO

NOISY = ("desktop_notifier", "dbus_fast", "PIL", "schedule")


class PrivateRotatingFileHandler(logging.FileHandler):
    """``logging.handlers.RotatingFileHandler``'s behaviour (the same arguments, files
    and rollover rule), with files created 0600 (and made 0600 if older)."""

    def __init__(self, filename: str | os.PathLike[str], mode: str = "a", maxBytes: int = 0,
                 backupCount: int = 0, encoding: str | None = None, delay: bool = False,
                 errors: str | None = None) -> None:
        if maxBytes > 0:
            mode = "a"  # as the standard handler: a rotating log is never truncated
        if "b" not in mode:
            encoding = io.text_encoding(encoding)
        super().__init__(filename, mode, encoding=encoding, delay=delay, errors=errors)
        self.maxBytes = maxBytes
        self.backupCount = backupCount

    def _open(self) -> IO[str]:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.shouldRollover(record):
                self.doRollover()
            logging.FileHandler.emit(self, record)
        except Exception:
            self.handleError(record)

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        """Whether ``record`` would take the file to ``maxBytes``; never for a file that
        is not a regular one (``/dev/null`` named as the log stays as it is)."""
        if os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename):
            return False
        if self.stream is None:  # delay was set
            self.stream = self._open()
        if self.maxBytes > 0:
            message = f"{self.format(record)}\n"
            self.stream.seek(0, 2)  # Windows does not keep appends at the end
            if self.stream.tell() + len(message) >= self.maxBytes:
                return True
        return False

    def doRollover(self) -> None:
        """deskbreak.log -> .1 -> .2 ... up to ``backupCount``; the oldest is dropped."""
        if self.stream:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        if self.backupCount > 0:
            for index in range(self.backupCount - 1, 0, -1):
                source = f"{self.baseFilename}.{index}"
                target = f"{self.baseFilename}.{index + 1}"
                if os.path.exists(source):
                    if os.path.exists(target):
                        os.remove(target)
                    os.rename(source, target)
            target = self.baseFilename + ".1"
            if os.path.exists(target):
                os.remove(target)
            if os.path.exists(self.baseFilename):
                os.rename(self.baseFilename, target)
        if not self.delay:
            self.stream = self._open()


def setup_logging(state_dir: Path, verbose: bool) -> None:
    """The file (everything from INFO, or DEBUG with -v) and stderr (warnings, or all)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = PrivateRotatingFileHandler(state_dir / "deskbreak.log", maxBytes=512 * 1024,
                                         backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(_OneLine("deskbreak: %(message)s"))
    root.addHandler(console)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.ERROR)


class _OneLine(logging.Formatter):
    """stderr gets the message only; the traceback is in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
