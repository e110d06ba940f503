#!/usr/bin/env bash
# Set up, build the demo database on first start, and open the dashboard.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
if [ ! -f data/reports.duckdb ]; then
  echo "[run] building data/reports.duckdb from the demo corpus (first start only)"
  .venv/bin/python -m etl demo --out data/demo
  .venv/bin/python -m etl load data/demo --db data/reports.duckdb || true
fi
exec .venv/bin/streamlit run app.py --server.headless true "$@"
