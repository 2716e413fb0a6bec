# Hiroba: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# wsgi.py serves the development SECRET_KEY only when the development config is asked for.
export HIROBA_CONFIG ?= development

.PHONY: run test lint audit install translations extract-messages update-messages db demo clean vendor-axe vendor-tokens accessibility-report screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Compiled catalogs (.mo) are build output: always made from the committed .po files.
translations: install
	$(BIN)/pybabel compile -d translations >/dev/null

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k N_ -o translations/messages.pot --no-location --sort-output .

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

run: translations demo
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite on $(TEST_WORKERS) workers (pytest-xdist; tests/conftest.py gives each worker its own
# PostgreSQL database and Redis db), then the tests marked `alone` by themselves: they restart
# PostgreSQL, which the other worker's tests would see. `make test TEST_WORKERS=1` for one.
TEST_WORKERS ?= 2
test: translations
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not alone"
	$(BIN)/python -m pytest -m alone

# ruff (pyflakes, bugbear, complexity <= 12; rules in pyproject.toml), then bandit's security
# scan of the application code: fails on a medium or high finding.
lint: install
	$(BIN)/ruff check app tests benchmarks scripts config.py wsgi.py
	$(BIN)/bandit -c pyproject.toml -r app --severity-level medium --quiet

# Known vulnerabilities in the pinned requirements; warns (does not fail) when offline.
audit: install
	$(BIN)/python .ci/pip_audit.py

# axe-core for the accessibility walk of the browser tests, from the npm registry (tests only).
AXE_VERSION ?= 4.14.1
vendor-axe:
	rm -rf .axe-pack && mkdir .axe-pack && cd .axe-pack && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz
	cp .axe-pack/package/axe.min.js tests/browser/vendor/axe.min.js
	cp .axe-pack/package/LICENSE tests/browser/vendor/axe-core.LICENSE
	rm -rf .axe-pack

# The Digital Agency's design tokens (colours, type scale, spacing), served as a static file.
TOKENS_VERSION ?= 1.1.9
vendor-tokens:
	rm -rf .tokens-pack && mkdir .tokens-pack && cd .tokens-pack && npm pack --silent @digital-go-jp/design-tokens@$(TOKENS_VERSION) >/dev/null && tar xzf digital-go-jp-design-tokens-$(TOKENS_VERSION).tgz
	{ printf '/* @digital-go-jp/design-tokens $(TOKENS_VERSION) (デジタル庁, MIT: digital-go-jp-design-tokens.LICENSE), from the\n * npm registry; refresh with `make vendor-tokens`. Hiroba maps its own names onto these in hiroba.css. */\n'; cat .tokens-pack/package/dist/tokens.css; } > app/static/vendor/digital-go-jp-design-tokens.css
	cp .tokens-pack/package/LICENSE app/static/vendor/digital-go-jp-design-tokens.LICENSE
	rm -rf .tokens-pack

# The accessibility walk, then its summary into docs/accessibility-results.json (the /accessibility
# page states it): run after a change of the pages, and commit the file.
accessibility-report: translations
	rm -rf instance/accessibility
	HIROBA_A11Y_REPORT_DIR=instance/accessibility $(BIN)/python -m pytest tests/browser/test_accessibility.py
	$(BIN)/python scripts/accessibility_report.py instance/accessibility

# The README's four screenshots (phone and desktop), from the browser test that takes them.
screenshots: translations
	HIROBA_SCREENSHOT_DIR=instance/screenshots $(BIN)/python -m pytest tests/browser/test_screenshots.py
	mkdir -p docs/screenshots
	cp instance/screenshots/home-phone.png instance/screenshots/space-desktop.png \
	   instance/screenshots/dashboard-desktop.png instance/screenshots/transparency-phone.png docs/screenshots/

# SQLite in WAL mode keeps -wal and -shm beside the database: a stale WAL must not meet a new one.
clean:
	rm -rf $(VENV) instance/hiroba.sqlite3 instance/hiroba.sqlite3-wal instance/hiroba.sqlite3-shm
