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

site: $(VENV)/.installed  ## a clean `jupyter lite build` (its addons vendor and check; see sitetools/)
	$(PY) -m sitetools.site

test: $(VENV)/.installed chromium  ## every test, as configured in pyproject.toml: site, browser, both kernels, style
	$(PY) -m pytest $(PYTEST_ARGS)

outputs: $(VENV)/.installed chromium  ## store the browser kernel's outputs in content/*.ipynb
	$(PY) -m sitetools.regen_outputs

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

# apt-get as root (CI, containers), else through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
