# One set-up path: every target below builds .venv first if it is missing or stale.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup run test lint
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,local,published,ray,train]"
	touch $@

# The main job: the smoke grid on the embedded model (offline, no API key, CPU).
run: setup
	$(BIN)/whylab run

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Lint, types, then the fast tests. pytest exits 5 when it collects nothing;
# that is reported as a failure, never as a pass.
test: lint
	$(BIN)/pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc
