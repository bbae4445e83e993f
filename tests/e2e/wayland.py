"""A headless Wayland compositor for the end-to-end tests: Debian's sway, and wtype.

sway (wlroots) with ``WLR_BACKENDS=headless`` needs no screen or GPU (pixman renders)
and offers the idle protocols real desktops do (Debian 12's sway: KDE's
``org_kde_kwin_idle``; newer ones add ``ext-idle-notify-v1``). wtype types through the
compositor's virtual-keyboard protocol, which is input like a real keyboard's: it
resets the seat's idle time. sway refuses to run as root, so under root (CI) it runs as
nobody in a runtime directory of its own; the socket's absolute path is what clients
get as WAYLAND_DISPLAY.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534


@dataclass
class Sway:
    runtime: Path
    socket: Path
    log: Path

    def msg(self, *command: str) -> str:
        """A sway command through its IPC socket (``swaymsg``), as a user's key binding."""
        (ipc,) = self.runtime.glob("sway-ipc.*.sock")
        return subprocess.run(["swaymsg", "-s", str(ipc), *command], check=True,
                              timeout=10, capture_output=True, text=True).stdout

    def type(self, keys: str = "a") -> None:
        """A key pressed on the seat's (virtual) keyboard."""
        subprocess.run(["wtype", "-k", keys], check=True, timeout=10,
                       env={**os.environ, "XDG_RUNTIME_DIR": str(self.runtime),
                            "WAYLAND_DISPLAY": str(self.socket)},
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def headless_sway(tmp: Path) -> Iterator[Sway]:
    for tool in ("sway", "wtype"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed (scripts/debian-packages test)")
    # Its own directory straight under /tmp: nobody could not reach one inside pytest's
    # (root's, 0700); sway writes its socket there and reads its config from it.
    runtime = Path(tempfile.mkdtemp(prefix="deskbreak-sway-"))
    config = runtime / "sway.conf"
    config.write_text("output HEADLESS-1 resolution 1280x800\n")
    config.chmod(0o644)
    log = tmp / "sway.log"
    command = ["sway", "-c", str(config)]
    if os.geteuid() == 0:
        os.chown(runtime, NOBODY, NOBODY)
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   *command]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(runtime),
           "LANG": "C.UTF-8",  # foot, the window a test makes fullscreen, wants UTF-8
           "XDG_RUNTIME_DIR": str(runtime), "WLR_BACKENDS": "headless",
           "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        sockets: list[Path] = []
        while not sockets:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"headless sway did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
            sockets = [p for p in runtime.glob("wayland-*") if not p.name.endswith(".lock")]
        yield Sway(runtime, sockets[0], log)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        shutil.rmtree(runtime, ignore_errors=True)
