#!/usr/bin/env bash
# Find Python 3.13 (or 3.12), create .venv and install Suara into it.
# Re-running is cheap: it reinstalls only when pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.installed

python_ok() {  # $1: a python executable; true when it is 3.12 or newer
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local wanted candidate
    wanted=$(tr -d '[:space:]' < .python-version 2>/dev/null || echo 3.13)
    # 1. pyenv, honouring .python-version.
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv which "python$wanted" 2>/dev/null || true)" \
                         "$(pyenv root 2>/dev/null)/versions/$wanted"*/bin/python3; do
            if [ -n "$candidate" ] && [ -x "$candidate" ] && python_ok "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    # 2. PATH, newest first.
    for candidate in "python$wanted" python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1; then
            candidate=$(command -v "$candidate")
            if python_ok "$candidate"; then echo "$candidate"; return; fi
        fi
    done
    return 1
}

if [ -x "$VENV/bin/python" ] && ! python_ok "$VENV/bin/python"; then
    echo "Removing $VENV: it was made with a Python older than 3.12." >&2
    rm -rf "$VENV"
fi

if [ ! -x "$VENV/bin/python" ]; then
    if ! PYTHON=$(find_python); then
        cat >&2 <<'MSG'
Suara needs Python 3.13 (3.12 at least), and none was found.
Install one of:
  - pyenv:   pyenv install 3.13        (then run this again; .python-version asks for 3.13)
  - Debian/Ubuntu: sudo apt-get install python3.13 python3.13-venv   (or python3.12 python3.12-venv)
  - macOS:   brew install python@3.13
  - Windows/other: https://www.python.org/downloads/
MSG
        exit 1
    fi
    echo "Creating $VENV with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv "$VENV" || {
        echo "Could not create a virtual environment with $PYTHON; on Debian/Ubuntu install python3-venv for it." >&2
        exit 1
    }
fi

if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "Installing Suara and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
    touch "$STAMP"
fi

# The Nu Html Checker for the HTML conformance test and axe-core for the browser
# tests' accessibility checks, pinned in package.json; without npm those tests
# say what is missing and are skipped (outside CI).
if { [ ! -d node_modules/vnu-jar ] || [ ! -d node_modules/axe-core ]; } && command -v npm >/dev/null 2>&1; then
    echo "Installing the Nu Html Checker into node_modules"
    # Offline, the portal still runs: only that test goes without its checker.
    npm install --no-audit --no-fund || echo "Could not install the Nu Html Checker; its test will be skipped." >&2
fi

# The translation catalogues Django reads (.mo), made from the .po files in
# locale/ whenever those change; pure Python, no gettext needed.
"$VENV/bin/python" scripts/translations.py compile
