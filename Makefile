# The README's two commands: `make demo` and `make test`. Both create or
# reuse .venv and install the project from its own files.
PYTHON_BIN ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Re-install when any requirement or the package metadata changes.
STAMP := $(VENV)/.mmlogitkd-installed
DEPS := requirements.txt requirements/runtime.txt requirements/tests.txt requirements/optional.txt setup.py model-index.yml

.PHONY: setup demo test bench clean

setup: $(STAMP)

$(STAMP): $(DEPS)
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --upgrade 'pip>=23' 'setuptools>=77.0.3,<81' wheel
	$(PY) -m pip install -r requirements.txt -r requirements/optional.txt
	$(PY) -m pip install --no-build-isolation --no-deps -e .
	@touch $(STAMP)

demo: setup
	$(PY) tools/demo.py --work-dir work_dirs/demo

# One pytest worker per core (pytest-xdist), a test file per worker so each
# module's fixtures are built once; each worker runs torch on one thread.
TEST_WORKERS ?= auto
test: setup
	$(PY) -m pytest tests -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

bench: setup
	$(PY) tools/analysis/run_bench.py --preset bench --work-dir work_dirs/bench

clean:
	rm -rf work_dirs build *.egg-info mmlogitkd/.mim
