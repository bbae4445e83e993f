"""Things said once per user: the first ``deskbreak run`` may offer a hint or two.

A hint printed at every start becomes noise; one printed never is lost. So each hint
has a name, and ``once(name)`` is True exactly the first time it is asked for that name,
for this user: it leaves a marker file in the state directory, created atomically so
two daemons starting together do not both say it. When the marker cannot be written
(a read-only state directory), the answer is False: better silent than nagging at every
start.

A hint is only used up when someone can read it: ``tell_once`` says it in a run whose
output is a terminal, and leaves it for later in a run started by the application
menu, the login session or a service manager, whose output goes to a log or nowhere.

Each hint takes a name of its own, so one added in a later version (a "check with your
doctor before starting" line, say) is said once to every user, including those whose
first run was long ago: the start-at-login hint is ``FIRST_RUN``, the doctor note
``DOCTOR`` (``run.py``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from deskbreak import paths
from deskbreak.errors import DeskbreakError

FIRST_RUN = "first-run"
DOCTOR = "doctor"  # the source pages' "check with your doctor first", said once
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


def watched(fd: int = 1) -> bool:
    """Whether a person can read what is written to ``fd`` now: it is a terminal."""
    try:
        return os.isatty(fd)
    except OSError:
        return False


def tell_once(name: str, lines: Callable[[], Sequence[str]], say: Callable[[str], None],
              *, fd: int = 1, directory: Path | None = None) -> bool:
    """Say ``lines()`` with ``say`` the first time ``name`` comes up in a run whose ``fd``
    is a terminal; whether it was said. Unwatched runs say nothing and use nothing up.

    ``lines`` is only called then (it may look things up); when it has nothing to say,
    the hint is used up all the same: it was true for this user's first watched run.
    """
    if not watched(fd) or not once(name, directory):
        return False
    for line in lines():
        say(line)
    return True
