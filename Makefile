# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TRIBUNE_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TRIBUNE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_WORKERS ?= 2

.PHONY: run test lint install dev messages clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Tribune needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed node_modules/.installed

run: install
	$(BIN)/tribune run

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check tribune bench
	$(BIN)/ruff format --check tribune bench

# The PostgreSQL pass leaves out the tests of the tribune command, the queue and
# /health/: they start their own processes on their own databases (PostgreSQL
# included), so they would only run a second time. The connectors' tests against
# real network servers (marker real_server) touch no Tribune database, so they
# are left out too. Everything else runs again.
PROCESS_TESTS := tribune/core/tests/test_cli.py tribune/core/tests/test_queue.py tribune/core/tests/test_health.py
test: dev lint
	$(BIN)/tribune makemigrations --check --dry-run > /dev/null
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider
	@if reason=$$($(BIN)/python -m tribune.testing.services postgres); then \
		echo "--- the suite again on PostgreSQL"; \
		TRIBUNE_DATABASE_URL=$$TRIBUNE_TEST_POSTGRES_URL $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m 'not real_server' $(foreach t,$(PROCESS_TESTS),--ignore=$(t)); \
	elif [ "$$CI" = "true" ]; then echo "CI=true and $$reason"; exit 1; \
	else echo "skipped the PostgreSQL run: $$reason"; fi

messages: $(VENV)/.dev-installed
	cd tribune && ../$(BIN)/tribune makemessages -l fr -l en --no-obsolete
	cd tribune && ../$(BIN)/tribune compilemessages

clean:
	rm -rf $(VENV) node_modules var/test
