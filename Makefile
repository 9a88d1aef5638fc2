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

.PHONY: all venv toolchain demo test bench clean

all: test

venv: $(VENV)/.installed stacks/$(VENV)
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The engine starts dynamic providers in the program's directory (stacks/) and resolves
# Pulumi.yaml's relative `virtualenv: .venv` from there: point it at the project's venv.
stacks/$(VENV):
	ln -sfn ../$(VENV) $@

toolchain: venv
	toolchain/install-pulumi.sh $(BIN)

demo: toolchain
	scripts/demo.sh

test: toolchain
	.ci/install-postgres.sh
	$(BIN)/pytest

# Timings and API request counts of preview/up/refresh/destroy at N = 10 and 100
# schedules (BENCH_ARGS="--large" adds 300); see bench/README.md.
bench: toolchain
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pulumi .emulator
