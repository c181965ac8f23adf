# make test   set up .venv (first time only) and run the test suite
# make demo   set up .venv (first time only) and run the demo pipeline
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup test demo clean

setup:
	VENV=$(VENV) bash tools/misc/setup_env.sh

test: setup
	$(PY) -m pytest tests $(PYTEST_ARGS)

demo: setup
	$(PY) projects/transfer_study/tools/run_demo.py

clean:
	rm -rf work_dirs data/demo_nsd
