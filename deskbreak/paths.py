"""Where deskbreak keeps its files, per platform conventions (via platformdirs).

Kept in one place so the daemon, the CLI and the tests agree, and so tests can point
everything at a temporary home through the XDG variables alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "deskbreak"


def config_file() -> Path:
    """The user's config file; it may not exist, in which case defaults apply."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def state_dir() -> Path:
    """Persistent state: rotation, history, logs. Created on demand."""
    path = Path(platformdirs.user_state_dir(APP, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def runtime_dir() -> Path:
    """Lock file and control socket; private to the user (mode 0700)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        path = Path(base) / APP
    else:
        # platformdirs would warn and fall back to a shared /tmp; a per-user
        # directory there, made 0700, keeps other users out just the same.
        uid = os.getuid() if hasattr(os, "getuid") else 0
        path = Path(platformdirs.user_runtime_dir(APP, appauthor=False)) if os.name == "nt" \
            else Path("/tmp") / f"{APP}-{uid}"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "nt":
        os.chmod(path, 0o700)
    return path
