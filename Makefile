# Tandem — set-up is two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check sandbox bench clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

# The gates: lint, format, types, dead code. Each must report zero; `make test` runs them first.
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) tools/deadcode.py

test: check
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

sandbox: $(STAMP)
	$(PY) main.py sandbox serve --seed demo

bench: $(STAMP)
	for f in tests/bench/bench_*.py; do echo "== $$f"; QT_QPA_PLATFORM=offscreen $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Installers (packaging/README.md). PyInstaller is pinned in requirements-package.txt.
.PHONY: package package-test
PKG_STAMP := $(VENV)/.installed-package

$(PKG_STAMP): $(STAMP) requirements-package.txt
	$(PY) -m pip install --quiet -r requirements-package.txt
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/tandem.spec
	bash packaging/linux/build-deb.sh dist/tandem dist

package-test: $(PKG_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -s -m slow tests/packaging

# The real OS keyring (GNOME Keyring's Secret Service on a private D-Bus session) and a real
# X server (Xvfb): tests/system, left out of `make test`. As root on Debian, tools/test-system.sh
# installs the packages it needs with apt-get (and says so); otherwise it names them.
.PHONY: test-system
test-system: $(STAMP)
	PY=$(PY) bash tools/test-system.sh
