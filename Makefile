# IVR Studio — developer entry points.  `make run` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ivr-studio-installed
EXAMPLE ?= resources/examples/support-line.ivrflow

.PHONY: run test fuzz mutation lint system-deps setup bench clean install-desktop package package-test

system-deps:
	@bash packaging/system-deps.sh

$(STAMP): pyproject.toml setup.py
	@bash packaging/system-deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools' notice about editable installs ("be careful with folders ... same name as your package")
	@# is about its import hook, not about this project: not shown
	PYTHONWARNINGS="$${PYTHONWARNINGS:+$$PYTHONWARNINGS,}ignore:Editable installation" \
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
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2 --dist worksteal --ignore=tests/ui/call
	@# the test-call panel's live calls run on the wall clock: one at a time, after the rest
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/ui/call

# A long fuzzing run of every loader (make test runs the same tests with a few dozen examples each).
fuzz: $(STAMP)
	IVR_STUDIO_FUZZ_EXAMPLES=$${IVR_STUDIO_FUZZ_EXAMPLES:-5000} QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest -q -n 2 -p no:cacheprovider tests/hostile/test_hostile_fuzz.py

# Mutation testing of the modules where a wrong answer silently misroutes callers (slow; not part of
# `make test`). One module at a time, MUTATION_JOBS workers (the machine may be shared), niced; each mutant
# runs only the fast tests that reach the function it changed. Scores: benchmarks/mutation_scores.py.
MUTATION_MODULES ?= ivr_studio.bundle.handler.matching ivr_studio.bundle.handler.retries ivr_studio.runtime.verbs.gather
MUTATION_JOBS ?= 1
mutation: $(STAMP)
	@for m in $(MUTATION_MODULES); do \
		echo "== $$m"; \
		nice -n 10 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) "$$m.*" || exit 1; \
	done
	$(BIN)/python benchmarks/mutation_scores.py

# The self-contained build: dist/ivr-studio/ runs on a machine without Python.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet "pyinstaller>=6.10"
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/ivr-studio.spec
	@du -sh dist/ivr-studio

package-test: package
	$(BIN)/python packaging/smoke_test.py dist/ivr-studio

install-desktop: $(STAMP)
	bash packaging/install-desktop.sh

bench: $(STAMP)
	@bash packaging/system-deps.sh bench
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache
