# Every target bootstraps its own virtual environment, so `make run` and `make test`
# work on a fresh clone with nothing but python3 (>= 3.11) installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat test lint format typecheck pytest browser screenshots bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@$(BIN)/triagem run

chat: $(STAMP)
	@$(BIN)/triagem chat

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/triagem kb lint

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser
	$(BIN)/pytest -q

# The supervisor page's tests drive Debian's chromium (never a downloaded browser). CI installs
# it (we are root there); a local run without it skips those tests and says why.
browser:
	@if [ "$$CI" = "true" ] && [ ! -x /usr/bin/chromium ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# Regenerate the README's screenshots of the supervisor page (docs/screenshots/*.png).
screenshots: $(STAMP) browser
	TRIAGEM_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/web/test_pages.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/match.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
