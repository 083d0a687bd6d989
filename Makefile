# Two commands for a newcomer: `make demo` (main job on sample data) and `make test`.
# Each creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: demo test lint bench
demo: $(STAMP)
	$(BIN)/xinao-xl demo

test: $(STAMP)
	$(BIN)/ruff check xinao_xl tests tools benchmarks
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks
