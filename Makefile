# paste_exc developer commands.  Every target sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(STAMP): $(BIN)/python setup.cfg setup.py pyproject.toml paste_exc/_speedups.c
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m paste_exc demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict paste_exc

pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python bench/bench_middleware.py
	$(BIN)/python bench/bench_middleware.py --pure-python --no-server
	$(BIN)/python bench/bench_email.py
	$(BIN)/python bench/bench_render.py

clean:
	rm -rf build dist *.egg-info docs/_build tests/artifacts .mypy_cache .ruff_cache
