# One command per task, the same for people and CI. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install dev test lint format bench mail migrate clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact -q
	@touch $@

install: $(STAMP) ## Create .venv and install the locked dependencies

dev: $(STAMP) ## Run Kubera locally (embedded Postgres, Valkey, SMTP sink) until Ctrl-C
	$(BIN)/python -m scripts.dev

mail: $(STAMP) ## Print the newest messages in the dev mailbox
	@$(BIN)/python -m scripts.dev mail

migrate: $(STAMP) ## Apply database migrations to DATABASE_URL
	$(BIN)/alembic upgrade heads

# Each checkout keeps its own pytest folder: runs in two checkouts at once
# would otherwise prune each other's embedded servers out of /tmp.
TEST_TMP := $(CURDIR)/.kubera/pytest

test: $(STAMP) ## Run the whole test suite (starts embedded services when no URLs are set)
	@mkdir -p $(dir $(TEST_TMP))
	$(BIN)/python -m pytest --basetemp=$(TEST_TMP) $(ARGS)

lint: $(STAMP) ## Check style and common bugs with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Rewrite files in the project's style
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## Run the benchmarks (ONLY=name for one); one JSON line each
	$(BIN)/python -m scripts.bench $(ONLY)

clean: ## Remove the virtual environment and local dev data
	rm -rf $(VENV) .kubera
