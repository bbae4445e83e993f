"""Each built-in exercise's picture, read from ``illustrations.toml`` beside the catalogue.

An entry names the view, what the body rests on, the props, and two key poses: ``start``
(the position the steps set up) and ``hold`` (the position held, or the far end of a
movement), the hold written as changes to the start. The other side of a per-side
exercise is the same picture mirrored. An exercise with no entry shows no figure: users'
own exercises, and any built-in one whose figure was not clear enough to ship.

Validated like the catalogue: a bad entry is one line naming the file, line and key.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from deskbreak.catalogue import load_toml
from deskbreak.config import PACKAGE_DIR
from deskbreak.errors import CatalogueError
from deskbreak.figure.scene import FACINGS, PROPS, RESTS, VIEWS, Prop, Scene
from deskbreak.figure.skeleton import Arm, Leg, Pose
from deskbreak.figure.stills import shipped

FILE = "illustrations.toml"
LIMBS = {"left_arm": Arm, "right_arm": Arm, "left_leg": Leg, "right_leg": Leg}
ENTRY_KEYS = ("view", "rest", "props", "start", "hold", "cycle_s", "note")
LEFT_OUT = "left_out"  # an entry with only this: why the exercise ships without a figure
ANGLE_MAX = 360.0
X_MAX = 300.0


@dataclass(frozen=True)
class Illustration:
    """One exercise's picture; ``cycle_s`` loops a movement with no hold (a walk)."""

    id: str
    scene: Scene
    start: Pose
    hold: Pose
    cycle_s: float | None = None


def _number(value: Any, where: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(where, f"expected a number, got {value!r}"[:120])
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(where, f"expected a number between {-limit:g} and {limit:g}, "
                                f"got {value!r}"[:120])
    return float(value)


def _pose(raw: Any, where: str, base: Pose) -> Pose:
    """A pose table; what it leaves out is taken from ``base`` (the start for a hold)."""
    if not isinstance(raw, dict):
        raise ValueError(where, "expected a table of joint angles")
    values: dict[str, Any] = {}
    names = {f.name for f in fields(Pose)}
    for key, value in raw.items():
        if key not in names:
            raise ValueError(f"{where}.{key}", "unknown joint")
        if key in LIMBS:
            if not isinstance(value, dict):
                raise ValueError(f"{where}.{key}", "expected a table of angles")
            kind = LIMBS[key]
            allowed = {f.name for f in fields(kind)}
            limb = {f.name: getattr(getattr(base, key), f.name) for f in fields(kind)}
            for name, angle in value.items():
                if name not in allowed:
                    raise ValueError(f"{where}.{key}.{name}", "unknown angle (expected "
                                     + ", ".join(sorted(allowed)) + ")")
                limb[name] = _number(angle, f"{where}.{key}.{name}", ANGLE_MAX)
            values[key] = kind(**limb)
        else:
            values[key] = _number(value, f"{where}.{key}", X_MAX if key == "x" else ANGLE_MAX)
    return Pose(**{f.name: values.get(f.name, getattr(base, f.name)) for f in fields(Pose)})


def _props(raw: Any) -> tuple[Prop, ...]:
    if not isinstance(raw, list):
        raise ValueError("props", "expected a list of { kind, x, facing } tables")
    out = []
    for number, item in enumerate(raw, start=1):
        where = f"props[{number}]"
        if not isinstance(item, dict):
            raise ValueError(where, "expected a { kind, x, facing } table")
        unknown = [k for k in item if k not in ("kind", "x", "facing")]
        if unknown:
            raise ValueError(f"{where}.{unknown[0]}", "unknown key")
        kind = item.get("kind")
        if kind not in PROPS:
            raise ValueError(f"{where}.kind", "expected one of " + ", ".join(PROPS))
        facing = item.get("facing", "right")
        if facing not in FACINGS:
            raise ValueError(f"{where}.facing", "expected left or right")
        out.append(Prop(kind, _number(item.get("x", 0.0), f"{where}.x", X_MAX), facing))
    return tuple(out)


def _entry(raw: Any, ident: str) -> Illustration:
    if not isinstance(raw, dict):
        raise ValueError("", "expected a table")
    for key in raw:
        if key not in ENTRY_KEYS:
            raise ValueError(key, "unknown key (expected " + ", ".join(ENTRY_KEYS) + ")")
    view = raw.get("view", "side")
    if view not in VIEWS:
        raise ValueError("view", "expected one of " + ", ".join(VIEWS))
    rest = raw.get("rest", "floor")
    if rest not in RESTS:
        raise ValueError("rest", "expected one of " + ", ".join(RESTS))
    props = _props(raw.get("props", []))
    kinds = {p.kind for p in props}
    if rest == "seat" and not kinds & {"chair", "airline-seat"}:
        raise ValueError("rest", "\"seat\" needs a chair or airline-seat prop")
    if rest == "bed" and "bed" not in kinds:
        raise ValueError("rest", "\"bed\" needs a bed prop")
    for key in ("start", "hold"):
        if key not in raw:
            raise ValueError(key, "missing")
    start = _pose(raw["start"], "start", Pose())
    hold = _pose(raw["hold"], "hold", start)
    cycle = raw.get("cycle_s")
    if cycle is not None:
        cycle = _number(cycle, "cycle_s", 60.0)
        if cycle < 0.5:
            raise ValueError("cycle_s", "expected at least 0.5 seconds")
    if "note" in raw and not isinstance(raw["note"], str):
        raise ValueError("note", "expected a string")
    return Illustration(ident, Scene(view, rest, props), start, hold, cycle)


def _line_of(text: str, ident: str) -> int | None:
    pattern = re.compile(rf"^\[\s*\"?{re.escape(ident)}\"?\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line.strip()):
            return number
    return None


def parse(text: str, label: str) -> dict[str, Illustration | str]:
    """Every entry of an illustrations file by exercise id: its picture, or why it has
    none (``left_out = "..."``)."""
    data = load_toml(text, label)
    out: dict[str, Illustration | str] = {}
    for ident, raw in data.items():
        try:
            if isinstance(raw, dict) and LEFT_OUT in raw:
                out[ident] = _left_out(raw)
                continue
            out[ident] = _entry(raw, ident)
        except ValueError as exc:
            key, problem = exc.args
            raise CatalogueError(label, problem, line=_line_of(text, ident),
                                 key=f"{ident}.{key}" if key else ident) from None
    return out


def _left_out(raw: dict[str, Any]) -> str:
    reason = raw[LEFT_OUT]
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(LEFT_OUT, "expected the reason, as text")
    others = [key for key in raw if key not in (LEFT_OUT, "note")]
    if others:
        raise ValueError(others[0], "an entry left out has no pose")
    return reason.strip()


@functools.cache
def _builtin_file() -> dict[str, Illustration | str]:
    return parse((PACKAGE_DIR / FILE).read_text("utf-8"), f"<built-in {FILE}>")


def builtin() -> dict[str, Illustration]:
    """The built-in pictures, read once per process (the guide's, never the daemon's)."""
    return {k: v for k, v in _builtin_file().items() if isinstance(v, Illustration)}


def left_out() -> dict[str, str]:
    """Built-in exercises shipped without a figure, and why."""
    return {k: v for k, v in _builtin_file().items() if isinstance(v, str)}


def for_exercise(exercise: Any) -> Illustration | None:
    """The picture of a catalogue entry, or None: users' own entries have none
    (``stills.shipped`` says why)."""
    if not shipped(exercise):
        return None
    return builtin().get(getattr(exercise, "id", ""))


def in_airline_seat(illustration: Illustration) -> Illustration:
    """A seated picture with its chair drawn as an airline seat (the same seat and
    back), for a trip's routine; others as they are."""
    scene = illustration.scene
    if scene.rest != "seat":
        return illustration
    props = tuple(replace(p, kind="airline-seat") if p.kind == "chair" else p
                  for p in scene.props)
    return replace(illustration, scene=replace(scene, props=props))
