"""The Desktop Entry format as sessions read it: deskbreak's reader against GLib's own.

GNOME's session, and every GLib program, reads an autostart entry with GLib's key file
parser and loads it with GDesktopAppInfo. Both live in libglib and libgio, which
desktop-file-validate needs too, so these tests call the real ones (through ctypes)
wherever the suite runs: deskbreak must call an entry broken exactly when GLib would
refuse it, and must write entries GLib loads and starts, even for a program whose path
holds a ``%``.
"""

from __future__ import annotations

import ctypes
import time
from pathlib import Path

import pytest

from deskbreak.autostart.xdg import XdgAutostart
from deskbreak.desktopfile import DesktopEntryError, read_entry
from tests.test_autostart import program, validate

KEEP_TRANSLATIONS = 2  # G_KEY_FILE_KEEP_TRANSLATIONS: every Name[xx], not just ours


class GLib:
    """The few GLib and GIO calls used, on the system's libraries."""

    def __init__(self) -> None:
        glib = ctypes.CDLL("libglib-2.0.so.0")
        gio = ctypes.CDLL("libgio-2.0.so.0")
        ptr, text = ctypes.c_void_p, ctypes.c_char_p
        for name, result, args in [
            ("g_key_file_new", ptr, []),
            ("g_key_file_free", None, [ptr]),
            ("g_key_file_load_from_data", ctypes.c_int,
             [ptr, text, ctypes.c_size_t, ctypes.c_int, ptr]),
            ("g_key_file_get_start_group", ptr, [ptr]),
            ("g_key_file_get_keys", ptr, [ptr, text, ptr, ptr]),
            ("g_key_file_get_value", ptr, [ptr, text, text, ptr]),
            ("g_strfreev", None, [ptr]),
            ("g_free", None, [ptr]),
        ]:
            function = getattr(glib, name)
            function.restype, function.argtypes = result, args
        gio.g_desktop_app_info_new_from_filename.restype = ptr
        gio.g_desktop_app_info_new_from_filename.argtypes = [text]
        gio.g_app_info_launch.restype = ctypes.c_int
        gio.g_app_info_launch.argtypes = [ptr, ptr, ptr, ptr]
        gio.g_object_unref.argtypes = [ptr]
        self.glib, self.gio = glib, gio

    def _take(self, pointer: int | None) -> str | None:
        if not pointer:
            return None
        value = ctypes.string_at(pointer).decode("utf-8", "surrogateescape")
        self.glib.g_free(pointer)
        return value

    def desktop_entry(self, text: str) -> dict[str, str] | None:
        """The ``[Desktop Entry]`` keys GLib reads from ``text`` (raw values), or None
        when it refuses the file or the file does not start with that group (which
        GDesktopAppInfo refuses)."""
        glib = self.glib
        data = text.encode("utf-8")
        keyfile = glib.g_key_file_new()
        try:
            if not glib.g_key_file_load_from_data(keyfile, data, len(data), KEEP_TRANSLATIONS,
                                                  None):
                return None
            if self._take(glib.g_key_file_get_start_group(keyfile)) != "Desktop Entry":
                return None
            keys = glib.g_key_file_get_keys(keyfile, b"Desktop Entry", None, None)
            names: list[bytes] = []
            array = ctypes.cast(keys, ctypes.POINTER(ctypes.c_char_p))
            while array[len(names)] is not None:
                names.append(array[len(names)])
            glib.g_strfreev(keys)
            return {name.decode(): self._take(glib.g_key_file_get_value(
                keyfile, b"Desktop Entry", name, None)) or "" for name in names}
        finally:
            glib.g_key_file_free(keyfile)

    def launch(self, path: Path) -> bool:
        """Load the entry as GNOME's session does and start it; False when GLib refuses
        to load it."""
        info = self.gio.g_desktop_app_info_new_from_filename(str(path).encode())
        if not info:
            return False
        try:
            return bool(self.gio.g_app_info_launch(info, None, None, None))
        finally:
            self.gio.g_object_unref(info)


@pytest.fixture(scope="module")
def glib() -> GLib:
    return GLib()


def ours(text: str) -> dict[str, str] | None:
    try:
        return read_entry(text)
    except DesktopEntryError:
        return None


HEAD = "[Desktop Entry]\nType=Application\nName=deskbreak\nExec=/bin/true run\n"
SAMPLES = [
    HEAD,
    HEAD + "X_Foo=1\n",  # an underscore: not in the spec's A-Za-z0-9-, but GLib takes it
    HEAD + "Name[de]=Pause\nName[sr@latin]=x\nName[en_GB.UTF-8]=y\nName[]=z\n",
    HEAD + "My Key=has a space inside\nKey.With:Odd/Chars*=1\nK\x01=control\n",
    "# a comment first\n\n   [Desktop Entry]   \n  Name = spaced out \t\n" + HEAD[16:],
    HEAD.replace("\n", "\r\n"),
    HEAD + "Comment=a \u2028 line separator is not a line end\n",
    HEAD + "Name=later wins\n[Desktop Action a]\nHidden=true\n[Desktop Entry]\nB=merged\n",
    HEAD + "Encoding=UTF-8\n",
    HEAD + "[Other Group]\nanything=goes\n",
    # refused by GLib, so by deskbreak:
    "garbage\n",
    HEAD + "=no key\n",
    HEAD + "just words\n",
    HEAD + "Name[de=x\n",
    HEAD + "Name[de]x=1\n",
    HEAD + "Name [de]=1\n",
    HEAD + "Name[d e]=1\n",
    HEAD + "[]\n",
    HEAD + "[Bad[Name]\n",
    HEAD + "[Tab\tName]\n",
    HEAD + "[Desktop Entry] trailing\n",
    HEAD + "[unclosed\n",
    HEAD + "Encoding=Latin-1\n",
    "Exec=x\n" + HEAD,
    "[Other]\nA=b\n" + HEAD,
    "# only a comment\n",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_reader_accepts_exactly_what_glib_accepts(glib: GLib, text: str) -> None:
    assert ours(text) == glib.desktop_entry(text)


def test_keys_glib_accepts_keep_an_entry_on(tmp_path: Path) -> None:
    """The review's case: ``X_Foo=1`` is a key=value line, and the entry is on."""
    prog = program(tmp_path)
    xdg = XdgAutostart(tmp_path / "cfg", [], tmp_path / "data")
    xdg.path.parent.mkdir(parents=True)
    xdg.path.write_text(f"[Desktop Entry]\nType=Application\nName=deskbreak\n"
                        f"Exec={prog} run\nX_Foo=1\nName[de]=deskbreak\n")
    state = xdg.status()
    assert (state.state, state.command) == ("on", (str(prog), "run"))


@pytest.fixture
def percent_program(tmp_path: Path) -> tuple[Path, Path]:
    """A deskbreak in a folder named ``100% mine`` that records how it was started."""
    ran = tmp_path / "ran.txt"
    prog = tmp_path / "100% mine" / "bin" / "deskbreak"
    prog.parent.mkdir(parents=True)
    prog.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{ran}'\n")
    prog.chmod(0o755)
    return prog, ran


def test_a_percent_sign_in_the_program_path_is_started_by_glib(
        glib: GLib, tmp_path: Path, percent_program: tuple[Path, Path]) -> None:
    prog, ran = percent_program
    xdg = XdgAutostart(tmp_path / "cfg", [], tmp_path / "data",
                       install_icons=lambda *_: None)
    xdg.enable([str(prog)])
    validate(xdg.path)  # %% is a literal percent sign, as the spec has it
    assert glib.launch(xdg.path), xdg.path.read_text()  # loaded, as GNOME's session does
    deadline = time.monotonic() + 10
    while not (ran.exists() and ran.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ran.read_text() == "run\n"  # this program, with exactly its one argument
    state = xdg.status()
    assert state.on and state.command is not None and state.command[-2:] == (str(prog), "run")
    assert xdg.enable([str(prog)]).startswith("Start at login is already on")
    prog.unlink()  # moved or uninstalled: the session skips it (TryExec), status says so
    assert xdg.status().state == "broken" and str(prog) in (xdg.status().why or "")
