"""The figures: every key pose a body can take, resting on what the steps say, limbs of
fixed length through every frame of the animation, shipped stills that match, and a
bad illustrations file refused in one line."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from deskbreak.catalogue import load_builtin
from deskbreak.errors import CatalogueError
from deskbreak.figure import illustrations
from deskbreak.figure.illustrations import Illustration, builtin, in_airline_seat, left_out
from deskbreak.figure.scene import Prop, Scene, project
from deskbreak.figure.skeleton import LENGTHS, LIMITS, Arm, Leg, Pose, blend, pose_body
from deskbreak.figure.stills import STILL_PX, STILLS, still_file

FIGURES = builtin()
CATALOGUE = {e.id: e for e in load_builtin()}
FRAMES = [i / 10 for i in range(11)]


def _scenes(figure: Illustration) -> list[Illustration]:
    """The figure as drawn at a desk and, for seated ones, in an airline seat on a trip."""
    travel = in_airline_seat(figure)
    return [figure] if travel == figure else [figure, travel]


def test_every_built_in_exercise_has_a_figure_or_a_reason_it_has_none() -> None:
    drawn, missing = set(FIGURES), set(left_out())
    assert not drawn & missing
    assert drawn | missing == set(CATALOGUE), "exercises neither drawn nor listed as left out"
    assert all(len(reason) > 20 for reason in left_out().values())


@pytest.mark.parametrize("ident", sorted(FIGURES))
def test_every_key_pose_is_within_the_body_s_normal_ranges(ident: str) -> None:
    figure = FIGURES[ident]
    for name, pose in (("start", figure.start), ("hold", figure.hold)):
        assert pose.out_of_range() == [], f"{ident} {name}"


@pytest.mark.parametrize("ident", sorted(FIGURES))
def test_no_frame_passes_through_the_floor_or_a_prop(ident: str) -> None:
    for figure in _scenes(FIGURES[ident]):
        for t in FRAMES:
            pose = blend(figure.start, figure.hold, t)
            assert figure.scene.clashes(pose) == [], f"{ident} at {t:.0%} of the way"


@pytest.mark.parametrize("ident", sorted(FIGURES))
def test_limbs_keep_their_lengths_through_the_movement(ident: str) -> None:
    figure = FIGURES[ident]
    for t in FRAMES:
        body = pose_body(blend(figure.start, figure.hold, t))
        for name, _, a, b in body.bones:
            expected = LENGTHS[name.removeprefix("left_").removeprefix("right_")]
            assert math.dist(a, b) == pytest.approx(expected, abs=1e-6), (ident, name, t)


#: Exercises whose steps keep the body (almost) still: the figure shows the position.
STILL = {"abdominal-contractions": "tighten the stomach; the back stays still and flat",
         "standing-glute-squeeze": "squeeze the buttocks; the pelvis tucks only slightly",
         "seated-abdominal-brace": "tighten the stomach; keep your back still",
         "lying-static-leg-raise": "a rest position held for two minutes"}


@pytest.mark.parametrize("ident", sorted(FIGURES))
def test_the_held_position_differs_from_the_start(ident: str) -> None:
    figure = FIGURES[ident]
    start, hold = pose_body(figure.start).points, pose_body(figure.hold).points
    moved = max(math.dist(start[k], hold[k]) for k in start)
    if ident in STILL:
        assert moved <= 3.0, f"{ident}: {STILL[ident]}, yet its figure moves"
    else:
        assert moved > 3.0, f"{ident}: nothing visibly moves"


def test_a_seated_figure_sits_on_the_seat_and_a_lying_one_on_the_floor() -> None:
    chair = Scene("side", "seat", (Prop("chair"),))
    seated = chair.place(Pose(left_leg=Leg(flex=90, knee=90), right_leg=Leg(flex=90, knee=90)))
    assert seated.at(seated.body.points["pelvis"])[1] == pytest.approx(46 + 9)
    floor = Scene("side", "floor")
    lying = floor.place(Pose(lean=-90))
    lowest = min(min(a[1], b[1]) for _, _, a, b in lying.bones())
    assert 0 < lowest < 12  # the trunk's half-thickness above the floor, not in it


def test_the_conventions_the_data_is_written_in() -> None:
    """Lean -90 lies face up with the head to the left; 90 face down, head right; a
    flexed hip brings the thigh forward; the side view shows the left side nearest."""
    supine = pose_body(Pose(lean=-90))
    assert supine.face[1] == pytest.approx(1.0) and supine.head[0] < -50
    prone = pose_body(Pose(lean=90))
    assert prone.face[1] == pytest.approx(-1.0) and prone.head[0] > 50
    body = pose_body(Pose(left_leg=Leg(flex=90), left_arm=Arm(flex=180)))
    assert body.points["left_knee"][0] == pytest.approx(43.0)  # straight ahead
    assert body.points["left_hand"][1] > body.head[1]  # overhead
    assert project("side", body.points["left_knee"])[2] > 0  # towards the viewer


def test_users_own_exercises_and_replaced_built_ins_have_no_figure(tmp_path: Path) -> None:
    """A user's entry that replaces a built-in id (to change its dose, say) may say
    something else in its steps: no figure, whatever origin it claims."""
    from deskbreak.catalogue import load_catalogue
    from deskbreak.config import Config

    ident = sorted(FIGURES)[0]
    extra = tmp_path / "mine.toml"
    extra.write_text(f"""[[exercise]]
id = "{ident}"
name = "My version"
position = "standing"
duration_s = 30
summary = "Something else entirely."
steps = ["Something else entirely."]
contexts = ["desk"]
origin = "seed"
sources = ["my physio"]
""")
    built_in = load_catalogue(Config()).get(ident)
    mine = load_catalogue(Config(extra_catalogue=extra)).get(ident)
    assert built_in is not None and mine is not None and mine.origin == "seed"
    assert illustrations.for_exercise(built_in) is FIGURES[ident]
    assert still_file(built_in) is not None
    assert illustrations.for_exercise(mine) is None and still_file(mine) is None


def test_the_shipped_stills_match_the_poses() -> None:
    """A pose edited without repainting the stills would put an old picture in the
    notification: repaint with `python -m deskbreak.figure.stills`."""
    from PIL import Image, ImageChops

    from deskbreak.figure.pictures import still

    assert {p.stem for p in STILLS.glob("*.png")} == set(FIGURES)
    for ident, figure in FIGURES.items():
        path = still_file(CATALOGUE[ident])
        assert path is not None
        shipped = Image.open(path).convert("RGBA")
        assert shipped.size == (STILL_PX, STILL_PX)
        fresh = still(figure, STILL_PX)
        # Pixels that differ clearly, not a mean a small pose change would hide in.
        changed = ImageChops.difference(shipped, fresh).convert("L").point(
            lambda v: 255 if v > 32 else 0).histogram()[255]
        assert changed < 0.002 * STILL_PX * STILL_PX, f"{ident}: repaint the stills"


# --- the file: every bad value is one line naming the entry and key -----------------------
GOOD = """
[walk]
props = [{ kind = "chair", x = 60, facing = "left" }]
[walk.start]
left_leg = { flex = 20 }
[walk.hold]
left_leg = { flex = -20 }
"""


def test_a_good_entry_parses_and_the_hold_keeps_what_it_does_not_change() -> None:
    figure = illustrations.parse(GOOD, "f.toml")["walk"]
    assert isinstance(figure, Illustration)
    assert figure.start.left_leg.flex == 20 and figure.hold.left_leg.flex == -20
    assert figure.scene.props == (Prop("chair", 60.0, "left"),)


@pytest.mark.parametrize(("text", "key", "problem"), [
    ("[a]\nstart = {}\n", "a.hold", "missing"),
    ("[a]\nhold = {}\nstart = {}\nsize = 3\n", "a.size", "unknown key"),
    ("[a]\nhold = {}\nstart = { lean = nan }\n", "a.start.lean", "expected a number"),
    ("[a]\nhold = {}\nstart = { lean = inf }\n", "a.start.lean", "expected a number"),
    ("[a]\nhold = {}\nstart = { lean = 1e300 }\n", "a.start.lean", "between"),
    ("[a]\nhold = {}\nstart = { lean = true }\n", "a.start.lean", "expected a number"),
    ("[a]\nhold = {}\nstart = { lean = \"90\" }\n", "a.start.lean", "expected a number"),
    ("[a]\nhold = {}\nstart = { tail = 3 }\n", "a.start.tail", "unknown joint"),
    ("[a]\nhold = {}\nstart = { left_leg = 3 }\n", "a.start.left_leg", "table of angles"),
    ("[a]\nhold = {}\nstart = { left_leg = { wiggle = 3 } }\n", "a.start.left_leg.wiggle",
     "unknown angle"),
    ("[a]\nhold = {}\nstart = []\n", "a.start", "table of joint angles"),
    ("[a]\nview = \"top\"\nhold = {}\nstart = {}\n", "a.view", "side, front, above"),
    ("[a]\nrest = \"seat\"\nhold = {}\nstart = {}\n", "a.rest", "needs a chair"),
    ("[a]\nprops = [{ kind = \"sofa\" }]\nhold = {}\nstart = {}\n", "a.props[1].kind",
     "expected one of"),
    ("[a]\nprops = \"chair\"\nhold = {}\nstart = {}\n", "a.props", "list"),
    ("[a]\ncycle_s = 0.01\nhold = {}\nstart = {}\n", "a.cycle_s", "at least"),
    ("[a]\nleft_out = \"\"\n", "a.left_out", "reason"),
    ("[a]\nleft_out = \"unclear\"\nstart = {}\n", "a.start", "no pose"),
    ("a = 3\n", "a", "expected a table"),
])
def test_a_bad_entry_is_one_line_naming_its_key(text: str, key: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        illustrations.parse(text, "f.toml")
    message = str(caught.value)
    assert key in message and problem in message and "\n" not in message


@pytest.mark.parametrize("text", ["[a\n", "\x00\xff garbage", "a = " + "[" * 5000 + "]" * 5000])
def test_a_broken_file_is_one_line(text: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        illustrations.parse(text, "f.toml")
    assert "f.toml" in str(caught.value) and "\n" not in str(caught.value)


def test_the_limits_cover_every_angle_a_pose_has() -> None:
    assert {key for _, key, _ in Pose().angles()} == set(LIMITS)
    assert Pose(left_leg=Leg(knee=-10)).out_of_range() == [
        "left_leg.knee = -10 (normal 0 to 155)"]
