"""On Linux, deskbreak finds its config and state where platformdirs would, without it.

paths.py applies the XDG rules itself so the daemon need not load platformdirs (about
0.4 MiB resident all day); a user's files must not move because of that. So every
combination of the variables that decide (set, unset, empty, relative, odd slashes)
is checked against the platformdirs installed beside deskbreak.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import platformdirs
import pytest

from deskbreak import paths

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the XDG rules are deskbreak's own only on Linux")

UNSET = None
HOMES = (UNSET, "/home/ana", "/home/ana/", "/", "", "relative/home")
CONFIGS = (UNSET, "", "/xdg/config", "/xdg//config/", "relative/config", "~/config")
STATES = (UNSET, "", "/xdg/state", "relative/state", "  ")


def _environ(monkeypatch: pytest.MonkeyPatch, values: dict[str, str | None]) -> None:
    for variable in ("ANDROID_DATA", "ANDROID_ROOT"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in values.items():
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, value)


def _platformdirs_config() -> Path:
    return Path(platformdirs.user_config_dir("deskbreak", appauthor=False)) / "config.toml"


def _platformdirs_state() -> Path:
    return Path(platformdirs.user_state_dir("deskbreak", appauthor=False))


@pytest.mark.parametrize(("home", "config", "state"),
                         list(itertools.product(HOMES, CONFIGS, STATES)))
def test_the_linux_paths_are_the_ones_platformdirs_gives(
        monkeypatch: pytest.MonkeyPatch, home: str | None, config: str | None,
        state: str | None) -> None:
    _environ(monkeypatch, {"HOME": home, "XDG_CONFIG_HOME": config, "XDG_STATE_HOME": state})
    assert paths.config_file() == _platformdirs_config()
    assert paths.state_dir(create=False) == _platformdirs_state()


def test_the_runtime_directory_is_xdg_runtime_dir(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    _environ(monkeypatch, {"XDG_RUNTIME_DIR": str(runtime)})
    assert paths.runtime_dir() == runtime / "deskbreak"
    assert Path(platformdirs.user_runtime_dir("deskbreak", appauthor=False)) == \
        runtime / "deskbreak"


def test_a_home_nobody_can_name_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """No usable HOME and no user database entry: platformdirs raised RuntimeError (a
    traceback); now it is the usual one line."""
    import pwd

    def unknown(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", unknown)
    _environ(monkeypatch, {"HOME": "relative", "XDG_CONFIG_HOME": None})
    with pytest.raises(RuntimeError):
        _platformdirs_config()
    with pytest.raises(paths.DeskbreakError, match="set HOME or XDG_CONFIG_HOME"):
        paths.config_file()


def test_platformdirs_still_decides_on_android(monkeypatch: pytest.MonkeyPatch) -> None:
    """An Android app's process (no shell) gets platformdirs' own answer, whatever it is."""
    calls: list[str] = []

    def fake(kind: str) -> Path:
        calls.append(kind)
        return Path("/data/app") / kind

    monkeypatch.setattr(paths, "_platform_dir", fake)
    _environ(monkeypatch, {"ANDROID_DATA": "/data", "ANDROID_ROOT": "/system", "SHELL": None,
                           "PREFIX": None})
    assert paths.config_file() == Path("/data/app/config/config.toml")
    assert calls == ["config"]


def test_linux_needs_no_platformdirs() -> None:
    """Looking the paths up loads nothing of platformdirs (see test_imports.py for the
    daemon as a whole)."""
    import subprocess

    probe = ("import sys; from deskbreak import paths; paths.config_file(); "
             "paths.state_dir(create=False); "
             "print(sorted(m for m in sys.modules if m.startswith('platformdirs')))")
    env = {**os.environ, "XDG_CONFIG_HOME": "/nowhere/config", "XDG_STATE_HOME": "/nowhere/s"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip() == "[]"
