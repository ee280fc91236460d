# The two commands a planner needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
DEMO_OUT ?= out/demo

.PHONY: demo test test-floor bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install writes no bytecode for the project's own modules (a wheel's install does), and with
# PYTHONDONTWRITEBYTECODE set Python never writes it: every run would compile ≈ 100 modules again (≈ 0.3 s).
COMPILE := $(BIN)/python -m compileall -q geodata optimizer reports scenarios

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	@$(COMPILE)
	$(BIN)/healthplan run scenarios/demo.yaml --out $(DEMO_OUT) --force

test: $(STAMP_TEST)
	@$(COMPILE)
	$(BIN)/python -m pytest -q -n 2

# The suite against the lowest version of every dependency that pyproject.toml allows: a fresh .venv-floor with
# each `name>=X` pinned to `name==X` (tools/floor_constraints.py), so the stated floors are tested, not guessed.
FLOOR_VENV := .venv-floor

test-floor:
	rm -rf $(FLOOR_VENV)
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) tools/floor_constraints.py --extra test > $(FLOOR_VENV)/constraints.txt
	$(FLOOR_VENV)/bin/python -m pip install --quiet -c $(FLOOR_VENV)/constraints.txt -e '.[test]'
	$(FLOOR_VENV)/bin/python -m pip list --format=freeze > $(FLOOR_VENV)/installed.txt
	$(FLOOR_VENV)/bin/python -m pytest -q -n 2 -p no:cacheprovider

bench: $(STAMP_TEST)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out .pytest_cache
