"""The exercise catalogue: the built-in entries plus the user's own.

Built-in entries come from the five source web pages (``origin = "seed"``), are seated or
standing versions of those (``"adapted"``), or are standard advice the pages don't give,
such as in-seat circulation movements for travelers (``"editorial"``, which must cite the
public pages followed): an entry never credits a page that doesn't describe it.
Entries are validated on load against the rules that make a break safe and useful:
office and travel contexts only get exercises that can be done standing or seated, and
every summary fits a notification on every platform. A bad entry is reported with the
file, line, entry id and field.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from deskbreak.config import CONTEXTS, PACKAGE_DIR, POSITIONS, Config, did_you_mean
from deskbreak.core.routine import STOP_FIRST
from deskbreak.errors import CatalogueError, ConfigError
from deskbreak.userfile import UserFileError, read_user_text

SUMMARY_MAX = 200
FOCUS = ("back", "circulation", "walk", "upper")
"""What a movement is for: the lower back, leg circulation (against blood clots on long
trips), getting up and walking, or the shoulders, neck and upper back."""
ORIGINS = ("seed", "adapted", "editorial", "user")
"""Where an entry comes from: described by a source page ("seed"), a seated or standing
version of one ("adapted", names it in ``adapted_from``), standard advice from a cited
public source that the pages don't describe ("editorial", needs ``citations``), or the
user's own ``extra_catalogue`` entry ("user", the default there)."""
STOP_RULE = STOP_FIRST  # worded once, in the core routine that shows it first
"""The first caution of every built-in entry: the one rule that applies to all of them."""
DOCTOR_NOTE = ("This is general information, not medical advice: check with your doctor or "
               "physiotherapist before starting an exercise programme (especially if you are "
               "pregnant, have osteoporosis or have had spine or hip surgery), and rest a day "
               "or two rather than exercise during a bad flare-up.")
"""The source pages all say to check with a doctor first: shown once, not at every break."""
CARE_NOTE = ("Get medical help promptly for back pain with numbness around your groin or "
             "buttocks, changes in bladder or bowel control, leg weakness that gets worse, "
             "a fever, or pain after a fall or injury.")
"""Editorial, beyond the source pages (they give no warning signs): the urgent signs in
the NHS's advice on back pain (https://www.nhs.uk/conditions/back-pain/)."""
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
    focus: tuple[str, ...] = ("back",)
    origin: str = "user"
    citations: tuple[str, ...] = ()
    builtin: bool = False  # shipped in exercises.toml, not from the user's own file

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``list --json`` and ``show --json``."""
        data = asdict(self)
        del data["builtin"]  # where it came from is ``origin``; this is bookkeeping
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data

    def in_seat(self) -> bool:
        """Doable without leaving the seat (seated, needing at most the chair): what a
        traveler can do with the seat-belt sign on, and all a car passenger can do."""
        return self.position == "seated" and set(self.needs) <= {"chair"}

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
    "focus": (lambda v: isinstance(v, list) and bool(v) and all(f in FOCUS for f in v)
              and len(set(v)) == len(v),
              "a non-empty list drawn from " + ", ".join(FOCUS), ["back"]),
    # The default depends on adapted_from; see _validate.
    "origin": (lambda v: v in ORIGINS, "one of " + ", ".join(ORIGINS), ""),
    "citations": (_texts, "a list of strings (\"Publisher: title, URL\")", []),
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
            values[key] = tuple(default) if isinstance(default, list) else default
            continue
        if not check(raw[key]):
            raise ValueError(key, f"expected {want}, got {raw[key]!r}"[:160])
        values[key] = tuple(raw[key]) if isinstance(raw[key], list) else raw[key]
    if not values["origin"]:
        values["origin"] = "adapted" if values["adapted_from"] else "user"
    origin = values["origin"]
    if origin == "adapted" and not values["adapted_from"]:
        raise ValueError("origin", "\"adapted\" needs adapted_from (the exercise it adapts)")
    if origin in ("seed", "editorial") and values["adapted_from"]:
        raise ValueError("adapted_from", f"an {origin} entry adapts nothing; use "
                                         "origin = \"adapted\"")
    if origin == "editorial" and not values["citations"]:
        raise ValueError("citations", "an editorial entry needs the public source(s) it "
                                      "follows")
    if origin in ("seed", "adapted") and not values["sources"]:
        raise ValueError("sources", f"a {origin} entry names the source page(s) it follows")
    position, contexts, needs = values["position"], values["contexts"], values["needs"]
    if position not in UPRIGHT and ({"desk", "travel"} & set(contexts)):
        raise ValueError("contexts", f"desk and travel need a standing or seated exercise, "
                                     f"not {position}")
    if "travel" in contexts and not set(needs) <= set(TRAVEL_NEEDS):
        raise ValueError("contexts", "travel exercises may only need a seat or space to walk")
    return Exercise(**values)


def load_toml(text: str, label: str) -> dict[str, Any]:
    """TOML text, or a CatalogueError in one line naming ``label`` and the line."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise CatalogueError(label, "invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise CatalogueError(label, f"invalid TOML: {str(exc).split(' (at')[0]}",
                             line=int(match.group(1)) if match else None) from None


def _source_table(data: dict[str, Any], label: str) -> dict[str, str]:
    """The built-in ``[sources]`` table: seed file name -> the web page's title.

    The file names are how the tests tie entries to the seed pages; users see the titles.
    """
    table = data.get("sources", {})
    if not isinstance(table, dict):
        raise CatalogueError(label, "expected a table of file name = page title",
                             key="sources")
    for name, title in table.items():
        if not _text(title):
            raise CatalogueError(label, "expected the page's title", key=f"sources.{name}")
    return dict(table)


def _check_builtin(raw: dict[str, Any], exercise: Exercise, titles: dict[str, str]) -> None:
    if "origin" not in raw:
        raise ValueError("origin", "missing (a built-in entry says where it comes from)")
    if exercise.origin == "user":
        raise ValueError("origin", "\"user\" is for users' own entries")
    if exercise.cautions[:1] != (STOP_RULE,):
        raise ValueError("cautions", f"the first caution must be {STOP_RULE!r}")
    for name in exercise.sources:
        if name not in titles:
            raise ValueError("sources", f"{name!r} has no title in [sources]")


def parse_catalogue(path: Path, text: str, label: str, *, builtin: bool = False
                    ) -> list[Exercise]:
    """Parse a catalogue file; ``label`` names it in errors (built-in or the user's path).

    The built-in file is held to more: every entry states its origin, and every source it
    names has a title in ``[sources]`` (users' files name their sources in free text).
    """
    data = load_toml(text, label)
    allowed = ("exercise", "sources") if builtin else ("exercise",)
    unknown = [key for key in data if key not in allowed]
    if unknown:
        raise CatalogueError(label, "unknown key (expected [[exercise]] tables only)",
                             key=unknown[0])
    titles = _source_table(data, label) if builtin else {}
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
            exercise = _validate(raw, name)
            if builtin:
                _check_builtin(raw, exercise, titles)
                exercise = replace(exercise, builtin=True)
            out.append(exercise)
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
    """The built-in catalogue's TOML, read from the package's files (not through
    importlib.resources, which the daemon would keep loaded for this one read)."""
    return (PACKAGE_DIR / BUILTIN).read_text("utf-8")


def load_builtin() -> list[Exercise]:
    return parse_catalogue(Path(BUILTIN), builtin_text(), f"<built-in {BUILTIN}>",
                           builtin=True)


@functools.cache
def source_titles() -> dict[str, str]:
    """The built-in ``[sources]`` table (seed file name -> page title), read once."""
    label = f"<built-in {BUILTIN}>"
    return _source_table(load_toml(builtin_text(), label), label)


def source_label(name: str) -> str:
    """What users see for a source: the page's title, or a user's own text as written."""
    title = source_titles().get(name)
    return f"'{title}' (web page)" if title else name


def _check_exclusions(config: Config, catalogue: Catalogue) -> Catalogue:
    """A misspelt id in ``exclude.ids`` would silently exclude nothing: refuse it."""
    for ident in config.exclude_ids:
        if ident not in catalogue:
            guess = did_you_mean(ident, catalogue.ids())
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
