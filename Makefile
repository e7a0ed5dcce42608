# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# pywb lives in a venv of its own: it pulls in brotlipy, whose `brotli` module replaces the
# one Scrapy decodes brotli bodies with (Scrapy then fails on `br` responses).
PYWB_VENV ?= .venv-pywb

.PHONY: demo test lint bench quality install install-test system-deps bench-deps clean

# Each install stamp is remade when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(PYWB_VENV)/.installed:
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install --quiet "pywb>=2.8"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(PYWB_VENV)/.installed

# Debian's packages, installed when missing (needs root): for the tests Chromium (the
# replay-in-a-browser test), wget (the replay of another tool's WARC files) and
# redis-server (the distributed crawls); for the benchmarks redis-server and wrk (which
# checks that the benchmark's site is not what limits the crawl).
TEST_TOOLS := chromium wget redis-server
BENCH_TOOLS := redis-server wrk
define install_missing
	@missing=""; for tool in $(1); do \
	  command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing:$$missing: what needs them will be skipped"; fi; fi
endef
system-deps:
	$(call install_missing,$(TEST_TOOLS))
bench-deps:
	$(call install_missing,$(BENCH_TOOLS))

# Serve the bundled sample aggregator on a free loopback port, crawl it, print a summary.
demo: install
	$(PY) -m crawler.demo run

# Every benchmark, paired against its baseline in the same run; prints one table.
bench: install-test bench-deps
	$(PY) -m benchmarks

# Extraction quality on the demo layouts (with and without a profile) and the article
# fixtures: shares of correct card fields and publication days.
quality: install
	$(PY) -m benchmarks.quality

lint: install-test
	$(VENV)/bin/ruff check .

test: lint system-deps
	PYWB_BIN=$(abspath $(PYWB_VENV))/bin $(PY) -m pytest

clean:
	rm -rf $(VENV) $(PYWB_VENV) build *.egg-info .pytest_cache .ruff_cache
