# make run / make test / make bench work on a fresh machine with only Python 3.11+:
# they create .venv and install the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/openrev demo
	$(BIN)/openrev serve

test: $(STAMP)
	$(BIN)/python -m pytest --durations=10

bench: $(STAMP)
	$(BIN)/python bench/run.py --write docs/PERFORMANCE.md

clean:
	rm -rf $(VENV) openrev.db openrev.db-wal openrev.db-shm .pytest_cache
