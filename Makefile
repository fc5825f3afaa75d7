# Misafir360 — the few targets there are. Quickstart: `make demo`, `make test`.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
# Django 6 needs Python >= 3.12: use one when the machine has it; with only 3.11
# pip resolves Django 5.2 LTS instead (see pyproject.toml).
PYTHON ?= $(shell for p in python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.1[23].*/bin/python3) python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format bench-seed bench-screenpop bench-ingest bench-sla clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python -m config.launch --host $(HOST) --port $(PORT)

test: $(BIN)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Missing migrations: run makemigrations"; exit 1; }
	$(BIN)/pytest -n 2 --create-db $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Seeds GUESTS guests (default one million) into DATABASE_URL and prints the time.
bench-seed: $(BIN)/.installed
	$(BIN)/python bench/seed.py --guests $(or $(GUESTS),1000000)

# Replays 2,000 ringing events on a 1M-guest PostgreSQL database (seeded once).
bench-screenpop: $(BIN)/.installed
	$(BIN)/python bench/screenpop.py

# 20,000 signed WhatsApp webhooks against uvicorn on PostgreSQL; then one worker processes them.
bench-ingest: $(BIN)/.installed
	$(BIN)/python bench/ingest.py

# One SLA scan pass over 100,000 open items on PostgreSQL (a 15-minute backlog, then a minute).
bench-sla: $(BIN)/.installed
	$(BIN)/python bench/sla.py

clean:
	-$(BIN)/python -m config.embedded_redis stop
	rm -rf .run
