# Cadence: `make run` serves the app, `make test` runs the whole suite. Both do all set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := $(CURDIR)/.tools
CADENCE_PORT ?= 8000
# Listening address: loopback only unless set (e.g. CADENCE_HOST=0.0.0.0 behind a proxy).
CADENCE_HOST ?= 127.0.0.1
CADENCE_DATA_DIR ?= $(CURDIR)/data
export CADENCE_PORT CADENCE_HOST CADENCE_DATA_DIR

# JS runtime for Reflex 0.10 (node >= 22.22 or bun >= 1.4.4), taken from the npm registry into
# .tools/ because the system's is usually too old and Reflex's own installer needs the internet.
BUN_VERSION := 1.4.4
NODE_VERSION := 22.23.5
ARCH := $(shell uname -m)
BUN_PKG := @oven/bun-linux-$(if $(filter aarch64 arm64,$(ARCH)),aarch64,x64)
NODE_PKG := node-linux-$(if $(filter aarch64 arm64,$(ARCH)),arm64,x64)
CA_FILE := /etc/ssl/certs/ca-certificates.crt

export PATH := $(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_BUN_PATH := $(TOOLS)/node_modules/$(BUN_PKG)/bin/bun
export REFLEX_USE_NPM := 0
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
ifneq ($(wildcard $(CA_FILE)),)
export NODE_EXTRA_CA_CERTS := $(CA_FILE)
export npm_config_cafile := $(CA_FILE)
endif

# Each app process needs a Reflex build directory of its own (docs/deploy.md): two processes
# sharing one rebuild each other's files. CADENCE_WEB_DIR=/path gives this process its own.
ifdef CADENCE_WEB_DIR
export REFLEX_WEB_WORKDIR := $(CADENCE_WEB_DIR)/web
export REFLEX_STATES_WORKDIR := $(CADENCE_WEB_DIR)/states
endif

PYTEST_ARGS ?=

.PHONY: help setup test-setup run dev migrate test test-postgres test-fast lint format chromium bench fuzz clean

help:
	@echo "make run    set up everything and serve Cadence at http://127.0.0.1:$(CADENCE_PORT)"
	@echo "make test   set up everything (incl. Chromium) and run the whole test suite"
	@echo "make dev    hot-reload development server (frontend :3000, backend :$(CADENCE_PORT))"
	@echo "make lint   ruff check + format check;  make bench  run the benchmarks"

# requirements.txt is the runtime (`make run`); requirements-test.txt adds the test and lint
# tooling (`make test`, `make lint`, `make fuzz`).
$(BIN)/.installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(BIN)/.test-installed: $(BIN)/.installed requirements-test.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-test.txt
	@touch $@

$(TOOLS)/.installed:
	@command -v npm >/dev/null || { echo "npm is required to fetch the JS runtime (apt-get install npm)"; exit 1; }
	@mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
		$(BUN_PKG)@$(BUN_VERSION) $(NODE_PKG)@$(NODE_VERSION)
	@$(REFLEX_BUN_PATH) --version >/dev/null && node --version
	@touch $@

setup: $(BIN)/.installed $(TOOLS)/.installed

test-setup: setup $(BIN)/.test-installed

# preflight: waits (with backoff, saying for what) for Redis and PostgreSQL when configured,
# and prints the PostgreSQL connection budget.
migrate: setup
	@mkdir -p -m 700 "$(CADENCE_DATA_DIR)"
	$(BIN)/python -m cadence preflight
	$(BIN)/alembic upgrade head

# `reflex run --env prod`, skipping the page compile and the frontend build when their inputs
# are unchanged (cadence/serve.py).
run: migrate
	@echo "Cadence: http://$(CADENCE_HOST):$(CADENCE_PORT)  (data in $(CADENCE_DATA_DIR); Ctrl-C stops)"
	exec $(BIN)/python -m cadence.serve --port $(CADENCE_PORT) --loglevel warning

dev: migrate
	CADENCE_CORS_ORIGINS="$${CADENCE_CORS_ORIGINS:-http://localhost:3000,http://127.0.0.1:3000}" \
	exec $(BIN)/reflex run --backend-host $(CADENCE_HOST) --backend-port $(CADENCE_PORT)

chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	echo "Chromium is missing: installing Debian's package for the browser tests"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo -n"; \
	else echo "Cannot install Chromium: run 'apt-get install chromium' as root."; exit 1; fi; \
	{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; } \
	|| { echo "Cannot install Chromium: run 'apt-get install chromium' as root, then make test."; exit 1; }

test: test-setup chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# The PostgreSQL pass of .ci/run: every test but the browser suite, of which only the tests
# marked pg_e2e (the UI paths whose database work differs: a held lock, an exactly-once sync,
# an upload through the queue) run again; the rest re-tests the same UI (docs/architecture.md,
# "Tests").
test-postgres: test-setup chromium
	@test -n "$$CADENCE_TEST_DATABASE_URL" || { echo "test-postgres needs CADENCE_TEST_DATABASE_URL"; exit 1; }
	$(BIN)/pytest -m "not e2e or pg_e2e" $(PYTEST_ARGS)

test-fast: test-setup
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: test-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: test-setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: migrate
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# schemathesis against `reflex run --env prod` on a free port (own data dir, PostgreSQL too when
# CADENCE_TEST_DATABASE_URL is set): every operation, >= 2000 cases, at most FUZZ_MAX_TIME seconds.
FUZZ_MAX_TIME ?= 300
fuzz: test-setup
	$(BIN)/python -m tests.fuzz.run --server app --examples 60 --max-time $(FUZZ_MAX_TIME)

clean:
	rm -rf .web .states .pytest_cache
