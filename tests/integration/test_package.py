"""The package as users get it: build the sdist and wheel, install the wheel, run it.

What `pipx install` does on a user's machine, done here in CI: `python -m build` (the
wheel is built from the sdist, so both are exercised), `twine check`, then a brand-new
virtual environment (no system site packages, nothing from this checkout on the path)
gets the wheel and its dependencies, wheels only (`--only-binary :all:`, so no
dependency needs a compiler), and runs `deskbreak --version`, `list` and `config check`
in an empty home. The checkout is copied first so that the build never writes into it.

About 15 seconds with a warm pip cache, which is why `make unit` leaves these out
(marker `package`); pip's own cache is reused on purpose, since the test home the other
tests get would start it empty every time.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskbreak import __version__, appicon
from deskbreak.figure.stills import STILLS

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parents[2]
NAME = f"deskbreak-{__version__}"
# Read at import, before the autouse test home points XDG_CACHE_HOME at an empty dir.
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip")
# Not copied into the build tree: environments, caches, build output, test leftovers.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "venv", "__pycache__", "*.egg-info",
                                    "build", "dist", ".pytest_cache", ".ruff_cache",
                                    "artifacts", "results")
SESSION_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "PYTHONPATH",
                "PYTHONHOME", "VIRTUAL_ENV", "DESKBREAK_CONFIG", "DESKBREAK_SEED")


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test with everything it printed."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd,
                            timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {result.returncode}\n--- stdout\n"
                    f"{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}",
                    pytrace=False)
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this session's desktop, venv or import path."""
    env = {k: v for k, v in os.environ.items() if k not in SESSION_VARS}
    env["PIP_CACHE_DIR"] = PIP_CACHE
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


class Built:
    """The sdist and wheel of one build, and what the build printed."""

    def __init__(self, dist: Path, log: str) -> None:
        (self.sdist,) = dist.glob("*.tar.gz")
        (self.wheel,) = dist.glob("*.whl")
        self.log = log
        with zipfile.ZipFile(self.wheel) as wheel:
            self.wheel_names = wheel.namelist()
            self.metadata = wheel.read(f"{NAME}.dist-info/METADATA").decode()
        with tarfile.open(self.sdist) as sdist:
            self.sdist_names = [name.removeprefix(f"{NAME}/") for name in sdist.getnames()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("package")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    try:
        import build  # noqa: F401
    except ImportError:
        pytest.fail("`build` is missing: pip install -e '.[test]'", pytrace=False)
    result = run([sys.executable, "-m", "build", "--outdir", str(work / "dist"),
                  str(source)], env=clean_env())
    return Built(work / "dist", result.stdout + result.stderr)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment with the wheel installed (wheels only); its path."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", str(venv)], env=clean_env())
    run([str(bin_dir(venv) / "python"), "-m", "pip", "install", "--quiet",
         "--only-binary", ":all:", str(built.wheel)], env=clean_env())
    yield venv


def test_the_build_prints_no_deprecation_warning(built: Built) -> None:
    assert "deprecat" not in built.log.lower(), built.log


def test_twine_accepts_the_sdist_and_the_wheel(built: Built) -> None:
    result = run([sys.executable, "-m", "twine", "check", "--strict", str(built.sdist),
                  str(built.wheel)], env=clean_env())
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_wheel_holds_the_program_and_its_data_but_no_tests(built: Built) -> None:
    names = set(built.wheel_names)
    data = {"deskbreak/exercises.toml", "deskbreak/default_config.toml",
            "deskbreak/icons/deskbreak.svg", "deskbreak/icons/deskbreak.ico",
            *(f"deskbreak/icons/deskbreak-{size}.png" for size in appicon.SIZES),
            "deskbreak/illustrations.toml",  # the figures, and the pictures notifications show
            *(f"deskbreak/figure/stills/{path.name}" for path in STILLS.glob("*.png"))}
    assert len(data) > 40 and data <= names
    assert {"deskbreak/cli.py", "deskbreak/appicon.py", "deskbreak/__main__.py"} <= names
    tops = {name.split("/")[0] for name in names}
    assert tops == {"deskbreak", f"{NAME}.dist-info"}  # no tests, benchmarks or scripts
    assert f"{NAME}.dist-info/licenses/LICENSE" in names


def test_the_metadata_says_mit_in_the_current_form(built: Built) -> None:
    metadata = email.parser.HeaderParser().parsestr(built.metadata)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["License"] is None  # the deprecated free-text field
    assert metadata["Name"] == "deskbreak" and metadata["Version"] == __version__


def test_the_sdist_holds_the_whole_source(built: Built) -> None:
    """Every test file, fixture and tool, so the sdist can be built and tested as is
    (MANIFEST.in lists directories explicitly: this catches a new one left out)."""
    names = set(built.sdist_names)
    wanted = {"LICENSE", "README.md", "pyproject.toml", "Makefile", "MANIFEST.in",
              "scripts/make-icons"}
    for pattern in ("tests/**/*.py", "tests/**/*.toml", "deskbreak/**/*.py",
                    "deskbreak/**/*.toml", "deskbreak/icons/*", "deskbreak/figure/stills/*",
                    "benchmarks/*.py"):
        wanted |= {path.relative_to(ROOT).as_posix() for path in ROOT.glob(pattern)
                   if "artifacts" not in path.parts and "__pycache__" not in path.parts}
    assert sorted(wanted - names) == []
    assert not [name for name in names if "artifacts" in name or name.endswith(".pyc")]


def test_a_fresh_venv_from_the_wheel_runs_deskbreak(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "user"
    env = clean_env(HOME=str(home))
    for var, name in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                      ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_RUNTIME_DIR", "runtime")):
        (home / name).mkdir(parents=True)
        env[var] = str(home / name)
    (home / "runtime").chmod(0o700)
    program = str(bin_dir(installed) / "deskbreak")

    cfg = (installed / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg

    assert run([program, "--version"], env=env, cwd=home).stdout.strip() == (
        f"deskbreak {__version__}")
    listing = run([program, "list"], env=env, cwd=home).stdout
    assert listing.split()[:2] == ["ID", "NAME"] and len(listing.splitlines()) > 5
    checked = run([program, "config", "check"], env=env, cwd=home)
    assert "ok" in checked.stdout

    # The installed copy, not this checkout, and its icons found through the package.
    probe = ("import deskbreak, deskbreak.appicon as a; print(deskbreak.__file__); "
             "print(a.png(128)); print(a.svg())")
    lines = run([str(bin_dir(installed) / "python"), "-c", probe], env=env,
                cwd=home).stdout.splitlines()
    assert all(Path(line).resolve().is_relative_to(installed.resolve()) for line in lines)
    assert Path(lines[1]).read_bytes() == appicon.png(128).read_bytes()
