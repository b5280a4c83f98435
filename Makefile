# The two commands: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The embedded demo: SQLite under var/, tasks in-process, email on the console.
export DEBUG ?= 1

.PHONY: run test install migrate seed lint format clean security backup restore

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	mkdir -p var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# wapiti and sqlmap against a local gunicorn with production settings; loopback only,
# bounded in time (about 12 minutes). See README.md, "Security checks".
security: install
	bash scripts/security.sh

# The database (pg_dump) and the private files into a dated folder under var/backups (or
# BACKUP_DIR); restore one with `make restore BACKUP=var/backups/... DATABASE_URL=...`.
# See README.md, "Backup and restore".
backup:
	bash scripts/backup.sh

restore:
	bash scripts/restore.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles
