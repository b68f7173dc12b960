# Recurrent Networks from First Principles: build, test and run the book.
# Every target sets up what it needs: a virtualenv in .venv with the exact pins of
# requirements.txt and lrnn installed in editable mode.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JB     := LRNN_STATIC_SITE=1 LRNN_PHONE_FIGURES="$(CURDIR)/_build/phone-figures" $(BIN)/jupyter-book build book --config "$(CURDIR)/_config.yml" --toc "$(CURDIR)/_toc.yml" --path-output .

# The editions: the PDF (LaTeX + xelatex) and the student edition (solutions removed).
# Explorers add a still of their default view to their output for the PDF (LRNN_PRINT_EDITION).
PDF_NAME    := rnn-first-principles
PDF         := _build/pdf/_build/latex/$(PDF_NAME).pdf
STUDENT_SRC := _build/student-src
STUDENT_PDF := _build/student/_build/latex/$(PDF_NAME)-student.pdf
# One BLAS thread per kernel: CI builds the two editions side by side, one per core, and two
# kernels each spinning two BLAS threads on two cores made the training chapters ten times slower.
EDITION_JB  := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
               LRNN_STATIC_SITE=1 LRNN_PRINT_EDITION=1 $(BIN)/jupyter-book build
STUDENT_JB  := $(EDITION_JB) $(STUDENT_SRC)/book --config "$(CURDIR)/$(STUDENT_SRC)/_config.yml" \
               --toc "$(CURDIR)/$(STUDENT_SRC)/_toc.yml" --path-output _build/student -W -n --keep-going
# Debian's TeX, installed without recommends (about 113 MiB; texlive-fonts-extra is not needed).
TEX_DEBS    := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended latexmk \
               tex-gyre texlive-xetex fonts-freefont-otf

# The optional PyTorch extra (lrnn.torch): the CPU build pinned in pyproject.toml's [torch] extra.
.PHONY: torch
torch: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[torch]"

# Run the PyTorch page and keep its outputs (it is committed with them; tests/test_torch_page.py
# fails when they are stale).
.PHONY: torch-page
torch-page: torch
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=600 book/pytorch_bridge.ipynb

.PHONY: help env book student student-src pdf student-pdf editions test test-editions unit lab clean browser-deps pdf-deps runnable

help:
	@echo "make book   build the website into _build/html (runs every notebook)"
	@echo "make test   run everything: unit tests, doctests, notebooks (nbval), -W site build, HTML and browser checks"
	@echo "make lab    open JupyterLab on book/ with lrnn importable and widgets live"
	@echo "make pdf    build the PDF edition into $(PDF) (installs Debian's TeX if missing and root)"
	@echo "make student  build the student edition (no solutions, in the pages or the notebooks) into _build/student"
	@echo "make student-pdf  the student edition's PDF ($(STUDENT_PDF)) and its site, which offers it"
	@echo "make test-editions  check the built editions (after make pdf and make student-pdf; CI runs both)"
	@echo "make runnable  the runnable book alone (notebooks, a wheel of lrnn, pinned requirements) into _build/lrnn-book.zip"
	@echo "make unit   unit tests and doctests only (fast)"
	@echo "make torch  add the optional PyTorch extra (lrnn.torch, its tests and the PyTorch page), CPU build"
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
CLEAN_SITE := rm -rf _build/html _build/.doctrees _build/jupyter_execute _build/.jupyter_cache \
              _build/phone-figures _build/runnable-ran _build/lrnn-book.zip

book: $(STAMP)
	$(CLEAN_SITE)
	$(JB) -W -n --keep-going
	@echo
	@echo "Built. Open file://$(CURDIR)/_build/html/index.html"

# The student edition: sources copied to $(STUDENT_SRC) with every solution removed, then built
# like the book into _build/student (always clean, for the same reason as the site).
student-src: $(STAMP)
	rm -rf $(STUDENT_SRC) _build/student
	PYTHONPATH=book $(BIN)/python -m _tools.student_edition book $(STUDENT_SRC) --pdf $(STUDENT_PDF)

student: student-src
	$(STUDENT_JB) --builder html
	@echo
	@echo "Student edition built. Open file://$(CURDIR)/_build/student/_build/html/index.html"

# The student PDF, then the student site from the same run of the notebooks (its download
# menu then offers this PDF).
student-pdf: student-src pdf-deps
	$(STUDENT_JB) --builder pdflatex
	$(STUDENT_JB) --builder html
	@echo
	@echo "Student PDF: $(STUDENT_PDF)"
	@echo "Student edition built. Open file://$(CURDIR)/_build/student/_build/html/index.html"

# The PDF edition. A site built afterwards (make book) offers it in its download menu.
pdf: $(STAMP) pdf-deps
	rm -rf _build/pdf
	$(EDITION_JB) book --config "$(CURDIR)/_config.yml" --toc "$(CURDIR)/_toc.yml" \
	  --path-output _build/pdf --builder pdflatex -W -n --keep-going
	@# a site built before the PDF links to it already (book/_tools/editions.py): put it there
	@if [ -d _build/html ]; then cp $(PDF) _build/html/; fi
	@echo
	@echo "PDF: $(PDF)"

editions: pdf student-pdf

# The PDF needs xelatex and Debian's TeX packages; install them when missing and we may.
pdf-deps:
	@if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=$$(for p in $(TEX_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	else missing=$$(command -v xelatex >/dev/null && command -v latexmk >/dev/null || echo "$(TEX_DEBS)"); fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing TeX for the PDF:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "The PDF needs TeX. Install (Debian/Ubuntu, about 113 MiB):"; \
	    echo "  sudo apt-get install --no-install-recommends $(TEX_DEBS)"; exit 1; \
	  fi; \
	fi

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

# In CI (or with LRNN_RUNNABLE_TEST=1) each notebook runs once, the way a reader who downloads the
# runnable book runs it: `make runnable`, then tests/test_tools_runnable_book.py makes a fresh virtual
# environment from that zip and runs every notebook there (two at a time, one BLAS thread each), with
# the site's switches (LRNN_STATIC_SITE, LRNN_PHONE_FIGURES). The -W site build then shows those runs'
# outputs: book/_tools/notebook_cache.py puts them in its jupyter-cache (_config.yml executes in
# `cache` mode, and a clean build's cache is empty), so it runs only the pages the zip leaves out (the
# ledger, the course pages), and ships that very zip (LRNN_RUNNABLE_ZIP); a check of the built site
# asserts it does. Beside all that, on the spare core, run the tests that do not need the site (niced:
# they are not on the path to the site); once the site is built, the checks of the built site, of its
# pages in Chromium and of the editions when they are built, on three workers (pytest-xdist; they
# mostly wait for Chromium).
# Without CI, nbval runs every notebook in that first group as JupyterLab would, and the site build
# runs them again as the static site does.
SITE_FREE := not site and not browser and not pdf and not student
RUNNABLE_TEST := $(or $(CI),$(LRNN_RUNNABLE_TEST))
NBVAL := $(if $(RUNNABLE_TEST),'--ignore-glob=book/*.ipynb',)
FRESH := tests/test_tools_runnable_book.py::test_every_notebook_of_the_runnable_book_runs_in_a_fresh_environment
test: $(STAMP) browser-deps
	$(CLEAN_SITE)
	@mkdir -p _build
	@export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; start=$$(date +%s); \
	nice -n 5 $(BIN)/python -m pytest -m "$(SITE_FREE)" $(NBVAL) > _build/unit-tests.log 2>&1 & unit=$$!; \
	if [ -n "$(RUNNABLE_TEST)" ]; then \
	  echo "== the runnable book in a fresh environment (log: _build/runnable-test.log), beside the tests that do not need the site"; \
	  $(MAKE) -s --no-print-directory runnable && $(BIN)/python -m pytest -s -p no:cacheprovider $(FRESH) > _build/runnable-test.log 2>&1; ran=$$?; \
	  tail -n 4 _build/runnable-test.log; \
	  if [ $$ran -ne 0 ]; then cat _build/runnable-test.log; wait $$unit; tail -n 40 _build/unit-tests.log; exit 1; fi; \
	  $(BIN)/python book/_tools/notebook_cache.py _build/.jupyter_cache _build/runnable-ran book || exit 1; \
	  echo "== ran in $$(( $$(date +%s) - start )) s"; fi; \
	echo "== the -W site build (log: _build/site-build.log)"; \
	$(if $(RUNNABLE_TEST),LRNN_RUNNABLE_ZIP="$(CURDIR)/_build/lrnn-book.zip") $(JB) -W -n --keep-going > _build/site-build.log 2>&1; built=$$?; tail -n 15 _build/site-build.log; \
	if [ $$built -ne 0 ]; then echo "== the -W site build failed: see _build/site-build.log"; \
	  grep "mystnb.exec" _build/site-build.log; \
	  find _build/html/reports -name "*.err.log" -exec tail -n 25 {} + 2>/dev/null; \
	  wait $$unit; tail -n 40 _build/unit-tests.log; exit 1; fi; \
	echo "== built in $$(( $$(date +%s) - start )) s$(if $(RUNNABLE_TEST),; $$(grep -c "Using cached notebook" _build/site-build.log) pages from the runs above); now the built site, its pages in Chromium, the editions"; \
	$(BIN)/python -m pytest -n 3 --durations=40 -m "not ($(SITE_FREE))" --deselect $(FRESH); rest=$$?; \
	wait $$unit; unit=$$?; echo "== the tests that do not need the site (log: _build/unit-tests.log)"; \
	if [ $$unit -ne 0 ]; then cat _build/unit-tests.log; else tail -n 12 _build/unit-tests.log; fi; \
	exit $$((unit | rest))

# Checks on the built editions (tests marked pdf/student): `make test` runs them when the
# editions are built and skips them otherwise; here a missing edition fails.
test-editions: $(STAMP)
	LRNN_EDITIONS_REQUIRED=1 $(BIN)/python -m pytest tests -m "pdf or student" -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/python -m pytest tests lrnn -m "not site and not browser and not pdf and not student"

lab: $(STAMP)
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
