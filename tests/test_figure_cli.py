"""``deskbreak show ID --picture FILE.png`` and ``deskbreak pictures SHEET.png``: a PNG
of the right size with the figure in it, or one line saying why not."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from deskbreak.figure.illustrations import builtin, left_out
from deskbreak.figure.scene import NEAR

Cli = Callable[..., tuple[int, str, str]]
DRAWN = sorted(builtin())[0]


def _message(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {err!r}"
    return lines[0].removeprefix("deskbreak: ")


def figure_pixels(image: Image.Image) -> int:
    """How many pixels have the figure's colour: a figure, not a blank square."""
    near = [int(NEAR[i:i + 2], 16) for i in (1, 3, 5)]
    data = image.convert("RGB").tobytes()
    return sum(1 for i in range(0, len(data), 3)
               if all(abs(data[i + k] - near[k]) < 12 for k in range(3)))


def test_show_picture_writes_the_held_position(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    target = folder / "held.png"
    code, out, err = cli("show", DRAWN, "--picture", str(target), "--size", "200")
    assert (code, err) == (0, "")
    assert out.startswith(f"Wrote {target}: ") and "held position (200x200)" in out
    image = Image.open(target)
    assert image.format == "PNG" and image.size == (200, 200)
    assert figure_pixels(image) > 500  # a figure, not a blank square
    assert [p.name for p in folder.iterdir()] == ["held.png"]  # no temporary left


def test_the_contact_sheet_has_a_row_per_exercise(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sheet.png"
    code, out, err = cli("pictures", str(target), DRAWN)
    assert (code, err) == (0, "") and out.strip().endswith("1 exercises, 1 with a figure")
    one = Image.open(target).size
    code, out, _ = cli("pictures", str(target))
    assert code == 0 and "with a figure" in out
    assert Image.open(target).size[1] > 10 * one[1]


@pytest.mark.parametrize(("argv", "problem"), [
    (["show", DRAWN, "--picture", "{dir}/held.jpg"], "the picture is a PNG"),
    (["show", DRAWN, "--picture", "{dir}"], "is a folder"),
    (["show", DRAWN, "--picture", "{dir}/missing/held.png"], "cannot write"),
    (["show", DRAWN, "--picture", "{dir}/held.png", "--size", "nan"], "expected whole pixels"),
    (["show", DRAWN, "--picture", "{dir}/held.png", "--size", "1e9"], "expected whole pixels"),
    (["show", DRAWN, "--picture", "{dir}/held.png", "--size", "4096"], "64 to 2048"),
    (["show", "no-such", "--picture", "{dir}/held.png"], "no exercise with id"),
    (["pictures", "{dir}/sheet.png", "no-such"], "no exercise with id"),
    (["pictures", "{dir}/sheet.gif"], "the picture is a PNG"),
])
def test_a_bad_picture_request_is_one_line(cli: Cli, tmp_path: Path, argv: list[str],
                                           problem: str) -> None:
    code, out, err = cli(*[a.format(dir=tmp_path) for a in argv])
    assert code != 0 and out == ""
    assert problem in _message(err)
    assert not list(tmp_path.glob("*.png"))


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deskbreak.figure import command

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(command.os, "replace", full)
    code, _, err = cli("show", DRAWN, "--picture", str(tmp_path / "held.png"))
    assert code != 0 and _message(err) == (f"cannot write {tmp_path / 'held.png'}: "
                                           "No space left on device")
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob(".deskbreak-*"))


def test_a_picture_through_a_link_lands_where_it_points_with_the_file_s_mode(
        cli: Cli, tmp_path: Path) -> None:
    real = tmp_path / "real.png"
    real.write_bytes(b"old")
    real.chmod(0o600)
    (tmp_path / "link.png").symlink_to(real)
    code, _, err = cli("show", DRAWN, "--picture", str(tmp_path / "link.png"))
    assert (code, err) == (0, "")
    assert (tmp_path / "link.png").is_symlink()
    assert real.read_bytes().startswith(b"\x89PNG") and real.stat().st_mode & 0o777 == 0o600


def test_picture_and_json_together_is_one_line(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("show", DRAWN, "--json", "--picture", str(tmp_path / "x.png"))
    assert code != 0 and out == "" and "choose one" in _message(err)


def test_a_file_where_the_folder_should_be_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = cli("show", DRAWN, "--picture", str(tmp_path / "notes.txt" / "held.png"))
    assert code != 0 and "Not a directory" in _message(err)


def test_your_own_exercise_has_no_picture(cli: Cli, tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text('''[[exercise]]
id = "desk-push"
name = "Desk push"
position = "standing"
duration_s = 30
summary = "Push against the desk."
steps = ["Push against the desk."]
contexts = ["desk"]
''')
    settings = tmp_path / "config.toml"
    settings.write_text(f"extra_catalogue = {str(extra)!r}\n")
    code, _, err = cli("show", "desk-push", "--picture", str(tmp_path / "x.png"),
                       "--config", str(settings))
    assert code != 0
    assert _message(err) == "desk-push has no picture: your own exercises have no figure"


@pytest.mark.parametrize(("ident", "reason"), sorted(left_out().items()))
def test_an_exercise_left_without_a_figure_says_why(cli: Cli, tmp_path: Path, ident: str,
                                                    reason: str) -> None:
    code, _, err = cli("show", ident, "--picture", str(tmp_path / "x.png"))
    assert code != 0 and _message(err) == f"{ident} has no picture: {reason}"
