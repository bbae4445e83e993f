"""Has the user turned GNOME's notification banners off (GNOME's do-not-disturb)?

Read with the ``gsettings`` tool rather than GIO bindings: PyGObject is optional and
heavy, and the question is asked only when a break is due. Only in a GNOME session:
elsewhere the key exists too (any desktop with GNOME's schemas installed) but nothing
obeys it, and each read would spawn a process and delay the break for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil

from deskbreak.dnd.base import DndSource, DndUnavailable

KEY = ("org.gnome.desktop.notifications", "show-banners")
REASON = "notification banners off"
TIMEOUT_S = 2.0


class GnomeBanners(DndSource):
    name = "gnome-banners"

    def __init__(self) -> None:
        self._gsettings: str | None = None

    async def start(self) -> None:
        desktop = os.environ.get("XDG_CURRENT_DESKTOP", "")
        if "gnome" not in desktop.lower().split(":"):
            raise DndUnavailable(f"not a GNOME session (XDG_CURRENT_DESKTOP={desktop or 'unset'})")
        self._gsettings = shutil.which("gsettings")
        if self._gsettings is None:
            raise DndUnavailable("gsettings not found")
        try:
            await self._show_banners()
        except (OSError, RuntimeError, TimeoutError) as exc:
            raise DndUnavailable(f"cannot read {' '.join(KEY)}: {exc}") from exc

    async def _show_banners(self) -> bool:
        if self._gsettings is None:
            raise DndUnavailable("not started")
        proc = await asyncio.create_subprocess_exec(
            self._gsettings, "get", *KEY, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT_S)
        finally:
            if proc.returncode is None:  # timed out or cancelled: do not leave it behind
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if proc.returncode != 0:
            raise RuntimeError(err.decode(errors="replace").strip() or f"exit {proc.returncode}")
        return out.strip() != b"false"

    async def reason(self) -> str | None:
        return None if await self._show_banners() else REASON
