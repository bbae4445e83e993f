"""Which command starts this installation of deskbreak, for entries that outlive the shell.

An autostart entry, a LaunchAgent or a Run value is read at the next login, long after
the terminal that wrote it is gone, so it must name an absolute path that stays put:

1. the ``deskbreak`` found on PATH when it is this same installation, as PATH names it
   (never resolved: pipx's ``~/.local/bin/deskbreak`` is a symbolic link into its own
   virtual environment, and the link is the name that survives ``pipx reinstall``);
2. else the ``deskbreak`` script that is running now;
3. else the ``deskbreak`` script installed beside this interpreter (``python -m
   deskbreak`` run from a virtual environment);
4. else ``<this python> -m deskbreak``.

"Same installation" means the script on PATH leads (through its links) to the script
this interpreter installed, or to the one running now: another deskbreak earlier on PATH
(an old ``pip install --user``) must not be started instead of this one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import sysconfig
from collections.abc import Callable, Sequence

NAME = "deskbreak"


def scripts_dirs() -> list[str]:
    """Where pip puts this interpreter's console scripts: its prefix's, then the user's."""
    dirs = [sysconfig.get_path("scripts")]
    with contextlib.suppress(KeyError, ValueError):  # no user scheme on this build
        dirs.append(sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user")))
    return [d for d in dirs if d]


def _script_name(windows: bool) -> str:
    return NAME + ".exe" if windows else NAME


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def program_argv(*, which: Callable[[str], str | None] = shutil.which,
                 argv0: str | None = None, executable: str | None = None,
                 scripts: Sequence[str] | None = None,
                 windows: bool | None = None,
                 is_file: Callable[[str], bool] = os.path.isfile) -> list[str]:
    """The command (without ``run``) that starts this deskbreak; see the module docstring.

    Every input is a seam for tests; by default they describe the running process.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    scripts = scripts_dirs() if scripts is None else scripts
    windows = os.name == "nt" if windows is None else windows
    name = _script_name(windows)

    running = os.path.abspath(argv0) if argv0 and os.path.basename(argv0) in (
        NAME, name) and is_file(argv0) else None
    installed = [os.path.join(d, name) for d in scripts if is_file(os.path.join(d, name))]
    ours = [p for p in (running, *installed) if p]

    on_path = which(NAME)
    if on_path and any(_same_file(on_path, p) for p in ours):
        return [os.path.abspath(on_path)]
    if running:
        return [running]
    if installed:
        return [os.path.abspath(installed[0])]
    if not executable:
        raise ValueError("cannot tell which Python runs deskbreak (sys.executable is empty)")
    return [os.path.abspath(executable), "-m", NAME]
