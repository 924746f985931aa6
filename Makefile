# The two commands: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test e2e lint install messages makemessages static check-chromium clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@test -f .env || printf '# Development settings for this checkout (not committed).\nDEBUG=1\n' > .env
	@touch $(STAMP)

install: $(STAMP)

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
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 test-artifacts
