"""What the always-running daemon leaves out of its process, to stay small.

asyncio imports ``ssl`` whenever it can, and ``ssl`` maps OpenSSL (libssl and libcrypto:
3.9 MiB of the idle daemon's resident memory, measured; docs/benchmarks.md). The daemon
never speaks TLS: its D-Bus connections and its control socket are local. So before
asyncio is first imported, ``without_tls`` tells the import system there is no ``ssl``;
asyncio is built for that case and simply offers no TLS. ``hashlib`` is the other way in
to libcrypto (dbus-fast imports it): without ``_hashlib`` it uses Python's own built-in
hashes, as on any build without OpenSSL.
"""

from __future__ import annotations

import sys


def without_tls() -> None:
    """Make ``import ssl`` (and hashlib's OpenSSL part) fail in this process, unless
    something already loaded them."""
    for name in ("ssl", "_hashlib"):
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]


def one_heap_and_trim() -> None:
    """glibc: one malloc arena for the whole process, and the start-up's freed memory
    handed back to the kernel.

    The history writer thread would get a malloc arena of its own, whose pages stay
    resident all day for a few small records; and start-up (imports, the catalogue
    parsed, the config checked) frees more than it keeps, in pages glibc holds on to.
    Both are plain libc calls (``mallopt``, ``malloc_trim``), through the ctypes the
    Linux change watch loads anyway. Elsewhere, or on another libc, nothing happens.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt, malloc_trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # musl or no ctypes: nothing to tune
        return
    m_arena_max = -8
    mallopt(m_arena_max, 1)
    malloc_trim(0)
