"""What the always-running daemon keeps out of its memory, checked in a real desktop.

The daemon is resident from login to shutdown, so libraries it maps but never uses are a
cost every user pays all day (measured in benchmarks/, never timed here). These tests
look at what a full daemon (tray icon, notifications, a break shown) has mapped.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

from deskbreak.tray import ring
from tests.e2e.conftest import artifacts_root
from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import ICON, breaks, cli, running, start, status, wait


def mapped_files(pid: int) -> set[str]:
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {Path(parts[5]).name for line in lines if len(parts := line.split()) > 5}


def test_a_working_daemon_maps_no_openssl(desktop: Desktop) -> None:
    """asyncio would load ssl, and hmac/secrets hashlib's OpenSSL: 3.9 MiB it never uses."""
    proc = start(desktop, "--interval", "3s")
    desktop.wait_for_sni(timeout=10)
    running(desktop)
    wait(lambda: breaks(desktop), bool, "a break notification", 15)
    files = mapped_files(proc.pid)
    assert any(name.startswith("libpython") or "python" in name for name in files)
    assert not [name for name in files if name.startswith(("libssl", "libcrypto", "_ssl",
                                                           "_hashlib"))]


PILLOW_DIRS = ("/PIL/", "/pillow.libs/", "/Pillow.libs/")


def pillow_mapped(pid: int) -> list[str]:
    """Pillow's extension modules and bundled libraries (_imaging, libjpeg...) mapped."""
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return sorted({parts[5] for line in lines if len(parts := line.split()) > 5
                   and any(part in parts[5] for part in PILLOW_DIRS)})


def icon_shot(desktop: Desktop, name: str) -> list[tuple[int, ...]]:
    """The host's tray icon's pixels (RGB), cropped from the screen; kept 8x enlarged in
    the artifacts, to look at beside the old drawing."""
    shot = desktop.screenshot(artifacts_root() / f"{name}-screen.png")
    x, y = ICON
    box = (x - 14, y - 14, x + 16, y + 16)  # the host draws it 30 px wide from (0, 0)
    zoomed = artifacts_root() / f"{name}-x8.png"
    desktop.run(["convert-im6.q16", str(shot), "-crop", "30x30+{}+{}".format(*box[:2]),
                 "+repage", "-filter", "point", "-resize", "800%", str(zoomed)])
    with Image.open(shot) as screen:
        data = screen.convert("RGB").crop(box).tobytes()
    return [tuple(data[i:i + 3]) for i in range(0, len(data), 3)]


def near(colour: tuple[int, ...], want: tuple[int, ...], by: int = 24) -> bool:
    return all(abs(a - b) <= by for a, b in zip(colour[:3], want[:3], strict=True))


def test_the_host_draws_the_ring_and_the_daemon_maps_no_pillow(desktop: Desktop) -> None:
    """The SNI icon is drawn without Pillow (about 4 MiB of RSS), yet the panel shows the ring:
    filling in green while counting, grey bars when paused."""
    proc = start(desktop, "--interval", "24s")  # a twelfth every 2 s
    desktop.wait_for_sni(timeout=10)
    assert running(desktop)["tray"] == "sni"
    time.sleep(9)  # four twelfths or so; the idle daemon need not wake to show them,
    assert cli(desktop, "reload").returncode == 0  # but a command redraws at once
    time.sleep(1)  # the host fetches the new pixmaps
    counting = icon_shot(desktop, "ring-counting")
    assert sum(near(p, ring.ACTIVE) for p in counting) > 20  # the arc
    assert cli(desktop, "pause").returncode == 0
    wait(lambda: status(desktop), lambda s: s.get("state") == "paused", "paused")
    time.sleep(1)
    paused = icon_shot(desktop, "ring-paused")
    assert not any(near(p, ring.ACTIVE) for p in paused)
    assert sum(near(p, ring.MUTED, 12) for p in paused) > 20  # the bars
    assert pillow_mapped(proc.pid) == []
