# Two commands from a fresh clone: `make demo` runs the service on the Kota Metro demo DPT,
# `make test` runs every test. Both create or reuse the virtual environment in .venv first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[embedded,test,dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/dpt demo

# Lint, format and types are part of the test: a regression in any of them fails CI.
test: lint
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check service tests loadtest
	$(VENV)/bin/ruff format --check service tests loadtest
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python loadtest/bench_nik.py
	$(VENV)/bin/python loadtest/bench_import.py

clean:
	rm -rf $(VENV) data
