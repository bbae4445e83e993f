"""What the always-running daemon keeps out of its memory, checked in a real desktop.

The daemon is resident from login to shutdown, so libraries it maps but never uses are a
cost every user pays all day (measured in benchmarks/, never timed here). These tests
look at what a full daemon (tray icon, notifications, a break shown) has mapped.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import breaks, running, start, wait


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
