"""The tray's check mark for "Start at login": the real state, read only when it may change.

A tray menu is drawn often (every refresh, every time it opens), from the loop or from a
backend's thread. Reading and parsing the entry each time would be cheap but pointless;
the backend's ``fingerprint`` (the entry files' inode, size and modification time) says
when the state may have changed, whoever changed it: ``deskbreak autostart`` in a
terminal, the desktop's own settings, or the user with an editor. Never raises: a menu
must be drawn whatever the disk says.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

from deskbreak.autostart.base import Autostart, AutostartState

log = logging.getLogger("deskbreak")
_UNREAD = object()


class AutostartWatch:
    """``is_on()``: whether deskbreak starts at login, cached on the backend's fingerprint."""

    def __init__(self, backend: Autostart) -> None:
        self.backend = backend
        self._lock = threading.Lock()  # the menu may be drawn from a backend's thread
        self._key: Hashable | object = _UNREAD
        self._state: AutostartState | None = None

    def state(self) -> AutostartState | None:
        """The current state (None if it could not be read at all)."""
        with self._lock:
            try:
                key = self.backend.fingerprint()
                if key is None or key != self._key or self._state is None:
                    self._state = self.backend.status()
                    self._key = key
            except Exception as exc:  # never break the menu over it
                log.debug("reading the start-at-login state failed: %s", exc)
                self._state, self._key = None, _UNREAD
            return self._state

    def is_on(self) -> bool:
        state = self.state()
        return state is not None and state.on
