#!/usr/bin/env bash
# Run Suara's tests. Extra arguments go to pytest (e.g. -m smoke, -k name).
# A run that collects no test fails: pytest's exit code 5 is not success.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing." >&2
    exit 1
fi
exit "$status"
