"""The daemon's small persistent state (the exercise rotation, a trip), as one JSON file.

Writes are atomic (write a temporary file, then rename) so a crash or a full disk never
leaves a half-written file; a file whose content is broken is kept aside as
``*.corrupt`` rather than overwritten, so nothing the user had is silently lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from deskbreak import paths
from deskbreak.core.rotation import Rotation

log = logging.getLogger(__name__)
SEED_ENV = "DESKBREAK_SEED"


def _rng() -> random.Random:
    """Seeded from DESKBREAK_SEED when set, so tests and demos are reproducible."""
    seed = os.environ.get(SEED_ENV)
    return random.Random(seed) if seed is not None else random.Random()


class StateFile:
    """A JSON document on disk with atomic replace and corruption quarantine."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        """The document, or {} when there is none (or it cannot be read just now).

        Only a file whose content is broken is moved aside. One that cannot be opened
        at this moment (out of file descriptors, a permission glitch) is left exactly as
        it is: the daemon's state is in memory and the next save rewrites it whole.
        """
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return {}
        except ValueError as exc:  # not UTF-8
            self._quarantine(exc)
            return {}
        except OSError as exc:
            log.warning("%s: cannot read it now (%s); leaving it as it is", self.path,
                        exc.strerror or exc)
            return {}
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # deep nesting: RecursionError
            self._quarantine(exc)
            return {}
        if not isinstance(data, dict):
            self._quarantine(ValueError("top level is not an object"))
            return {}
        return data

    def write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _quarantine(self, exc: Exception) -> None:
        aside = self.path.with_name(self.path.name + ".corrupt")
        log.warning("%s: unreadable (%s); kept as %s, starting afresh", self.path, exc, aside)
        with contextlib.suppress(OSError):
            os.replace(self.path, aside)


def rotation_file() -> StateFile:
    return StateFile(paths.state_dir() / "state.json")


def load_rotation(state: StateFile | None = None) -> Rotation:
    state = state or rotation_file()
    return Rotation.from_json(state.read().get("decks"), _rng())


def save_rotation(rotation: Rotation, state: StateFile | None = None, **extra: Any) -> None:
    """Save the decks, keeping whatever else the file holds (e.g. the tray's context)."""
    state = state or rotation_file()
    data = state.read()
    data.update(extra, version=1, decks=rotation.to_json())
    state.write(data)


def load_context(state: StateFile) -> tuple[str, str] | None:
    """The context chosen in the tray and the config's context back then, if well formed."""
    choice = state.read().get("context")
    if isinstance(choice, dict):
        value, base = choice.get("value"), choice.get("base")
        if isinstance(value, str) and isinstance(base, str):
            return value, base
    return None


def load_trip(state: StateFile) -> object:
    """The trip a running daemon saved (``core.trip.from_json`` checks it), or None."""
    return state.read().get("trip")


def save_state(state: StateFile, rotation: Rotation, context: tuple[str, str],
               trip: dict[str, Any] | None = None) -> None:
    """The daemon's whole state: the decks, the chosen context (see load_context) and the
    trip in progress, if any (so a restart mid-trip keeps it)."""
    save_rotation(rotation, state, context={"value": context[0], "base": context[1]},
                  trip=trip)
