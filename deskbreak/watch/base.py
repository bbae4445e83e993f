"""The change-watch interface: what wakes the daemon between the moments it planned."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path


class WatchUnavailable(Exception):
    """The kernel interfaces a watch needs are missing here."""


class Watch(ABC):
    """Pokes the loop (with a short reason) when the wall clock is set, the machine
    resumes, the time zone changes, or one of the watched files is written, created,
    replaced or removed. One watch per daemon, on the loop's thread.

    ``failed`` says why it stopped seeing something, if it did: the daemon then goes back
    to looking every minute, since a long sleep is only safe while the watch works."""

    failed: str | None = None

    @abstractmethod
    def watch_files(self, files: Iterable[Path]) -> None:
        """Watch exactly these files from now on (the config and the files it names)."""

    @abstractmethod
    def close(self) -> None:
        """Stop watching and release the kernel handles."""
