"""deskbreak's own icon: the files the package ships, and installing them in a user's theme.

The icons are drawn by scripts/make-icons and committed; these tests make sure the
committed files are complete, are what the script draws today (so nobody edits the
geometry and forgets to regenerate), and that the module finding them stays light.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from deskbreak import appicon, launcher
from deskbreak.autostart import files
from deskbreak.autostart.files import FileProblem

ROOT = Path(__file__).resolve().parents[1]
HICOLOR_APPS_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)  # the icon theme spec's hicolor


def load_make_icons() -> types.ModuleType:
    """scripts/make-icons as a module (it has no .py suffix; no bytecode is written)."""
    path = ROOT / "scripts" / "make-icons"
    module = types.ModuleType("make_icons")
    module.__file__ = str(path)
    sys.modules["make_icons"] = module  # dataclasses look their module up there
    try:
        exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    finally:
        del sys.modules["make_icons"]
    return module


def test_every_hicolor_size_is_shipped_as_a_square_png() -> None:
    assert appicon.ICON_NAME == "deskbreak"
    assert appicon.SIZES == HICOLOR_APPS_SIZES
    for size in appicon.SIZES:
        path = appicon.png(size)
        assert path.name == f"deskbreak-{size}.png"
        with Image.open(path) as image:
            assert (image.format, image.size, image.mode) == ("PNG", (size, size), "RGBA")
            corner, centre = image.getpixel((0, 0)), image.getpixel((size // 2, size // 2))
        assert corner[3] == 0  # a round mark on a transparent square
        assert centre[3] == 255


def test_the_svg_is_a_square_scalable_icon() -> None:
    root = ET.parse(appicon.svg()).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"


def test_an_unknown_size_is_refused_rather_than_rescaled() -> None:
    with pytest.raises(ValueError, match="17x17"):
        appicon.png(17)


def test_the_windows_icon_holds_the_small_and_large_sizes() -> None:
    with Image.open(appicon.ico()) as image:
        assert image.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(image.info["sizes"])


def test_the_committed_icons_are_what_the_script_draws(tmp_path: Path) -> None:
    make_icons = load_make_icons()
    assert make_icons.SIZES == appicon.SIZES
    make_icons.write(tmp_path)
    assert (tmp_path / "deskbreak.svg").read_text() == appicon.svg().read_text()
    for size in appicon.SIZES:
        with Image.open(tmp_path / f"deskbreak-{size}.png") as fresh, \
                Image.open(appicon.png(size)) as committed:
            difference = ImageStat.Stat(ImageChops.difference(fresh, committed)).mean
        # Equal but for rounding, which may differ between Pillow versions.
        assert max(difference) < 1.0, f"{size}px: run scripts/make-icons ({difference})"


def test_the_svg_and_the_png_draw_the_same_mark() -> None:
    """The hand-written SVG, rendered by librsvg (what desktops use), matches the PNG."""
    if shutil.which("rsvg-convert") is None:
        pytest.skip("no SVG renderer here (Debian: librsvg2-bin)")
    rendered = subprocess.run(["rsvg-convert", "-w", "256", "-h", "256", str(appicon.svg())],
                              capture_output=True, check=True, timeout=30).stdout
    with Image.open(io.BytesIO(rendered)) as svg_image, Image.open(appicon.png(256)) as png:
        difference = ImageStat.Stat(ImageChops.difference(svg_image.convert("RGBA"),
                                                          png.convert("RGBA"))).mean
    assert max(difference) < 2.0, difference


def test_install_puts_each_size_in_the_users_hicolor_theme(tmp_path: Path) -> None:
    written = launcher.install_icons(tmp_path)
    theme = tmp_path / "icons" / "hicolor"
    expected = [theme / f"{n}x{n}" / "apps" / "deskbreak.png" for n in appicon.SIZES]
    expected.append(theme / "scalable" / "apps" / "deskbreak.svg")
    assert written == expected
    for size, path in zip(appicon.SIZES, written, strict=False):
        assert path.read_bytes() == appicon.png(size).read_bytes()
        assert path.stat().st_mode & 0o777 == 0o644
    assert written[-1].read_bytes() == appicon.svg().read_bytes()
    leftovers = [p for p in theme.rglob("*") if p.is_file() and p not in written]
    assert leftovers == []


def test_install_again_replaces_the_files_and_keeps_others(tmp_path: Path) -> None:
    theme = tmp_path / "icons" / "hicolor"
    other = theme / "48x48" / "apps" / "someone-else.png"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"not ours")
    stale = theme / "48x48" / "apps" / "deskbreak.png"
    stale.write_bytes(b"an old deskbreak icon")
    launcher.install_icons(tmp_path)
    launcher.install_icons(tmp_path)
    assert stale.read_bytes() == appicon.png(48).read_bytes()
    assert launcher.remove_icons(tmp_path, "hint") is True
    assert not stale.exists()
    assert other.read_bytes() == b"not ours"
    assert [p for p in theme.rglob("deskbreak.*")] == []
    assert launcher.remove_icons(tmp_path, "hint") is False  # nothing left: fine


def test_a_failed_install_leaves_no_half_written_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def replace(source: str, target: Path) -> None:
        calls.append(str(target))
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", replace)
    third = tmp_path / "icons" / "hicolor" / "24x24" / "apps" / "deskbreak.png"
    with pytest.raises(FileProblem) as error:
        launcher.install_icons(tmp_path)
    assert str(error.value) == (f"cannot write {third}: No space left on device "
                                "(2 of its 9 files were written)")
    found = sorted(p.name for p in (tmp_path / "icons").rglob("*") if p.is_file())
    assert found == ["deskbreak.png", "deskbreak.png"]  # the two done; no temp file


def test_something_in_an_icons_place_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    """The real path, never the name of a temporary file beside it."""
    in_the_way = tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "deskbreak.png"
    in_the_way.mkdir(parents=True)
    with pytest.raises(FileProblem) as error:
        launcher.install_icons(tmp_path, "run `x` again")
    assert str(error.value) == (f"{in_the_way} is a directory, not an icon; move it away "
                                "and run `x` again")
    assert [p for p in (tmp_path / "icons").rglob("*") if p.is_file()] == []
    with pytest.raises(FileProblem, match=f"^{in_the_way} is a directory"):
        launcher.remove_icons(tmp_path, "run `x` again")


def test_importing_the_module_does_not_load_pillow() -> None:
    """The daemon asks for the icon's path at every notifier start: paths, no images."""
    probe = ("import sys, deskbreak.appicon as a; a.png(128); a.svg(); "
             "print('PIL' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=60).stdout
    assert out.strip() == "False"


def test_the_icons_are_found_without_the_source_tree() -> None:
    """importlib.resources, not a path relative to a checkout: the same call works from
    an installed wheel (tests/integration/test_package.py runs one)."""
    spec = importlib.util.find_spec("deskbreak")
    assert spec is not None and spec.origin is not None
    assert appicon.svg().parent == Path(spec.origin).parent / "icons"
