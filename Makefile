# The two set-up commands: `make run` (after the API lands) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: venv run test check rules-test bench clean

$(STAMP): requirements.txt requirements-dev.txt
	rm -f $(VENV)/.installed-*
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(STAMP)

run: venv
	$(BIN)/python -m incentive_api keys init
	$(BIN)/gunicorn --config gunicorn.conf.py

check: venv
	$(BIN)/python -m incentive_api rules check rules

rules-test: venv
	$(BIN)/python -m incentive_api rules test rules

test: check rules-test
	$(BIN)/python -m pytest -q tests

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
