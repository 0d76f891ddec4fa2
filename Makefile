# Every target bootstraps its own virtual environment, so `make run` and `make test`
# work on a fresh clone with nothing but python3 (>= 3.11) installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat test test-fast lint format typecheck pytest browser screenshots bench clean

# pip's own progress is shown: a fresh install takes a minute or two and should not look stuck.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "make: creating the virtual environment $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "make: upgrading pip in $(VENV)"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "make: installing Triagem and its dependencies into $(VENV) (a minute or two the first time)"
	@$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@touch $(STAMP)
	@echo "make: $(VENV) is ready"

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

# One worker per core (pytest-xdist); each has its own stores (a SQLite file or a PostgreSQL
# schema per test) and ephemeral ports.
pytest: $(STAMP) browser
	$(BIN)/pytest -q -n auto --dist worksteal

# The inner loop: everything but the tests marked slow (child processes, real-time waits).
test-fast: $(STAMP)
	$(BIN)/pytest -q -n auto --dist worksteal -m "not slow"

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
	$(BIN)/python bench/intake.py
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
