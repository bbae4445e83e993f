"""deskbreak's own application icon: where its files are, and where they go in the icon theme.

The images are package data drawn by scripts/make-icons (an SVG plus the hicolor PNG
sizes), so notifications, the launcher and the icon theme all show the same mark instead
of the Python logo. This module only finds and copies files: it must stay cheap to
import (no Pillow), because the daemon uses it for every notifier it starts.

Files are found beside this module: deskbreak is always installed as files (pip
unpacks the wheel; a source checkout has them too). importlib.resources would load
zipfile and its readers into the always-running daemon (about 0.5 MiB) at its first
notification, for a path it can compute.
"""

from __future__ import annotations

import os
from contextlib import suppress
from functools import cache
from pathlib import Path

ICON_NAME = "deskbreak"
#: The hicolor "apps" sizes of the freedesktop icon theme spec; one PNG of each is shipped.
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256)

ICONS = Path(__file__).parent / "icons"


@cache
def _resource(name: str) -> Path:
    resource = ICONS / name
    if not resource.is_file():
        raise FileNotFoundError(f"deskbreak's icon file is missing: {resource}")
    return resource


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


def theme_files(data_home: Path) -> list[tuple[str, Path]]:
    """(shipped file name, its place in the user's hicolor theme under ``data_home``).

    Installing and removing them is ``launcher``'s work, done with the same careful file
    operations as the desktop entries; ``shipped`` finds each file to copy.
    """
    theme = data_home / "icons" / "hicolor"
    pairs = [(f"{ICON_NAME}-{size}.png", theme / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png")
             for size in SIZES]
    pairs.append((f"{ICON_NAME}.svg", theme / "scalable" / "apps" / f"{ICON_NAME}.svg"))
    return pairs


def shipped(name: str) -> Path:
    """The package's file ``name`` (one of ``theme_files``' names); FileNotFoundError
    when the package lacks it."""
    return _resource(name)


def touch_theme(data_home: Path) -> None:
    """Bump the theme directory's mtime: how GTK and Qt notice a change in an icon theme
    that has no icon cache. Absent is fine."""
    with suppress(OSError):
        os.utime(data_home / "icons" / "hicolor")
