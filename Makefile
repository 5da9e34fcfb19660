# paste_exc developer commands.  Every target sets up what it needs.
#
# Every package a target installs comes from requirements/constraints.txt, the exact versions
# main was last tested with.  Upgrading is a deliberate commit: `make constraints`, then test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
PIP := $(BIN)/python -m pip install --quiet -c $(CONSTRAINTS)

.PHONY: demo test lint typecheck pytest docs bench constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) pip setuptools wheel

# No build isolation: the build uses the pinned setuptools and wheel of the virtualenv.
$(STAMP): $(BIN)/python $(CONSTRAINTS) setup.cfg pyproject.toml
	$(PIP) pip setuptools wheel
	$(PIP) --no-build-isolation -e '.[test,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m paste_exc demo

# Lint, type checks and pytest all run, whatever the first ones find; then the summary, and the
# exit status fails if any of the three did.
test: $(STAMP)
	@failed=""; \
	for step in lint typecheck pytest; do \
	  $(MAKE) --no-print-directory $$step || failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: lint, typecheck and pytest passed"

lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	exit $$status

typecheck: $(STAMP)
	$(BIN)/mypy --strict paste_exc

pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python bench/bench_middleware.py
	$(BIN)/python bench/bench_asgi.py
	$(BIN)/python bench/bench_email.py
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_redact.py
	$(BIN)/python bench/trace_stages.py
	$(BIN)/python bench/bench_error_storm.py --gunicorn

# Regenerates the constraints from the extras in setup.cfg and requirements/bootstrap.in, with
# the newest releases.  Commit the result only after `make test` and `make docs` pass with it.
constraints: $(STAMP)
	$(BIN)/uv pip compile setup.cfg requirements/bootstrap.in --all-extras --universal \
	  --python-version 3.11 --upgrade --custom-compile-command "make constraints" \
	  -o $(CONSTRAINTS)

clean:
	rm -rf build dist *.egg-info docs/_build tests/artifacts .mypy_cache .ruff_cache
