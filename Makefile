# solgen: `make build` sets everything up and builds every problem; `make test` checks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install build test golden fuzz clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

build: install
	$(VENV)/bin/solgen build problems --out output

test: install
	$(PY) -m pytest
	$(VENV)/bin/ruff check generator tests
	$(VENV)/bin/mypy --strict generator

fuzz: install
	SOLGEN_FUZZ_EXAMPLES=10000 $(PY) -m pytest -q tests/test_fuzz.py

bench: install
	$(PY) bench/variants.py

golden: install
	$(PY) -m pytest tests/test_golden.py tests/test_variants.py -k golden --update-golden

clean:
	rm -rf output .pytest_cache .mypy_cache .ruff_cache
