# One entry point for every task; the README names `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: serve demo install install-test lock lock-upgrade lint typecheck check-catalogs pofilter test test-sqlite test-postgres \
        i18n-extract i18n-update migration clean

UV_VERSION := 0.13.8
# pip installs exactly the locked versions, each checked against its hash, without resolving
# anything (--no-deps: the lock names every package already); `pip check` then confirms that
# what is installed fits together. Resolving again let a package's own range pick a release
# newer than the lock: a new fonttools, asked for as `fonttools[woff]>=…` by weasyprint, made
# the install refuse its unpinned extra. The project itself is then built from the checkout
# with the locked build backend (no download at build time).
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
LOCKED_INSTALL := $(PIP_INSTALL) --require-hashes --no-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(LOCKED_INSTALL) -r requirements/runtime.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check --disable-pip-version-check

install-test: $(BIN)/python
	$(LOCKED_INSTALL) -r requirements/test.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check --disable-pip-version-check

## Bring the lock in step with pyproject.toml, keeping every version it pins (after adding or
## changing a dependency there). `make lock-upgrade` moves everything to the newest releases the
## ranges allow. Either way: review the diff of requirements/*.txt, run `make test`, commit both.
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet
lock lock-upgrade:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)-lock/bin/uv pip compile $(LOCK_FLAGS) $(if $(filter lock-upgrade,$@),--upgrade) \
		pyproject.toml requirements/build.in -o requirements/runtime.txt
	$(VENV)-lock/bin/uv pip compile $(LOCK_FLAGS) $(if $(filter lock-upgrade,$@),--upgrade) \
		pyproject.toml requirements/build.in --extra test --extra lint -o requirements/test.txt

## Install and start the service on its embedded SQLite database (http://127.0.0.1:8000).
serve: install
	$(BIN)/mupass-forum serve

## The same, with demonstration forums loaded into an empty database.
demo: install
	$(BIN)/mupass-forum serve --demo

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy

## Every catalog complete, in step with the code and consistent (`mupass-forum i18n check`),
## and valid for GNU gettext's own checker (msgfmt -c), which CI runs as an independent opinion.
check-catalogs:
	$(BIN)/mupass-forum i18n check
	@if ! command -v msgfmt >/dev/null; then \
		if [ "$$CI" = "true" ]; then echo "msgfmt is missing (install gettext)"; exit 1; fi; \
		echo "msgfmt not found: catalog check skipped (install gettext to run it)"; exit 0; \
	fi; \
	for catalog in locales/*/LC_MESSAGES/messages.po; do \
		printf "%s: " "$$catalog"; msgfmt -c --statistics -o /dev/null "$$catalog" 2>&1 || exit 1; \
	done

## translate-toolkit's pofilter over every catalog with its language and the project's settings;
## fails on any finding not listed in locales/pofilter-exceptions.csv (README: For translators).
pofilter:
	$(BIN)/python -m tests.translations.pofilter

test-sqlite:
	$(BIN)/python -m pytest -q -p no:cacheprovider

## On PostgreSQL: each run creates and drops a database of its own next to the one named.
## Required when CI=true or MUPASS_TEST_DATABASE_URL is set; otherwise skipped if none answers.
test-postgres:
	@optional=1; if [ -n "$$MUPASS_TEST_DATABASE_URL" ] || [ "$$CI" = "true" ]; then optional=0; fi; \
	MUPASS_TEST_DATABASE_URL="$${MUPASS_TEST_DATABASE_URL:-$(PG_TEST_URL)}" \
	MUPASS_TEST_POSTGRES_OPTIONAL=$$optional \
		$(BIN)/python -m pytest -q -p no:cacheprovider

## Install what the tests need, check, and run the whole suite on SQLite and on PostgreSQL.
test: install-test lint typecheck check-catalogs test-sqlite test-postgres

## The languages are those of MUPASS_LOCALES; see `mupass-forum i18n --help`.
i18n-extract: install
	$(BIN)/mupass-forum i18n extract

i18n-update: install
	$(BIN)/mupass-forum i18n update

## Generate a migration after changing an app's tables: make migration APP=accounts
migration: $(BIN)/python
	PICCOLO_CONF=mupass_forum.piccolo_conf $(BIN)/piccolo migrations new $(APP) --auto

clean:
	rm -rf $(VENV) $(VENV)-lock var .mypy_cache .ruff_cache .pytest_cache
