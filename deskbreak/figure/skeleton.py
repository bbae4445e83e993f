"""The figure's body: segment lengths, a pose as joint angles, and where each joint lands.

A pose is a handful of angles a physiotherapist would name (hip flexion 90, knee flexion
45), not coordinates: limbs keep their lengths whatever the angles, an animation blends
angles, and a test can hold every key pose to the body's normal ranges (``LIMITS``).
Lengths are centimetres of a 170 cm adult.

Frames: every part has a local frame with x forward (where the chest faces), y up along
the trunk (limbs hang along -y at rest) and z to the figure's own left. The world has y
up and the floor at y = 0; a figure at rest faces +x with its left side towards +z.
Pure: math only; ``scene`` places and projects it, ``draw`` paints it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]  # rows

# Centimetres.
LOWER_TRUNK = 20.0  # hip joints to waist
UPPER_TRUNK = 32.0  # waist to the base of the neck
NECK = 9.0
HEAD_R = 11.0
HIP_HALF = 9.0  # hip joint from the midline
SHOULDER_HALF = 17.0
SHOULDER_DROP = 4.0  # shoulder joints below the base of the neck
UPPER_ARM = 29.0
FOREARM = 30.0  # with the hand
THIGH = 43.0
SHANK = 42.0
FOOT = 19.0  # ankle to toes
HEEL = 5.0
SEAT_DEPTH = 9.0  # hip joints above what one sits on

# Drawn thickness (diameter) of each segment; the floor and seat checks use half of it.
WIDTH = {"trunk": 22.0, "neck": 9.0, "upper_arm": 9.0, "forearm": 7.5, "thigh": 14.0,
         "shank": 10.0, "foot": 6.0, "shoulders": 9.0, "hips": 12.0}

# Normal active-to-passive ranges in degrees (AAOS-style norms, rounded out a little for
# passive stretches): what a test holds every key pose to.
LIMITS: dict[str, tuple[float, float]] = {
    "spine.flex": (-35.0, 60.0), "spine.bend": (-35.0, 35.0), "spine.twist": (-50.0, 50.0),
    "neck.flex": (-50.0, 60.0), "neck.twist": (-70.0, 70.0),
    "arm.flex": (-60.0, 180.0), "arm.abd": (-45.0, 180.0), "arm.elbow": (0.0, 150.0),
    "leg.flex": (-30.0, 145.0), "leg.abd": (-30.0, 50.0), "leg.rot": (-40.0, 50.0),
    "leg.knee": (0.0, 155.0), "leg.ankle": (-50.0, 30.0),
}


@dataclass(frozen=True)
class Arm:
    """Shoulder flexion (forward, 180 overhead; negative behind), abduction (out to the
    side; negative across the body) and elbow flexion."""

    flex: float = 0.0
    abd: float = 0.0
    elbow: float = 0.0


@dataclass(frozen=True)
class Leg:
    """Hip flexion (thigh forward; negative behind), abduction (out to the side), external
    rotation (knee turned out), knee flexion and ankle dorsiflexion (toes up; negative
    points them)."""

    flex: float = 0.0
    abd: float = 0.0
    rot: float = 0.0
    knee: float = 0.0
    ankle: float = 0.0


@dataclass(frozen=True)
class Pose:
    """A whole body: how the pelvis sits in the world, then each joint.

    ``lean`` pitches the body forward (90: face down, level; -90: face up), ``roll``
    turns it about its long axis (with lean 90, roll 90 lies on its right side, face
    towards its left), ``turn`` is a turn about the vertical. ``x`` places the hip
    joints along the floor; their height comes from what the body rests on (``scene``).
    """

    x: float = 0.0
    lean: float = 0.0
    roll: float = 0.0
    turn: float = 0.0
    spine_flex: float = 0.0  # forward bend at the waist (negative arches back)
    spine_bend: float = 0.0  # side bend, to the figure's left
    spine_twist: float = 0.0  # chest turned to the figure's left
    neck_flex: float = 0.0  # chin down
    neck_twist: float = 0.0  # face turned to the figure's left
    left_arm: Arm = field(default_factory=Arm)
    right_arm: Arm = field(default_factory=Arm)
    left_leg: Leg = field(default_factory=Leg)
    right_leg: Leg = field(default_factory=Leg)

    def angles(self) -> Iterator[tuple[str, str, float]]:
        """Every joint angle as (where, limit key, degrees): what the range test checks."""
        yield "spine_flex", "spine.flex", self.spine_flex
        yield "spine_bend", "spine.bend", self.spine_bend
        yield "spine_twist", "spine.twist", self.spine_twist
        yield "neck_flex", "neck.flex", self.neck_flex
        yield "neck_twist", "neck.twist", self.neck_twist
        for side in ("left", "right"):
            arm: Arm = getattr(self, f"{side}_arm")
            for name in ("flex", "abd", "elbow"):
                yield f"{side}_arm.{name}", f"arm.{name}", getattr(arm, name)
            leg: Leg = getattr(self, f"{side}_leg")
            for name in ("flex", "abd", "rot", "knee", "ankle"):
                yield f"{side}_leg.{name}", f"leg.{name}", getattr(leg, name)

    def out_of_range(self) -> list[str]:
        """The joints beyond the body's normal range, worded for a test failure."""
        bad = []
        for where, key, value in self.angles():
            low, high = LIMITS[key]
            if not low <= value <= high:
                bad.append(f"{where} = {value:g} (normal {low:g} to {high:g})")
        return bad


def blend(a: Pose, b: Pose, t: float) -> Pose:
    """The pose ``t`` of the way from ``a`` to ``b``, angle by angle: limbs keep their
    lengths at every frame, as they would not if joint positions were blended."""
    def limb(x: Arm | Leg, y: Arm | Leg) -> Arm | Leg:
        return replace(x, **{f.name: getattr(x, f.name) + (getattr(y, f.name)
                                                           - getattr(x, f.name)) * t
                             for f in fields(x)})

    values: dict[str, object] = {}
    for f in fields(Pose):
        x, y = getattr(a, f.name), getattr(b, f.name)
        values[f.name] = limb(x, y) if isinstance(x, Arm | Leg) else x + (y - x) * t
    return Pose(**values)  # type: ignore[arg-type]


# --- rotations ------------------------------------------------------------------------------
def _rx(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))


def _ry(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))


def _rz(deg: float) -> Mat:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def _mul(a: Mat, b: Mat) -> Mat:
    cols = list(zip(*b, strict=True))
    return tuple(tuple(sum(x * y for x, y in zip(row, col, strict=True)) for col in cols)
                 for row in a)  # type: ignore[return-value]


def _chain(*mats: Mat) -> Mat:
    out = mats[0]
    for mat in mats[1:]:
        out = _mul(out, mat)
    return out


def _apply(m: Mat, v: Vec) -> Vec:
    return (m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
            m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
            m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2])


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@dataclass(frozen=True)
class Body:
    """Where every joint of a pose lands, with the pelvis at the origin.

    ``bones`` are (name, kind, start, end): kind names the thickness in ``WIDTH``; names
    say the side ("left_thigh"), so a drawing can tell near limbs from far ones.
    """

    points: dict[str, Vec]
    bones: tuple[tuple[str, str, Vec, Vec], ...]
    head: Vec
    face: Vec  # unit vector the face looks along
    head_up: Vec


BONES = (
    ("lower_trunk", "trunk", "pelvis", "waist"), ("upper_trunk", "trunk", "waist", "neck"),
    ("neck", "neck", "neck", "head_base"),
    ("shoulders", "shoulders", "left_shoulder", "right_shoulder"),
    ("hips", "hips", "left_hip", "right_hip"),
    *((f"{s}_{bone}", kind, f"{s}_{a}", f"{s}_{b}") for s in ("left", "right")
      for bone, kind, a, b in (("upper_arm", "upper_arm", "shoulder", "elbow"),
                               ("forearm", "forearm", "elbow", "hand"),
                               ("thigh", "thigh", "hip", "knee"),
                               ("shank", "shank", "knee", "ankle"),
                               ("foot", "foot", "heel", "toe"))),
)
"""Each bone: (name, thickness kind, from joint, to joint)."""

LENGTHS = {"lower_trunk": LOWER_TRUNK, "upper_trunk": UPPER_TRUNK, "neck": NECK,
           "upper_arm": UPPER_ARM, "forearm": FOREARM, "thigh": THIGH, "shank": SHANK,
           "foot": FOOT + HEEL, "shoulders": 2 * SHOULDER_HALF, "hips": 2 * HIP_HALF}
"""What each bone measures whatever the pose (a test checks every frame keeps them)."""


def pose_body(pose: Pose) -> Body:
    """Forward kinematics: the joints of ``pose`` with the pelvis at the origin."""
    root = _chain(_ry(pose.turn), _rz(-pose.lean), _ry(-pose.roll))
    pts: dict[str, Vec] = {"pelvis": (0.0, 0.0, 0.0)}
    pts["waist"] = _apply(root, (0.0, LOWER_TRUNK, 0.0))
    chest = _chain(root, _ry(-pose.spine_twist), _rx(pose.spine_bend), _rz(-pose.spine_flex))
    pts["neck"] = _add(pts["waist"], _apply(chest, (0.0, UPPER_TRUNK, 0.0)))
    head = _chain(chest, _ry(-pose.neck_twist), _rz(-pose.neck_flex))
    pts["head_base"] = _add(pts["neck"], _apply(head, (0.0, NECK, 0.0)))
    centre = _add(pts["head_base"], _apply(head, (0.0, HEAD_R, 0.0)))
    for side, sign in (("left", 1.0), ("right", -1.0)):
        arm: Arm = getattr(pose, f"{side}_arm")
        shoulder = _add(pts["neck"], _apply(chest, (0.0, -SHOULDER_DROP, sign * SHOULDER_HALF)))
        upper = _chain(chest, _rz(arm.flex), _rx(-sign * arm.abd))
        elbow = _add(shoulder, _apply(upper, (0.0, -UPPER_ARM, 0.0)))
        fore = _chain(upper, _rz(arm.elbow))
        pts[f"{side}_shoulder"] = shoulder
        pts[f"{side}_elbow"] = elbow
        pts[f"{side}_hand"] = _add(elbow, _apply(fore, (0.0, -FOREARM, 0.0)))
        leg: Leg = getattr(pose, f"{side}_leg")
        hip = _apply(root, (0.0, 0.0, sign * HIP_HALF))
        thigh = _chain(root, _rz(leg.flex), _rx(-sign * leg.abd), _ry(-sign * leg.rot))
        knee = _add(hip, _apply(thigh, (0.0, -THIGH, 0.0)))
        shank = _chain(thigh, _rz(-leg.knee))
        ankle = _add(knee, _apply(shank, (0.0, -SHANK, 0.0)))
        foot = _chain(shank, _rz(leg.ankle))
        pts[f"{side}_hip"] = hip
        pts[f"{side}_knee"] = knee
        pts[f"{side}_ankle"] = ankle
        pts[f"{side}_toe"] = _add(ankle, _apply(foot, (FOOT, 0.0, 0.0)))
        pts[f"{side}_heel"] = _add(ankle, _apply(foot, (-HEEL, 0.0, 0.0)))
    bones = tuple((name, kind, pts[a], pts[b]) for name, kind, a, b in BONES)
    return Body(pts, bones, centre, _apply(head, (1.0, 0.0, 0.0)),
                _apply(head, (0.0, 1.0, 0.0)))
