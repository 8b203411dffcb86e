# The two set-up commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: venv run test test-deps lint check rules-test bench clean

$(STAMP): requirements.txt requirements-dev.txt
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(STAMP)

run: venv
	$(BIN)/python -m incentive_api keys init
	LOG_FORMAT=$${LOG_FORMAT:-console} RULES_AT_START=$${RULES_AT_START:-publish} $(BIN)/gunicorn --config gunicorn.conf.py

check: venv
	$(BIN)/python -m incentive_api rules check rules

# Style (ruff) and the layering of README.md's "Where things live" (import-linter); both read pyproject.toml.
lint: venv
	$(BIN)/ruff check incentive_api tests bench gunicorn.conf.py
	$(BIN)/lint-imports

rules-test: venv
	$(BIN)/python -m incentive_api rules test rules

# The live tests start a real PostgreSQL (tests/support/postgres.py) and drive Debian's headless Chromium
# through chromedriver (tests/live/test_console_browser.py). Where either is missing, Debian's packages are
# installed; CI and dev containers run make as root, which apt-get needs. POSTGRES_BINS is where
# distributions put initdb outside PATH.
POSTGRES_BINS ?= /usr/lib/postgresql/*/bin
test-deps:
	@missing=""; \
	command -v initdb >/dev/null 2>&1 || ls $(POSTGRES_BINS)/initdb >/dev/null 2>&1 || missing="postgresql"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	  echo >&2 "make test: the live tests need Debian's packages$$missing (PostgreSQL's initdb on PATH or in" \
	    "$(POSTGRES_BINS), /usr/bin/chromium, /usr/bin/chromedriver), and this is not root with apt-get to" \
	    "install them: install them first."; exit 1; \
	else \
	  echo "installing Debian's packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update && apt-get install -y --no-install-recommends $$missing \
	  || { echo >&2 "make test: apt-get could not install$$missing (see above)"; exit 1; }; \
	fi

test: test-deps lint check rules-test
	$(BIN)/python -m pytest -q tests

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
