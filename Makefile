# The two commands of the README. Both set themselves up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := web/static/vendor
ASSETS_STAMP := $(VENDOR)/.installed
DESIGNER := $(VENDOR)/designer
DESIGNER_STAMP := $(DESIGNER)/.built
FRONTEND := $(shell find web/frontend -type f 2>/dev/null)

.PHONY: run test test-ci lint setup bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The front end's packages (npm, from the lock file) and their built files, copied where Flask serves them by
# web/frontend/vendor.sh, which the Dockerfile's Node stage runs too (the same tree in the image).
# web/static/vendor/ is ignored by git; without it the pages still work, unstyled, and diagrams do not draw.
$(ASSETS_STAMP): package.json package-lock.json web/frontend/vendor.sh
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	sh web/frontend/vendor.sh assets $(VENDOR)
	touch $(ASSETS_STAMP)

# The process designer's editor: our own modules in web/frontend/ bundled by esbuild (no eval, no inline styles:
# the pages' CSP allows only 'self'), with the CSS of the modeler, the properties panel and dmn-js beside them.
$(DESIGNER_STAMP): $(ASSETS_STAMP) $(FRONTEND)
	sh web/frontend/vendor.sh designer $(VENDOR)
	touch $(DESIGNER_STAMP)

setup: $(STAMP) $(ASSETS_STAMP) $(DESIGNER_STAMP)

run: setup
	$(BIN)/lif init
	@if $(BIN)/python -c "import sys; from web.cli import database_is_empty; sys.exit(0 if database_is_empty() else 1)"; then \
		$(BIN)/lif demo; fi
	$(BIN)/lif serve --host $${LIF_HOST:-127.0.0.1} --port $${LIF_PORT:-5000}

# The style and type checks (ruff.toml; [mypy] in setup.cfg); `make test` runs them first.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# The fast suite (SQLite): the parallel tests, then those that measure the wall clock (a stall of other
# requests, a time limit) alone, so the suite's own load does not stand in for what they measure.
test: lint
	env -u LIF_TEST_POSTGRES_URL $(BIN)/pytest -n 2 -q -m "not timing and not slow"
	env -u LIF_TEST_POSTGRES_URL $(BIN)/pytest -q -m "timing and not slow" tests/security

# CI's slower stages, after `make test` (.ci/run): the browser and fuzzing tests, every database test again on
# PostgreSQL (LIF_TEST_POSTGRES_URL must be set), then the engine and scenario tests on SpiffWorkflow's own
# serialization and tree walks.
test-ci: setup
	test -n "$$LIF_TEST_POSTGRES_URL" || { echo "test-ci needs LIF_TEST_POSTGRES_URL"; exit 2; }
	env -u LIF_TEST_POSTGRES_URL $(BIN)/pytest -n 2 -q -m "slow and not timing"
	env -u LIF_TEST_POSTGRES_URL $(BIN)/pytest -q -m "timing and slow" tests/security
	$(BIN)/pytest -n 2 -q -m "not timing" -k postgresql --ignore-glob='*_browser.py'
	$(BIN)/pytest -q -m timing -k postgresql tests/security
	env -u LIF_TEST_POSTGRES_URL LIF_SPIFF_FAST_PATHS=0 $(BIN)/pytest -n 2 -q -m "not timing and not slow" tests/engine tests/scenarios

bench: setup
	$(BIN)/python bench/engine_steps.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) instance node_modules $(VENDOR)
