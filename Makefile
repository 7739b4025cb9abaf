# The README's two commands: `make run` and `make test`. Both work from a fresh clone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
INSTALLED := $(VENV)/.installed

.PHONY: run test install migrate worker lint check pytest test-browser bench bench-events bench-search clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

## Migrate every context's database alias.
migrate: $(INSTALLED)
	$(BIN)/python manage.py migrate_all

## Serve the site on http://$(HOST):$(PORT) with the embedded defaults (or the environment's),
## after loading the demo content when there is no blog yet.
run: migrate
	$(BIN)/python manage.py demo --if-empty
	@echo "Sign in at http://$(HOST):$(PORT)/signin with a demo account above."
	@echo "Staff user for the admin at /admin/: $(BIN)/python manage.py createsuperuser"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Celery worker with the beat scheduler (needs CELERY_BROKER_URL).
worker: migrate
	$(BIN)/celery -A blog_project worker --beat --loglevel=INFO

## Every check CI runs.
test: lint check pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache architecture/contracts.toml

check: $(INSTALLED)
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/python manage.py events schemas --check

pytest: $(INSTALLED)
	$(BIN)/pytest

## The browser tests alone (Chromium at /usr/bin/chromium; apt-get install chromium).
## BROWSER_SCREENSHOTS=<folder> keeps the screenshots they take.
test-browser: $(INSTALLED)
	$(BIN)/pytest tests/browser

bench: $(INSTALLED)
	$(BIN)/python bench/render.py

## Needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
bench-events: $(INSTALLED)
	$(BIN)/python bench/events.py

## Needs DATABASE_URL (PostgreSQL); makes and drops its own database, bench_search.
bench-search: $(INSTALLED)
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
