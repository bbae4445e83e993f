"""macOS idle time: CGEventSourceSecondsSinceLastEventType from CoreGraphics, via ctypes.

One in-process call without I/O, so it runs directly on the loop. The lock state is not
read (that needs CoreFoundation dictionaries); idle time keeps growing while locked.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from deskbreak.core.model import IdleSample
from deskbreak.idle.base import IdleMonitor, IdleUnavailable

COMBINED_SESSION_STATE = 0  # kCGEventSourceStateCombinedSessionState
ANY_INPUT_EVENT = 0xFFFFFFFF  # kCGAnyInputEventType
FRAMEWORK = "/System/Library/Frameworks/ApplicationServices.framework/ApplicationServices"


class MacIdle(IdleMonitor):
    name = "macos"

    def __init__(self) -> None:
        self._seconds_since: Any = None

    async def start(self) -> None:
        path = ctypes.util.find_library("ApplicationServices") or FRAMEWORK
        try:
            function = ctypes.cdll.LoadLibrary(path).CGEventSourceSecondsSinceLastEventType
        except (OSError, AttributeError) as exc:
            raise IdleUnavailable(f"CoreGraphics not loadable: {exc}") from exc
        function.restype = ctypes.c_double
        function.argtypes = (ctypes.c_int32, ctypes.c_uint32)
        self._seconds_since = function
        await self.sample()

    async def sample(self) -> IdleSample:
        if self._seconds_since is None:
            raise IdleUnavailable("not started")
        return IdleSample(idle=float(self._seconds_since(COMBINED_SESSION_STATE, ANY_INPUT_EVENT)))
