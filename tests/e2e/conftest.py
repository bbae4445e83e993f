"""Fixtures for the end-to-end tests: a real headless desktop per test.

* `desktop`: Xvfb + private bus + dunst + SNI tray host. A test picks another variant
  with the marker `@pytest.mark.desktop(xembed=True, sni=False, notifications=False,
  wm=True)` (any `Desktop` keyword).
* `desktop_factory`: build one or more desktops with any flags inside a test.

Function scope on purpose: a full desktop starts in about half a second, and a fresh
one per test means no notification, tray icon or dunst state leaks between tests.

A desktop that cannot start makes the test fail with the `DesktopUnavailable` reason,
never skip. When a test fails, a screenshot and every log are kept under
$DESKBREAK_ARTIFACTS (default tests/e2e/artifacts/)/<test id>/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.desktop import Desktop, DesktopUnavailable

HERE = Path(__file__).resolve().parent
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()

DesktopFactory = Callable[..., Desktop]


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers used here (pyproject registers `e2e` itself)."""
    config.addinivalue_line("markers", "e2e: end-to-end test in a real headless desktop")
    config.addinivalue_line(
        "markers", "desktop(**flags): Desktop keyword arguments for the `desktop` fixture"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e with `e2e`, so `-m "not e2e"` skips them all."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def artifacts_root() -> Path:
    """Where failed tests leave screenshots and logs."""
    configured = os.environ.get("DESKBREAK_ARTIFACTS")
    return Path(configured) if configured else HERE / "artifacts"


def _save_artifacts(node: pytest.Item, desktop: Desktop, index: int) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid).strip("_")[:150]
    target = artifacts_root() / name / f"desktop{index}"
    target.mkdir(parents=True, exist_ok=True)
    if desktop.display and desktop.pids():
        try:
            desktop.screenshot(target / "screenshot.png")
        except Exception as exc:  # a failing screenshot must not hide the test's failure
            (target / "screenshot-failed.txt").write_text(f"{exc!r}\n")
        try:
            tree = desktop.run(["xwininfo", "-root", "-tree"], timeout=10).stdout
            (target / "xwininfo-tree.txt").write_text(f"DISPLAY={desktop.display}\n{tree}")
        except Exception as exc:
            (target / "xwininfo-failed.txt").write_text(f"{exc!r}\n")
    for path in desktop.log_files():
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture
def desktop_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DesktopFactory]:
    """Start desktops with any `Desktop` flags; all are stopped (artifacts kept) after."""
    made: list[Desktop] = []

    def make(**flags: Any) -> Desktop:
        desktop = Desktop(tmp_path_factory.mktemp("desktop"), **flags)
        made.append(desktop)
        try:
            return desktop.start()
        except DesktopUnavailable as exc:
            reason = str(exc)
        pytest.fail(f"DesktopUnavailable: {reason}", pytrace=False)

    yield make

    reports = request.node.stash.get(_REPORTS, {})
    failed = any(report.failed for report in reports.values())
    for index, desktop in enumerate(made):
        try:
            if failed:
                where = _save_artifacts(request.node, desktop, index)
                print(f"e2e artifacts saved in {where}")
        finally:
            desktop.stop()


@pytest.fixture
def desktop(request: pytest.FixtureRequest, desktop_factory: DesktopFactory) -> Desktop:
    """A running desktop: dunst + SNI host by default, else the `desktop` marker's flags."""
    flags: dict[str, Any] = {"notifications": True, "sni": True}
    marker = request.node.get_closest_marker("desktop")
    if marker is not None:
        flags.update(marker.kwargs)
    return desktop_factory(**flags)
