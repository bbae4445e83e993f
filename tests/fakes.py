"""Stand-ins for the daemon's edges: clocks that move on command, a notifier that records.

They satisfy the Protocols in ``deskbreak.ports`` structurally, which is all the daemon
asks of an edge.
"""

from __future__ import annotations

import datetime as dt

from deskbreak.clocks import Clocks
from deskbreak.notify import BreakNotice


class Clock:
    """Monotonic, boot and wall clocks moving together (no suspend, no clock change)."""

    START = dt.datetime(2026, 11, 23, 10, 0)  # a Monday

    def __init__(self, start: dt.datetime = START) -> None:
        self.start = start
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.now - 5000.0)

    def clocks(self) -> Clocks:
        return Clocks(mono=self, boot=self, wall=self.wall)


class Recorder:
    """Stands in for the NotifierChain; records what the user would have seen."""

    name = "recorder"

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.shown: list[BreakNotice] = []
        self.steps: list[BreakNotice] = []
        self.messages: list[tuple[str, str]] = []
        self.withdrawn = 0

    async def start(self) -> str:
        return self.name

    async def show(self, notice: BreakNotice) -> None:
        self.shown.append(notice)

    async def show_steps(self, notice: BreakNotice) -> None:
        self.steps.append(notice)

    async def inform(self, title: str, body: str) -> None:
        self.messages.append((title, body))

    async def withdraw(self) -> None:
        self.withdrawn += 1

    async def close(self) -> None:
        pass
