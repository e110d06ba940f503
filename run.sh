#!/usr/bin/env bash
# Set up, build the demo database on first start, and open the dashboard.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
py=.venv/bin/python
if [ ! -f data/reports.duckdb ]; then
  echo "[run] 首次启动：生成演示区县的报告并导入 data/reports.duckdb（building the demo database）"
  # A failed file is reported by name and the rest still load; even with no demo at all the
  # dashboard opens (on an empty database it says how to load reports), so go on either way.
  "$py" -m etl demo --out data/demo || echo "[run] 演示数据生成失败，看板将以空库打开"
  "$py" -m etl load data/demo --db data/reports.duckdb || true
else
  # Derived tables follow the SQL and mapping files of this checkout.
  "$py" -m queries --refresh --db data/reports.duckdb >/dev/null || true
fi
# Without accounts (data/accounts.toml) anyone who opens the dashboard has the 绩效科's rights: localhost only.
address=()
[ -f data/accounts.toml ] || [ -n "${BUREAU_ACCOUNTS:-}" ] || address=(--server.address 127.0.0.1)
# glibc gives each of the server's threads its own malloc arena and keeps what they free: two arenas
# let memory go back after sessions end (benchmarks/memory_bench.py).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# Large blocks (a query's frame, a page's Arrow bytes) from mmap and the heap's free top trimmed, so
# what a closed session held goes back to the OS; Arrow allocates from malloc too, not its own jemalloc
# pool that keeps freed pages (issue #14).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-131072}"
export ARROW_DEFAULT_MEMORY_POOL="${ARROW_DEFAULT_MEMORY_POOL:-system}"
# Warm the server once it answers (imports, database, the default views' results), in the background:
# the first leader to open a page does not pay for a cold server (scripts/warm_start.py).
port=8501
args=("$@")
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --server.port=*) port="${args[$i]#*=}" ;;
    --server.port) port="${args[$((i + 1))]:-8501}" ;;
  esac
done
("$py" scripts/warm_start.py "http://127.0.0.1:${port}" >/dev/null 2>&1 &)
exec .venv/bin/streamlit run app.py --server.headless true "${address[@]}" "$@"
