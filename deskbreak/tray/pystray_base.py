"""pystray's Menu, MenuItem and Icon contract, imported without picking a backend.

``import pystray`` selects a backend at import time: GTK if PyGObject is present (about
45 MiB), else Xlib, which raises when there is no display. deskbreak chooses its own
backend at run time, so it asks pystray for its inert ``dummy`` backend while importing.
"""

from __future__ import annotations

import os

_saved = os.environ.get("PYSTRAY_BACKEND")
os.environ["PYSTRAY_BACKEND"] = "dummy"
try:
    from pystray._base import Icon, Menu, MenuItem
finally:
    if _saved is None:
        del os.environ["PYSTRAY_BACKEND"]
    else:
        os.environ["PYSTRAY_BACKEND"] = _saved

__all__ = ["Icon", "Menu", "MenuItem"]
