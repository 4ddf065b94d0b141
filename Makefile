# IVR Studio — developer entry points.  `make run` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ivr-studio-installed
EXAMPLE ?= resources/examples/support-line.ivrflow

.PHONY: run test lint system-deps setup bench clean install-desktop

system-deps:
	@bash packaging/system-deps.sh

$(STAMP): pyproject.toml setup.py
	@bash packaging/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/ivr-studio open $(EXAMPLE)

lint: $(STAMP)
	$(BIN)/ruff check ivr_studio tests benchmarks
	$(BIN)/lint-imports

test: lint
	@bash packaging/system-deps.sh test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

install-desktop: $(STAMP)
	bash packaging/install-desktop.sh

bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache
