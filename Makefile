# Suara: `make run` starts the portal with demo data; `make test` runs every test.
.PHONY: setup run test test-smoke lint format bench clean prod-check prod-up prod-down soak

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
	@.venv/bin/python bench/insights.py

# The production topology (deploy/, docs/operations.md): nginx with a
# self-signed certificate, 2 gunicorn, 2 uvicorn, 2 db_workers, the scheduler,
# on DATABASE_URL / REDIS_URL. HTTPS on $PROD_PORT (8443).
prod-check: setup
	@.venv/bin/python bench/prod_check.py

prod-up: setup
	@.venv/bin/python bench/topology.py up

prod-down:
	@.venv/bin/python bench/topology.py down

soak: setup
	@.venv/bin/python bench/soak.py --minutes $${SOAK_MINUTES:-30}

clean:
	rm -rf var/static .pytest_cache
