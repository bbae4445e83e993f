"""Just enough of the freedesktop Desktop Entry format to write deskbreak's two entries
(the login autostart entry and the application-menu launcher) and to read one back.

Reading back matters: "start at login" is only on if the entry the session will use is
present, not hidden, and starts a program that still exists, and a user who disabled the
entry in their desktop's settings must see "off". So ``read_entry`` parses the
``[Desktop Entry]`` group the way session managers (GLib's key file) do, and refuses
what they would refuse, with the line number, instead of guessing.

``exec_line`` and ``split_exec`` implement the Exec key's quoting (Desktop Entry spec,
"The Exec key"): arguments with reserved characters go in double quotes with ``"``,
`````, ``$`` and ``\\`` escaped, ``%`` is doubled, and the string escapes (``\\\\``,
``\\n``...) are applied on top, so a path with spaces or quotes starts the right program.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

GROUP = "Desktop Entry"
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_QUOTED_ESCAPES = '"`$\\'
_KEY = re.compile(r"[A-Za-z0-9-]+(\[[^\]\s]+\])?")
_STRING_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


class DesktopEntryError(ValueError):
    """The text is not a desktop entry a session would use; the message says where."""


# --- values ------------------------------------------------------------------------------
def escape_string(text: str) -> str:
    """A string value as written in the file: backslash, newline, tab, CR escaped."""
    out = (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
           .replace("\r", "\\r"))
    return "\\s" + out[1:] if out.startswith(" ") else out


def unescape_string(raw: str) -> str:
    """The value a string key holds (``\\s`` -> space, ...); unknown escapes stay as they are."""
    out: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw) and raw[index + 1] in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[raw[index + 1]])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def boolean(raw: str | None) -> bool | None:
    """A boolean key as GLib reads it ("true"/"1", "false"/"0"); None when absent or invalid."""
    if raw is None:
        return None
    value = raw.strip()
    return True if value in ("true", "1") else False if value in ("false", "0") else None


def _quote_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")  # a literal percent sign, never a field code
    if arg and not _RESERVED.intersection(arg):
        return arg
    return '"' + "".join("\\" + c if c in _QUOTED_ESCAPES else c for c in arg) + '"'


def exec_line(argv: Sequence[str]) -> str:
    """The Exec value (as written in the file) that runs exactly ``argv``.

    ValueError when an argument cannot be written into a UTF-8 desktop file (a path with
    bytes that are not UTF-8, or a control character no session would pass through).
    """
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{arg!r} is not valid UTF-8") from None
        if any((ord(c) < 32 and c not in "\t\n") or c == "\x7f" for c in arg):
            raise ValueError(f"{arg!r} contains a control character")
    return escape_string(" ".join(_quote_arg(arg) for arg in argv))


def split_exec(value: str) -> list[str]:
    """The argv an Exec value (already string-unescaped) runs, field codes dropped.

    ValueError on an unterminated quote or a lone ``%`` at the end.
    """
    args: list[str] = []
    current: list[str] = []
    started = quoted = False
    index = 0
    while index < len(value):
        char = value[index]
        if char == "%":
            if index + 1 >= len(value):
                raise ValueError("a lone % at the end of Exec")
            if value[index + 1] == "%":
                current.append("%")
                started = True
            # any other field code expands to nothing here: no files, no URLs
            index += 2
            continue
        if quoted:
            if char == "\\" and index + 1 < len(value) and value[index + 1] in _QUOTED_ESCAPES:
                current.append(value[index + 1])
                index += 2
                continue
            if char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == " ":
            if started:
                args.append("".join(current))
            current, started = [], False
        elif char == '"':
            quoted = started = True
        else:
            current.append(char)
            started = True
        index += 1
    if quoted:
        raise ValueError("an unterminated quote in Exec")
    if started:
        args.append("".join(current))
    return args


# --- files -------------------------------------------------------------------------------
def render_entry(pairs: Sequence[tuple[str, str]]) -> str:
    """The text of a ``[Desktop Entry]`` with these keys, values already escaped."""
    return f"[{GROUP}]\n" + "".join(f"{key}={value}\n" for key, value in pairs)


def read_entry(text: str) -> dict[str, str]:
    """The ``[Desktop Entry]`` group's keys and their raw (still escaped) values.

    The group must come first, and every line must be a comment, a group header or a
    ``Key=Value``; anything else is a DesktopEntryError naming the line, as GLib refuses
    such a file and the session then ignores it.
    """
    if "\x00" in text:
        raise DesktopEntryError("contains a NUL character")
    keys: dict[str, str] = {}
    group: str | None = None
    seen_group = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            if not stripped.endswith("]") or len(stripped) < 3:
                raise DesktopEntryError(f"line {number}: a malformed group header")
            group = stripped[1:-1]
            if not seen_group and group != GROUP:
                raise DesktopEntryError(f"line {number}: the first group must be [{GROUP}]")
            seen_group = True
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals or not _KEY.fullmatch(key):
            raise DesktopEntryError(f"line {number}: not a Key=Value line")
        if group is None:
            raise DesktopEntryError(f"line {number}: a key before [{GROUP}]")
        if group == GROUP:
            keys[key] = value.lstrip()
    if not seen_group:
        raise DesktopEntryError(f"no [{GROUP}] group")
    return keys
