# Everything a user or CI needs: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin

# The venv's bin holds the project's tools (pulumi, jsmops, jsmops-emulator, pytest).
export PATH := $(BIN):$(PATH)
# Local file state backend inside the project (git-ignored .pulumi/) and the documented
# demo passphrase, so nothing asks a question. Set either to use your own.
export PULUMI_BACKEND_URL ?= file://$(CURDIR)
export PULUMI_CONFIG_PASSPHRASE ?= jsmops-demo
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: all venv toolchain demo lint test test-packaging bench bench-peer clean

all: test

venv: $(VENV)/.installed stacks/$(VENV)
# toolchain/constraints.txt pins the SDK to the CLI that toolchain/ builds; the package
# itself accepts a range (pyproject.toml).
$(VENV)/.installed: pyproject.toml toolchain/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c toolchain/constraints.txt -e '.[dev]'
	touch $@

# The engine starts dynamic providers in the program's directory (stacks/) and resolves
# Pulumi.yaml's relative `virtualenv: .venv` from there: point it at the project's venv.
stacks/$(VENV):
	ln -sfn ../$(VENV) $@

toolchain: venv
	toolchain/install-pulumi.sh $(BIN)

demo: toolchain
	scripts/demo.sh

# Static checks: ruff over the repo (config in pyproject.toml), mypy --strict for the library
# and the emulator (the files of [tool.mypy]), and the import rules between the library's
# parts (import-linter's contracts in pyproject.toml).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite runs on the oldest supported SDK (the venv's, pinned by toolchain/constraints.txt);
# tests/packaging/ installs the wheel with the newest SDK on PyPI into a venv of its own.
# TEST_WORKERS processes share it, a test module whole to each (tests/conftest.py): most of a
# test's time is Pulumi's processes starting and waiting on each other, so two workers on two
# cores take about 0.6 of the time of one.
TEST_WORKERS ?= 2
test: lint toolchain
	.ci/install-postgres.sh
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# Only the wheel test: build, install outside the checkout, preview/up/destroy a new project.
test-packaging: toolchain
	$(BIN)/pytest tests/packaging

# Timings and API request counts of preview/up/refresh/destroy at N = 10 and 100
# schedules (BENCH_ARGS="--large" adds 300); see bench/README.md.
bench: toolchain
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Side by side with the atlassian-operations Terraform provider under OpenTofu, both built
# from source into the toolchain cache on first use (needs Go); optional, not part of test.
# See bench/README.md.
bench-peer: toolchain
	$(BIN)/python -m bench.peer $(BENCH_PEER_ARGS)

clean:
	rm -rf $(VENV) .pulumi .emulator
