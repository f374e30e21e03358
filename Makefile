# Kefu: the two commands. `make run` sets up everything and serves on http://127.0.0.1:8000;
# `make test` runs the whole suite (PostgreSQL when KEFU_DATABASE_URL or DATABASE_URL is set, else SQLite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kefu-installed

.PHONY: run test lint lock demo

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kefu migrate --noinput
	$(BIN)/kefu demo
	@echo "Kefu: http://127.0.0.1:8000  (log in with one of the demo logins above)"
	$(BIN)/kefu serve 127.0.0.1:8000

# pytest exits 5 when it collected no test: that means the suite is broken, so it fails here too.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/kefu makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests"; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check .

# Re-resolve the locked dependencies from pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip && .lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^kefu' > requirements.lock
	rm -rf .lock-venv
