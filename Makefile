# solgen: `make build` sets everything up and builds every problem; `make test` checks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install build test golden fuzz clean bench reference system-deps-build system-deps-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# System tools (fonts, TeX, poppler, node katex): installed only when missing, as root.
system-deps-build:
	bash scripts/system-deps.sh build

system-deps-test:
	bash scripts/system-deps.sh test

build: install system-deps-build
	$(VENV)/bin/solgen build problems --out output --jobs 0

test: install system-deps-test
	$(PY) -m pytest
	$(VENV)/bin/ruff check generator tests
	$(VENV)/bin/mypy --strict generator
	$(VENV)/bin/lint-imports

fuzz: install
	SOLGEN_FUZZ_EXAMPLES=10000 $(PY) -m pytest -q tests/test_fuzz.py

# Every speed figure of issue 9 in one table (docs/benchmarks.md); BENCH=--quick skips
# the xelatex class and 10 000 variants.
bench: install system-deps-test
	$(PY) bench/run.py $(BENCH)

golden: install
	$(PY) -m pytest tests/test_golden.py tests/test_variants.py -k golden --update-golden

# docs/reference.md is generated from the models in generator/spec/models.py (a test keeps it equal).
reference: install
	$(PY) -m generator.spec.reference

clean:
	rm -rf output .pytest_cache .mypy_cache .ruff_cache
