# The two entry points of the README: `make run` and `make test`. Both are idempotent:
# they install what is missing (Debian packages, pipx's install or the test .venv) and
# nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test unit lint bench clean

# `make run` installs deskbreak for this user with pipx (the `deskbreak` command on PATH,
# in a virtual environment of its own, independent of this checkout) and starts it.
# Run it again after pulling: it reinstalls when the sources changed.
SOURCES := pyproject.toml $(shell find deskbreak -type f ! -path '*/__pycache__/*' 2>/dev/null)

run: build/.pipx-installed
	@bin="$$(pipx environment --value PIPX_BIN_DIR)"; \
	case ":$$PATH:" in *":$$bin:"*) ;; *) echo "deskbreak is installed as $$bin/deskbreak;" \
	  "that directory is not on your PATH yet: run 'pipx ensurepath' and open a new terminal";; esac; \
	exec "$$bin/deskbreak" run

test: $(VENV)/.test-installed
	$(BIN)/ruff check deskbreak tests benchmarks
	$(BIN)/python -m pytest

unit: $(VENV)/.test-installed
	$(BIN)/ruff check deskbreak tests benchmarks
	$(BIN)/python -m pytest -m "not e2e and not daemon and not package"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check deskbreak tests benchmarks

bench: $(VENV)/.test-installed
	scripts/debian-packages bench
	$(BIN)/python benchmarks/footprint.py
	$(BIN)/python benchmarks/timing.py

build/.pipx-installed: $(SOURCES)
	scripts/debian-packages run
	pipx install --force --python "$$(command -v $(PYTHON))" .
	@mkdir -p build && touch $@

$(VENV)/.test-installed: pyproject.toml
	scripts/debian-packages test
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV)
