# Delta: the two commands a new machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run run-production test install install-test lint messages clean bench-sign bench-fanout

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
## (ASGI with websockets, and the background worker beside it; Ctrl-C stops both). It writes
## var/local.env (DEBUG=1, a generated SECRET_KEY, SITE_URL=http://$(HOST)) that later
## manage.py commands in this checkout read.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(PY) -m democracy.local_env $(HOST)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py serve $(HOST)

## make run-production: migrate, collect static files and serve as deployed on 127.0.0.1 (gunicorn
## on HTTP_PORT, daphne for /ws/ on ASGI_PORT, the django-q2 cluster) behind a reverse proxy
## for https://$(HOST) (deploy/nginx/delta.conf); needs DATABASE_URL, REDIS_URL and SECRET_KEY.
HTTP_PORT ?= 8001
ASGI_PORT ?= 8002
run-production: export DEBUG = 0
run-production: export DELTA_PRODUCTION = 1
run-production: $(VENV)/.installed
	@for v in DATABASE_URL REDIS_URL SECRET_KEY; do \
		if [ -z "$$(printenv $$v)" ]; then \
			echo "make run-production needs $$v in the environment (see .env.example and docs/deployment.md)."; \
			exit 1; fi; done
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make run-production needs DATABASE_URL=postgres://…"; exit 1;; esac
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve_production $(HOST) --http-port $(HTTP_PORT) --asgi-port $(ASGI_PORT)

## make test: lint, check migrations, run the whole suite (browser tests need Debian's chromium).
test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make messages: extract translatable strings into every language's catalogues and compile them
## (a new language: `manage.py makemessages -l <code>` once, then this).
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages --all --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='tests/*'
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*'

## make bench-sign: the e-proposal signing benchmark on PostgreSQL (see docs/performance.md),
## against make run-production with nginx in front; needs BENCH_DATABASE_URL (a PostgreSQL
## database it may fill), REDIS_URL, nginx and openssl.
bench-sign: $(VENV)/.installed-test
	$(PIP) install --quiet --disable-pip-version-check -e ".[test,bench]"
	$(PY) bench/sign_bench.py

## make bench-fanout: websocket fan-out (5,000 sockets on one proposal) and CPU per request on
## the production topology (make run-production; see docs/performance.md); needs
## BENCH_DATABASE_URL (a PostgreSQL database it may fill) and REDIS_URL.
bench-fanout: $(VENV)/.installed-test
	$(PY) bench/fanout_bench.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
