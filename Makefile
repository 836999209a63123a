# One command per chore. `make run` and `make test` work on a fresh machine.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: install lock channel-catalog run test test-fast test-sqlite test-mysql test-postgres lint format schema migrations bench bench-api bench-subscriptions bench-startup bench-stats clean \
        console console-deps console-check test-console-e2e console-dev

FRONTEND      := frontend
CONSOLE_STAMP := $(FRONTEND)/node_modules/.installed-stamp
CONSOLE_SRC   := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f -not -path '*/src/gql/*' 2>/dev/null) \
                 $(FRONTEND)/index.html $(FRONTEND)/graphiql.html $(FRONTEND)/vite.config.ts $(FRONTEND)/codegen.ts schema/schema.graphql

install: $(STAMP)

# Reinstalls only when the locked dependencies change: exactly the versions and files (hashes) in
# requirements-dev.lock, then the package itself, editable, without resolving anything again.
$(STAMP): pyproject.toml requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# After changing dependencies in pyproject.toml: pin them, with hashes, for Docker (runtime and the
# `otel` extra) and for development and CI (everything). tests/test_lock.py fails until this is run.
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
        --no-emit-find-links --extra otel
lock: install
	$(LOCK) -o requirements.lock pyproject.toml
	$(LOCK) --extra dev -o requirements-dev.lock pyproject.toml

run: install console
	$(BIN)/pushnest serve

test: install lint console-check
	@bash .ci/services
	$(MAKE) --no-print-directory test-sqlite
	@if (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; then \
		$(MAKE) --no-print-directory test-mysql; \
	else echo "MariaDB not reachable: skipping the MariaDB run"; fi
	@if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable: skipping the PostgreSQL run"; fi
	$(MAKE) --no-print-directory test-console-e2e

# --- Console (frontend/) -------------------------------------------------------------------
# npm ci only when the lock file changes; the build only when a source file or the SDL changes.
console-deps: $(CONSOLE_STAMP)

$(CONSOLE_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(CONSOLE_STAMP)

console: $(FRONTEND)/dist/index.html

$(FRONTEND)/dist/index.html: $(CONSOLE_STAMP) $(CONSOLE_SRC)
	cd $(FRONTEND) && npm run --silent codegen && npm run --silent build

# Types, lint and unit tests of the console.
console-check: $(CONSOLE_STAMP)
	cd $(FRONTEND) && npm run --silent codegen && npm run --silent typecheck && npm run --silent lint && npm run --silent test:unit

# The real console in headless Chromium against a real `pushnest serve` (frontend/e2e/).
# A free port unless PUSHNEST_E2E_PORT names one (several checkouts may run this at once).
test-console-e2e: install console
	cd $(FRONTEND) && PUSHNEST_E2E_PORT=$${PUSHNEST_E2E_PORT:-$$($(CURDIR)/$(BIN)/python -c \
		'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')} \
		npm run --silent test:e2e

# Vite dev server proxying /graphql (with WebSockets) to PUSHNEST_API (default http://127.0.0.1:8000).
console-dev: $(CONSOLE_STAMP)
	cd $(FRONTEND) && npm run --silent codegen && npm run dev

# SQLite, MariaDB and PostgreSQL run in separate processes: Tortoise keeps one configuration per
# process. The server runs take the layers where the database kind matters; each makes its own
# databases (PUSHNEST_TEST_MYSQL / PUSHNEST_TEST_POSTGRES name the server) and drops them.
test-sqlite: install
	PUSHNEST_TEST_DB=sqlite $(PYTEST) -q tests

test-mysql: install
	PUSHNEST_TEST_DB=mysql $(PYTEST) -q tests/e2e tests/server tests/workers

test-postgres: install
	PUSHNEST_TEST_DB=postgres $(PYTEST) -q tests/e2e tests/server tests/workers

# The quick loop while developing: the unit, server, worker-core and process tests on SQLite and
# the console's unit tests; no end-to-end layer (tests/e2e, tests/scaleout, the browser).
test-fast: install console-deps
	PUSHNEST_TEST_DB=sqlite $(PYTEST) -q tests --ignore=tests/e2e --ignore=tests/scaleout
	cd $(FRONTEND) && npm run --silent test:unit

lint: install
	$(BIN)/ruff check schema server workers tests bench
	$(BIN)/ruff format --check schema server workers tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix schema server workers tests bench
	$(BIN)/ruff format schema server workers tests bench

# Regenerate schema/schema.graphql after changing the GraphQL schema (a test checks it).
schema: install
	$(BIN)/pushnest export-schema

# After adding or changing a channel type: the console's catalog fixture, which its words are checked
# against (tests/schema/channels/test_catalog_fixture.py fails while it is stale).
channel-catalog: install
	$(BIN)/python -m schema.channels.catalog > $(FRONTEND)/src/features/channels/catalog.fixture.json

# After changing schema/models: writes the next file in schema/migrations/.
migrations: install
	$(BIN)/tortoise makemigrations

# End-to-end delivery throughput (MariaDB + Redis + nginx sink) next to raw aiohttp/httpx loops and Apprise.
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/delivery.py $(ARGS)

# The API's fast path: GraphQL reads (wrk) next to bare Starlette, an open-loop sendMessage load,
# and one message per call end to end next to Apprise (MariaDB + private Redis + nginx sink; Debian's `wrk`).
bench-api: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/api.py $(ARGS)

# Subscription fan-out: event-to-client latency and server memory per subscriber (2,000 subscribers).
bench-subscriptions: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/subscriptions.py $(ARGS)

# Cold start time and idle memory of `pushnest serve` next to a bare Starlette app.
bench-startup: install
	$(BIN)/python bench/startup.py

# Statistics over 1,000,000 deliveries in MariaDB: stats(days=30) and dashboard counters vs 50 ms.
bench-stats: install
	$(BIN)/python bench/stats.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info $(FRONTEND)/node_modules $(FRONTEND)/dist $(FRONTEND)/src/gql
