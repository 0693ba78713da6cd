# Briefings pipeline. On a fresh machine, `make handbook` and `make test` set
# everything up: the virtual environment, the Python packages and (as root) the
# Debian packages the build and the tests need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIPELINE := $(BIN)/pipeline
STAMP  := $(VENV)/.installed

# Debian packages: fonts and text shaping for the PDFs (libharfbuzz-subset0 makes
# font subsetting fast and reproducible), poppler-utils (pdftocairo draws the PNG copy of
# an SVG picture in the DOCX), and the tools the tests use.
DEB_BUILD := fonts-noto-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig poppler-utils
DEB_TEST  := qpdf libreoffice-writer-nogui hunspell hunspell-fr hunspell-en-gb git

export DEBIAN_FRONTEND := noninteractive

.PHONY: all handbook factsheets test bench lint translations clean deps deps-build deps-test venv

all: deps-build $(STAMP)
	$(PIPELINE) build

handbook: deps-build $(STAMP)
	$(PIPELINE) build --no-factsheets

factsheets: deps-build $(STAMP)
	$(PIPELINE) build --no-handbook

test: deps-build deps-test $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: deps-build $(STAMP)
	$(BIN)/python tests/bench.py

lint: $(STAMP)
	$(BIN)/ruff check .

translations: $(STAMP)
	$(PIPELINE) translations

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

deps: deps-build deps-test

deps-build:
	@$(MAKE) --no-print-directory _apt PKGS="$(DEB_BUILD)"

deps-test:
	@$(MAKE) --no-print-directory _apt PKGS="$(DEB_TEST)"

# Install missing Debian packages when root; otherwise say exactly what to install.
_apt:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "error: missing Debian packages:$$missing" >&2; \
	    echo "install them with: sudo apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi

clean:
	rm -rf build
