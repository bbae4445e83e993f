"""The pure core stays pure: it imports only itself and the standard library.

So that deciding when a break is due never needs a config file, a path, platformdirs,
a display or a bus, and every rule can be tested with numbers alone.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "deskbreak" / "core"


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_the_core_imports_nothing_outside_itself_and_the_standard_library(module: Path) -> None:
    outside = {name for name in imported(module)
               if not name.startswith("deskbreak.core")
               and name.split(".")[0] not in sys.stdlib_module_names}
    assert outside == set()


def test_the_daemon_never_loads_the_plotting_library() -> None:
    """The chart is drawn by ``deskbreak stats`` in its own process; matplotlib (and
    numpy) would cost the always-running daemon tens of MiB."""
    import subprocess
    import sys

    probe = ("import sys, deskbreak.run, deskbreak.daemon, deskbreak.history.recorder, "
             "deskbreak.history.command; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('matplotlib', 'numpy')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == "[]"
