# The README's two commands: `make run` and `make test`. Both work from a fresh clone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
INSTALLED := $(VENV)/.installed
# The files the running site keeps (settings read the same variable).
VAR_DIR ?= var

.PHONY: run serve serve-context run-split test install migrate worker lint check pytest test-split \
	test-browser bench bench-events bench-boundary bench-concurrency bench-search \
	bench-observability bench-pages bench-serving clean

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

## One context as a service of its own: its internal endpoints only, on its own database.
## make serve-context CONTEXT=accounts PORT=8001
## blog_project/gunicorn_service.conf.py: threads (gthread) keep the web process's connections
## alive between calls; workers sized to the cores; metrics of every worker at /server/metrics.
serve-context: $(INSTALLED)
	@test -n "$(CONTEXT)" || { echo "Say which: make serve-context CONTEXT=accounts PORT=8001"; exit 2; }
	PROCESS_ROLE=$(CONTEXT) PROCESS_CONTEXTS=$(CONTEXT) $(BIN)/python manage.py migrate_all
	PROCESS_ROLE=$(CONTEXT) PROCESS_CONTEXTS=$(CONTEXT) HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn \
		--config blog_project/gunicorn_service.conf.py --access-logfile -

## Web, the accounts and renderer services and the workers, in one terminal (PostgreSQL + Redis).
run-split: $(INSTALLED)
	./scripts/run-split
## Serve with gunicorn and the production settings (blog_project/gunicorn.conf.py: workers
## sized to the cores), after migrating and collecting the static files. DJANGO_SECRET_KEY
## comes from the environment; without it, a key generated once in $(VAR_DIR)/django-secret-key
## (mode 0600) lets you try it on this machine.
# bench/pages.py serves its settings (the site plus a trivial view) the same way.
SERVE_SETTINGS ?= blog_project.settings_production
serve: $(INSTALLED)
	@mkdir -p $(VAR_DIR)
	@test -n "$$DJANGO_SECRET_KEY" || test -s $(VAR_DIR)/django-secret-key || \
	  (umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))' \
	    > $(VAR_DIR)/django-secret-key)
	@echo "Plain HTTP without a TLS proxy in front: DJANGO_SECURE_SSL_REDIRECT=0 make serve"
	export DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) \
	  DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat $(VAR_DIR)/django-secret-key)}" && \
	$(BIN)/python manage.py migrate_all && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	exec $(BIN)/gunicorn --config blog_project/gunicorn.conf.py

## Celery worker with the beat scheduler (needs CELERY_BROKER_URL). METRICS_PORT=<port> serves
## its metrics (every pool process's) at /server/metrics.
worker: migrate
	PROCESS_ROLE=worker $(BIN)/celery -A blog_project worker --beat --loglevel=INFO

## Every check CI runs.
test: lint check pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache architecture/contracts.toml
	$(BIN)/vulture
	$(BIN)/mypy

check: $(INSTALLED)
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/python manage.py events schemas --check

pytest: $(INSTALLED)
	$(BIN)/pytest

## The suites that cross the accounts and renderer apis, with those contexts as services of
## their own (tests/split.py starts them). Needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL.
SPLIT_SUITES = tests/e2e tests/search tests/accounts/test_api.py tests/accounts/test_password_change.py \
	tests/blog/test_api_blogs.py tests/blog/test_api_entries.py tests/blog/test_api_drafts.py \
	tests/blog/test_api_idempotency.py tests/blog/test_web_account.py \
	tests/blog/test_web_account_page.py tests/blog/test_web_manage.py tests/blog/test_web_drafts.py \
	tests/blog/test_web_public.py tests/observability/test_traces.py
test-split: $(INSTALLED)
	SPLIT_DEPLOYMENT=1 $(BIN)/pytest $(SPLIT_SUITES)

## The browser tests alone (Chromium at /usr/bin/chromium; apt-get install chromium).
## BROWSER_SCREENSHOTS=<folder> keeps the screenshots they take.
test-browser: $(INSTALLED)
	$(BIN)/pytest tests/browser

bench: $(INSTALLED)
	$(BIN)/python bench/render.py

## Needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
bench-events: $(INSTALLED)
	$(BIN)/python bench/events.py

## The cost of the seam: an api call in-process, and a render over loopback HTTP.
bench-boundary: $(INSTALLED)
	$(BIN)/python bench/boundary.py
## Concurrent writers on make run and make serve, on the embedded SQLite defaults.
bench-concurrency: $(INSTALLED)
	$(BIN)/python bench/concurrency.py

## Needs DATABASE_URL (PostgreSQL); makes and drops its own database, bench_search.
bench-search: $(INSTALLED)
	$(BIN)/python bench/search.py

## What metrics and traces cost a request and an api call (in one process and multiprocess mode).
bench-observability: $(INSTALLED)
	$(BIN)/python bench/observability.py

## Public pages, the API's reads and a write against a trivial view, under gunicorn (make
## serve) on PostgreSQL: needs DATABASE_URL; makes and drops its own database, bench_pages.
bench-pages: $(INSTALLED)
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

## make serve's gunicorn settings compared (workers, worker class, keep-alive, CONN_MAX_AGE,
## health checks): needs DATABASE_URL; makes and drops its own database, bench_serving.
bench-serving: $(INSTALLED)
	$(BIN)/python bench/serving.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis .mypy_cache
