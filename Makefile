# The README's two commands are `make serve` and `make test`; the other targets are what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# `make test ENGINE=firefox` (or chromium, webkit): only the tests that take an engine, in that one.
ENGINE ?=
TESTS := $(if $(ENGINE),tests/test_parity.py tests/test_essentials.py tests/test_engines.py --engine=$(ENGINE) -k $(ENGINE))
FIREFOX_BRIDGE := tests/harness/firefox

.PHONY: serve site test outputs browsers chromium firefox webkit

serve: site  ## build the site, then serve it on http://127.0.0.1:$(PORT)
	@echo "Open http://127.0.0.1:$(PORT)/ (Ctrl+C stops the server)"
	$(PY) -m http.server -b 127.0.0.1 $(PORT) --directory dist

site: $(VENV)/.installed  ## a clean `jupyter lite build` (its addons vendor and check; see sitetools/)
	$(PY) -m sitetools.site

test: $(VENV)/.installed $(if $(ENGINE),$(ENGINE),browsers)  ## every test, as configured in pyproject.toml: site, engines, both kernels, style
	$(PY) -m pytest $(TESTS) $(PYTEST_ARGS)

outputs: $(VENV)/.installed chromium  ## store the browser kernel's outputs in content/*.ipynb
	$(PY) -m tests.harness.regen_outputs

# The site's kernel extension (extension/) is built by pip with npm: a change to it reinstalls it.
EXTENSION_SOURCES := $(wildcard extension/src/*.ts extension/src/worker/* extension/src/service-worker/*.ts \
  extension/scripts/* extension/tour_kernel_extension/*.py) \
  $(addprefix extension/,package.json package-lock.json pyproject.toml webpack.config.cjs tsconfig.json)

$(VENV)/.installed: requirements.txt pyproject.toml $(EXTENSION_SOURCES)
	@command -v npm >/dev/null || { echo "Installing Debian's nodejs and npm (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps --force-reinstall ./extension
	touch $@

# apt-get as root (CI, containers), else through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

browsers: chromium firefox webkit  ## the engines every run uses

# Debian's firefox-esr, and puppeteer-core from the lock file (it never downloads a browser).
firefox: $(FIREFOX_BRIDGE)/node_modules/.package-lock.json
	@command -v firefox-esr >/dev/null || { echo "Installing Debian's firefox-esr (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr; }

$(FIREFOX_BRIDGE)/node_modules/.package-lock.json: $(FIREFOX_BRIDGE)/package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian's nodejs and npm (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	cd $(FIREFOX_BRIDGE) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund

# WebKitGTK's WebKitWebDriver and MiniBrowser, and a virtual display for them.
webkit:
	@command -v WebKitWebDriver >/dev/null && command -v Xvfb >/dev/null || { \
	  echo "Installing Debian's webkit2gtk-driver and xvfb (apt-get)"; $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq webkit2gtk-driver xvfb; }
