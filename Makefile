# Briefings pipeline. On a fresh machine, `make handbook` and `make test` set
# everything up: the virtual environment, the Python packages and (as root) the
# Debian packages the build and the tests need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIPELINE := $(BIN)/pipeline
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# Debian packages: fonts and text shaping for the PDFs (libharfbuzz-subset0 makes
# font subsetting fast and reproducible), poppler-utils (pdftocairo draws the PNG copy of
# an SVG picture in the DOCX), and the tools the tests use.
DEB_BUILD := fonts-noto-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig poppler-utils
DEB_TEST  := qpdf libreoffice-writer-nogui python3-uno hunspell hunspell-fr hunspell-en-gb git \
             chromium chromium-driver
# `pipeline preview` shows pages as images made by poppler's pdftoppm.
DEB_PREVIEW := poppler-utils
# A release lets LibreOffice lay out the DOCX (through python3-uno) for their page numbers.
DEB_RELEASE := libreoffice-writer-nogui python3-uno

export DEBIAN_FRONTEND := noninteractive

.PHONY: all handbook factsheets packs release changes test check check-content bench visual-diff lint translations \
        clean deps deps-build deps-test deps-preview deps-release venv preview schema screenshot check-pdf

all: deps-build $(STAMP)
	$(PIPELINE) build

handbook: deps-build $(STAMP)
	$(PIPELINE) build --no-factsheets --no-packs

factsheets: deps-build $(STAMP)
	$(PIPELINE) build --no-handbook --no-packs

# The briefing packs (edition.yaml packs:), handbooks of chosen topics (docs/packs.md).
packs: deps-build $(STAMP)
	$(PIPELINE) build --no-handbook --no-factsheets

# The distribution set in dist/<edition-date>/ (LibreOffice lays out the DOCX page numbers).
release: deps-build deps-release $(STAMP)
	$(PIPELINE) release

# Everything, what CI runs (docs/testing.md): the code's tests and the content checks, on
# every core; the session's builds are made once and shared between the workers.
PYTEST_PARALLEL := -n auto --dist loadgroup

test: deps-build deps-test $(TEST_STAMP) lint
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The edit loop: the code's tests without LibreOffice, Chromium or full builds (`slow`).
check: deps-build $(TEST_STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not slow" --ignore=tests/content_checks

# Our own content against the editors' source text, the editorial fixes, spelling.
check-content: deps-build deps-test $(TEST_STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/content_checks

bench: deps-build $(TEST_STAMP)
	$(BIN)/python tests/bench.py

# The checks of finished PDFs (line breaks, ...) on every PDF under build/; exit 1 on any finding.
check-pdf: deps-build $(STAMP)
	$(PIPELINE) check-pdf $$(find build -name '*.pdf' | sort)

# Page images of every PDF against those built by the code of a git ref:
# make visual-diff BEFORE=main (default HEAD: what the uncommitted changes change).
BEFORE ?= HEAD
visual-diff: deps-build deps-test $(TEST_STAMP)
	$(BIN)/python tests/visual_diff.py --before $(BEFORE)

# What changed since the last edition released, and a redline PDF per language in build/changes/.
changes: deps-build $(STAMP)
	$(PIPELINE) changes --pdf-dir build/changes

# Live preview while editing: `make preview TOPIC=corruption`, `make preview PACK=<id>` for a
# briefing pack, or `make preview` for the handbook.
preview: deps-build deps-preview $(STAMP)
	$(PIPELINE) preview $(if $(TOPIC),$(TOPIC),$(if $(PACK),--pack $(PACK),--handbook))

# Content files in the house quoting and indentation (misread texts quoted); `pipeline fmt --check` in CI.
.PHONY: fmt
fmt: $(STAMP)
	$(PIPELINE) fmt

# Refresh the JSON Schemas in content/schemas/ and the schema line at the top of each content file.
schema: $(STAMP)
	$(PIPELINE) schema --headers

# The README's screenshot of the preview, taken by headless Chromium.
screenshot: deps-build deps-test $(TEST_STAMP)
	$(BIN)/python tests/screenshot_preview.py

# Style and the import direction of the stages (docs/architecture.md).
lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

translations: $(STAMP)
	$(PIPELINE) translations

venv: $(STAMP)

# The runtime packages only (what `make handbook` needs); the test tools come with
# $(TEST_STAMP), on the first `make test` or `make lint`.
# No `pip install --upgrade pip` first: the pip of Python 3.11's venv installs editable
# projects already, and upgrading it was a tenth of a fresh clone's `make handbook`.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

deps: deps-build deps-test deps-preview

deps-release:
	@$(MAKE) --no-print-directory _apt PKGS="$(DEB_RELEASE)"

deps-build:
	@$(MAKE) --no-print-directory _apt PKGS="$(DEB_BUILD)"

deps-test:
	@$(MAKE) --no-print-directory _apt PKGS="$(DEB_TEST)"

deps-preview:
	@$(MAKE) --no-print-directory _apt PKGS="$(DEB_PREVIEW)"

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
