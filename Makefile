# Verity: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REDIS_PORT ?= 6379
STAMP := $(VENV)/.installed

.PHONY: install demo test check lint redis npm-fixtures chromium bench bench-webhooks bench-corpus bench-burst clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: install
	bash examples/demo.sh

# Start a Redis of our own when none answers on the port; fail loudly when none can be had.
redis:
	@bash tests/fixtures/ensure-redis.sh $(REDIS_PORT)

npm-fixtures:
	@bash tests/fixtures/install-npm.sh

# Debian's chromium renders the trend page in a test (headless).
chromium:
	@bash tests/fixtures/install-chromium.sh

test: install redis npm-fixtures chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check app workers config tests bench
	$(BIN)/mypy --strict app workers config

check: lint test

# Benchmarks print their figures; record them in docs/benchmarks.md (bench/audit rewrites its own section).
bench: install
	$(BIN)/python bench/audit

bench-webhooks: install redis npm-fixtures
	$(BIN)/python bench/webhooks/throughput.py
	$(BIN)/python bench/webhooks/latency.py
	$(BIN)/python bench/webhooks/pages.py

# Real repositories' recent history (bare mirrors in $VERITY_CORPUS_DIR, see bench/README.md); ARGS="--repos httpx".
bench-corpus: install
	$(BIN)/python bench/corpus.py $(ARGS)

# 500 PR deliveries over 50 small repositories into 1, 2 and 4 worker processes; ARGS="--workers 1,2".
bench-burst: install redis npm-fixtures
	$(BIN)/python bench/burst.py $(ARGS)

clean:
	rm -rf $(VENV) .bench tests/fixtures/npm/node_modules *.egg-info
