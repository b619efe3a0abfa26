# The README's two commands are `make serve` and `make test`; the other targets are what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: serve site test outputs chromium

serve: site  ## build the site, then serve it on http://127.0.0.1:$(PORT)
	@echo "Open http://127.0.0.1:$(PORT)/ (Ctrl+C stops the server)"
	$(PY) -m http.server -b 127.0.0.1 $(PORT) --directory dist

site: $(VENV)/.installed  ## clean build of dist/ with the verified, vendored Pyodide
	$(PY) scripts/build_site.py

test: $(VENV)/.installed chromium  ## every test: site, browser, parity in both kernels
	$(PY) -m pytest tests content -p no:cacheprovider --durations=10 \
	  --nbval --nbval-current-env --nbval-cell-timeout=120 --nbval-sanitize-with tests/sanitize.cfg $(PYTEST_ARGS)

outputs: $(VENV)/.installed chromium  ## store the browser kernel's outputs in content/*.ipynb
	$(PY) -m tests.regen_outputs

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
