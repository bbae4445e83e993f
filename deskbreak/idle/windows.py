"""Windows idle time: GetLastInputInfo against GetTickCount (user32/kernel32 via ctypes).

Both are 32-bit millisecond tick counts that wrap every 49.7 days, so the difference is
taken modulo 2**32 (``idle_ms``, pure, tested on every platform). No lock query: input on
the lock screen does not count as the user's input, so idle time keeps growing while the
session is locked, which is what the planner needs anyway.
"""

from __future__ import annotations

import ctypes
from typing import Any

from deskbreak.core.model import IdleSample
from deskbreak.idle.base import IdleMonitor, IdleUnavailable

TICK_MASK = 0xFFFFFFFF


def idle_ms(now_tick: int, last_input_tick: int) -> int:
    """Milliseconds from the last input to now, right across a tick-count wraparound."""
    return (now_tick - last_input_tick) & TICK_MASK


class _LastInputInfo(ctypes.Structure):
    _fields_ = (("cbSize", ctypes.c_uint32), ("dwTime", ctypes.c_uint32))


class WindowsIdle(IdleMonitor):
    """Two in-process calls, no I/O: run directly on the loop."""

    name = "windows"

    def __init__(self) -> None:
        self._user32: Any = None
        self._kernel32: Any = None

    async def start(self) -> None:
        try:
            self._user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
            self._kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
        except (AttributeError, OSError) as exc:
            raise IdleUnavailable(f"user32/kernel32 not loadable: {exc}") from exc
        self._kernel32.GetTickCount.restype = ctypes.c_uint32
        await self.sample()

    async def sample(self) -> IdleSample:
        if self._user32 is None:
            raise IdleUnavailable("not started")
        info = _LastInputInfo(cbSize=ctypes.sizeof(_LastInputInfo))
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            raise IdleUnavailable(f"GetLastInputInfo failed (error {ctypes.get_last_error()})")
        return IdleSample(idle=idle_ms(self._kernel32.GetTickCount(), info.dwTime) / 1000.0)
