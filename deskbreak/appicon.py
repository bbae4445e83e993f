"""deskbreak's own application icon: where its files are, and putting them in the icon theme.

The images are package data drawn by scripts/make-icons (an SVG plus the hicolor PNG
sizes), so notifications, the launcher and the icon theme all show the same mark instead
of the Python logo. This module only finds and copies files: it must stay cheap to
import (no Pillow), because the daemon uses it for every notifier it starts.

Files are located with importlib.resources, so they are found in a source checkout, an
installed wheel and a zipped package alike; a zipped one is extracted once per process.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from contextlib import ExitStack, suppress
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

ICON_NAME = "deskbreak"
#: The hicolor "apps" sizes of the freedesktop icon theme spec; one PNG of each is shipped.
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256)

_extracted = ExitStack()  # keeps zip-extracted files alive; removed at interpreter exit
atexit.register(_extracted.close)


@cache
def _resource(name: str) -> Path:
    resource = files("deskbreak").joinpath("icons", name)
    if isinstance(resource, Path):
        if not resource.is_file():
            raise FileNotFoundError(f"deskbreak's icon file is missing: {resource}")
        return resource
    # A zipped package: notification servers need a real file, so extract it once.
    return Path(_extracted.enter_context(as_file(resource)))


def svg() -> Path:
    """The scalable icon (what icon themes and launchers prefer)."""
    return _resource(f"{ICON_NAME}.svg")


def png(size: int) -> Path:
    """The PNG of one of `SIZES`; anything else is a ValueError, not a blurry rescale."""
    if size not in SIZES:
        raise ValueError(f"no {size}x{size} deskbreak icon; sizes: {SIZES}")
    return _resource(f"{ICON_NAME}-{size}.png")


def ico() -> Path:
    """A Windows .ico of the same mark: plyer's Windows notifications take nothing else."""
    return _resource(f"{ICON_NAME}.ico")


def _theme_files(data_home: Path) -> list[tuple[str, Path]]:
    """(shipped file name, place in the user's hicolor theme under `data_home`) pairs."""
    theme = data_home / "icons" / "hicolor"
    pairs = [(f"{ICON_NAME}-{size}.png", theme / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png")
             for size in SIZES]
    pairs.append((f"{ICON_NAME}.svg", theme / "scalable" / "apps" / f"{ICON_NAME}.svg"))
    return pairs


def install_icons(data_home: Path) -> list[Path]:
    """Copy the icons into `data_home`/icons/hicolor, so menus find "deskbreak" by name.

    Each file is written beside its target and renamed over it, so a desktop reading the
    theme while this runs sees the old icon or the new one, never half a file. The theme
    directory's time stamp is then touched, which is how GTK and Qt notice a change in an
    icon theme without an icon cache. Returns the paths written.
    """
    written: list[Path] = []
    for name, target in _theme_files(data_home):
        data = _resource(name).read_bytes()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(temp, 0o644)  # mkstemp makes 0600; icons are ordinary readable files
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(target)
    _touch(data_home / "icons" / "hicolor")
    return written


def remove_icons(data_home: Path) -> None:
    """Delete the icons `install_icons` put under `data_home`; missing ones are fine.

    Directories are left in place: they belong to the icon theme, which other programs
    share. Needs nothing from the package, so it works even if its files are gone.
    """
    for _name, target in _theme_files(data_home):
        target.unlink(missing_ok=True)
    _touch(data_home / "icons" / "hicolor")


def _touch(directory: Path) -> None:
    """Bump a theme directory's mtime so icon lookups rescan it; absent is fine."""
    with suppress(OSError):
        os.utime(directory)
