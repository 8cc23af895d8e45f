# VP Portal: `make run` serves the demo, `make test` runs every check. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_ENV := DEBUG=1 DEMO_MODE=1

.PHONY: run serve test lint lock migrate demo python-check venv venv-dev browser load-balancer sso-provider bench bench-ci load clean

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
		echo "VP Portal needs Python 3.11 or newer as '$(PYTHON)'."; \
		echo "Install it (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python@3.12)"; \
		echo "or run: make PYTHON=/path/to/python3.11 run"; exit 1; }

$(BIN)/python: | python-check
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Every dependency, transitive ones included, is installed at the version its lock file pins (what
# was tested); pyproject.toml names the direct ones and their ranges, `make lock` writes the locks
# from it. Reinstall when a lock file changes.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --allow-unsafe

$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# After changing the dependencies in pyproject.toml: new locks (then `make test`, and commit them).
lock: venv-dev
	$(PIP_COMPILE) --output-file $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file $(DEV_LOCK) pyproject.toml

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

# Debian's chromium drives the browser tests (Playwright cannot download browsers here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
		else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; fi

# Debian's HAProxy is the load balancer in front of the load test's two app servers (benchmarks/load.py).
load-balancer:
	@if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy; \
		else echo "The load test needs Debian's HAProxy: sudo apt-get install haproxy"; exit 1; fi; fi

# The OpenID provider the SSO tests sign in against (npm's oidc-provider, tests/sso/provider.mjs):
# installed from its lock file, again when the lock file changes.
SSO_PROVIDER := tests/sso/node_modules/.installed

$(SSO_PROVIDER): tests/sso/package.json tests/sso/package-lock.json
	@command -v npm >/dev/null || { echo "The SSO tests need Node.js 20+ and npm (Debian: apt-get install nodejs npm)."; exit 1; }
	cd tests/sso && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

sso-provider: $(SSO_PROVIDER)

migrate: venv
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEMO_ENV) $(BIN)/python manage.py demo_data

# `make run` is `make demo` then `make serve`: runserver beside a Celery worker with beat embedded
# (webhooks, notifications, digest, retention), on the embedded file-system broker unless
# CELERY_BROKER_URL is set. `make serve` alone serves a database already migrated, as
# tests/production/test_make_run.py runs it. The recipe's shell starts both in its background and
# waits for runserver; Ctrl-C (or TERM or HUP to make) ends that wait, and its exit stops both
# (runserver takes its autoreloader child along, the worker its pool and beat) and waits for them, so
# nothing outlives make. Not `kill 0`: that signals the whole process group, the shell itself
# included (a TERM trap running `kill 0` recurses until the shell crashes) and, when make runs without
# job control, whatever started it.
define serve-recipe
	@echo "Serving VP Portal on http://127.0.0.1:$(PORT)/ with a background worker and beat (Ctrl-C to stop)"
	@trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP; \
	trap 'kill $$server $$worker 2>/dev/null; wait' EXIT; \
	$(DEMO_ENV) $(BIN)/celery -A vpportal worker --beat -l warning -c 2 & worker=$$!; \
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	wait $$server
endef

run: demo
	$(serve-recipe)

serve:
	$(serve-recipe)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r .

test: venv-dev browser sso-provider lint
	TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run
	TESTING=1 $(BIN)/python manage.py check
	$(BIN)/python -m pytest -n 2 --dist worksteal -q $(PYTEST_ARGS)

# Benchmarks and load test (PostgreSQL; docs/scaling.md). Not part of `make test`.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vpportal_bench
BENCH_CI_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vpportal_bench_ci

bench: venv
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/run.py --scale full

bench-ci: venv
	BENCH_DATABASE_URL=$(BENCH_CI_DATABASE_URL) $(BIN)/python benchmarks/run.py --scale ci

# The load test runs on a private throwaway PostgreSQL cluster it creates, seeds, restarts and deletes
# (the server tools must be installed). LOAD_DATABASE_URL=postgres://... uses that database instead
# (add LOAD_ARGS='--restart-cmd "..."' for its restart phase); LOAD_ARGS='--duration 20' etc.
LOAD_DATABASE_URL ?=

load: venv-dev load-balancer
	$(BIN)/python benchmarks/load.py $(if $(LOAD_DATABASE_URL),--database-url $(LOAD_DATABASE_URL)) $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles vpportal.sqlite3 tests/sso/node_modules
