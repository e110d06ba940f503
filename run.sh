#!/usr/bin/env bash
# Set up, build the demo database on first start, and open the dashboard.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
py=.venv/bin/python
if [ ! -f data/reports.duckdb ]; then
  echo "[run] 首次启动：生成演示区县的报告并导入 data/reports.duckdb（building the demo database）"
  "$py" -m etl demo --out data/demo
  # A failed file is reported by name; the rest still load, so go on to the dashboard.
  "$py" -m etl load data/demo --db data/reports.duckdb || true
else
  # Derived tables follow the SQL and mapping files of this checkout.
  "$py" -m queries --refresh --db data/reports.duckdb >/dev/null || true
fi
exec .venv/bin/streamlit run app.py --server.headless true "$@"
