# The two commands: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The embedded demo: SQLite under var/, tasks in-process, email on the console.
export DEBUG ?= 1

.PHONY: run test install catalogues messages migrate seed lint format clean security backup restore

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The compiled catalogues (locale/*/LC_MESSAGES/django.mo) are committed; this compiles, with
# polib (no GNU gettext needed), any whose .po changed since. See README.md, "Languages".
catalogues: install
	$(BIN)/python scripts/compile_messages.py

# After changing text: gather every marked string into the three catalogues (new ones come in
# empty, changed ones fuzzy), then translate them and run `make catalogues`. Needs GNU
# gettext's xgettext (apt-get install gettext), as Django's makemessages does.
MESSAGE_LANGS := zh_Hans ms ta
messages: install
	$(BIN)/python manage.py makemessages --no-obsolete --add-location=file \
		$(addprefix -l ,$(MESSAGE_LANGS)) \
		--ignore='.venv/*' --ignore='bench/*' --ignore='tests/*' --ignore='staticfiles/*' \
		--ignore='var/*' --ignore='node_modules/*'
	$(BIN)/python scripts/compile_messages.py

migrate: catalogues
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: catalogues
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
