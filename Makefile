# The two commands of the README. Both set themselves up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/lif init
	@if $(BIN)/python -c "import sys; from web.cli import database_is_empty; sys.exit(0 if database_is_empty() else 1)"; then \
		$(BIN)/lif demo; fi
	$(BIN)/lif serve --host $${LIF_HOST:-127.0.0.1} --port $${LIF_PORT:-5000}

test: setup
	$(BIN)/pytest -n 2 -q

bench: setup
	$(BIN)/python bench/engine_steps.py
	$(BIN)/python bench/sweep.py

clean:
	rm -rf $(VENV) instance
