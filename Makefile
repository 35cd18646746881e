# 工会困难职工帮扶管理平台 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# requirements.txt is what production runs; requirements-dev.txt adds tests, lint, load and browser tools.
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test install install-dev messages lint migrate seed worker beat serve loadcheck loadtest backup restore clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-[0-9]*
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

## Compile the translations (.po → .mo) with polib: no GNU gettext needed.
messages: install
	$(PY) manage.py compile_translations

migrate: install messages
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_family_demo

## Laptop trial: SQLite, eager tasks, demo data, http://127.0.0.1:8000 (make run PORT=8123 for another port)
run: seed
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite (uses DATABASE_URL / REDIS_URL when set; .ci/run sets both).
test: install-dev messages
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Production-style processes (set DJANGO_SETTINGS_MODULE, DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS).
serve: install
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn -c hardship/gunicorn.conf.py hardship.wsgi

worker: install
	$(VENV)/bin/celery -A hardship worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A hardship beat --loglevel=INFO

## Backups (PostgreSQL): one dated, sha256-checksummed archive of the database and MEDIA_ROOT in BACKUP_DIR,
## encrypted when BACKUP_PASSPHRASE is set, older than BACKUP_KEEP_DAYS deleted; prints one JSON line.
backup: install
	$(PY) manage.py backup

## Restore ARCHIVE into DATABASE_URL's (empty) database and an empty MEDIA_ROOT: make restore ARCHIVE=…
restore: install
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=backups/portal-….tar[.enc]"; exit 2; }
	$(PY) manage.py restore "$(ARCHIVE)"

## Capacity of gunicorn (production settings, 2 workers × 2 threads) + PostgreSQL on 127.0.0.1, on its own
## database (LOADTEST_DATABASE, default `loadtest`, on DATABASE_URL's server): a think-time run (locust),
## a closed-loop saturation run per page against /healthz, and a soak of SOAK_MINUTES at half the
## household file's saturation rate. One JSON object per line and run; LOADTEST_ARGS passes flags on
## (e.g. LOADTEST_ARGS="--households 1000000"; loadtest/run.py --help lists them).
SOAK_MINUTES ?= 30
loadtest: install-dev messages
	$(PY) loadtest/run.py --soak-minutes $(SOAK_MINUTES) $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
