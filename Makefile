# Recurrent Networks from First Principles: build, test and run the book.
# Every target sets up what it needs: a virtualenv in .venv with the exact pins of
# requirements.txt and lrnn installed in editable mode.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := LRNN_STATIC_SITE=1 $(BIN)/jupyter-book build book --config "$(CURDIR)/_config.yml" --toc "$(CURDIR)/_toc.yml" --path-output .

.PHONY: help env book student test unit lab clean browser-deps runnable

help:
	@echo "make book   build the website into _build/html (runs every notebook)"
	@echo "make test   run everything: unit tests, doctests, notebooks (nbval), -W site build, HTML and browser checks"
	@echo "make lab    open JupyterLab on book/ with lrnn importable and widgets live"
	@echo "make student  build a student edition (no solutions, in the pages or the notebooks) into _build/student"
	@echo "make unit   unit tests and doctests only (fast)"
	@echo "make clean  remove build outputs (keeps .venv)"

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required, found " + sys.version)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Always a clean build: Sphinx re-reads (and so re-executes) only changed sources, but a
# chapter's outputs also depend on lrnn, so an incremental build could show stale results.
CLEAN_SITE := rm -rf _build/html _build/.doctrees _build/jupyter_execute _build/.jupyter_cache

book: $(STAMP)
	$(CLEAN_SITE)
	$(JB) -W -n --keep-going
	@echo
	@echo "Built. Open file://$(CURDIR)/_build/html/index.html"

student: $(STAMP)
	$(BIN)/python book/_tools/student_edition.py book _build/student-src
	LRNN_STATIC_SITE=1 $(BIN)/jupyter-book build _build/student-src --config "$(CURDIR)/_config.yml" \
	  --toc "$(CURDIR)/_toc.yml" --path-output _build/student -W -n --keep-going
	@echo
	@echo "Student edition built. Open file://$(CURDIR)/_build/student/_build/html/index.html"

# The runnable book alone: notebooks, a wheel of lrnn, pinned requirements (the site build
# also writes it to _build/html/lrnn-book.zip, which every page offers).
runnable: $(STAMP)
	$(BIN)/python book/_tools/runnable_book.py --out _build/lrnn-book.zip

# The browser checks drive Debian's Chromium; install it when missing and we may.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium for the browser checks"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not found: the browser checks will fail; install Debian's chromium package"; fi; }

test: $(STAMP) browser-deps
	$(CLEAN_SITE)
	$(JB) -W -n --keep-going
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests lrnn -m "not site and not browser"

lab: $(STAMP)
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
