# The front door. `make run` and `make test` do all the set-up themselves.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
TESTS ?= tests
# The port `make run` serves on; the links sent in development follow it (decision 124).
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: help install run test lint format translations translations-compile worker bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed  ## Create the venv and install the portal with its test tools

translations-compile: install  ## Compile the catalogues (.po -> .mo)
	$(BIN)/pybabel compile --use-fuzzy -d translations -D messages >/dev/null

run: install translations-compile  ## Migrate, load demo data and serve on http://127.0.0.1:5000 (PORT=5101 for another)
	$(FLASK) db upgrade
	$(FLASK) seed demo
	PORT=$(PORT) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install translations-compile  ## Run every test (TESTS=tests/unit to narrow)
	$(BIN)/python -m pytest $(TESTS) $(PYTEST_ARGS)

lint: install  ## Ruff lint and format check
	$(BIN)/ruff check benefits tests benchmarks tools
	$(BIN)/ruff format --check benefits tests benchmarks tools

format: install  ## Apply ruff's fixes and formatting
	-$(BIN)/ruff check --fix benefits tests benchmarks tools
	$(BIN)/ruff format benefits tests benchmarks tools

translations: install  ## Extract, update and compile the vi and en catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --sort-output --project benefits .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/po_fill.py en
	$(BIN)/python tools/po_fill.py vi $(wildcard translations/vi-pending/*.json)
	$(BIN)/pybabel compile --use-fuzzy -d translations

worker: install  ## Run an RQ worker (needs REDIS_URL; PORT= as for `make run`)
	PORT=$(PORT) $(FLASK) worker

bench: install translations-compile  ## Run the benchmarks (see benchmarks/README.md)
	$(BIN)/python benchmarks/import_caseload.py

clean:  ## Remove the venv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
