# The one door to the project. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# Lambda runs Python 3.12; use the same locally (pyenv's 3.12 if it is not on PATH).
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do $$p -c '' 2>/dev/null && { echo $$p; break; }; done)
# No PYTHONPATH: `make venv` installs the packages (editable) and targets run from the repository root.
STACK := $(PY) -m docsearch_local.stack

.PHONY: help venv up down status demo backfill test check unit integration e2e lint complexity format template clean load redrive browser diagram eval openapi bench bench-quick bench-capacity docker lambda-image sam-local

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt layers/docsearch/requirements.txt layers/model/requirements.txt pyproject.toml
	@test -n "$(PYTHON312)" || { echo "python3.12 is needed (Lambda's runtime)"; exit 1; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --editable .   # the `docsearch` command: .venv/bin/docsearch
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

backfill: up ## index everything already in the local bucket (PREFIX=... for part of it), with a progress bar
	$(VENV)/bin/docsearch backfill $(if $(PREFIX),--prefix "$(PREFIX)")

test: venv browser lint template lambda-image ## the whole suite: template checks, unit, infrastructure, integration, end-to-end (real OpenSearch), sam local
	$(PY) -m pytest tests

check: lint unit ## the quick gate before a commit: ruff, mypy and the unit tests (seconds, no servers)

unit: venv ## unit tests only (no servers)
	$(PY) -m pytest tests/unit

integration: venv ## integration tests against the real OpenSearch
	$(PY) -m pytest tests/integration

e2e: venv ## end-to-end tests on the local stack
	$(PY) -m pytest tests/e2e

lint: venv ## ruff, mypy and the complexity gate
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/docsearch/docsearch functions infra/docsearch_local cli eval bench
	$(MAKE) --no-print-directory complexity

# No block of the core above radon's grade C (cyclomatic complexity 20), no module above B, the average A
# (docs/decisions/0007-complexity-gate.md); `radon cc -s -n C layers/docsearch/docsearch` names the heaviest.
complexity: venv ## the complexity gate: radon grades of the core (xenon)
	$(VENV)/bin/xenon --max-absolute C --max-modules B --max-average A layers/docsearch/docsearch

format: venv ## format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

FACQA ?=
eval: venv ## relevance report: our pipeline vs plain OpenSearch baselines (MRR/nDCG/Recall@10); FACQA=<folder> adds that set
	@curl -sf $${OPENSEARCH_URL:-http://127.0.0.1:9200} >/dev/null || $(STACK) up
	$(PY) -m eval $(if $(FACQA),--facqa $(FACQA)) $(if $(FACQA_QUERIES),--facqa-queries $(FACQA_QUERIES))

openapi: venv ## write the search API's OpenAPI document to docs/openapi.json (a test compares it with the live one)
	POWERTOOLS_TRACE_DISABLED=true $(PY) -c "from functions.search.app import openapi_json; print(openapi_json())" > docs/openapi.json

SAM_VENV ?= .venv-sam
$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

# Each engine choice (docsearch_local.cfn.CHOICES) rendered as its own template, so the scanners see
# exactly what that choice deploys (checkov does not evaluate conditions).
CHOICES_DIR := .aws-sam/choices
template: venv $(SAM_VENV)/.installed ## sam validate --lint, cfn-lint, checkov on the template and each engine choice; sam build (offline but for PyPI)
	export PATH=$(CURDIR)/$(SAM_VENV)/bin:$$PATH SAM_CLI_TELEMETRY=0; \
	sam validate --lint --region ap-southeast-3 && \
	cfn-lint --regions ap-southeast-3 -- template.yaml && \
	checkov -f template.yaml --framework cloudformation --skip-download --quiet --compact && \
	rm -rf $(CHOICES_DIR) && $(PY) -m docsearch_local.cfn --choices $(CHOICES_DIR) >/dev/null && \
	for choice in $(CHOICES_DIR)/*.yaml; do echo "== $$choice"; \
	  sam validate --lint --region ap-southeast-3 --template $$choice && \
	  cfn-lint --regions ap-southeast-3 ap-southeast-1 -- $$choice && \
	  checkov -f $$choice --framework cloudformation --skip-download --quiet --compact || exit 1; \
	done && \
	sam build --build-dir .aws-sam/build && \
	$(SAM_VENV)/bin/python -m compileall -q .aws-sam/build/IngestFunction .aws-sam/build/SearchFunction .aws-sam/build/IndexSetupFunction >/dev/null   # the functions' bytecode (the layer compiles its own: layers/docsearch/bytecode.py); cold starts skip compiling (docs/sam-local.md)

docker: ## Debian's docker.io and debootstrap for `sam local` (apt-get, as root, when missing)
	@missing=""; for tool in dockerd:docker.io debootstrap:debootstrap; do \
	  command -v $${tool%%:*} >/dev/null || missing="$$missing $${tool##*:}"; done; \
	if [ -z "$$missing" ]; then echo "docker: $$(command -v dockerd), debootstrap: $$(command -v debootstrap)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "missing:$$missing; only root can apt-get install them: the sam local tests will FAIL"; fi

lambda-image: venv template docker ## Lambda's python3.12 image for sam local: AWS's if it can be pulled, else built here (cached)
	$(PY) -m docsearch_local.lambda_image

sam-local: venv template lambda-image ## both functions under `sam local` in Docker, against a local stack of their own (tests/sam)
	$(PY) -m pytest tests/sam --durations=0

load: up ## load test: concurrent searches while articles are ingested (bounded: LOAD_ARGS="--duration 20 --concurrency 8")
	$(PY) -m docsearch_local.loadtest $(LOAD_ARGS)

redrive: venv ## move the local stack's dead-lettered ingest messages back to the ingest queue
	$(VENV)/bin/docsearch stats
	$(VENV)/bin/docsearch redrive

browser: ## Debian's chromium for the page's browser test (apt-get, as root; Playwright never downloads one)
	@if [ -x /usr/bin/chromium ]; then echo "chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else echo "chromium is missing and only root can apt-get install it: the browser test will FAIL (see docs/search-page.md)"; fi

diagram: ## docs/architecture.png from docs/architecture.dot (Graphviz `dot`, apt-get installed if missing)
	@command -v dot >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; }
	dot -Tpng -Gdpi=110 docs/architecture.dot -o docs/architecture.png

clean: ## remove build output (not the OpenSearch cache)
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache

bench: up lambda-image ## benchmark on the local stack: ingest, search, cold start (sam local too), memory, scale (1k, 10k; BENCH_ARGS="--sizes 1000,10000,100000")
	$(PY) -m bench $(BENCH_ARGS) --plot bench/results/scale.png

bench-quick: up ## the benchmark's CI mode (small sizes, no sam local, < 3 min)
	$(PY) -m bench --quick $(BENCH_ARGS)

CAPACITY ?= 10000,30000,100000
bench-capacity: up ## grow one index in stages (CAPACITY=10000,30000,100000): ingest rate, search p50/p99, index bytes/article
	$(PY) -m bench --capacity $(CAPACITY)
