"""What the always-running daemon does not import: modules other commands (or a rare
moment) need are imported where they are used.

Every module the daemon imports stays in its memory all day, mostly as code objects
(issue 13: the idle daemon must stay within 30 MiB; benchmarks/imports.py measures what
each import costs). These tests fail when one of the modules below comes back through a
top-level import. tests/integration/test_idle_imports.py checks a real running daemon.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: module -> why the idle daemon goes without it
LAZY = {
    "importlib.resources": "deskbreak reads its own data files beside its modules",
    "zipfile": "importlib.resources' readers bring it",
    "deskbreak.appicon": "the notifiers import it when they first send an icon",
    "platformdirs": "paths.py applies the XDG rules itself on Linux",
    "logging.handlers": "logfile.py rotates the log on logging.FileHandler",
    "pickle": "logging.handlers brings it",
    "difflib": "only for 'did you mean' in an error message",
    "deskbreak.render": "only the list, show and status commands print tables",
    "matplotlib": "only `deskbreak stats --chart` draws",
    "PIL": "the figures are painted in the guide's process; notifications use shipped PNGs",
    "deskbreak.figure.illustrations": "only the guide and `show --picture` pose figures",
    "deskbreak.figure.skeleton": "only the guide and `show --picture` pose figures",
}

#: What starting the daemon runs, short of the event loop: the modules `deskbreak run`
#: imports, its command line parsed, the config and catalogue loaded, the log set up and
#: every notifier the Linux "auto" chain makes.
PROBE = """
import sys, tempfile
from pathlib import Path
from deskbreak import cli, config, paths, run
from deskbreak.live_config import LiveConfig
from deskbreak.logfile import setup_logging
from deskbreak.notify import NotifierChain
cli._parser().parse_args(["run", "--no-tray"])
paths.config_file(); paths.state_dir(create=False)
LiveConfig().load()
with tempfile.TemporaryDirectory() as state:
    setup_logging(Path(state), False)
    NotifierChain("auto", lambda command: None)
print(" ".join(name for name, module in sys.modules.items() if module is not None))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux daemon's set")
def test_starting_the_daemon_imports_none_of_the_lazy_modules(isolated_home: Path) -> None:
    import os

    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=dict(os.environ)).stdout
    loaded = set(out.split())
    assert "deskbreak.daemon" in loaded and "deskbreak.notify.freedesktop" in loaded
    assert {name: why for name, why in LAZY.items() if name in loaded} == {}


def test_the_lazy_modules_still_work_when_needed(isolated_home: Path) -> None:
    """The other side: where they are used, they are there (one line each, no NameError)."""
    from deskbreak import appicon, cli, config
    from deskbreak.catalogue import load_builtin

    assert config.did_you_mean("intervall", ["interval", "context"]) == ["interval"]
    assert config.default_text().startswith("#")
    assert len(load_builtin()) > 10
    assert appicon.png(128).is_file()
    assert cli.status_text({"pid": 1, "state": "counting"}).startswith("Running:")
