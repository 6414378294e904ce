# Yunmail developer entry points. `make run` starts a demo server; `make test` is what CI runs.
# Recipes use the project venv (.venv), created on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
CONFIG := $(DATA_DIR)/yunmail.toml

.DEFAULT_GOAL := help
.PHONY: help run test lint bench

help:
	@echo "make run    start a demo server (creates .venv and $(DATA_DIR)/ on first use; Ctrl+C stops it)"
	@echo "make test   import contracts, then the test suite (as root: installs the Debian test tools first)"
	@echo "make lint   ruff check, ruff format --check, mypy --strict"
	@echo "make bench  run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files: reinstall only when the dependencies in pyproject.toml change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	@test -f $(CONFIG) || $(BIN)/yunmail init --data-dir $(DATA_DIR)
	exec $(BIN)/yunmail serve --config $(CONFIG) --demo

# Fast failure first: the architecture contracts take seconds, the suite takes minutes.
test: $(VENV)/.installed-test
	@if [ "$$(id -u)" = 0 ]; then scripts/install-test-deps.sh; fi
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy --strict

bench: $(VENV)/.installed-test
	@set -e; found=0; for f in bench/*.py; do [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(BIN)/python "$$f"; done; \
	  [ "$$found" = 1 ] || echo "no benchmarks yet (bench/*.py)"
