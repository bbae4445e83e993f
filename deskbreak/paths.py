"""Where deskbreak keeps its files, per platform conventions.

Kept in one place so the daemon, the CLI and the tests agree, and so tests can point
everything at a temporary home through the XDG variables alone.

On Linux the XDG Base Directory rules are applied here, exactly as platformdirs
applies them (the same paths; tests/test_paths.py checks them against it): platformdirs
and its modules would otherwise cost the always-running daemon about 0.4 MiB for two
path lookups. macOS and Windows still ask platformdirs, imported there when needed.

The runtime directory holds the control socket and its key, so it is checked before
use: a directory someone else owns, one open to others, or a symbolic link (all
possible in a shared /tmp) is refused with one line rather than trusted.
"""

from __future__ import annotations

import os
import posixpath
import stat
import sys
from pathlib import Path

from deskbreak.errors import DeskbreakError

APP = "deskbreak"


def _xdg_platform() -> bool:
    """Linux, where platformdirs would use its XDG rules (not Android's app folders)."""
    if not sys.platform.startswith("linux") or hasattr(sys, "getandroidapilevel"):
        return False
    return (os.environ.get("ANDROID_DATA") != "/data"
            or os.environ.get("ANDROID_ROOT") != "/system"
            or bool(os.environ.get("SHELL") or os.environ.get("PREFIX")))


def _home_based(variable: str, default: str) -> Path:
    """``$variable`` when it is an absolute path, else ``default`` ("~/.config") under the
    home directory: platformdirs' rule, where a relative or empty HOME counts as unset
    (the user database says where home is)."""
    value = os.environ.get(variable, "")
    if posixpath.isabs(value):
        return Path(value)
    home = os.environ.get("HOME")
    if home is None or not posixpath.isabs(home):
        try:
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        except (ImportError, KeyError):
            home = ""
    if not posixpath.isabs(home):
        raise DeskbreakError(f"cannot tell where your home directory is for {default}: "
                             f"set HOME or {variable} to an absolute path")
    return Path((home.rstrip("/") + default[1:]) or "/")


def _platform_dir(kind: str) -> Path:
    """platformdirs' ``user_<kind>_dir`` for deskbreak (macOS, Windows, anything else)."""
    import platformdirs

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP, appauthor=False))


def config_file() -> Path:
    """The user's config file; it may not exist, in which case defaults apply."""
    if _xdg_platform():
        return _home_based("XDG_CONFIG_HOME", "~/.config") / APP / "config.toml"
    return _platform_dir("config") / "config.toml"


def state_dir(*, create: bool = True) -> Path:
    """Persistent state: rotation, history, logs. Created on demand, private (0700);
    a reader (``deskbreak stats``) passes ``create=False`` and changes nothing."""
    if _xdg_platform():
        path = _home_based("XDG_STATE_HOME", "~/.local/state") / APP
    else:
        path = _platform_dir("state")
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
        path = _platform_dir("runtime")
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


def _xdg_base(variable: str, default: Path) -> Path:
    """An XDG base directory: the variable when set to an absolute path, else ``default``.

    The Base Directory spec says a relative value is invalid and must be ignored, so a
    stray ``XDG_CONFIG_HOME=.config`` never scatters files into the working directory.
    """
    value = os.environ.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else default


def xdg_config_home() -> Path:
    """Where the user's autostart entries live (``$XDG_CONFIG_HOME``, ~/.config)."""
    return _xdg_base("XDG_CONFIG_HOME", Path.home() / ".config")


def xdg_data_home() -> Path:
    """Where the user's launchers and icons live (``$XDG_DATA_HOME``, ~/.local/share)."""
    return _xdg_base("XDG_DATA_HOME", Path.home() / ".local" / "share")


def xdg_config_dirs() -> list[Path]:
    """The system-wide config directories, most important first (``/etc/xdg``)."""
    value = os.environ.get("XDG_CONFIG_DIRS", "")
    dirs = [Path(part) for part in value.split(os.pathsep) if part and os.path.isabs(part)]
    return dirs or [Path("/etc/xdg")]
