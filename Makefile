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

# make bench: the in-process codec figures, then the HTTP benchmark with wrk (bench/wrkbench.py;
# BENCH_ARGS=--quick for a few minutes, or e.g. "--backends sqlite --sizes 10000").
# Seeded databases are cached in $(OPENREV_BENCH_DIR) (default ~/.cache/openrev-bench).
BENCH_ARGS ?=
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing wrk (apt-get)"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "make bench needs wrk: install it (e.g. sudo apt-get install wrk) and run it again"; \
	    exit 1; fi; }
	$(BIN)/python bench/run.py --write docs/PERFORMANCE.md
	$(BIN)/python bench/wrkbench.py --write docs/PERFORMANCE.md $(BENCH_ARGS)

clean:
	rm -rf $(VENV) openrev.db openrev.db-wal openrev.db-shm .pytest_cache
