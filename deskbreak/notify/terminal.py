"""The notifier of last resort: the break printed on the daemon's standard output.

Used on a headless machine or when no notification service answers; the user answers
with ``deskbreak snooze|skip`` from another terminal.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from deskbreak.notify.base import INFO_S, ActionHandler, BreakNotice, Notifier


class TerminalNotifier(Notifier):
    name = "terminal"

    def __init__(self, on_action: ActionHandler, stream: TextIO | None = None) -> None:
        super().__init__(on_action)
        self.stream: TextIO | None = stream or sys.stdout

    def _print(self, text: str) -> None:
        if self.stream is None:  # started with its standard output closed
            return
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not take the daemon down

    async def show(self, notice: BreakNotice) -> None:
        answers = "snooze | skip" if notice.snoozable else "skip"
        show = f" | show {notice.exercise_id}" if notice.startable else ""
        bell = "\a" if notice.sound else ""  # the terminal's own sound, where it has one
        self._print(bell + _framed(notice.title, notice.body)
                    + f"\n  (answer with: deskbreak {answers}{show})")

    async def show_steps(self, notice: BreakNotice) -> None:
        self._print(notice.steps + "\n  (when it is done: deskbreak done)")

    async def inform(self, title: str, body: str, seconds: int = INFO_S) -> None:
        self._print(_framed(title, body))


def _framed(title: str, body: str) -> str:
    """"[14:05] title" over the body, indented, as every message here reads."""
    indented = "\n".join("  " + line for line in body.splitlines())
    return f"[{time.strftime('%H:%M')}] {title}\n{indented}"
