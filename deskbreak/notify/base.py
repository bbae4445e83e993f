"""The one interface every notification backend implements, and what a break says.

The daemon talks only to ``Notifier``; which library draws the bubble (desktop-notifier,
plyer, or the terminal) is an edge detail chosen at start and swapped on failure.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from deskbreak.catalogue import Exercise
from deskbreak.core.commands import Command
from deskbreak.core.durations import format_duration
from deskbreak.core.routine import cautions_of

ActionHandler = Callable[[Command], None]
"""Receives the command a button (Start, Snooze, Skip) or a click on the body stands for."""


class NotifierUnavailable(Exception):
    """This backend cannot show notifications here (now); the chain moves on."""


@dataclass(frozen=True)
class Limits:
    """What a platform's notification system accepts; longer text is cut with an ellipsis."""

    title: int
    body: int


# Windows toasts cut titles at 64 and bodies at 256 characters (plyer raises past that);
# elsewhere these are generous caps that keep a bubble readable.
LIMITS = Limits(64, 256) if sys.platform == "win32" else Limits(120, 400)


def fit(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters at a word boundary, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


SHOW_S = 120  # a break: long enough to be noticed, short enough to get out of the way
STEPS_S = 300  # the steps, read while stretching
INFO_S = 30  # anything else

TITLE_PREFIX = "Time to move: "  # also how tools tell a break from other notifications


@dataclass(frozen=True)
class BreakNotice:
    """The text of one break notification, already fitted to the platform's limits."""

    exercise_id: str
    title: str
    body: str
    steps: str
    snoozable: bool = True  # False: offer Start and Skip only (paused or off duty)
    startable: bool = True  # False: nothing to start (a driving stop): Snooze and Skip
    sound: bool = False  # play the desktop's notification sound (trip breaks)
    picture: str = ""  # a PNG of the held position, beside the steps where shown

    @classmethod
    def for_exercise(cls, exercise: Exercise, limits: Limits = LIMITS, *,
                     snoozable: bool = True, picture: str = "") -> BreakNotice:
        title = fit(TITLE_PREFIX + exercise.name, limits.title)
        tail = f"About {format_duration(exercise.duration_s)}."
        body = fit(exercise.summary, limits.body - len(tail) - 1) + "\n" + tail
        # The steps, then every caution (the stop rule first). Should they not all fit,
        # the cautions that don't are named as missing rather than silently dropped.
        lines = [f"{n}. {s}" for n, s in enumerate(exercise.steps, start=1)]
        cautions = [f"Caution: {c}" for c in cautions_of(exercise)]
        limit = max(limits.body, 1000)  # read at leisure after Start, not in the bubble
        more = [f"More cautions: deskbreak show {exercise.id}"]
        shown = len(cautions)
        while shown > 1 and len("\n".join(lines + cautions[:shown] + (
                more if shown < len(cautions) else []))) > limit:
            shown -= 1
        lines += cautions[:shown] + (more if shown < len(cautions) else [])
        return cls(exercise.id, title, body, fit("\n".join(lines), limit), snoozable,
                   picture=picture)


class Notifier(ABC):
    """A way to put a break in front of the user; ``on_action`` receives their answer."""

    name: str = "?"
    has_actions: bool = False

    def __init__(self, on_action: ActionHandler) -> None:
        self.on_action = on_action

    async def start(self) -> None:
        """Check this backend can work here; raise NotifierUnavailable if not."""

    @abstractmethod
    async def show(self, notice: BreakNotice) -> None:
        """Show a break, replacing any earlier unanswered one. Raise NotifierUnavailable."""

    async def show_steps(self, notice: BreakNotice) -> None:
        """Show the full steps after the user pressed Start, in place of the break."""
        await self.withdraw()
        await self.inform(notice.title, notice.steps, STEPS_S)

    @abstractmethod
    async def inform(self, title: str, body: str, seconds: int = INFO_S) -> None:
        """Show a message without buttons (the steps, a settings problem)."""

    async def withdraw(self) -> None:
        """Take down the shown break (it was skipped or snoozed elsewhere)."""

    async def close(self) -> None:
        """Release connections at shutdown."""
