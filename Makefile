# credscore: `make demo` scores sample exports on the embedded local stack; `make test` runs every check.
# Both set up what they need first (idempotent), so either works on a fresh clone.

SHELL := /bin/bash
# The first Python 3.13 that really runs (a pyenv shim exists even where 3.13 is not selected).
PY313 ?= $(shell for p in $(HOME)/.pyenv/versions/3.13*/bin/python3.13 $$(command -v python3.13); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
SAM_VENV := .venv-sam
# checkov pins packaging<24, which pytest 9 cannot use, so it has its own venv like the SAM CLI.
CHECKOV_VENV := .venv-checkov
STAMP := $(VENV)/.setup-done
PYTEST_ARGS ?=
# The suite runs on two pytest-xdist workers (this machine's and CI's 2 cores): about 9–11 minutes instead of 18.
# Each worker starts its own local stacks; TEST_WORKERS=0 runs it in one process (e.g. to debug with -x --pdb).
TEST_WORKERS ?= 2

.PHONY: setup demo test lint typecheck unit e2e build bench openapi schemas sync-config mutate clean

setup: $(STAMP) $(CHECKOV_VENV)/bin/checkov

# Its own target, so an existing checkout gets it from `make setup` without redoing the rest.
$(CHECKOV_VENV)/bin/checkov: | $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PY313) -m venv $(CHECKOV_VENV)
	$(UV) pip install --quiet --python $(CHECKOV_VENV)/bin/python checkov==3.3.30

$(STAMP): requirements/dev.txt layers/domain/requirements.txt layers/image_model/requirements.txt pyproject.toml tools/asl/package.json \
		tools/axe/package-lock.json
	@test -n "$(PY313)" || { echo "Python 3.13 is needed (the Lambda runtime): install it or set PY313=/path/to/python3.13"; exit 1; }
	test -x $(PY) || $(PY313) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) pip install --quiet --python $(PY) -r requirements/dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps nudenet==3.4.2
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	test -x $(SAM_VENV)/bin/python || $(PY313) -m venv $(SAM_VENV)
	$(UV) pip install --quiet --python $(SAM_VENV)/bin/python aws-sam-cli==1.170.0
	cd tools/asl && npm ci --no-audit --no-fund --silent
	@# axe-core (pinned in its lockfile) for the browser tests' accessibility check.
	cd tools/axe && npm ci --no-audit --no-fund --silent
	@# The browser tests drive Debian's Chromium (never a downloaded browser build).
	command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	touch $(STAMP)

demo: setup
	$(PY) -m credscore_local demo

test: setup lint typecheck
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check src functions tests tools bench
	$(VENV)/bin/ruff format --check src functions tests tools bench

typecheck: setup
	$(VENV)/bin/mypy
	@# Every handler is `app.py` (as Lambda expects), so each is checked on its own.
	@for dir in functions/*/; do (cd $$dir && ../../$(VENV)/bin/mypy app.py --config-file ../../pyproject.toml) || exit 1; done

build: setup
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" CREDSCORE_ROOT="$(CURDIR)" SAM_CLI_TELEMETRY=0 \
		$(SAM_VENV)/bin/sam build --template-file template.yaml --build-dir .aws-sam/build

bench: setup
	$(PY) bench/run_all.py

# Mutation testing of the modules where a silent bug costs most (tools/mutate.toml; results in MUTATION.md).
# Not part of `make test` nor CI: about 30 minutes. MUTATE_TARGETS="archive scorer" runs only those.
MUTATE_TARGETS ?=
mutate: setup
	nice -n 19 $(PY) tools/mutate.py $(MUTATE_TARGETS)

openapi: setup
	$(PY) tools/gen_openapi.py

schemas: setup
	$(PY) tools/gen_schemas.py

sync-config: setup
	$(PY) tools/sync_config.py

clean:
	rm -rf .aws-sam build .pytest_cache .mypy_cache .ruff_cache .mutate
