# thidua — the set-up and the main jobs. Every target creates .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help install demo test eval bench lock site clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip install --python $(BIN)/python --quiet --require-hashes -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the locked dependencies

demo: $(STAMP)  ## crawl the bundled sample site offline and print the tables
	$(BIN)/thidua demo

test: $(STAMP)  ## run the test suite
	$(BIN)/python -m pytest -q

SHARED ?= ../shared
eval: $(STAMP)  ## precision / recall / F1 per field on the project's gold sets and, when ../shared is there, the seeds
	$(BIN)/thidua eval --gold data/gold/sample_site.jsonl --docs data/sample_site --no-items
	$(BIN)/thidua eval --gold data/gold/plain_pages.jsonl --docs data/plain_pages --no-items
	@if [ -f $(SHARED)/gold/seeds.jsonl ]; then $(BIN)/thidua eval --gold $(SHARED)/gold/seeds.jsonl --docs $(SHARED)/seeds --no-items; \
	else echo "($(SHARED)/gold/seeds.jsonl not found: seeds skipped)"; fi

bench: $(STAMP)  ## benchmarks (processing throughput, marts on 1M documents, a 1M rebuild at the memory floor, crawl vs bare Scrapy, memory over 20,000 pages); figures in data/reports/
	$(BIN)/python scripts/bench_process.py; p=$$?; $(BIN)/python scripts/bench_analysis.py; a=$$?; \
	$(BIN)/python scripts/bench_analysis.py --docs 1000000 --floor --rebuild-only --out data/reports/bench-rebuild-floor.json; f=$$?; \
	$(BIN)/python scripts/bench_crawl.py && exit $$((p + a + f))

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

site: $(STAMP)  ## rebuild data/sample_site from data/sample_src
	$(BIN)/python scripts/build_sample_site.py

clean:  ## remove the environment and generated databases
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.wal data/*.tokens.sqlite* data/archive*
