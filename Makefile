# make test    set up .venv (first time only) and run the test suite
# make demo    set up .venv (first time only) and run the demo pipeline
# make wheels  download every wheel the set-up needs, for a node without network
#              (WHEELS_ARGS="--python-version 3.11 --platform manylinux_2_28_x86_64")
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# test processes (pytest-xdist): one per core; 0 runs the suite in this process
PYTEST_WORKERS ?= auto
WHEELS_ARGS ?=

.PHONY: setup test demo wheels clean

setup:
	VENV=$(VENV) bash tools/misc/setup_env.sh

test: setup
	$(PY) -m pytest tests -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

demo: setup
	$(PY) projects/transfer_study/tools/run_demo.py

wheels:
	bash tools/misc/download_wheels.sh $(WHEELS_ARGS)

clean:
	rm -rf work_dirs data/demo_nsd
