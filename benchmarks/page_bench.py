"""Server-side run time of every dashboard page, on the demo database and on
a 100,000-report database.

    .venv/bin/python benchmarks/page_bench.py [--sizes 100000] [--runs 5] [--demo-db FILE] [--keep DIR]

Each page is run with streamlit's AppTest (the script run on the server: the
sidebar, the queries, the figures and tables it sends; no browser) in its
default view, the latest year. "cold" clears the result cache first (the first
view after a load or a filter change); "warm" runs it again with the cache
filled (moving between pages, reruns). The demo database is built from the
demo corpus through the ETL unless --demo-db names one; the scaled ones come
from benchmarks/builder.py (records straight into DuckDB,
then queries.refresh as after a load). Target: ≤ 1 s per page at 100,000
reports.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

PAGES = ["pages/overview.py", "pages/compare.py", "pages/trends.py", "pages/unit_detail.py",
         "pages/complaints.py", "pages/scores.py", "pages/quality.py", "pages/upload.py"]


def build_demo(folder: Path) -> Path:
    from demo.generate import generate
    from etl.config import Limits
    from etl.load import load_files

    corpus = folder / "demo-corpus"
    generate(corpus, seed=0)
    db = folder / "demo.duckdb"
    db.unlink(missing_ok=True)
    load_files([corpus], db, Limits())
    return db


def build_scaled(folder: Path, n: int) -> Path:
    from builder import build

    db = folder / f"pages_{n}.duckdb"
    build(db, n)
    return db


def a_unit_label(db: Path) -> str:
    """The URL label of a unit with the most reports (what a drill-down opens)."""
    import queries
    from ui.filters import unit_names

    units = queries.run("units", db).sort_values(["reports", "unit_name"], ascending=[False, True])
    os.environ["REPORTS_DB"] = str(db)
    to_label, _ = unit_names()
    return to_label.get(units.iloc[0]["unit_id"], units.iloc[0]["unit_name"])


def time_pages(db: Path, runs: int) -> list[tuple[str, float, float, float]]:
    """(page, cold median s, warm median s, warm p95-ish max s) per page."""
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import app_test as app_test_module

    from ui import data

    class NavigationPagesManager(app_test_module.PagesManager):
        # As a running server (see tests/test_pages.py): st.navigation's mode, not the pages/ folder's.
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            app_test_module.PagesManager.uses_pages_directory = False

    app_test_module.PagesManager = NavigationPagesManager
    os.environ["REPORTS_DB"] = str(db)
    quiet_bare_mode_warnings()
    unit = a_unit_label(db)
    rows = []
    for page in PAGES:
        cold, warm = [], []
        for _ in range(runs):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            if page.endswith("unit_detail.py"):
                at.query_params["u"] = unit
            at.run()
            quiet_bare_mode_warnings()
            data.clear_cache()
            at.switch_page(page)
            t0 = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t0)
            problems = [e.value for e in at.exception] + [e.value for e in at.error]
            if problems:
                raise SystemExit(f"{page} on {db.name}: {problems[:3]}")
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        rows.append((page.split("/")[-1][:-3], statistics.median(cold), statistics.median(warm), max(cold)))
    return rows


def quiet_bare_mode_warnings() -> None:
    """Outside a script run, the cache and its clearing warn ("No runtime found",
    "missing ScriptRunContext") on every call; streamlit resets its loggers with
    each AppTest, so this is called before each use to keep the table readable."""
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--demo-db", type=Path, help="use this database as the demo one instead of building it")
    parser.add_argument("--keep", type=Path, help="keep the built databases in this folder")
    args = parser.parse_args()
    quiet_bare_mode_warnings()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="page_bench_"))
    folder.mkdir(parents=True, exist_ok=True)

    targets = []
    t0 = time.perf_counter()
    demo = args.demo_db or build_demo(folder)
    targets.append(("demo", demo, time.perf_counter() - t0))
    for n in args.sizes:
        t0 = time.perf_counter()
        targets.append((f"{n:,} reports", build_scaled(folder, n), time.perf_counter() - t0))

    worst = {}
    for label, db, built in targets:
        import queries

        quiet_bare_mode_warnings()
        reports = int(queries.run("years", db)["reports"].sum())
        print(f"\n== {label}: {db.name}, {reports:,} reports (ready in {built:.1f} s)")
        print(f"{'page':<14} {'cold median s':>14} {'warm median s':>14} {'cold max s':>11}")
        for page, cold, warm, cold_max in time_pages(db, args.runs):
            flag = "  > 1 s" if cold > 1 else ""
            print(f"{page:<14} {cold:14.3f} {warm:14.3f} {cold_max:11.3f}{flag}")
            worst[label] = max(worst.get(label, 0), cold)
    print("\nslowest cold page per database: " + ", ".join(f"{k}: {v:.2f} s" for k, v in worst.items()))
    if not args.keep:
        for _, db, _ in targets[1:] + ([] if args.demo_db else targets[:1]):
            db.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
