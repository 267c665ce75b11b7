# Yizheng — two commands:
#   make run    run the whole platform locally with a demo county (Ctrl-C to stop; infra stays up)
#   make test   the full suite against real PostgreSQL and Kafka, then ruff and mypy
# Needs python3 (3.11), Java 17 and Maven on PATH; everything else is installed by `make venv`.
# Other targets: make down | lint | bench | venv | infra-up | help

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.PHONY: run test lint down bench venv infra-up help

UV_VERSION := 0.13.8
# uv from PATH if there is one, else a private copy under .yizheng/tools (pip --target needs no venv
# module and is not blocked by PEP 668 "externally managed" system Pythons).
UV_HOME := .yizheng/tools
UV_ON_PATH := $(shell command -v uv 2>/dev/null)
UV := $(or $(UV_ON_PATH),$(UV_HOME)/bin/uv)
UV_DEP := $(if $(UV_ON_PATH),,$(UV_HOME)/bin/uv)
RUN := $(UV) run --frozen
# both linters always run; the command fails if either does (shared by `lint` and `test`)
LINT := ( lint=0; $(RUN) ruff check . || lint=1; $(RUN) mypy . || lint=1; exit $$lint )

run: infra-up ## run the whole platform locally with a demo county
	$(RUN) yizheng run

# pytest runs first; lint runs even if it failed, so CI reports both. Exit 5 (nothing collected) fails.
test: infra-up ## full suite (-m 'not slow') against real PostgreSQL and Kafka, then lint
	@status=0; \
	$(RUN) pytest -m 'not slow' || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	$(LINT) || { [ $$status -ne 0 ] || status=1; }; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (exit $$status)" >&2; fi; \
	exit $$status

lint: venv ## ruff and mypy over the whole repository
	@$(LINT)

down: venv ## stop the local PostgreSQL and Kafka (data stays in .yizheng/)
	$(RUN) yizheng infra down

bench: infra-up ## kernel benchmark, results in bench/out/kernel.json
	mkdir -p bench/out
	$(RUN) yizheng bench kernel --json bench/out/kernel.json

infra-up: venv ## start (or confirm) the local PostgreSQL and Kafka
	$(RUN) yizheng infra up

venv: $(UV_DEP) ## install uv if missing, then the locked dependencies into .venv
	$(UV) sync --frozen

$(UV_HOME)/bin/uv:
	@command -v python3 >/dev/null || { echo "python3 is needed to install uv" >&2; exit 1; }
	PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --target $(UV_HOME) uv==$(UV_VERSION)
	@test -x $@ || { echo "pip did not install $@" >&2; exit 1; }

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'
