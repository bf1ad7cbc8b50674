# Suara: `make run` starts the portal with demo data; `make test` runs every test.
.PHONY: setup run test test-smoke lint format bench clean

setup:
	@bash scripts/bootstrap.sh

run: setup
	@.venv/bin/python manage.py run_portal

test: setup
	@bash scripts/test.sh

# The embedded defaults only (SQLite, in-memory layer): the smoke tests.
test-smoke: setup
	@env -u DATABASE_URL -u REDIS_URL bash scripts/test.sh -m smoke

# ruff, and the house's import contracts (pyproject.toml, docs/architecture.md).
lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

format: setup
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

# Each benchmark starts and stops what it measures; PostgreSQL and Redis
# from DATABASE_URL / REDIS_URL (see docs/benchmarks.md).
bench: setup
	@.venv/bin/python bench/pages.py
	@.venv/bin/python bench/intake.py
	@.venv/bin/python bench/consultation.py
	@.venv/bin/python bench/queue.py
	@.venv/bin/python bench/pdf.py
	@.venv/bin/python bench/realtime.py
	@.venv/bin/python bench/monitoring.py

clean:
	rm -rf var/static .pytest_cache
