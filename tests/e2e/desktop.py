"""A real, isolated, headless Linux desktop for deskbreak's end-to-end tests and benchmarks.

`Desktop` starts, inside a temp dir it is given, the programs a user's session would have:
Xvfb, a private D-Bus session bus, and optionally dunst (notification server),
status-notifier-watcher + gtk-sni-tray-standalone (StatusNotifierItem host), trayer
(XEmbed tray), openbox (window manager) and a stand-in system bus. deskbreak is then
run against them exactly as on a desktop, and the harness observes what reached the user:

* every Notify/CloseNotification call and every ActionInvoked/NotificationClosed signal,
  recorded by `dbus-monitor` from before any client connects (the notes in
  /work/shared/notes/desktop-testing.md explain why the monitor, not `dunstctl history`,
  is the record to trust);
* tray icons, through the watcher's registry (SNI) or trayer's window tree (XEmbed);
* the screen, through screenshots, and the mouse, through xdotool.

Why so strict about isolation: a tool started without DBUS_SESSION_BUS_ADDRESS silently
starts a stray bus, and the distribution's session bus config would D-Bus-activate dunst
on the first Notify call, which would make a "no notification server" test lie. So the
bus runs from a generated config with no service directories, and every process gets
`Desktop.env`. Every component is awaited until it is really ready (bus name owned,
window mapped, selection owned), never by a fixed sleep, and `stop()` kills each
component's whole process group even after failures.

Only stdlib, dbus-fast and python-xlib are used here so that benchmarks/ can import
this module without pytest.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from xml.sax.saxutils import escape as xml_escape

import Xlib.display
import Xlib.error
import Xlib.X
import Xlib.Xatom
from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

__all__ = [
    "ActionInvoked",
    "CloseCall",
    "Desktop",
    "DesktopUnavailable",
    "MonitorMessage",
    "MonitorParseError",
    "Notification",
    "NotificationClosed",
    "notifications_from",
    "parse_monitor_log",
]

T = TypeVar("T")

NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
NOTIFICATIONS_IFACE = "org.freedesktop.Notifications"
WATCHER_NAME = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
DEFAULT_SCREEN = "1280x800x24"

#: What dbus-monitor records. Replies (and errors) are included so that each Notify call
#: can be matched with the id the server assigned or the error it got (dbus-daemon checks
#: a well-known `sender` at dispatch time, so the rule works although dunst starts later).
MONITOR_RULES: tuple[str, ...] = (
    f"type='method_call',interface='{NOTIFICATIONS_IFACE}',member='Notify'",
    f"type='method_call',interface='{NOTIFICATIONS_IFACE}',member='CloseNotification'",
    f"type='signal',interface='{NOTIFICATIONS_IFACE}'",
    f"type='method_return',sender='{NOTIFICATIONS_NAME}'",
    f"type='error',sender='{NOTIFICATIONS_NAME}'",
    "type='error',sender='org.freedesktop.DBus'",  # e.g. ServiceUnknown without a server
)


class DesktopUnavailable(RuntimeError):
    """The desktop (or a requested part of it) cannot run here; the message is one line.

    Tests must fail on this, not skip: a missing tool on CI is a broken CI, not a pass.
    """


class MonitorParseError(ValueError):
    """dbus-monitor printed something this parser does not understand (a harness bug)."""


# --------------------------------------------------------------------------------------
# Parsing dbus-monitor's text output
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitorMessage:
    """One message as printed by dbus-monitor, with its arguments parsed to Python values.

    Arrays become lists, dict entries and structs tuples, byte arrays `bytes`; a variant is
    replaced by its value. `complete` is False only for the last message of a log that
    dbus-monitor was still writing when it was read.
    """

    kind: str  # "method call", "method return", "signal" or "error"
    time: float
    sender: str
    destination: str
    serial: int  # 0 for errors, which dbus-monitor prints without one
    path: str | None = None
    interface: str | None = None
    member: str | None = None
    reply_serial: int | None = None
    error_name: str | None = None
    args: list[Any] = field(default_factory=list)
    complete: bool = True


_HEADER_RE = re.compile(
    r"^(?P<kind>method call|method return|signal|error) time=(?P<time>\d+(?:\.\d+)?) "
    r"sender=(?P<sender>\S+) -> destination=(?P<destination>\(null destination\)|\S+)"
    r"(?: serial=(?P<serial>\d+))?(?P<rest>.*)$"  # errors are printed without a serial
)
_VALUE_START = (
    r'(?:string "|object path "|signature "|(?:u?int(?:16|32|64)|double|byte|boolean) '
    r"|array \[|array of bytes|dict entry\(|struct \{|variant |file descriptor|unix fd"
    r"|\]|\)|\})"
)
_INDENTED_VALUE_RE = re.compile(r"^(?P<indent>(?: {3})+)" + _VALUE_START)
_INT_TYPES = frozenset({"int16", "uint16", "int32", "uint32", "int64", "uint64", "byte"})
_ASCII_BYTES_RE = re.compile(r' "(?P<text>.*)"(?P<nul> \+ \\0)?')


class _Truncated(Exception):
    """The text ended inside a message (dbus-monitor was still writing it)."""


class _MessageParser:
    """Recursive-descent parser for the argument lines of one dbus-monitor message.

    dbus-monitor prints strings raw: no escaping, embedded newlines and quotes kept. A
    string therefore ends at the first line ending in `"` whose *next* line could follow
    the string (another value or a closing bracket at the same or a shallower indent, a
    message header, or the end of the text). Only text that itself contains such a line
    can fool this, which notifications do not do in practice.
    """

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.i = start

    def parse_args(self) -> list[Any]:
        """Parse top-level arguments (indent 3) until the message ends."""
        args: list[Any] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not (line.startswith("   ") and not line.startswith("    ")):
                break
            if not _INDENTED_VALUE_RE.match(line):
                raise MonitorParseError(f"unexpected line {self.i + 1}: {line!r}")
            args.append(self._value(1, line[3:]))
        return args

    def _line(self) -> str:
        if self.i >= len(self.lines):
            raise _Truncated
        return self.lines[self.i]

    def _is_boundary(self, index: int, depth: int) -> bool:
        if index >= len(self.lines):
            return True
        line = self.lines[index]
        if _HEADER_RE.match(line):
            return True
        match = _INDENTED_VALUE_RE.match(line)
        return match is not None and len(match.group("indent")) <= 3 * depth

    def _string(self, depth: int, first: str) -> str:
        parts = [first]
        while True:
            text = "\n".join(parts)
            if text.endswith('"') and self._is_boundary(self.i + 1, depth):
                self.i += 1
                return text[:-1]
            self.i += 1
            parts.append(self._line())

    def _container(self, depth: int, closer: str) -> list[Any]:
        self.i += 1
        end = " " * (3 * depth) + closer
        child_indent = " " * (3 * (depth + 1))
        items: list[Any] = []
        while True:
            line = self._line()
            if line == end:
                self.i += 1
                return items
            if not line.startswith(child_indent) or line[len(child_indent) :][:1] == " ":
                raise MonitorParseError(f"unexpected line {self.i + 1}: {line!r}")
            items.append(self._value(depth + 1, line[len(child_indent) :]))

    def _bytes(self, depth: int, rest: str) -> bytes:
        ascii_match = _ASCII_BYTES_RE.fullmatch(rest)
        if ascii_match:
            self.i += 1
            return ascii_match.group("text").encode() + (b"\0" if ascii_match.group("nul") else b"")
        if rest.strip() != "[":
            raise MonitorParseError(f"unexpected byte array at line {self.i + 1}: {rest!r}")
        self.i += 1
        end = " " * (3 * depth) + "]"
        data = bytearray()
        while (line := self._line()) != end:
            data.extend(bytes.fromhex(line))
            self.i += 1
        self.i += 1
        return bytes(data)

    def _value(self, depth: int, text: str) -> Any:
        """Parse the value whose text (after its indent) starts the current line."""
        for prefix in ('string "', 'object path "', 'signature "'):
            if text.startswith(prefix):
                return self._string(depth, text[len(prefix) :])
        if text.startswith("array of bytes"):
            return self._bytes(depth, text[len("array of bytes") :])
        if text == "array [":
            return self._container(depth, "]")
        if text == "dict entry(":
            return tuple(self._container(depth, ")"))
        if text == "struct {":
            return tuple(self._container(depth, "}"))
        if text.startswith("variant "):
            return self._value(depth + 1, text[len("variant ") :].lstrip(" "))
        word, _, value = text.partition(" ")
        self.i += 1
        if word in _INT_TYPES:
            return int(value)
        if word == "double":
            return float(value)
        if word == "boolean":
            return value == "true"
        if text.startswith(("file descriptor", "unix fd")):
            return None
        raise MonitorParseError(f"unknown value at line {self.i}: {text!r}")


def _header_fields(rest: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in ("path", "interface", "member", "reply_serial", "error_name"):
        match = re.search(rf"\b{key}=([^;\s]*)", rest)
        if match:
            found[key] = match.group(1)
    return found


def parse_monitor_log(text: str) -> list[MonitorMessage]:
    """Parse dbus-monitor's default (text) output into messages.

    Lines outside any message (warnings, a partial last line) are ignored; a message cut
    off at the end of the text is returned with `complete=False`.
    """
    lines = text.split("\n")
    lines.pop()  # the text after the last newline is either "" or a line being written
    messages: list[MonitorMessage] = []
    i = 0
    while i < len(lines):
        header = _HEADER_RE.match(lines[i])
        if header is None:
            i += 1
            continue
        parser = _MessageParser(lines, i + 1)
        complete = True
        args: list[Any] = []
        try:
            args = parser.parse_args()
        except _Truncated:
            complete = False
        except MonitorParseError as exc:
            raise MonitorParseError(f"message at line {i + 1}: {exc}") from None
        extra = _header_fields(header.group("rest"))
        messages.append(
            MonitorMessage(
                kind=header.group("kind"),
                time=float(header.group("time")),
                sender=header.group("sender"),
                destination=header.group("destination"),
                serial=int(header.group("serial") or 0),
                path=extra.get("path"),
                interface=extra.get("interface"),
                member=extra.get("member"),
                reply_serial=int(extra["reply_serial"]) if "reply_serial" in extra else None,
                error_name=extra.get("error_name"),
                args=args,
                complete=complete,
            )
        )
        i = max(parser.i, i + 1)
    return messages


# --------------------------------------------------------------------------------------
# What the monitor tells about notifications
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    """One org.freedesktop.Notifications.Notify call as it went over the bus.

    `id` is the id the server returned; `error` the D-Bus error name if the call failed
    (e.g. org.freedesktop.DBus.Error.ServiceUnknown without a server). Both are None
    until the reply has been recorded, see `answered`.
    """

    time: float
    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: list[tuple[str, str]]  # (key, label) pairs, in the order sent
    hints: dict[str, Any]
    expire_timeout: int
    id: int | None
    sender: str
    serial: int
    error: str | None = None

    @property
    def answered(self) -> bool:
        """Whether the reply to this call (id or error) is in the monitor log yet."""
        return self.id is not None or self.error is not None

    def action_key(self, label: str) -> str | None:
        """The key of the action shown with this label, if any."""
        return next((key for key, text in self.actions if text == label), None)


@dataclass(frozen=True)
class ActionInvoked:
    """An ActionInvoked signal: the server says the user chose action `key`."""

    time: float
    id: int
    key: str


@dataclass(frozen=True)
class NotificationClosed:
    """A NotificationClosed signal; reason 1 expired, 2 dismissed, 3 CloseNotification."""

    time: float
    id: int
    reason: int


@dataclass(frozen=True)
class CloseCall:
    """A CloseNotification method call from a client."""

    time: float
    id: int
    sender: str


def notifications_from(messages: Sequence[MonitorMessage]) -> list[Notification]:
    """The Notify calls among `messages`, each with the id from the server's reply."""
    ids = {
        (m.destination, m.reply_serial): m.args[0]
        for m in messages
        if m.kind == "method return" and m.complete and len(m.args) == 1
        and isinstance(m.args[0], int)
    }
    errors = {(m.destination, m.reply_serial): m.error_name for m in messages if m.kind == "error"}
    result: list[Notification] = []
    for m in messages:
        if m.kind != "method call" or m.member != "Notify" or m.interface != NOTIFICATIONS_IFACE:
            continue
        if not m.complete or len(m.args) != 8:
            continue
        app_name, replaces_id, app_icon, summary, body, actions, hints, expire = m.args
        flat = [str(a) for a in actions]
        result.append(
            Notification(
                time=m.time,
                app_name=app_name,
                replaces_id=replaces_id,
                app_icon=app_icon,
                summary=summary,
                body=body,
                actions=list(zip(flat[0::2], flat[1::2], strict=False)),
                hints={str(k): v for k, v in hints},
                expire_timeout=expire,
                id=ids.get((m.sender, m.serial)),
                error=errors.get((m.sender, m.serial)),
                sender=m.sender,
                serial=m.serial,
            )
        )
    return result


# --------------------------------------------------------------------------------------
# Generated files
# --------------------------------------------------------------------------------------

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Private {kind} bus for one test desktop. No <servicedir>: nothing is ever
     D-Bus-activated (Debian's dunst would otherwise start on the first Notify). -->
<busconfig>
  <type>{kind}</type>
  <keep_umask/>
  <listen>{listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

_DUNSTRC = """# Generated by tests/e2e/desktop.py for one test desktop.
[global]
    monitor = 0
    follow = none
    width = 320
    height = 300
    origin = top-right
    offset = 10x40
    notification_limit = 0
    # Never hold back timeouts because the (virtual) user is idle: Xvfb has no input.
    idle_threshold = 0
    font = Monospace 9
    show_age_threshold = -1
    sticky_history = yes
    history_length = 100
    show_indicators = no
    browser = /bin/true
    # The context menu is how tests press notification buttons, see Desktop.press_action.
    dmenu = {dmenu} -p dunst
    mouse_left_click = do_action, close_current
    mouse_middle_click = close_current
    mouse_right_click = context
"""

#: dunst feeds dmenu one entry per action of every displayed notification, formatted
#: "#<label> (<summary>) [<id>,<key>]" (a multi-line summary spreads an entry over several
#: lines), and invokes the action named by the last "[id,key]" of the line it gets back.
#: This script picks the entry the harness asked for in dmenu-want.json and reports what
#: it saw in dmenu-result.json.
_DMENU_SCRIPT = r'''"""dmenu stand-in for dunst's context menu, made by tests/e2e/desktop.py."""
import json
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
menu = sys.stdin.read()
try:
    with open(os.path.join(here, "dmenu-want.json"), encoding="utf-8") as f:
        want = json.load(f)
except (OSError, ValueError):
    want = {}

entries = []
start = 0
for m in re.finditer(r"\[(\d+),([^\]\n]*)\][ \t]*(?:\n|\Z)", menu):
    chunk = menu[start:m.end()].rstrip("\n").split("\n")
    start = m.end()
    first = next((i for i, line in enumerate(chunk) if line.startswith("#")), None)
    if first is not None:
        entries.append({"text": " ".join(chunk[first:]), "id": int(m.group(1)),
                        "key": m.group(2)})

if "id" in want and "key" in want:
    candidates = [e for e in entries if e["id"] == want["id"] and e["key"] == want["key"]]
elif "label" in want:
    prefix = "#" + want["label"] + " ("
    candidates = [e for e in entries if e["text"].startswith(prefix)]
else:
    candidates = []
chosen = max(candidates, key=lambda e: e["id"]) if candidates else None

result = {"nonce": want.get("nonce"), "menu": menu, "entries": entries, "chosen": chosen}
with open(os.path.join(here, "dmenu-calls.log"), "a", encoding="utf-8") as f:
    f.write(json.dumps(result) + "\n")
tmp = os.path.join(here, "dmenu-result.json.tmp")
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(result, f)
os.replace(tmp, os.path.join(here, "dmenu-result.json"))
if chosen:
    print(chosen["text"])
'''


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


@dataclass
class _Component:
    """A started process (leader of its own process group) and where its output goes."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path


def _read_line_from_fd(fd: int, timeout: float, proc: subprocess.Popen[bytes]) -> str:
    """Read one line from a pipe within `timeout`; used for -displayfd/--print-address."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.1))
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    return data.decode(errors="replace").split("\n", 1)[0].strip()


def _log_tail(path: Path) -> str:
    """The last non-empty line of a log, for one-line error messages."""
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:200] if lines else ""


def _run_coroutine(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a private loop in a worker thread.

    The harness is synchronous, but a test calling it may be running an event loop of
    its own (asyncio.run would refuse to nest), so each call gets a thread and a loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


_LIVE_DESKTOPS: weakref.WeakSet[Desktop] = weakref.WeakSet()


@atexit.register
def _stop_leftovers() -> None:
    """Stop desktops that were never stopped (e.g. interrupted start), not to leak Xvfb."""
    for desktop in list(_LIVE_DESKTOPS):
        with contextlib.suppress(Exception):
            desktop.stop()


# --------------------------------------------------------------------------------------
# The desktop
# --------------------------------------------------------------------------------------


class Desktop:
    """An isolated headless desktop session in `tmpdir` (see the module docstring).

    Use as a context manager, or call `start()` and `stop()`. Constructor flags choose
    the optional components; `path` overrides PATH (for finding the tools, and in `env`).
    """

    def __init__(
        self,
        tmpdir: str | os.PathLike[str],
        *,
        notifications: bool = True,
        sni: bool = True,
        xembed: bool = False,
        wm: bool = False,
        system_bus: bool = False,
        screen: str = DEFAULT_SCREEN,
        timeout: float = 15.0,
        path: str | None = None,
    ) -> None:
        self.tmpdir = Path(tmpdir).resolve()
        self.want_notifications = notifications
        self.want_sni = sni
        self.want_xembed = xembed
        self.want_wm = wm
        self.want_system_bus = system_bus
        self.screen = screen
        self.timeout = timeout
        self.path = path if path is not None else os.environ.get("PATH", os.defpath)
        self.logs_dir = self.tmpdir / "logs"
        self.monitor_log = self.logs_dir / "dbus-monitor.log"
        self.dunst_dir = self.tmpdir / "dunst"
        self.display = ""
        self.bus_address = ""
        self.env: dict[str, str] = {}
        self.startup_seconds: float | None = None
        self._components: list[_Component] = []
        self._started = False

    # ---- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> Desktop:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> Desktop:
        """Start every requested component, each awaited until ready.

        Raises DesktopUnavailable (after stopping whatever did start) when a tool is
        missing or a component does not come up within `timeout`.
        """
        if self._started:
            raise RuntimeError("this Desktop was already started")
        self._started = True
        _LIVE_DESKTOPS.add(self)
        began = time.monotonic()
        try:
            self._check_executables()
            self._prepare_dirs()
            self._start_xvfb()
            self._start_bus()
            if self.want_system_bus:
                self._start_system_bus()
            self._start_monitor()
            if self.want_wm:
                self._start_openbox()
            if self.want_notifications:
                self._start_dunst()
            if self.want_sni:
                self._start_sni()
            if self.want_xembed:
                self._start_trayer()
        except BaseException:
            self._record_failed_start()
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def _record_failed_start(self) -> None:
        """Keep the X window tree next to the logs: it shows what did come up."""
        if not self.display:
            return
        with contextlib.suppress(Exception):
            tree = self.run(["xwininfo", "-root", "-tree"], timeout=5).stdout
            (self.logs_dir / "failed-start-xwininfo.txt").write_text(tree)

    def stop(self) -> None:
        """Kill every process group this desktop started, newest first; idempotent."""
        while self._components:
            component = self._components.pop()
            self._kill_group(component.proc, grace=2.0)
        _LIVE_DESKTOPS.discard(self)

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes], grace: float) -> int | None:
        """SIGTERM the process group, SIGKILL it after `grace` seconds; reap the leader."""
        pgid = proc.pid  # every component is started with start_new_session=True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        # Children may outlive their leader (e.g. dunst's dmenu): always sweep the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        return proc.returncode

    def pids(self) -> dict[str, int]:
        """Process ids of the running components, by name."""
        return {c.name: c.proc.pid for c in self._components}

    # ---- startup steps ---------------------------------------------------------------

    def _which(self, name: str) -> str:
        found = shutil.which(name, path=self.path)
        if found is None:
            raise DesktopUnavailable(f"{name} not found on PATH ({self.path})")
        return found

    def _check_executables(self) -> None:
        needed = ["Xvfb", "dbus-daemon", "dbus-monitor"]
        if self.want_wm:
            needed.append("openbox")
        if self.want_notifications:
            needed += ["dunst", "dunstctl", "dbus-send"]
        if self.want_sni:
            needed += ["status-notifier-watcher", "gtk-sni-tray-standalone"]
        if self.want_xembed:
            needed.append("trayer")
        for name in needed:
            self._which(name)

    def _prepare_dirs(self) -> None:
        home = self.tmpdir / "home"
        runtime = self.tmpdir / "runtime"
        for directory in (self.tmpdir, self.logs_dir, home, self.dunst_dir, self.tmpdir / "tmp"):
            directory.mkdir(parents=True, exist_ok=True)
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        xdg = {
            "XDG_CONFIG_HOME": home / ".config",
            "XDG_STATE_HOME": home / ".local" / "state",
            "XDG_DATA_HOME": home / ".local" / "share",
            "XDG_CACHE_HOME": home / ".cache",
        }
        for directory in xdg.values():
            directory.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": self.path,
            "HOME": str(home),
            **{key: str(value) for key, value in xdg.items()},
            "XDG_RUNTIME_DIR": str(runtime),
            "TMPDIR": str(self.tmpdir / "tmp"),
            "LANG": "C.UTF-8",
            # No system bus exists on CI; make sure nothing reaches a developer's one.
            "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={self.tmpdir / 'no-system-bus'}",
            # GTK (the SNI host, trayer) must not look for the a11y bus or dconf.
            "NO_AT_BRIDGE": "1",
            "GSETTINGS_BACKEND": "memory",
            "GDK_BACKEND": "x11",
            "PYTHONUNBUFFERED": "1",
        }
        if "TZ" in os.environ:
            self.env["TZ"] = os.environ["TZ"]

    def _spawn_component(
        self, name: str, argv: Sequence[str], *, pass_fds: Sequence[int] = ()
    ) -> _Component:
        log = self.logs_dir / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.tmpdir,
                pass_fds=tuple(pass_fds),
                start_new_session=True,
            )
        component = _Component(name, proc, log)
        self._components.append(component)
        return component

    def _unavailable(self, component: _Component, what: str) -> DesktopUnavailable:
        code = component.proc.poll()
        state = f"exited with {code}" if code is not None else "still running"
        tail = _log_tail(component.log)
        detail = f"; last log line: {tail}" if tail else ""
        return DesktopUnavailable(
            f"{component.name} {what} ({state}); log {component.log}{detail}"
        )

    def _wait_ready(self, component: _Component, what: str, ready: Callable[[], bool]) -> None:
        """Poll `ready` until true; fail fast when the process dies, or after timeout."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if ready():
                    return
            except (OSError, RuntimeError, Xlib.error.XError, Xlib.error.DisplayError,
                    Xlib.error.ConnectionClosedError):
                pass  # not up yet: the bus, the name or the display may still be coming
            if component.proc.poll() is not None:
                raise self._unavailable(component, f"died before {what}")
            if time.monotonic() > deadline:
                raise self._unavailable(component, f"did not get {what} within {self.timeout}s")
            time.sleep(0.05)

    def _start_xvfb(self) -> None:
        read_fd, write_fd = os.pipe()
        try:
            component = self._spawn_component(
                "xvfb",
                [
                    self._which("Xvfb"),
                    "-displayfd", str(write_fd),
                    "-screen", "0", self.screen,
                    "-nolisten", "tcp",
                    "-noreset",
                ],
                pass_fds=[write_fd],
            )
            os.close(write_fd)
            write_fd = -1
            try:
                number = _read_line_from_fd(read_fd, self.timeout, component.proc)
            except TimeoutError:
                raise self._unavailable(component, "printed no display number") from None
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        if not number.isdigit():
            raise self._unavailable(component, "printed no display number")
        self.display = f":{number}"
        self.env["DISPLAY"] = self.display

    def _start_bus(self) -> None:
        self.bus_address = self._start_dbus_daemon("session", "dbus-daemon")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address

    def _start_system_bus(self) -> None:
        """A private stand-in for the system bus, for programs that refuse to run without one.

        It has no services (no logind, no UPower): it only lets such a program connect.
        """
        self.env["DBUS_SYSTEM_BUS_ADDRESS"] = self._start_dbus_daemon("system", "system-bus")

    def _start_dbus_daemon(self, kind: str, name: str) -> str:
        """Start one private dbus-daemon of `kind` (session or system); its address."""
        runtime = Path(self.env["XDG_RUNTIME_DIR"])
        # sun_path holds 108 bytes; deep pytest temp dirs can exceed it.
        listen = f"unix:dir={runtime}" if len(str(runtime)) < 80 else "unix:tmpdir=/tmp"
        config = self.tmpdir / f"{kind}-bus.conf"
        config.write_text(_BUS_CONFIG.format(listen=xml_escape(listen), kind=kind))
        read_fd, write_fd = os.pipe()
        try:
            component = self._spawn_component(
                name,
                [
                    self._which("dbus-daemon"),
                    f"--config-file={config}",
                    "--nofork",
                    "--nopidfile",
                    f"--print-address={write_fd}",
                ],
                pass_fds=[write_fd],
            )
            os.close(write_fd)
            write_fd = -1
            try:
                address = _read_line_from_fd(read_fd, self.timeout, component.proc)
            except TimeoutError:
                address = ""
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
        if not address.startswith("unix:"):
            raise self._unavailable(component, "printed no bus address")
        return address

    def _start_monitor(self) -> None:
        self.monitor_log.unlink(missing_ok=True)
        log = self.logs_dir / "dbus-monitor.stderr.log"
        with open(self.monitor_log, "wb") as out, open(log, "ab") as err:
            proc = subprocess.Popen(
                [self._which("dbus-monitor"), "--session", *MONITOR_RULES],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=self.env,
                cwd=self.tmpdir,
                start_new_session=True,
            )
        component = _Component("dbus-monitor", proc, log)
        self._components.append(component)
        # BecomeMonitor makes the bus take the monitor's unique name away: once that
        # NameLost is in the log, every later message matching the rules is recorded.
        self._wait_ready(
            component,
            "monitoring the bus",
            lambda: b"member=NameLost" in self.monitor_log.read_bytes(),
        )

    def _start_openbox(self) -> None:
        component = self._spawn_component("openbox", [self._which("openbox"), "--sm-disable"])
        self._wait_ready(component, "a window manager up", lambda: bool(self.wm_name()))
        # Right after startup openbox 3.6.1 sometimes leaves a MapRequest unhandled in
        # its Xlib queue until some other X event wakes it (seen: trayer's panel never
        # mapped, ~1 start in 40 under load). So: map a probe window and, until openbox
        # frames it, poke it with a root property change.
        with self._xdisplay() as display:
            root = display.screen().root
            wake = display.intern_atom("_DESKBREAK_HARNESS_WAKE")
            probe = root.create_window(0, 0, 10, 10, 0, display.screen().root_depth)
            probe.set_wm_name("deskbreak-harness-wm-probe")
            probe.map()
            display.flush()

            def framed() -> bool:
                if int(probe.query_tree().parent.id) != int(root.id):
                    return True
                root.change_property(wake, Xlib.Xatom.CARDINAL, 32, [int(time.monotonic())])
                display.flush()
                return False

            try:
                self._wait_ready(component, "a probe window framed", framed)
            finally:
                probe.destroy()
                root.delete_property(wake)
                display.flush()

    def _start_dunst(self) -> None:
        script = self.dunst_dir / "dmenu.py"
        script.write_text(_DMENU_SCRIPT)
        wrapper = self.dunst_dir / "dmenu.sh"
        wrapper.write_text(
            f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -I {shlex.quote(str(script))} \"$@\"\n"
        )
        wrapper.chmod(0o755)
        rc = self.dunst_dir / "dunstrc"
        rc.write_text(_DUNSTRC.format(dmenu=shlex.quote(str(wrapper))))
        component = self._spawn_component("dunst", [self._which("dunst"), "-config", str(rc)])
        self._wait_ready(
            component,
            f"{NOTIFICATIONS_NAME} on the bus",
            lambda: self._name_owner_pid(NOTIFICATIONS_NAME) == component.proc.pid,
        )

    def _start_sni(self) -> None:
        watcher = self._spawn_component(
            "status-notifier-watcher", [self._which("status-notifier-watcher")]
        )
        self._wait_ready(
            watcher, f"{WATCHER_NAME} on the bus", lambda: self._name_has_owner(WATCHER_NAME)
        )
        self._start_sni_host()

    def _start_sni_host(self) -> None:
        host = self._spawn_component(
            "gtk-sni-tray", [self._which("gtk-sni-tray-standalone"), "--top"]
        )
        self._wait_ready(
            host,
            "registered as StatusNotifierHost with its bar mapped",
            lambda: bool(self._watcher_property("IsStatusNotifierHostRegistered"))
            and self.find_window("Gtk-sni-tray-standalone") is not None,
        )

    def _start_trayer(self) -> None:
        component = self._spawn_component(
            "trayer",
            [
                self._which("trayer"),
                "--edge", "bottom",
                "--align", "right",
                "--widthtype", "request",
                "--height", "24",
                "--SetDockType", "true",
            ],
        )
        self._wait_ready(component, "the XEmbed tray selection", self._tray_selection_owned)
        self._wait_ready(
            component, "its panel window mapped", lambda: self._trayer_panel() is not None
        )

    # ---- components that come late or go away (login races, panel restarts) ----------

    LATE = ("dunst", "sni", "sni-host", "trayer")

    def add(self, component: str) -> None:
        """Start a component after the desktop is up, as a slow login or a restart would.

        "sni" is the watcher and its host; "sni-host" the host alone (its watcher still
        running). Waits until the component is ready, like `start()` does.
        """
        starters = {"dunst": self._start_dunst, "sni": self._start_sni,
                    "sni-host": self._start_sni_host, "trayer": self._start_trayer}
        if component not in starters:
            raise ValueError(f"cannot add {component!r}; one of {', '.join(self.LATE)}")
        if not self._started:
            raise RuntimeError("start the desktop first")
        flag = {"dunst": "want_notifications", "trayer": "want_xembed"}.get(component,
                                                                           "want_sni")
        setattr(self, flag, True)  # what the queries (sni_items, ...) check for
        try:
            starters[component]()
        except DesktopUnavailable:
            self._record_failed_start()
            raise

    def kill(self, name: str) -> None:
        """Stop one running component by its name in `pids()`, as a crash would."""
        for component in list(self._components):
            if component.name == name:
                self._components.remove(component)
                self._kill_group(component.proc, grace=2.0)
                return
        raise ValueError(f"no running component named {name!r}; running: {self.pids()}")

    # ---- D-Bus -----------------------------------------------------------------------

    def bus_call(
        self,
        destination: str,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: Sequence[Any] = (),
        timeout: float = 5.0,
    ) -> list[Any]:
        """Call a method on the desktop's bus (dbus-fast) and return the reply body.

        Raises RuntimeError carrying the D-Bus error name on an error reply.
        """
        address = self.bus_address
        if not address:
            raise RuntimeError("the desktop's bus is not running")

        async def call() -> list[Any]:
            bus = await MessageBus(bus_address=address).connect()
            try:
                reply = await asyncio.wait_for(
                    bus.call(
                        Message(
                            destination=destination,
                            path=path,
                            interface=interface,
                            member=member,
                            signature=signature,
                            body=list(body),
                        )
                    ),
                    timeout,
                )
            finally:
                bus.disconnect()
            assert reply is not None
            if reply.message_type == MessageType.ERROR:
                raise RuntimeError(f"{reply.error_name}: {reply.body}")
            return list(reply.body)

        return _run_coroutine(call)

    def _bus_daemon_call(self, member: str, signature: str = "", *args: Any) -> Any:
        return self.bus_call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            member, signature, args,
        )[0]

    def _name_has_owner(self, name: str) -> bool:
        return bool(self._bus_daemon_call("NameHasOwner", "s", name))

    def _name_owner_pid(self, name: str) -> int | None:
        if not self._name_has_owner(name):
            return None
        try:
            return int(self._bus_daemon_call("GetConnectionUnixProcessID", "s", name))
        except RuntimeError:
            return None

    def bus_names(self) -> list[str]:
        """Names on the bus (ListNames), e.g. to check that nothing was activated."""
        return [str(n) for n in self._bus_daemon_call("ListNames")]

    def _watcher_property(self, name: str) -> Any:
        value = self.bus_call(
            WATCHER_NAME, WATCHER_PATH, "org.freedesktop.DBus.Properties", "Get",
            "ss", [WATCHER_NAME, name],
        )[0]
        return value.value if isinstance(value, Variant) else value

    # ---- X11 -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _xdisplay(self) -> Iterator[Xlib.display.Display]:
        display = Xlib.display.Display(self.display)
        try:
            yield display
        finally:
            display.close()

    def find_window(self, wm_class: str, instance: str | None = None) -> int | None:
        """Id of a viewable window whose WM_CLASS class (and instance) match, or None.

        Searches the whole tree: under a window manager, clients sit inside frames.
        """
        with self._xdisplay() as display:
            pending = [display.screen().root]
            while pending:
                window = pending.pop()
                try:
                    children = window.query_tree().children
                except Xlib.error.XError:
                    continue  # destroyed meanwhile
                for child in children:
                    try:
                        klass = child.get_wm_class()
                        viewable = child.get_attributes().map_state == Xlib.X.IsViewable
                    except Xlib.error.XError:
                        continue
                    if not viewable:
                        continue
                    if klass and klass[1] == wm_class and instance in (None, klass[0]):
                        return int(child.id)
                    pending.append(child)
        return None

    def wm_name(self) -> str | None:
        """The running window manager's name (_NET_SUPPORTING_WM_CHECK), or None."""
        with self._xdisplay() as display:
            root = display.screen().root
            check = root.get_full_property(
                display.intern_atom("_NET_SUPPORTING_WM_CHECK"), Xlib.X.AnyPropertyType
            )
            if check is None or len(check.value) == 0 or int(check.value[0]) == 0:
                return None
            window = display.create_resource_object("window", int(check.value[0]))
            name = window.get_full_property(
                display.intern_atom("_NET_WM_NAME"), display.intern_atom("UTF8_STRING")
            )
            if name is None:
                return ""
            value = name.value
            return value.decode(errors="replace") if isinstance(value, bytes) else str(value)

    def _tray_selection_owned(self) -> bool:
        with self._xdisplay() as display:
            atom = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
            owner = display.get_selection_owner(atom)
            return int(getattr(owner, "id", owner)) != 0

    def _trayer_panel(self) -> int | None:
        """trayer's "panel" window (WM_CLASS panel/trayer), once viewable."""
        return self.find_window("trayer", "panel")

    # ---- notifications ---------------------------------------------------------------

    def monitor_messages(self) -> list[MonitorMessage]:
        """Everything dbus-monitor recorded so far (see MONITOR_RULES), parsed."""
        try:
            raw = self.monitor_log.read_bytes()
        except FileNotFoundError:
            return []
        return parse_monitor_log(raw.decode("utf-8", errors="replace"))

    def notifications(self) -> list[Notification]:
        """Every Notify call seen on the bus so far, oldest first."""
        return notifications_from(self.monitor_messages())

    def wait_for_notifications(
        self, count: int = 1, timeout: float = 10.0, *, answered: bool = True
    ) -> list[Notification]:
        """Wait until at least `count` Notify calls were seen; return all of them.

        With `answered`, also until every one has its reply (id or error) recorded: the
        monitor may write the reply a moment after the client got it.
        """
        return self._poll(
            self.notifications,
            lambda found: len(found) >= count
            and (not answered or all(n.answered for n in found)),
            timeout,
            f"{count} {'answered ' if answered else ''}notification(s)",
        )

    def _signals(self, member: str) -> list[MonitorMessage]:
        return [
            m for m in self.monitor_messages()
            if m.kind == "signal" and m.interface == NOTIFICATIONS_IFACE and m.member == member
            and m.complete
        ]

    def action_invocations(self) -> list[ActionInvoked]:
        """ActionInvoked signals seen so far."""
        return [ActionInvoked(m.time, m.args[0], m.args[1]) for m in self._signals("ActionInvoked")]

    def closed_notifications(self) -> list[NotificationClosed]:
        """NotificationClosed signals seen so far."""
        return [
            NotificationClosed(m.time, m.args[0], m.args[1])
            for m in self._signals("NotificationClosed")
        ]

    def close_calls(self) -> list[CloseCall]:
        """CloseNotification calls made by clients so far."""
        return [
            CloseCall(m.time, m.args[0], m.sender)
            for m in self.monitor_messages()
            if m.kind == "method call" and m.member == "CloseNotification" and m.complete
        ]

    def dunstctl(self, *args: str, timeout: float = 10.0) -> str:
        """Run dunstctl against this desktop's dunst; returns its stdout."""
        return self.run(["dunstctl", *args], timeout=timeout).stdout

    def _open_action_target(self, label: str) -> tuple[int, str] | None:
        """(id, key) of the newest still-open notification offering an action `label`."""
        messages = self.monitor_messages()
        latest: dict[int, Notification] = {}
        for notification in notifications_from(messages):
            if notification.id is not None:
                latest[notification.id] = notification
        closed = {
            m.args[0]: m.time for m in messages
            if m.kind == "signal" and m.member == "NotificationClosed" and m.complete
        }
        for nid, notification in sorted(latest.items(), key=lambda kv: -kv[1].time):
            key = notification.action_key(label)
            if key is not None and closed.get(nid, -1.0) < notification.time:
                return nid, key
        return None

    def press_action(self, label: str, *, timeout: float = 10.0) -> ActionInvoked:
        """Choose the action shown as `label` in dunst's context menu, as a user would.

        Writes what to pick into dmenu-want.json, runs `dunstctl context` (dunst then
        pipes its menu into the generated dmenu script, which prints the chosen entry)
        and waits for the resulting ActionInvoked signal on the bus. The entry is picked
        by [id,key] when the monitor knows which open notification offers `label` (the
        newest), else by the label alone. Retries until the notification is displayed.
        Raises TimeoutError, with the menu dunst last offered, if nothing fires.
        """
        if not self.want_notifications:
            raise RuntimeError("press_action needs a desktop with notifications=True")
        deadline = time.monotonic() + timeout
        before = self.action_invocations()
        chosen = self._choose_in_context_menu(label, deadline)
        nid, key = int(chosen["id"]), str(chosen["key"])
        already = sum(1 for a in before if (a.id, a.key) == (nid, key))
        hits = self._poll(
            lambda: [a for a in self.action_invocations() if (a.id, a.key) == (nid, key)],
            lambda found: len(found) > already,
            max(deadline - time.monotonic(), 2.0),
            f"ActionInvoked({nid}, {key!r}) after choosing {chosen['text']!r}",
        )
        return hits[-1]

    def _choose_in_context_menu(self, label: str, deadline: float) -> dict[str, Any]:
        """Open dunst's context menu until the dmenu script could pick `label`'s entry."""
        want_file = self.dunst_dir / "dmenu-want.json"
        result_file = self.dunst_dir / "dmenu-result.json"
        last_menu: str | None = None
        attempt = 0
        try:
            while True:
                attempt += 1
                want: dict[str, Any] = {
                    "nonce": f"{os.getpid()}-{time.monotonic_ns()}-{attempt}",
                    "label": label,
                }
                target = self._open_action_target(label)
                if target is not None:
                    want["id"], want["key"] = target
                tmp = want_file.with_suffix(".tmp")
                tmp.write_text(json.dumps(want))
                tmp.replace(want_file)
                self.dunstctl("context")
                # dunst runs dmenu at once if any displayed notification has actions,
                # and not at all otherwise: a short wait per attempt is enough.
                result = self._poll(
                    partial(self._read_result, result_file, want["nonce"]),
                    lambda r: r is not None,
                    min(1.0, max(deadline - time.monotonic(), 0.05)),
                    None,
                )
                if result is not None:
                    last_menu = result["menu"]
                    if result["chosen"] is not None:
                        return dict(result["chosen"])
                if time.monotonic() > deadline:
                    shown = "no menu (no displayed notification has actions)"
                    if last_menu is not None:
                        shown = f"the menu {last_menu!r}"
                    raise TimeoutError(
                        f"no displayed notification offers action {label!r}; dunst showed "
                        f"{shown}"
                    )
                time.sleep(0.1)
        finally:
            want_file.unlink(missing_ok=True)

    @staticmethod
    def _read_result(path: Path, nonce: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return result if result.get("nonce") == nonce else None

    # ---- tray icons ------------------------------------------------------------------

    def sni_items(self) -> list[str]:
        """RegisteredStatusNotifierItems according to the watcher ("service/path" strings)."""
        if not self.want_sni:
            raise RuntimeError("sni_items needs a desktop with sni=True")
        return [str(item) for item in self._watcher_property("RegisteredStatusNotifierItems")]

    def wait_for_sni(self, timeout: float = 10.0, *, count: int = 1) -> list[str]:
        """Wait until exactly `count` items are registered; return them."""
        return self._poll(
            self.sni_items, lambda items: len(items) == count, timeout,
            f"{count} StatusNotifierItem(s)",
        )

    def xembed_icon_count(self) -> int:
        """Icons docked in trayer: panel children that hold an embedded client window.

        trayer's panel has one GtkSocket child per icon (the icon's own window is
        reparented into it) plus an internal 1x1 window without children.
        """
        if not self.want_xembed:
            raise RuntimeError("xembed_icon_count needs a desktop with xembed=True")
        with self._xdisplay() as display:
            panel_id = self._trayer_panel()
            if panel_id is None:
                raise RuntimeError("trayer's panel window is gone")
            panel = display.create_resource_object("window", panel_id)
            count = 0
            for child in panel.query_tree().children:
                try:
                    if child.query_tree().children:
                        count += 1
                except Xlib.error.XError:
                    continue
            return count

    def wait_for_xembed(self, timeout: float = 10.0, *, count: int = 1) -> int:
        """Wait until exactly `count` XEmbed icons are docked; return the count."""
        return self._poll(
            self.xembed_icon_count, lambda n: n == count, timeout, f"{count} XEmbed icon(s)"
        )

    # ---- input, screen, processes ----------------------------------------------------

    def move_mouse(self, x: int, y: int) -> None:
        """Move the pointer (also resets the X idle time)."""
        self.run(["xdotool", "mousemove", "--sync", str(x), str(y)])

    def click(self, x: int, y: int, button: int = 1) -> None:
        """Move the pointer to (x, y) and click `button` there."""
        self.run(["xdotool", "mousemove", "--sync", str(x), str(y), "click", str(button)])

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save the whole screen as PNG (ImageMagick's import; `convert` may be a stub)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tool = shutil.which("import-im6.q16", path=self.path) or shutil.which(
            "import", path=self.path
        )
        if tool is None:
            raise DesktopUnavailable("import-im6.q16 (ImageMagick) not found on PATH")
        self.run([tool, "-display", self.display, "-window", "root", f"png:{target}"])
        if not target.is_file() or target.stat().st_size == 0:
            raise RuntimeError(f"screenshot {target} was not written")
        return target

    def run(
        self,
        cmd: Sequence[str],
        *,
        check: bool = True,
        timeout: float = 30.0,
        env: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside the desktop (with `env`, plus `env` overrides).

        Output is captured as text unless the caller says otherwise; a missing
        executable raises DesktopUnavailable.
        """
        argv = list(cmd)
        resolved = shutil.which(argv[0], path=self.path) if "/" not in argv[0] else argv[0]
        if resolved is None:
            raise DesktopUnavailable(f"{argv[0]} not found on PATH ({self.path})")
        kwargs.setdefault("capture_output", "stdout" not in kwargs and "stderr" not in kwargs)
        kwargs.setdefault("text", True)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run(
            [resolved, *argv[1:]],
            check=check,
            timeout=timeout,
            env={**self.env, **(env or {})},
            **kwargs,
        )

    def spawn(
        self,
        name: str,
        cmd: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start a long-running program (e.g. deskbreak) inside the desktop.

        It gets its own process group, logs to logs/<name>.log, and is killed by
        `stop()` before the desktop's own components.
        """
        log = self.logs_dir / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                list(cmd),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**self.env, **(env or {})},
                cwd=cwd if cwd is not None else self.tmpdir,
                start_new_session=True,
            )
        self._components.append(_Component(name, proc, log))
        return proc

    def terminate(self, proc: subprocess.Popen[bytes], grace: float = 5.0) -> int | None:
        """Stop a program started with `spawn` (its whole process group); its exit code."""
        code = self._kill_group(proc, grace)
        self._components = [c for c in self._components if c.proc is not proc]
        return code

    def log_files(self) -> list[Path]:
        """Every log and generated config worth keeping when a test fails."""
        files = sorted(self.logs_dir.glob("*")) if self.logs_dir.is_dir() else []
        files += [p for p in sorted(self.dunst_dir.glob("*")) if p.is_file()]
        files += sorted(self.tmpdir.glob("*-bus.conf"))
        return files

    # ---- helpers ---------------------------------------------------------------------

    @staticmethod
    def _poll(
        get: Callable[[], T], ok: Callable[[T], bool], timeout: float, what: str | None
    ) -> T:
        """Call `get` until `ok(value)`; on timeout raise (what given) or return the value."""
        deadline = time.monotonic() + timeout
        while True:
            value = get()
            if ok(value):
                return value
            if time.monotonic() > deadline:
                if what is None:
                    return value
                raise TimeoutError(f"waited {timeout:.1f}s for {what}; last saw {value!r}")
            time.sleep(0.05)
