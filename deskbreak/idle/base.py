"""The idle-time interface: how long since the user last touched keyboard or mouse.

One small backend per platform (X11, GNOME on Wayland, Windows, macOS); the daemon only
sees ``IdleMonitor``. A backend that cannot work here raises IdleUnavailable from
``start`` with a reason the user can read in ``deskbreak status``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from deskbreak.core.model import IdleSample


class IdleUnavailable(Exception):
    """This backend cannot measure idle time here."""


class IdleMonitor(ABC):
    name: str = "?"

    @abstractmethod
    async def start(self) -> None:
        """Connect and take one reading; raise IdleUnavailable if that fails."""

    @abstractmethod
    async def sample(self) -> IdleSample:
        """The current idle time; raise IdleUnavailable if the source went away."""

    async def close(self) -> None:
        """Release connections."""
