# The two commands a newcomer needs: `make demo` and `make test`.
PORT ?= 8000

.PHONY: demo test install services services-stop lint bench messages

install:
	bash scripts/bootstrap.sh

# The embedded default (SQLite, in-process pipeline, log in the database) with demo data.
demo: install
	PORT=$(PORT) .venv/bin/veracity demo --port $(PORT)

# The whole suite against real Redis, PostgreSQL and Elasticsearch, then ruff and mypy.
test:
	bash scripts/test.sh

services:
	bash scripts/services/all.sh start

services-stop:
	bash scripts/services/all.sh stop

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy .

bench: install
	bash scripts/bench.sh

# The UI's catalogues (review_ui/translations): extract every string of the templates and every
# Msg("...") of review_ui/*.py, then merge into each language's .po (new ones untranslated; the
# test tests/review_ui/test_i18n.py fails until each has its translation).
messages: install
	.venv/bin/pybabel extract -F babel.cfg -k Msg -k _ --no-location --sort-output --project veracity --copyright-holder veracity -o review_ui/translations/messages.pot .
	.venv/bin/pybabel update -D messages -i review_ui/translations/messages.pot -d review_ui/translations --no-fuzzy-matching --ignore-obsolete --width 100
