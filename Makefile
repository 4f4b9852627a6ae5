# ParaBench: `make run` starts the embedded system, `make test` runs every test.
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

TOPOLOGY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/parabench

.PHONY: run topology test test-sqlite test-postgres lint format venv bytecode system-deps bench messages clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

# --compile-bytecode: the packages' .pyc are written once here. Where PYTHONDONTWRITEBYTECODE is
# set, every process would otherwise compile them again (WeasyPrint alone: 8 s at each start).
$(VENV)/.synced: $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

venv: $(VENV)/.synced

run: venv bytecode
	$(VENV)/bin/python -m parabench.embedded

# The production topology on loopback: nginx (mTLS) → 2 uploaders, 2 import workers, 1 statistics
# worker, on PostgreSQL (docs/deployment.md). Create the database first (createdb parabench).
topology: venv system-deps
	DATABASE_URL=$${DATABASE_URL:-$(TOPOLOGY_DATABASE_URL)} $(VENV)/bin/python -m parabench.topology

# Chromium (browser tests), nginx (production-mode upload test), Java keytool (.pfx test).
system-deps:
	bash scripts/system-deps.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Our own sources' .pyc too (only changed files are compiled again; __pycache__ is gitignored).
bytecode: venv
	$(VENV)/bin/python -m compileall -q parabench parabench_client parabench_format tests bench conformance

# The two halves side by side, each on its own core (scripts/test-halves.sh: a log per half under
# var/test-logs/, a summary, the log of a failed half). TEST_PARALLEL=0: one after the other.
TEST_PARALLEL ?= 1
test: venv system-deps lint bytecode
ifeq ($(TEST_PARALLEL),0)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
else
	@MAKE="$(MAKE)" bash scripts/test-halves.sh
endif

# Each half has its own var/ (uploads, CA, mail of tests that use the settings' defaults) and its
# own pytest cache, so that both can run at once.
# OPENBLAS_NUM_THREADS=1: each half has one core. With OpenBLAS's own threads (one per core) the
# two halves fight over both cores, and numpy's small linear algebra spins: a pinv of 70 × 51 took
# 11.5 ms instead of 0.96 ms at load 7, and the attacker suite's 18,000 of them 33 s instead of
# a few (tests/privacy, issue 17).
export OPENBLAS_NUM_THREADS ?= 1

test-sqlite: venv
	@echo "=== tests on SQLite ==="
	DATABASE_URL=sqlite:///$(CURDIR)/var/test-main.sqlite3 PARABENCH_VAR_DIR=$(CURDIR)/var/test-sqlite \
		$(VENV)/bin/pytest -o cache_dir=.pytest_cache/sqlite $(PYTEST_ARGS)

# The PostgreSQL half runs every test that can reach a database; the others (the export client,
# the format, pure statistics: 60 % of the tests) cannot tell the two apart and run in the SQLite
# half only (tests/conftest.py, reaches_database).
test-postgres: venv
	@echo "=== tests on PostgreSQL ($(PG_TEST_URL)) ==="
	@$(VENV)/bin/python scripts/require_postgres.py "$(PG_TEST_URL)"
	DATABASE_URL=$(PG_TEST_URL) PARABENCH_VAR_DIR=$(CURDIR)/var/test-postgres \
		$(VENV)/bin/pytest -o cache_dir=.pytest_cache/postgres --database-tests-only $(PYTEST_ARGS)

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Dutch is the source language: only English has a catalogue (translate it, then commit .po + .mo).
messages: venv
	$(VENV)/bin/python manage.py makemessages -l en --ignore=.venv --ignore=.tools --ignore=var --ignore=tests --ignore=bench
	$(VENV)/bin/python manage.py compilemessages --ignore=.venv --ignore=.tools

bench: venv
	$(VENV)/bin/python -m bench.run_all

clean:
	rm -rf var/test* .pytest_cache
