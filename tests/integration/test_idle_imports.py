"""A real idle daemon's modules: none of those it imports only when needed.

The daemon is started by benchmarks/imports.py exactly as ``python -m deskbreak run``
(headless, in an empty home), and its ``sys.modules`` is read once its control channel
answers; so this also keeps that measuring tool from rotting. tests/test_imports.py
says why each module is left out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.test_imports import LAZY

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import imports  # noqa: E402


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux daemon's set")
def test_the_idle_daemon_has_none_of_the_lazy_modules() -> None:
    figures = imports._run_child(trace=False, settle=0.5, timeout=30.0, display=False)
    loaded = set(figures["modules"])  # type: ignore[arg-type]
    assert "deskbreak.daemon" in loaded and "asyncio" in loaded
    assert {name: why for name, why in LAZY.items() if name in loaded} == {}
    assert not {"ssl", "_hashlib"} & loaded  # lean.py: no OpenSSL either
    data = imports.report(figures, figures, "top", 5, 0)
    assert data["modules_total"] == len(loaded)
    assert data["groups"] and "asyncio" in {g["group"] for g in data["groups"]}  # type: ignore[union-attr]
