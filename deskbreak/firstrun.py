"""Things said once per user: the first ``deskbreak run`` may offer a hint or two.

A hint printed at every start becomes noise; one printed never is lost. So each hint
has a name, and ``once(name)`` is True exactly the first time it is asked for that name,
for this user: it leaves a marker file in the state directory, created atomically so
two daemons starting together do not both say it. When the marker cannot be written
(a read-only state directory), the answer is False: better silent than nagging at every
start.

The first run's hints live under ``FIRST_RUN`` (``once(FIRST_RUN)`` in ``run.py``); a
later hint that belongs to a later moment takes a name of its own.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from deskbreak import paths
from deskbreak.errors import DeskbreakError

FIRST_RUN = "first-run"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def marker(name: str, directory: Path | None = None) -> Path:
    """The file that records that ``name`` was said."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a marker name: {name!r}")
    return (directory or paths.state_dir()) / "once" / name


def once(name: str, directory: Path | None = None) -> bool:
    """True the first time ``name`` is asked for (by this user, in ``directory``, default
    the state directory), False ever after, and False when it cannot be recorded."""
    try:
        path = marker(name, directory)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (OSError, DeskbreakError):
        return False
    os.close(fd)
    return True
