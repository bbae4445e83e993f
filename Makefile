# The two entry points of the README: `make run` and `make test`. Both are idempotent:
# they install what is missing (Debian packages, a virtual environment) and nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test unit lint bench clean

run: $(VENV)/.run-installed
	$(BIN)/deskbreak run

test: $(VENV)/.test-installed
	$(BIN)/ruff check deskbreak tests benchmarks
	$(BIN)/python -m pytest

unit: $(VENV)/.test-installed
	$(BIN)/ruff check deskbreak tests benchmarks
	$(BIN)/python -m pytest -m "not e2e and not daemon"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check deskbreak tests benchmarks

bench: $(VENV)/.test-installed
	scripts/debian-packages bench
	$(BIN)/python benchmarks/footprint.py
	$(BIN)/python benchmarks/timing.py

$(VENV)/.run-installed: pyproject.toml
	scripts/debian-packages run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	scripts/debian-packages test
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-installed

clean:
	rm -rf $(VENV)
