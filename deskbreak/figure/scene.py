"""A posed figure among its props, placed on what it rests on and seen from one side.

An ``Illustration`` is one exercise's picture: the view, the props the steps need (a
chair, a wall, a mat), what the body rests on, and its key poses. ``Scene.shapes`` turns
one pose into flat shapes in centimetres (x right, y up) that any painter can draw:
Pillow for files and the guide window, a test for its checks. Pure: no drawing library.

Height is never authored: a body on the floor is lowered until its lowest point touches
the floor, a seated one puts its hip joints a cushion above the seat, so no frame of an
animation floats or sinks whatever the angles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from deskbreak.figure.skeleton import HEAD_R, SEAT_DEPTH, WIDTH, Body, Pose, Vec, pose_body

VIEWS = ("side", "front", "above")
"""side: the figure's left side towards the viewer; front: its face; above: looking down
from its left side."""
RESTS = ("floor", "seat", "bed")
PROPS = ("chair", "airline-seat", "wall", "desk", "bed", "mat")
FACINGS = ("left", "right")

NEAR, FAR, HEAD = "#1f5f99", "#8fb3d6", "#1f5f99"
PROP_FILL, PROP_LINE, FLOOR = "#dedbd3", "#9c9990", "#9c9990"
GAP = "#ffffff"  # the thin outline that keeps crossing limbs apart

Box = tuple[float, float, float, float, float, float]  # x0, x1, y0, y1, z0, z1


@dataclass(frozen=True)
class Prop:
    """Something in the scene: ``x`` is its centre along the floor (a wall's face, a
    desk's edge); ``facing`` is where someone using it faces (the chair's front)."""

    kind: str
    x: float = 0.0
    facing: str = "right"

    def boxes(self) -> list[Box]:
        """Its solid parts as boxes; a test checks that no limb passes through them."""
        f = 1.0 if self.facing == "right" else -1.0
        x = self.x

        def span(a: float, b: float) -> tuple[float, float]:  # along the facing
            return (min(x + f * a, x + f * b), max(x + f * a, x + f * b))

        if self.kind == "chair":  # seat top at 46 cm, backrest behind the sitter
            seat = (*span(-21, 21), 41.0, 46.0, -22.0, 22.0)
            back = (*span(-24, -20), 41.0, 90.0, -22.0, 22.0)
            legs = [(*span(a, a + 3), 0.0, 41.0, z, z + 3) for a in (-21, 18)
                    for z in (-22.0, 19.0)]
            return [seat, back, *legs]
        if self.kind == "airline-seat":  # the chair's seat and back planes, thicker
            seat = (*span(-21, 21), 34.0, 46.0, -22.0, 22.0)
            back = (*span(-32, -20), 34.0, 112.0, -22.0, 22.0)
            head = (*span(-30, -20), 112.0, 126.0, -14.0, 14.0)
            base = (*span(-14, 14), 0.0, 34.0, -18.0, 18.0)
            return [seat, back, head, base]
        if self.kind == "wall":  # its face at x, the wall behind it
            return [(*span(-8, 0), 0.0, 200.0, -80.0, 80.0)]
        if self.kind == "desk":  # its edge at x, the desk behind it
            top = (*span(-70, 0), 71.0, 75.0, -60.0, 60.0)
            leg = (*span(-66, -61), 0.0, 71.0, -55.0, 55.0)
            return [top, leg]
        if self.kind == "bed":  # mattress top at 50 cm, 200 cm long
            mattress = (x - 100.0, x + 100.0, 30.0, 50.0, -45.0, 45.0)
            frame = [(x + a, x + a + 6, 0.0, 30.0, -45.0, 45.0) for a in (-98.0, 92.0)]
            return [mattress, *frame]
        if self.kind == "mat":  # 1 cm under whoever lies on it
            return [(x - 95.0, x + 95.0, -1.0, 0.0, -35.0, 35.0)]
        raise ValueError(f"unknown prop {self.kind!r}")

    @property
    def solid(self) -> bool:
        return self.kind != "mat"


@dataclass(frozen=True)
class Shape:
    """One flat thing to paint, in centimetres with y up: a ``capsule`` (a limb: two
    points and a width), a ``disc`` (the head, an eye), a ``rect`` (a prop's part) or a
    ``line`` (the floor)."""

    kind: str
    points: tuple[tuple[float, float], ...]
    width: float
    fill: str
    outline: str = ""


def project(view: str, p: Vec) -> tuple[float, float, float]:
    """World point -> (x, y, depth); depth grows towards the viewer.

    Seen as a person would see it: from the figure's left side it faces left (its
    forward is the viewer's left), from the front its left hand is on the viewer's
    right, and from above (standing at its left side) its head is to the right when it
    lies face up. Drawn the other way round, the side view would show a left leg where
    only a right one can be.
    """
    x, y, z = p
    if view == "side":
        return -x, y, z
    if view == "front":
        return z, y, x
    return -x, -z, y


def _resting(body: Body, rest: str, props: Sequence[Prop]) -> float:
    """How high the pelvis goes so the body rests on its support (floor, seat, bed)."""
    if rest == "seat":
        seat = next(p for p in props if p.kind in ("chair", "airline-seat"))
        return seat.boxes()[0][3] + SEAT_DEPTH
    surface = 0.0
    if rest == "bed":
        surface = next(p for p in props if p.kind == "bed").boxes()[0][3]
    lowest = min(min(a[1], b[1]) - WIDTH[kind] / 2 for _, kind, a, b in body.bones)
    lowest = min(lowest, body.head[1] - HEAD_R)
    return surface - lowest


@dataclass(frozen=True)
class Placed:
    """A body at its place in the world: what the floor and seat checks look at."""

    body: Body
    offset: Vec

    def at(self, p: Vec) -> Vec:
        return (p[0] + self.offset[0], p[1] + self.offset[1], p[2] + self.offset[2])

    def bones(self) -> Iterable[tuple[str, str, Vec, Vec]]:
        for name, kind, a, b in self.body.bones:
            yield name, kind, self.at(a), self.at(b)


@dataclass(frozen=True)
class Scene:
    """An illustration's fixed parts: the view, the props, what the body rests on."""

    view: str
    rest: str
    props: tuple[Prop, ...] = ()

    def place(self, pose: Pose) -> Placed:
        body = pose_body(pose)
        return Placed(body, (pose.x, _resting(body, self.rest, self.props), 0.0))

    def clashes(self, pose: Pose, tolerance: float = 2.5) -> list[str]:
        """Limbs passing through the floor or a solid prop by more than ``tolerance``
        centimetres (a limb resting on a seat touches it; sinking into it is a clash)."""
        placed = self.place(pose)
        boxes = [(prop.kind, box) for prop in self.props if prop.solid for box in prop.boxes()]
        found: list[str] = []
        samples = [i / 8 for i in range(9)]
        head = placed.at(placed.body.head)
        for name, kind, a, b in [*placed.bones(), ("head", "head", head, head)]:
            radius = HEAD_R if kind == "head" else WIDTH[kind] / 2
            for t in samples:
                p = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t,
                     a[2] + (b[2] - a[2]) * t)
                if p[1] - radius < -tolerance:
                    found.append(f"{name} through the floor by {radius - p[1]:.0f} cm")
                    break
                hit = next((k for k, box in boxes if _inside(p, box, radius - tolerance)),
                           None)
                if hit:
                    found.append(f"{name} through the {hit}")
                    break
        return found

    def shapes(self, pose: Pose, *, mirror: bool = False) -> list[Shape]:
        """The props, the floor and the figure, back to front."""
        view = self.view
        out: list[Shape] = []
        for prop in self.props:
            for box in sorted(prop.boxes(), key=lambda b: _box_depth(view, b)):
                out.append(_rect(view, box))
        if view != "above":
            out.append(Shape("line", ((-400.0, 0.0), (400.0, 0.0)), 1.5, FLOOR))
        out += _figure(view, self.place(pose))
        if mirror:
            out = [Shape(s.kind, tuple((-x, y) for x, y in s.points), s.width, s.fill,
                         s.outline) for s in out]
        return out


def _inside(p: Vec, box: Box, margin: float) -> bool:
    """Whether ``p`` lies deeper than ``margin`` inside ``box``."""
    x0, x1, y0, y1, z0, z1 = box
    return (x0 + margin < p[0] < x1 - margin and y0 + margin < p[1] < y1 - margin
            and z0 + margin < p[2] < z1 - margin)


def _box_depth(view: str, box: Box) -> float:
    return project(view, (box[1], box[3], box[5]))[2]  # its corner nearest the viewer


def _rect(view: str, box: Box) -> Shape:
    x0, x1, y0, y1, z0, z1 = box
    a = project(view, (x0, y0, z0))
    b = project(view, (x1, y1, z1))
    return Shape("rect", ((min(a[0], b[0]), min(a[1], b[1])),
                          (max(a[0], b[0]), max(a[1], b[1]))), 0.0, PROP_FILL, PROP_LINE)


def _figure(view: str, placed: Placed) -> list[Shape]:
    """The body's bones as capsules and its head as a disc, far ones first and paler."""
    body = placed.body
    centre = project(view, placed.at(body.points["waist"]))[2]
    items: list[tuple[float, int, list[Shape]]] = []
    for order, (name, kind, a, b) in enumerate(placed.bones()):
        pa, pb = project(view, a), project(view, b)
        depth = (pa[2] + pb[2]) / 2
        side = name.split("_")[0]
        far = side in ("left", "right") and depth < centre - 4.0
        colour = FAR if far else NEAR
        width = WIDTH[kind]
        shape = Shape("capsule", ((pa[0], pa[1]), (pb[0], pb[1])), width, colour, GAP)
        # The trunk sits between the far limbs and the near ones.
        items.append((depth if side in ("left", "right") else centre, order, [shape]))
    head = project(view, placed.at(body.head))
    parts = [Shape("disc", ((head[0], head[1]),), 11.0, HEAD, GAP)]
    eye_local = tuple(body.head[i] + 7.5 * body.face[i] + 3.0 * body.head_up[i]
                      for i in range(3))
    left = _left_of(body)
    for side in (1.0, -1.0):  # the eyes, where they face the viewer
        eye = tuple(eye_local[i] + side * 3.8 * left[i] for i in range(3))
        e = project(view, placed.at(eye))  # type: ignore[arg-type]
        if e[2] >= head[2] - 1.0:
            parts.append(Shape("disc", ((e[0], e[1]),), 1.6, GAP))
    items.append((centre + 0.5, len(items), parts))
    items.sort(key=lambda item: (item[0], item[1]))
    return [shape for _, _, shapes in items for shape in shapes]


def _left_of(body: Body) -> Vec:
    """The head's own left: face x up, so the eyes sit either side of the nose."""
    f, u = body.face, body.head_up
    c = (u[1] * f[2] - u[2] * f[1], u[2] * f[0] - u[0] * f[2], u[0] * f[1] - u[1] * f[0])
    n = math.sqrt(sum(v * v for v in c)) or 1.0
    return (-c[0] / n, -c[1] / n, -c[2] / n)


def bounds(shapes: Iterable[Shape]) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) around everything but the floor line."""
    xs: list[float] = []
    ys: list[float] = []
    for shape in shapes:
        if shape.kind == "line":
            continue
        # A disc's width is its radius; a capsule's or line's is its thickness.
        pad = (shape.width if shape.kind == "disc" else shape.width / 2) + (
            1.2 if shape.outline else 0.0)
        for x, y in shape.points:
            xs += [x - pad, x + pad]
            ys += [y - pad, y + pad]
    return min(xs), min(ys), max(xs), max(ys)
