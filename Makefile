# Zoufang: `make demo` serves the demo city, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test

.PHONY: demo test lint pytest install serve bench messages clean

$(STAMP): pyproject.toml requirements.lock package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Zoufang needs Python 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/zoufang compile_translations
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/zoufang migrate --noinput
	$(BIN)/zoufang seed_demo --scale small --if-empty
	@echo "Zoufang demo city: http://127.0.0.1:8000/"
	$(BIN)/zoufang runserver 127.0.0.1:8000

serve: install
	$(BIN)/zoufang runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy zoufang config bench
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/zoufang makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/zoufang check_translations

pytest: install
	$(BIN)/pytest

test: lint pytest

messages: install
	cd zoufang && ../$(BIN)/zoufang makemessages -l zh_Hans --no-location --no-obsolete -i "node_modules/*"
	$(BIN)/zoufang compile_translations

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules var
