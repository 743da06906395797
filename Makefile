# The two commands of the README. Both set themselves up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := web/static/vendor
ASSETS_STAMP := $(VENDOR)/.installed

.PHONY: run test lint setup bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The front end's packages (npm, from the lock file) and their built files, copied where Flask serves them.
# web/static/vendor/ is ignored by git; without it the pages still work, unstyled, and diagrams do not draw.
$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/govuk $(VENDOR)/bpmn-js
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/govuk/
	cp -R node_modules/govuk-frontend/dist/govuk/assets $(VENDOR)/govuk/assets
	cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js $(VENDOR)/bpmn-js/
	cp -R node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	touch $(ASSETS_STAMP)

setup: $(STAMP) $(ASSETS_STAMP)

run: setup
	$(BIN)/lif init
	@if $(BIN)/python -c "import sys; from web.cli import database_is_empty; sys.exit(0 if database_is_empty() else 1)"; then \
		$(BIN)/lif demo; fi
	$(BIN)/lif serve --host $${LIF_HOST:-127.0.0.1} --port $${LIF_PORT:-5000}

# The style and type checks, configured in pyproject.toml ([tool.ruff], [tool.mypy]); `make test` runs them first.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Tests that measure the wall clock (a stall of other requests, a time limit) run alone after the others, so
# the parallel suite's load does not stand in for the thing they measure.
test: lint
	$(BIN)/pytest -n 2 -q -m "not timing"
	$(BIN)/pytest -q -m timing

bench: setup
	$(BIN)/python bench/engine_steps.py
	$(BIN)/python bench/sweep.py
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) instance node_modules $(VENDOR)
