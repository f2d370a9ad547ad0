# npo-analysis: the common tasks. Each target bootstraps its own virtual environment, so a fresh
# clone needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The package compiled to bytecode (an editable install leaves that to the first import, and with
# PYTHONDONTWRITEBYTECODE set, as on this machine, every process compiles it again: 0.08 s of CPU
# per kernel and worker, measured). Recompiled whenever a module changes.
BYTECODE := $(VENV)/.bytecode
PROFILE ?= small
SEED    ?= 20261127
# One BLAS thread per process: on this 2-core machine the statsmodels fits run 4-10x faster than
# with competing OpenBLAS threads, and the report batch parallelises over processes instead.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: test test-all demo reports lab bench lint clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(BYTECODE): $(STAMP) $(shell find npo_analysis -name '*.py')
	$(BIN)/python -m compileall -q npo_analysis
	touch $(BYTECODE)

test: $(BYTECODE)  ## Run the test suite (fast tests; RUN_SLOW=1 adds the slow ones)
	$(BIN)/python -m pytest -q

test-all: $(BYTECODE)  ## Run every test, the slow ones included (what CI runs)
	RUN_SLOW=1 $(BIN)/python -m pytest -q

demo: $(STAMP)  ## Build the Demoland demo dataset (PROFILE=small) into outputs/data/$(PROFILE)/
	$(BIN)/npo-analysis demo --profile $(PROFILE) --seed $(SEED) --out outputs/data/$(PROFILE)

reports: $(BYTECODE)  ## National Demoland (built once) and every municipality report; prints where index.html is
	@test -f outputs/data/national/dataset.json || $(BIN)/npo-analysis demo --profile national --seed $(SEED) --out outputs/data/national
	$(BIN)/npo-analysis reports --data outputs/data/national --all --out outputs/reports

lab: $(BYTECODE)  ## Open JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

bench: $(BYTECODE)  ## Run the benchmarks in benchmarks/ (prints their figures)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(STAMP)  ## Check style with ruff
	$(BIN)/ruff check npo_analysis tests benchmarks

clean:  ## Remove the virtual environment and generated outputs
	rm -rf $(VENV) outputs/data outputs/reports outputs/results
