"""The config the daemon runs with: loaded whole, checked like ``run`` does, watched for edits.

A load is all or nothing: the config file, the user's exercise file and the command-line
overrides (``--interval``, ``--no-tray``, ``--notifier``, kept across reloads) become one
``Loaded`` only if everything ``deskbreak run`` would check passes; otherwise the caller
keeps what it had. Edits are noticed by comparing each file's (mtime, size, inode) at
each wake-up: one ``stat`` per file, no thread. On Linux a file watch (``watch.linux``)
wakes the daemon at the edit itself; elsewhere it looks every minute. The files' state is
recorded before each read, so a half-saved file read mid-write is simply read again when
its final write lands.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskbreak import config as config_mod
from deskbreak.catalogue import Catalogue, load_for_breaks
from deskbreak.config import Config

Signature = tuple[int, int, int] | None


@dataclass(frozen=True)
class Loaded:
    """A config and the catalogue it selects, known to be runnable together."""

    config: Config
    catalogue: Catalogue

    @property
    def label(self) -> str:
        return str(self.config.source) if self.config.source else "built-in defaults"


def _signature(path: Path | None) -> Signature:
    if path is None:
        return None
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path; then load() says why
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


class LiveConfig:
    """Loads the config named on the command line (or the default one) and sees it change."""

    def __init__(self, explicit: str | None = None,
                 overrides: Mapping[str, Any] | None = None) -> None:
        self.explicit = explicit
        self.overrides = dict(overrides or {})
        self._seen: tuple[Signature, Signature] | None = None
        self._extra: Path | None = None

    @property
    def path(self) -> Path:
        """The config file that applies, whether or not it exists."""
        return config_mod.resolve_path(self.explicit)[0]

    def _state(self) -> tuple[Signature, Signature]:
        return _signature(self.path), _signature(self._extra)

    def load(self) -> Loaded:
        """Everything, checked; raises DeskbreakError with the one-line problem."""
        self._seen = self._state()
        cfg = config_mod.load(self.explicit)
        self._extra = cfg.extra_catalogue
        self._seen = (self._seen[0], _signature(self._extra))
        if self.overrides:
            cfg = config_mod.with_overrides(cfg, **self.overrides)
        return Loaded(cfg, load_for_breaks(cfg))

    def files(self) -> list[Path]:
        """The files whose edits ``changed`` notices: for a watch to wake the daemon."""
        return [self.path, *([self._extra] if self._extra is not None else [])]

    def changed(self) -> bool:
        """True when the config file or the exercise file it names changed since ``load``."""
        return self._seen is not None and self._state() != self._seen
