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
``exec_keys`` adds what a ``%`` in the program's own path needs (see there).
"""

from __future__ import annotations

from collections.abc import Sequence

GROUP = "Desktop Entry"
ENV = "/usr/bin/env"  # starts a program whose path GLib cannot take as Exec's first word
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_QUOTED_ESCAPES = '"`$\\'
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


def exec_keys(argv: Sequence[str]) -> list[tuple[str, str]]:
    """The ``Exec`` key (and ``TryExec`` when needed) of an entry that runs ``argv``.

    A ``%`` in the program's own path cannot be written so that sessions start it:
    GLib's desktop-entry loader (what GNOME's session uses) and systemd's
    xdg-autostart-generator look for Exec's first word before expanding field codes,
    so ``100%%`` names a folder that does not exist and the entry is skipped, while a
    lone ``%`` is a field code that expands to nothing at launch. So such a program is
    started through ``/usr/bin/env``, where its path is an argument and ``%%`` is a
    ``%``, and ``TryExec`` names it as it is, so a session still skips the entry, and
    status says so, once the program is gone. ValueError as for ``exec_line``.
    """
    if not argv or "%" not in argv[0]:
        return [("Exec", exec_line(argv))]
    return [("Exec", exec_line([ENV, *argv])), ("TryExec", escape_string(argv[0]))]


def command_of(keys: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The argv the ``Exec`` of ``keys`` (as ``exec_keys`` gives them) runs."""
    return tuple(split_exec(unescape_string(dict(keys)["Exec"])))


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


_SPACE = " \t\n\v\f\r"  # GLib's g_ascii_isspace: what it trims around keys and values
_LOCALE = frozenset("-_.@")  # besides letters and digits, in a key's [locale] suffix


def _group_name(line: str) -> str | None:
    """The group a ``[name]`` line opens (spaces and tabs may follow the ``]``), valid or
    not, or None when the line is not a group header at all."""
    if not line.startswith("[") or "]" not in line:
        return None
    name, _, rest = line[1:].partition("]")
    if rest.strip(" \t"):
        return None
    return name


def _valid_group_name(name: str) -> bool:
    return bool(name) and "[" not in name and not any(ord(c) < 32 or c == "\x7f"
                                                      for c in name)


def _valid_key(key: str) -> bool:
    """GLib's rule (g_key_file_is_key_name), wider than the spec's ``A-Za-z0-9-``: any
    characters but ``=[]``, no space at either end, then an optional ``[locale]`` of
    letters, digits and ``-_.@``. Session managers read keys through GLib, so a key it
    accepts (``X_Foo``, ``Name[de]``) must not make deskbreak call the entry broken."""
    base_end = next((i for i, c in enumerate(key) if c in "[]"), len(key))
    base = key[:base_end]
    if not base or base[0] == " " or base[-1] == " ":
        return False
    if base_end == len(key):
        return True
    if key[base_end] != "[" or not key.endswith("]"):
        return False
    return all(c.isalnum() or c in _LOCALE for c in key[base_end + 1:-1])


def read_entry(text: str) -> dict[str, str]:
    """The ``[Desktop Entry]`` group's keys and their raw (still escaped) values.

    Parsed as GLib's key file parser does (session managers use it): lines end at
    ``\\n`` (a ``\\r`` before it is dropped) and leading white space is ignored; a line is
    blank, a ``#`` comment, a ``[group]`` header or ``key=value`` with a key GLib
    accepts; the last of a repeated key wins. What GLib refuses is a DesktopEntryError
    naming the line, since the session would then ignore the file; so is a first group
    other than ``[Desktop Entry]``, which GLib's desktop-entry loader refuses.
    """
    if "\x00" in text:
        raise DesktopEntryError("contains a NUL character")
    keys: dict[str, str] = {}
    group: str | None = None
    for number, raw_line in enumerate(text.split("\n"), 1):
        line = raw_line.removesuffix("\r").lstrip(_SPACE)
        if not line or line.startswith("#"):
            continue
        name = _group_name(line)
        if name is not None:
            if not _valid_group_name(name):
                raise DesktopEntryError(f"line {number}: an invalid group name: [{name}]")
            if group is None and name != GROUP:
                raise DesktopEntryError(f"line {number}: the first group must be [{GROUP}]")
            group = name
            continue
        key, equals, value = line.partition("=")
        if not equals and line.startswith("["):
            raise DesktopEntryError(f"line {number}: a malformed group header")
        if not equals or not key:
            raise DesktopEntryError(f"line {number}: not a key=value line, a [group] or a "
                                    "comment")
        if group is None:
            raise DesktopEntryError(f"line {number}: a key before [{GROUP}]")
        key = key.rstrip(_SPACE)
        if not _valid_key(key):
            raise DesktopEntryError(f"line {number}: an invalid key name: {key}")
        value = value.lstrip(_SPACE)
        if group == GROUP:
            if key == "Encoding" and value.casefold() != "utf-8":
                raise DesktopEntryError(f"line {number}: an encoding other than UTF-8")
            keys[key] = value
    if group is None:
        raise DesktopEntryError(f"no [{GROUP}] group")
    return keys
