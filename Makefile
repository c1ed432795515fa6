# Everything a newcomer needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup system-packages test fuzz e2e bench worker beat lint format check-deploy messages clean

# The stamps re-run pip only when a requirements file changes.
$(VENV)/.installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed-run
	@# Without Tesseract (no root to install it) the site still runs: a screenshot is then
	@# refused with "type it in" instead of read.
	-@$(MAKE) --no-print-directory system-packages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

## Debian packages the site needs beside Python (as root; .ci/run installs the same): Tesseract
## and its English model read locker screenshots, so nothing is downloaded at run time;
## espeak-ng speaks the clips the voice tests transcribe (the assistant's recogniser itself is
## the pocketsphinx wheel).
system-packages:
	command -v tesseract >/dev/null 2>&1 && dpkg -s tesseract-ocr-eng >/dev/null 2>&1 && \
	  command -v espeak-ng >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends tesseract-ocr tesseract-ocr-eng espeak-ng; }

## Serve the site with demo data on the embedded default (SQLite, in-process Redis, eager tasks).
run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite (SQLite by default; PostgreSQL and Redis with DATABASE_URL / REDIS_URL).
test: $(VENV)/.installed-dev system-packages
	$(PY) -m pytest

## Every API operation fuzzed from the OpenAPI schema as a signed-in shopper (schemathesis):
## fails on a 500 or an answer the schema does not describe. The timeout bounds the whole step.
fuzz: $(VENV)/.installed-dev
	timeout 900 $(PY) -m pytest fuzz -p no:cacheprovider --ds fuzz.settings

## Browser journeys in headless Chromium against a live server on PostgreSQL and Redis.
e2e: $(VENV)/.installed-dev
	$(PY) -m pytest e2e -p no:cacheprovider

## Benchmarks: gunicorn with DEBUG off on PostgreSQL and Redis, load from `hey`.
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py

worker: $(VENV)/.installed-run
	$(PY) -m celery -A coupzii worker --loglevel INFO

beat: $(VENV)/.installed-run
	$(PY) -m celery -A coupzii beat --loglevel INFO

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## `check --deploy` under production settings with throwaway secrets.
check-deploy: $(VENV)/.installed-run
	DJANGO_SETTINGS_MODULE=coupzii.settings.production \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	ALLOWED_HOSTS=coupzii.in \
	DATABASE_URL=postgres://coupzii@db/coupzii REDIS_URL=redis://redis:6379/0 \
	CELERY_BROKER_URL=redis://redis:6379/1 \
	RAZORPAY_KEY_ID=rzp_live_check RAZORPAY_KEY_SECRET=check RAZORPAY_WEBHOOK_SECRET=check \
	AWS_STORAGE_BUCKET_NAME=coupzii-files \
	$(PY) manage.py check --deploy --fail-level WARNING

## Extract strings to locale/hi (needs GNU gettext), then compile the .mo files.
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages --locale hi --ignore ".venv/*" --ignore "staticfiles/*" --ignore "e2e/*" --ignore "bench/*"
	$(PY) -m coupzii.core.i18n_compile

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
