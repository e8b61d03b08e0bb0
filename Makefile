# solgen: `make build` sets everything up and builds every problem; `make test` checks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install build test test-all checks golden fuzz clean bench reference system-deps-build \
	system-deps-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Bytecode for solgen's own modules, as a non-editable pip install would write it: without
# it (PYTHONDONTWRITEBYTECODE set, or a read-only checkout) every start compiles ~100
# modules again, ≈ 0.1 s of the time to the first variant. Only changed files are redone.
install: $(STAMP)
	@$(PY) -m compileall -q generator >/dev/null

# System tools (fonts, TeX, poppler, node katex): installed only when missing, as root.
system-deps-build:
	bash scripts/system-deps.sh build

system-deps-test:
	bash scripts/system-deps.sh test

build: install system-deps-build
	$(VENV)/bin/solgen build problems --out output --jobs 0

# No test may eat the machine: every process of a test run (pytest, typst inside it, pandoc,
# xelatex, node) gets at most TEST_MEMORY_KB of address space; the worst the suite needs is
# well under 1 GB. Hostile cases also run in a capped fork with a hard kill (tests/isolation.py).
TEST_MEMORY_KB ?= 6000000
CAPPED := ulimit -S -v $(TEST_MEMORY_KB) &&

# The quick run (≤ 4 min on 2 cores): everything but the `slow` tests, then the checks.
test: install system-deps-test
	$(CAPPED) $(PY) -m pytest -m "not slow"
	$(MAKE) --no-print-directory checks

# Everything: also xelatex compiles, 10k fuzz, cross-hash-seed builds, fault campaigns (CI).
# The explicit -m wins over any -m in pyproject's addopts.
test-all: install system-deps-test
	$(CAPPED) $(PY) -m pytest -m "slow or not slow"
	$(MAKE) --no-print-directory checks

checks: install
	$(VENV)/bin/ruff check generator tests
	$(VENV)/bin/mypy --strict generator
	$(VENV)/bin/lint-imports

# Only the 10 000-example fuzz tests (SOLGEN_FUZZ_EXAMPLES sets the count).
fuzz: install
	$(CAPPED) $(PY) -m pytest -m slow tests/test_fuzz.py

# Every speed figure of issue 9 in one table (docs/benchmarks.md); BENCH=--quick skips
# the xelatex class and 10 000 variants.
bench: install system-deps-test
	$(PY) bench/run.py $(BENCH)

golden: install
	$(PY) -m pytest tests/test_golden.py tests/test_variants.py tests/test_visual.py -k golden --update-golden

# docs/reference.md is generated from the models in generator/spec/models.py, and the view
# model's part of docs/templates.md and docs/formats.md from generator/view/document.py
# (tests keep them equal).
reference: install
	$(PY) -m generator.spec.reference
	$(PY) -m generator.view.document

clean:
	rm -rf output .pytest_cache .mypy_cache .ruff_cache
