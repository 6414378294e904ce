# Yunmail developer entry points. `make run` starts a demo server; `make test` is what CI runs.
# Recipes use the project venv (.venv), created on first use and filled from the hash-pinned lock.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
CONFIG := $(DATA_DIR)/yunmail.toml
LOCK := requirements/lock.txt
# Test workers: the suite mostly waits on sockets, subprocesses and databases, so it runs more
# workers than the machine has cores (measured on 2 cores: see README "Tests and checks").
# Whole modules go to one worker (module-scoped servers start once), longest modules first
# (tests/module_durations.json), each worker taking the next module when it is nearly done.
WORKERS ?= 4
PYTEST := $(BIN)/pytest -p xdist -n $(WORKERS) --dist loadscope --no-loadscope-reorder --suite-summary

.DEFAULT_GOAL := help
.PHONY: help run test test-fast test-long lint lock check-lock bench

help:
	@echo "make run        start a demo server (creates .venv and $(DATA_DIR)/ on first use; Ctrl+C stops it)"
	@echo "make test       lock check, import contracts, the whole suite in parallel (as root: Debian test tools first)"
	@echo "make test-fast  the unit layers only (codecs, MIME, config, pure logic): under a minute"
	@echo "make test-long  the whole suite with the long hypothesis profile (nightly)"
	@echo "make lint       ruff check, ruff format --check, mypy --strict"
	@echo "make lock       re-resolve $(LOCK) from pyproject.toml (UPGRADE=1 moves every pin to the newest)"
	@echo "make bench      run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp file: reinstall only when the lock (or the package's own metadata) changes. The lock holds
# the runtime and the test dependencies, every file checked against its sha256.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

run: $(VENV)/.installed
	@test -f $(CONFIG) || $(BIN)/yunmail init --data-dir $(DATA_DIR)
	exec $(BIN)/yunmail serve --config $(CONFIG) --demo

check-lock: $(VENV)/.installed
	$(BIN)/python scripts/lockfile.py check

# Fast failure first: the lock and the architecture contracts take seconds, the suite minutes.
test: check-lock
	@if [ "$$(id -u)" = 0 ]; then scripts/install-test-deps.sh; fi
	$(BIN)/lint-imports
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PYTEST)

test-fast: $(VENV)/.installed
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest -p xdist -n 2 -m fast -q

test-long: check-lock
	@if [ "$$(id -u)" = 0 ]; then scripts/install-test-deps.sh; fi
	HYPOTHESIS_PROFILE=nightly $(PYTEST)

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy --strict

# Needs the package index; keeps the current pins unless pyproject.toml asks otherwise (or UPGRADE=1).
lock: | $(BIN)/python
	$(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(LOCK)
	$(BIN)/python scripts/lockfile.py stamp

bench: $(VENV)/.installed
	@set -e; found=0; for f in bench/*.py; do [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(BIN)/python "$$f"; done; \
	  [ "$$found" = 1 ] || echo "no benchmarks yet (bench/*.py)"
