"""What a guided stretch reports when it ends: completed, or closed early and how far."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """``completed``: the user said Done (or let the terminal countdown run to its end).

    ``fraction``: how much of the timed routine was behind the user, 0..1
    (``Player.progress``), also when it was closed early.
    """

    completed: bool
    fraction: float
