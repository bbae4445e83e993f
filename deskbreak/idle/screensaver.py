"""Idle time from KDE's screen saver service, where the compositor offers no protocol.

``org.freedesktop.ScreenSaver.GetSessionIdleTime`` is KDE's (milliseconds, as KIdleTime
counts them; the draft spec's other implementers are gone), with ``GetActive`` for the
lock. It is a question, so it is asked as GNOME's Mutter is: once per idle threshold
while the user works, every minute while away. Recent KWin answers it only on X11, so
on Plasma 6 Wayland the compositor's own notifications (``idle.wayland``) come first.
"""

from __future__ import annotations

from deskbreak.idle.gnome import GnomeIdle

FREEDESKTOP = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
               "org.freedesktop.ScreenSaver")


class ScreenSaverIdle(GnomeIdle):
    name = "screensaver"
    idle_call = (FREEDESKTOP, "GetSessionIdleTime")
    lock_call = (FREEDESKTOP, "GetActive")
    silent = "org.freedesktop.ScreenSaver did not answer GetSessionIdleTime"
