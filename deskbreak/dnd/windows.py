"""Windows' own "do not disturb now" answer: SHQueryUserNotificationState (shell32).

The shell already folds fullscreen apps, Direct3D games, presentation mode and the
post-setup quiet time into one enum; ``reason_for_state`` maps it (pure, tested
everywhere). One in-process call, run directly on the loop.
"""

from __future__ import annotations

import ctypes
from typing import Any

from deskbreak.dnd.base import DndSource, DndUnavailable

# QUERY_USER_NOTIFICATION_STATE values that mean "not now". QUNS_NOT_PRESENT (1, locked
# or screen saver) is left to the idle monitor; 5 is QUNS_ACCEPTS_NOTIFICATIONS.
REASONS: dict[int, str] = {
    2: "fullscreen app",  # QUNS_BUSY
    3: "fullscreen Direct3D app",  # QUNS_RUNNING_D3D_FULL_SCREEN
    4: "presentation mode",  # QUNS_PRESENTATION_MODE
    6: "quiet time",  # QUNS_QUIET_TIME
    7: "fullscreen app",  # QUNS_APP (a Store app in fullscreen)
}


def reason_for_state(state: int) -> str | None:
    """The reason a QUERY_USER_NOTIFICATION_STATE value gives, or None."""
    return REASONS.get(state)


class WindowsNotificationState(DndSource):
    name = "windows"

    def __init__(self) -> None:
        self._query: Any = None

    async def start(self) -> None:
        try:
            self._query = ctypes.WinDLL("shell32").SHQueryUserNotificationState  # type: ignore[attr-defined]
        except (AttributeError, OSError) as exc:
            raise DndUnavailable(f"SHQueryUserNotificationState not available: {exc}") from exc
        await self.reason()

    async def reason(self) -> str | None:
        if self._query is None:
            raise DndUnavailable("not started")
        state = ctypes.c_int(0)
        result = self._query(ctypes.byref(state))
        if result != 0:  # an HRESULT other than S_OK
            code = result & 0xFFFFFFFF
            raise DndUnavailable(f"SHQueryUserNotificationState failed (0x{code:08x})")
        return reason_for_state(state.value)
