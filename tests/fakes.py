"""Stand-ins for the daemon's edges: clocks that move on command, a notifier that records.

They satisfy the Protocols in ``deskbreak.ports`` structurally, which is all the daemon
asks of an edge.
"""

from __future__ import annotations

import asyncio
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

    def __init__(self, show_takes: float = 0.0) -> None:
        self.notes: list[str] = []
        self.shown: list[BreakNotice] = []
        self.steps: list[BreakNotice] = []
        self.messages: list[tuple[str, str]] = []
        self.withdrawn = 0
        self.screen: list[str] = []  # what happened on screen, in order
        self.show_takes = show_takes  # a slow notification server

    async def start(self) -> str:
        return self.name

    async def show(self, notice: BreakNotice) -> None:
        if self.show_takes:
            await asyncio.sleep(self.show_takes)
        self.shown.append(notice)
        self.screen.append(f"show {notice.exercise_id}")

    async def show_steps(self, notice: BreakNotice) -> None:
        self.steps.append(notice)

    async def inform(self, title: str, body: str) -> None:
        self.messages.append((title, body))

    async def withdraw(self) -> None:
        self.withdrawn += 1
        self.screen.append("withdraw")

    async def close(self) -> None:
        pass
