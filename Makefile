# The two commands a newcomer needs: `make demo` and `make test`.
PORT ?= 8000

.PHONY: demo test install services services-stop lint bench

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
