# Delta: the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-test lint messages clean bench-sign

$(VENV)/bin/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Delta needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/activate pyproject.toml
	$(PIP) install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: set up, migrate, load the demo municipality and serve on http://$(HOST)
## (ASGI with websockets, and the background worker beside it; Ctrl-C stops both).
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py serve $(HOST)

## make test: lint, check migrations, run the whole suite (browser tests need Debian's chromium).
test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make messages: extract translatable strings and compile the Swedish catalogues.
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages -l sv --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='tests/*'
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*'

## make bench-sign: the e-proposal signing benchmark on PostgreSQL (see docs/performance.md);
## needs BENCH_DATABASE_URL (a PostgreSQL database it may fill) and REDIS_URL.
bench-sign: $(VENV)/.installed-test
	$(PIP) install --quiet --disable-pip-version-check -e ".[test,bench]"
	$(PY) bench/sign_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
