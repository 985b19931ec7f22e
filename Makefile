# Two commands do all set-up on a bare machine (see README.md):
#   make demo   -> virtualenv, SQLite database under var/, demo data, web server on http://127.0.0.1:8000
#                  (another port: make demo PORT=8080)
#   make test   -> virtualenv, Chromium for browser tests, the whole suite on SQLite, then on PostgreSQL
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/tandem
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-sqlite test-postgres lint bench install browser-deps

$(STAMP): pyproject.toml
	@bash scripts/make-venv.sh $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	TANDEM_DEBUG=1 $(VENV)/bin/tandem migrate --noinput
	TANDEM_DEBUG=1 $(VENV)/bin/tandem demo --url http://$(HOST):$(PORT)
	TANDEM_DEBUG=1 $(VENV)/bin/tandem serve $(HOST):$(PORT)

browser-deps:
	@bash scripts/install-chromium.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: $(STAMP) browser-deps
	@bash scripts/test.sh

bench: $(STAMP)
	TANDEM_DEBUG=1 $(PY) bench/clients_api.py
