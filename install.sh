#!/bin/sh
# Install kztm-timeline into a virtual environment of its own, .venv/ beside this file, so that it works
# where pip refuses the system's Python (PEP 668: Debian, Ubuntu, Fedora...). Never --break-system-packages.
#   sh install.sh         the tool                      then: .venv/bin/timeline list
#   sh install.sh test    the tool, editable, with the test dependencies (ruff, mypy, pytest...)
# Where Python's venv module cannot install pip itself (Debian without python3-venv), the environment is
# made without pip and borrows the system's pip, which installs into the environment, not the system.
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    if ! "$PYTHON" -m venv --clear .venv >/dev/null 2>&1; then
        "$PYTHON" -m venv --clear --without-pip --system-site-packages .venv
    fi
fi
case "${1:-}" in
    "") .venv/bin/python -m pip install -q --disable-pip-version-check . ;;
    test) .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' ;;
    *) echo "usage: sh install.sh [test]" >&2; exit 2 ;;
esac
echo "installed: $(pwd)/.venv/bin/timeline" >&2
