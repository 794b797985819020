# The one door to the project. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# Lambda runs Python 3.12; use the same locally (pyenv's 3.12 if it is not on PATH).
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do $$p -c '' 2>/dev/null && { echo $$p; break; }; done)
export PYTHONPATH := $(CURDIR)/layers/docsearch:$(CURDIR)/infra:$(CURDIR)
STACK := $(PY) -m docsearch_local.stack

.PHONY: help venv up down status demo test unit integration e2e lint format template clean bench bench-quick

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt layers/docsearch/requirements.txt
	@test -n "$(PYTHON312)" || { echo "python3.12 is needed (Lambda's runtime)"; exit 1; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed ## create the Python venv with every dependency

up: venv ## start the local stack (OpenSearch, S3+SQS emulation, ingest worker, search API); idempotent
	$(STACK) up

down: venv ## stop the local stack
	$(STACK) down

status: venv ## report the local stack and where its logs are
	$(STACK) status

demo: up ## start the stack, upload the sample articles, run a few searches
	$(PY) -m docsearch_local.demo

test: venv lint template ## the whole suite: template checks, unit, infrastructure, integration, end-to-end (real OpenSearch)
	$(PY) -m pytest tests

unit: venv ## unit tests only (no servers)
	$(PY) -m pytest tests/unit

integration: venv ## integration tests against the real OpenSearch
	$(PY) -m pytest tests/integration

e2e: venv ## end-to-end tests on the local stack
	$(PY) -m pytest tests/e2e

lint: venv ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/docsearch/docsearch functions infra/docsearch_local bench

format: venv ## format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

SAM_VENV ?= .venv-sam
$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

template: $(SAM_VENV)/.installed ## sam validate --lint, checkov and sam build (all offline but for PyPI)
	export PATH=$(CURDIR)/$(SAM_VENV)/bin:$$PATH SAM_CLI_TELEMETRY=0; \
	sam validate --lint --region ap-southeast-3 && \
	checkov -f template.yaml --framework cloudformation --skip-download --quiet --compact && \
	sam build --build-dir .aws-sam/build

clean: ## remove build output (not the OpenSearch cache)
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache

bench: up ## benchmark on the local stack: ingest, search, cold start, memory, scale (1k, 10k; BENCH_ARGS="--sizes 1000,10000,100000")
	$(PY) -m bench $(BENCH_ARGS) --plot bench/results/scale.png

bench-quick: up ## the benchmark's CI mode (small sizes, < 3 min)
	$(PY) -m bench --quick $(BENCH_ARGS)
