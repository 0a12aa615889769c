# One entry point for every task; the README names `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCALES := de en fr es
PYBABEL_KEYWORDS := -k _ -k gettext -k ngettext:1,2 -k lazy_gettext -k N_
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: serve demo install install-test lint typecheck check-catalogs test test-sqlite test-postgres \
        i18n-extract i18n-update migration clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,lint]'

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

## Every catalog complete and valid for GNU gettext's own checker (msgfmt from gettext).
check-catalogs:
	@if ! command -v msgfmt >/dev/null; then \
		if [ "$$CI" = "true" ]; then echo "msgfmt is missing (install gettext)"; exit 1; fi; \
		echo "msgfmt not found: catalog check skipped (install gettext to run it)"; exit 0; \
	fi; \
	for locale in $(LOCALES); do \
		msgfmt -c --statistics -o /dev/null locales/$$locale/LC_MESSAGES/messages.po || exit 1; \
	done

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

i18n-extract: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg $(PYBABEL_KEYWORDS) --add-comments=i18n: \
		--project=mupass-forum --copyright-holder="mupass-forum contributors" \
		--msgid-bugs-address=translations@mupass-forum.invalid --sort-by-file \
		-o locales/messages.pot .

i18n-update: i18n-extract
	@for locale in $(LOCALES); do \
		if [ -f locales/$$locale/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i locales/messages.pot -d locales -l $$locale --previous; \
		else \
			$(BIN)/pybabel init -i locales/messages.pot -d locales -l $$locale; \
		fi; \
	done

## Generate a migration after changing an app's tables: make migration APP=accounts
migration: $(BIN)/python
	PICCOLO_CONF=mupass_forum.piccolo_conf $(BIN)/piccolo migrations new $(APP) --auto

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
