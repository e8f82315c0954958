# Kenshu — the two commands of the quick start:
#   make run    set everything up and serve the app with demo data (SQLite, mail viewer)
#   make test   the whole suite: lint, unit, integration, browser; SQLite then PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install lint format bench worker messages vendor clean help

help:
	@echo "make run    - install, migrate, load demo data, serve http://127.0.0.1:$(PORT) with the worker"
	@echo "make test   - lint + the whole test suite (SQLite, then PostgreSQL when reachable)"
	@echo "make bench  - run the benchmarks in bench/ and print their figures"
	@echo "make format - format the code with ruff"

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed
	$(PY) manage.py compile_translations --verbosity 0

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data
	PORT=$(PORT) scripts/run-dev.sh

worker: install
	$(PY) manage.py db_worker

test: install
	scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Regenerate the Japanese catalogue after adding strings (needs gettext).
messages: install
	$(PY) manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests --ignore="*/tests/*"

# Refresh the vendored front-end assets from the npm registry (see kenshu/static/vendor/package.json).
vendor:
	tmp=$$(mktemp -d) && cp kenshu/static/vendor/package.json $$tmp/ && (cd $$tmp && npm install --silent --no-audit --no-fund) && \
	cp $$tmp/node_modules/bootstrap/dist/css/bootstrap.min.css* $$tmp/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* kenshu/static/vendor/bootstrap/ && \
	cp $$tmp/node_modules/htmx.org/dist/htmx.min.js kenshu/static/vendor/htmx/ && rm -rf $$tmp

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
