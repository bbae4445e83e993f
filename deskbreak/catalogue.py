"""The exercise catalogue: the built-in entries from the seed documents plus the user's own.

Entries are validated on load against the rules that make a break safe and useful:
office and travel contexts only get exercises that can be done standing or seated, and
every summary fits a notification on every platform. A bad entry is reported with the
file, line, entry id and field.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from deskbreak.config import CONTEXTS, POSITIONS, Config
from deskbreak.errors import CatalogueError, ConfigError
from deskbreak.userfile import UserFileError, read_user_text

SUMMARY_MAX = 200
NEEDS = ("chair", "floor space", "wall", "bed", "space to walk")
UPRIGHT = ("standing", "seated")
TRAVEL_NEEDS = ("chair", "space to walk")
BUILTIN = "exercises.toml"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Exercise:
    """One exercise with its dose; times in seconds, ``reps`` per side when ``per_side``."""

    id: str
    name: str
    position: str
    needs: tuple[str, ...]
    duration_s: int
    hold_s: int
    reps: int
    per_side: bool
    rest_s: int
    summary: str
    steps: tuple[str, ...]
    cautions: tuple[str, ...]
    sources: tuple[str, ...]
    contexts: tuple[str, ...]
    adapted_from: str
    dose_note: str

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``list --json`` and ``show --json``."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    def dose(self) -> str:
        """A short human dose line: "hold 20 s, 3 times each side"."""
        parts = []
        if self.hold_s:
            parts.append(f"hold {self.hold_s} s")
        if self.reps > 1:
            parts.append(f"{self.reps} times")
        text = ", ".join(parts) or "once"
        return text + (" each side" if self.per_side else "")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(_text(v) for v in value)


def _count(low: int, high: int) -> Any:
    def check(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return check


# field -> (check, description of a good value, default when optional)
_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "id": (lambda v: isinstance(v, str) and bool(_ID.match(v)), "a kebab-case id", None),
    "name": (lambda v: _text(v) and len(v) <= 60, "a name of at most 60 characters", None),
    "position": (lambda v: v in POSITIONS, "one of " + ", ".join(POSITIONS), None),
    "needs": (lambda v: isinstance(v, list) and all(n in NEEDS for n in v),
              "a list drawn from " + ", ".join(NEEDS), []),
    "duration_s": (_count(5, 1800), "whole seconds between 5 and 1800", None),
    "hold_s": (_count(0, 600), "whole seconds between 0 and 600", 0),
    "reps": (_count(1, 100), "a whole number between 1 and 100", 1),
    "per_side": (lambda v: isinstance(v, bool), "true or false", False),
    "rest_s": (_count(0, 600), "whole seconds between 0 and 600", 0),
    "summary": (lambda v: _text(v) and len(v) <= SUMMARY_MAX,
                f"text of at most {SUMMARY_MAX} characters", None),
    "steps": (lambda v: _texts(v) and len(v) >= 1, "a non-empty list of strings", None),
    "cautions": (_texts, "a list of strings", []),
    "sources": (_texts, "a list of strings", []),
    "contexts": (lambda v: isinstance(v, list) and all(c in CONTEXTS for c in v),
                 "a list drawn from " + ", ".join(CONTEXTS), None),
    "adapted_from": (lambda v: isinstance(v, str), "an exercise id or \"\"", ""),
    "dose_note": (lambda v: isinstance(v, str), "a string", ""),
}


def _entry_lines(text: str) -> list[int]:
    """Line numbers of each ``[[exercise]]`` header, so errors can point at the entry."""
    return [
        number for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().replace(" ", "") == "[[exercise]]"
    ]


def _field_line(text: str, start: int | None, key: str) -> int | None:
    if start is None:
        return None
    lines = text.splitlines()
    for number in range(start, len(lines)):
        line = lines[number].strip()
        if line.startswith("["):
            break
        if re.match(rf"^{re.escape(key)}\s*=", line):
            return number + 1
    return start


def _validate(raw: Any, label: str) -> Exercise:
    """Check one entry's fields; raises ValueError(field, problem) on the first bad one."""
    if not isinstance(raw, dict):
        raise ValueError("", "expected a table of fields")
    for key in raw:
        if key not in _FIELDS:
            raise ValueError(key, "unknown field")
    values: dict[str, Any] = {}
    for key, (check, want, default) in _FIELDS.items():
        if key not in raw:
            if default is None:
                raise ValueError(key, "missing")
            values[key] = default
            continue
        if not check(raw[key]):
            raise ValueError(key, f"expected {want}, got {raw[key]!r}"[:160])
        values[key] = tuple(raw[key]) if isinstance(raw[key], list) else raw[key]
    position, contexts, needs = values["position"], values["contexts"], values["needs"]
    if position not in UPRIGHT and ({"desk", "travel"} & set(contexts)):
        raise ValueError("contexts", f"desk and travel need a standing or seated exercise, "
                                     f"not {position}")
    if "travel" in contexts and not set(needs) <= set(TRAVEL_NEEDS):
        raise ValueError("contexts", "travel exercises may only need a seat or space to walk")
    return Exercise(**values)


def parse_catalogue(path: Path, text: str, label: str) -> list[Exercise]:
    """Parse a catalogue file; ``label`` names it in errors (built-in or the user's path)."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise CatalogueError(label, "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise CatalogueError(label, f"invalid TOML: {str(exc).split(' (at')[0]}",
                             line=int(match.group(1)) if match else None) from None
    unknown = [key for key in data if key != "exercise"]
    if unknown:
        raise CatalogueError(label, "unknown key (expected [[exercise]] tables only)",
                             key=unknown[0])
    entries = data.get("exercise", [])
    if not isinstance(entries, list):
        raise CatalogueError(label, "expected [[exercise]] tables", key="exercise")
    starts = _entry_lines(text)
    out = []
    for index, raw in enumerate(entries):
        start = starts[index] if index < len(starts) else None
        ident = raw.get("id") if isinstance(raw, dict) else None
        name = f"exercise {ident!r}" if isinstance(ident, str) else f"exercise #{index + 1}"
        try:
            out.append(_validate(raw, name))
        except ValueError as exc:
            field, problem = exc.args
            key = f"{name}.{field}" if field else name
            raise CatalogueError(label, problem, line=_field_line(text, start, field),
                                 key=key) from None
    return out


class Catalogue:
    """All known exercises by id, in file order, with the checks that span entries."""

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        self._by_id: dict[str, Exercise] = {}
        for exercise in exercises:
            self._by_id[exercise.id] = exercise

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, ident: object) -> bool:
        return ident in self._by_id

    def get(self, ident: str) -> Exercise | None:
        return self._by_id.get(ident)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def in_context(self, context: str) -> list[Exercise]:
        return [e for e in self if context in e.contexts]

    def eligible(self, config: Config, context: str | None = None) -> list[Exercise]:
        """What a break may show: the context's exercises minus the user's exclusions."""
        context = context or config.context
        return [
            e for e in self.in_context(context)
            if e.id not in config.exclude_ids and e.position not in config.exclude_positions
        ]

    def eligible_ids(self, config: Config) -> dict[str, tuple[str, ...]]:
        """Every context's eligible exercise ids: what the core deals breaks from."""
        return {context: tuple(e.id for e in self.eligible(config, context))
                for context in CONTEXTS}


def _merge(builtin: list[Exercise], extra: list[Exercise], label: str, text: str) -> Catalogue:
    seen: dict[str, Exercise] = {}
    for exercise in builtin:
        seen[exercise.id] = exercise
    extra_ids: set[str] = set()
    starts = _entry_lines(text)
    for index, exercise in enumerate(extra):
        if exercise.id in extra_ids:
            line = starts[index] if index < len(starts) else None
            raise CatalogueError(label, "duplicate id in this file", line=line,
                                 key=f"exercise {exercise.id!r}.id")
        extra_ids.add(exercise.id)
        # A user entry with a built-in id replaces it: that is how users correct a dose.
        seen[exercise.id] = exercise
    catalogue = Catalogue(seen.values())
    for index, exercise in enumerate(extra):
        if exercise.adapted_from and exercise.adapted_from not in catalogue:
            start = starts[index] if index < len(starts) else None
            raise CatalogueError(label, f"no exercise with id {exercise.adapted_from!r}",
                                 line=_field_line(text, start, "adapted_from"),
                                 key=f"exercise {exercise.id!r}.adapted_from")
    return catalogue


def builtin_text() -> str:
    return resources.files("deskbreak").joinpath(BUILTIN).read_text("utf-8")


def load_builtin() -> list[Exercise]:
    return parse_catalogue(Path(BUILTIN), builtin_text(), f"<built-in {BUILTIN}>")


def _check_exclusions(config: Config, catalogue: Catalogue) -> Catalogue:
    """A misspelt id in ``exclude.ids`` would silently exclude nothing: refuse it."""
    for ident in config.exclude_ids:
        if ident not in catalogue:
            guess = difflib.get_close_matches(ident, catalogue.ids(), n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ConfigError(config.source or "<defaults>", f"no exercise {ident!r}{hint}",
                              key="exclude.ids")
    return catalogue


def load_catalogue(config: Config) -> Catalogue:
    """The built-in catalogue plus the user's ``extra_catalogue`` file, if any."""
    builtin = load_builtin()
    if config.extra_catalogue is None:
        return _check_exclusions(config, _merge(builtin, [], "", ""))
    path = config.extra_catalogue
    label = str(path)
    try:
        text = read_user_text(path, "catalogue")
    except UserFileError as exc:
        problem = str(exc)
        if problem == "no such file":
            problem += " (named by extra_catalogue)"
        raise CatalogueError(label, problem) from None
    return _check_exclusions(config, _merge(builtin, parse_catalogue(path, text, label), label,
                                            text))


def load_for_breaks(config: Config) -> Catalogue:
    """The catalogue, refusing a config whose exclusions leave no exercise to show.

    What ``deskbreak run`` needs before it starts, and so also what ``config check`` and
    a reload of the running daemon check.
    """
    catalogue = load_catalogue(config)
    if not catalogue.eligible(config):
        raise ConfigError(config.source or "<defaults>",
                          f"no exercises left in context {config.context!r} after your "
                          "exclusions", key="exclude")
    return catalogue
