# The two commands: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test e2e lint security install lock messages makemessages static check-chromium clean bench restore-drill

# Dependencies are pinned with their hashes in requirements.lock (`make lock` updates it); the
# project itself is installed on top of them, editable and without resolving anything.
# The .env says DEV=1: settings read a .env only when it carries that marker (README).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@test -f .env || printf '# Development settings for this checkout (not committed).\n# DEV=1 marks it as a developer'"'"'s: settings ignore a .env without it.\nDEV=1\nDEBUG=1\n' > .env
	@grep -qx 'DEV=1' .env || printf 'DEV=1\n' >> .env
	@touch $(STAMP)

install: $(STAMP)

# Re-pin the dependencies after changing them in pyproject.toml (pins already in the lock are
# kept): `make lock`; move everything to the newest allowed versions: `make lock
# LOCK_ARGS=--upgrade`; one package: `make lock LOCK_ARGS="--upgrade-package django"`.
# pip-tools is installed on demand into its own virtualenv; it is no dependency of the project.
LOCK_TOOLS := $(VENV)/lock-tools
lock:
	@test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
	  $(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools; }
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes \
	  --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock $(LOCK_ARGS) pyproject.toml

# Compile the translations with Babel (pure Python: no gettext needed).
messages: $(STAMP)
	@$(BIN)/pybabel -q compile --domain django --directory locale

# Update the English catalogue from the source (needs GNU gettext's xgettext).
makemessages: $(STAMP)
	DEBUG=1 $(MANAGE) makemessages --locale en --no-location --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'

static: $(STAMP)
	@$(MANAGE) collectstatic --noinput --verbosity 0

run: export DEBUG = 1
run: export DEMO_MODE = 1
run: messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo ""
	@echo "Prostitutionsenheten (demo) på http://$(HOST)/ – logga in med ett av kontona ovan."
	$(MANAGE) runserver $(HOST)

test: messages
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

check-chromium:
	@command -v $${CHROMIUM:-/usr/bin/chromium} >/dev/null 2>&1 || { \
	  echo "Chromium is missing: install Debian's package (apt-get install chromium)" \
	       "or set CHROMIUM=/path/to/chromium; 'playwright install' is not used."; exit 1; }

e2e: messages check-chromium
	SQLITE_TEST_FILE=1 $(BIN)/pytest -m e2e $(PYTEST_ARGS)

# ruff (with its bandit rules), then bandit itself: no medium or high finding is left that a
# "# nosec <test>" beside it does not explain.
BANDIT_PATHS := prostenhet clients spiralen outreach kast trafficking
lint: $(STAMP) security
	$(BIN)/ruff check .

security: $(STAMP)
	$(BIN)/bandit --quiet --severity-level medium --recursive $(BANDIT_PATHS) --exclude '*/migrations/*'

# The page benchmark and a load test of a real server (gunicorn, 2 workers) on PostgreSQL: the
# reference data set (DESIGN §9) is generated once into a throw-away database, BENCH_DB, which
# is dropped and made anew (never point it at a database that matters). README: Timings.
BENCH_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
BENCH_DB ?= prostenhet_bench
BENCH_SCALE ?= 1
BENCH_URL = $(patsubst %/postgres,%/$(BENCH_DB),$(BENCH_ADMIN_URL))
bench: messages
	@test "$(BENCH_URL)" != "$(BENCH_ADMIN_URL)" || { \
	  echo "BENCH_ADMIN_URL must end in /postgres (the throw-away BENCH_DB takes its place)."; exit 1; }
	psql -q "$(BENCH_ADMIN_URL)" -c "DROP DATABASE IF EXISTS $(BENCH_DB)" -c "CREATE DATABASE $(BENCH_DB)"
	DATABASE_URL=$(BENCH_URL) $(MANAGE) migrate --noinput --verbosity 0
	DATABASE_URL=$(BENCH_URL) $(MANAGE) benchmark --scale $(BENCH_SCALE) --requests 15 --keep --plan .bench/plan.json
	DATABASE_URL=$(BENCH_URL) $(MANAGE) loadtest --plan .bench/plan.json $(LOAD_ARGS)

# The restore drill (docs/deploy.md): demo data in a throw-away database under load, pg_dump of
# an exported snapshot, pg_restore into a new database, row counts and the newest access-log
# row compared, the app served from the restore. DRILL_DATABASE_URL: an admin connection
# (default postgres://postgres@127.0.0.1:5432/postgres); DRILL_ARGS=--keep keeps what it made.
restore-drill: messages
	$(BIN)/python deploy/restore_drill.py $(DRILL_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 test-artifacts .bench
