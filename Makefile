# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= build/sophia

.PHONY: demo test lint typecheck imports unit install clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kubealign inventory examples/sophia
	$(BIN)/kubealign resolve --project-directory examples/sophia -f examples/sophia/docker-compose.cloud.yml --format yaml > /dev/null
	@echo "resolved examples/sophia/docker-compose.cloud.yml"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck imports unit

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache
