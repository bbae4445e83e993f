"""``deskbreak autostart on|off|status`` and ``deskbreak install-desktop [--remove]``.

The two ways deskbreak puts itself into the desktop, both only when asked: an entry
that starts it at login, and a launcher (with its icon) in the application menu. They
work without a running daemon; the tray's "Start at login" does the same through the
daemon. Every failure is one line on stderr and exit status 1, and then nothing was
changed. The icon is the exception: the entries work without it, so an icon that
cannot be installed or removed is said after what was done, with exit status 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from deskbreak.autostart import Autostart, AutostartError, AutostartState, for_platform

Out = Callable[[str], None]


def status_text(state: AutostartState) -> str:
    """The human form of ``deskbreak autostart status``."""
    if state.state == "on":
        lines = ["Start at login: on", f"Entry: {state.where}"]
        if state.command:
            import shlex
            lines.append(f"Starts: {shlex.join([*state.command])}")
        return "\n".join(lines)
    if state.state == "off":
        return f"Start at login: off ({state.why}); `deskbreak autostart on` turns it on"
    return f"Start at login: {state.why}"


def _program() -> list[str]:
    from deskbreak.program import program_argv

    try:
        return program_argv()
    except ValueError as exc:
        raise AutostartError(str(exc)) from None


def run(args: argparse.Namespace, out: Out, backend: Autostart | None = None) -> int:
    """Carry out ``deskbreak autostart ACTION``; the exit status."""
    backend = backend or for_platform()
    if args.action == "on":
        message = backend.enable(_program())
        state = backend.status()
        if not state.on:  # written, but the session would still not start it: say why
            raise AutostartError(f"{state.where} was written, but deskbreak would still "
                                 f"not start at login: {state.why}")
    elif args.action == "off":
        message = backend.disable()
        state = backend.status()
    else:
        message, state = "", backend.status()
        if state.state == "error" and not args.json:
            raise AutostartError(state.why or "the start-at-login setting cannot be read")
    if args.json:
        out(json.dumps(state.to_json(backend.name), indent=2, ensure_ascii=False))
    else:
        out(message or status_text(state))
    return 0 if state.state in ("on", "off") else 1


def install_desktop(args: argparse.Namespace, out: Out) -> int:
    """Carry out ``deskbreak install-desktop [--remove]``; the exit status."""
    from deskbreak import launcher, paths

    if sys.platform in ("win32", "darwin"):
        raise AutostartError("install-desktop is for Linux and other freedesktop desktops; "
                             "use `deskbreak autostart on` to start deskbreak at login")
    data_home = paths.xdg_data_home()
    if args.remove:
        keep = _autostart_uses_icon()
        out(launcher.uninstall(data_home, keep_icons=keep))
    else:
        out(launcher.install(data_home, _program()))
    return 0


def _autostart_uses_icon() -> bool:
    """Whether an autostart entry still shows the icon (``XdgAutostart.uses_icon``)."""
    from deskbreak.autostart.xdg import XdgAutostart

    return XdgAutostart.from_environment().uses_icon()
