#!/usr/bin/env bash
# Set up (system packages + venv), lint (ruff, rules in pyproject.toml), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
.venv/bin/ruff check --quiet .
exec .venv/bin/python -m pytest -q "$@"
