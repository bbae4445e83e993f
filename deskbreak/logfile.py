"""The daemon's log: a rotating file in the state directory, private to the user (0600).

The log names the exercises done and skipped and when the user was away, which is
nobody else's business on a shared machine; the standard handler would create it (and
each rotated file) with the umask's mode, usually readable by all. Warnings also go to
stderr as one line each; tracebacks of unexpected failures go to the file in full.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import IO

NOISY = ("desktop_notifier", "dbus_fast", "PIL", "schedule")


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600 (and made 0600 if older)."""

    def _open(self) -> IO[str]:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


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
