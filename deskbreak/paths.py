"""Where deskbreak keeps its files, per platform conventions (via platformdirs).

Kept in one place so the daemon, the CLI and the tests agree, and so tests can point
everything at a temporary home through the XDG variables alone. The runtime directory
holds the control socket and its key, so it is checked before use: a directory someone
else owns, one open to others, or a symbolic link (all possible in a shared /tmp) is
refused with one line rather than trusted.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from deskbreak.errors import DeskbreakError

APP = "deskbreak"


def config_file() -> Path:
    """The user's config file; it may not exist, in which case defaults apply."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def state_dir(*, create: bool = True) -> Path:
    """Persistent state: rotation, history, logs. Created on demand, private (0700);
    a reader (``deskbreak stats``) passes ``create=False`` and changes nothing."""
    path = Path(platformdirs.user_state_dir(APP, appauthor=False))
    if not create:
        return path
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name != "nt" and path.stat().st_uid == os.getuid():
            path.chmod(0o700)  # an older deskbreak made it 0755
    except OSError as exc:
        raise DeskbreakError(f"cannot use the state directory {path}: "
                             f"{exc.strerror or exc}") from None
    return path


def runtime_dir() -> Path:
    """Lock file and control socket: a directory of the user's own, mode 0700."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        path = Path(base) / APP
    elif os.name == "nt":
        path = Path(platformdirs.user_runtime_dir(APP, appauthor=False))
    else:
        # platformdirs would warn and fall back to a shared /tmp; a per-user
        # directory there, checked below, keeps other users out just the same.
        path = Path("/tmp") / f"{APP}-{os.getuid()}"
    if os.name == "nt":
        path.mkdir(parents=True, exist_ok=True)
        return path
    return _private_dir(path)


def _private_dir(path: Path) -> Path:
    """Make ``path`` (mode 0700) or check that the existing one is ours and private."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise DeskbreakError(f"cannot create {path}: {exc.strerror or exc}") from None
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise DeskbreakError(f"cannot use {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise DeskbreakError(f"{path} is a symbolic link; refusing to use it (remove it, "
                             "or set XDG_RUNTIME_DIR)")
    if not stat.S_ISDIR(info.st_mode):
        raise DeskbreakError(f"{path} is not a directory; remove it, or set XDG_RUNTIME_DIR")
    if info.st_uid != os.getuid():
        raise DeskbreakError(f"{path} belongs to another user (uid {info.st_uid}), not you "
                             f"(uid {os.getuid()}); check XDG_RUNTIME_DIR")
    if info.st_mode & 0o077:
        raise DeskbreakError(f"{path} is open to other users (mode "
                             f"{stat.S_IMODE(info.st_mode):04o}); make it private: "
                             f"chmod 700 {path}")
    return path
