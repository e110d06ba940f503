"""复核 speed at scale: the review list and a save.

    .venv/bin/python benchmarks/review_bench.py [--reports 100000] [--runs 5] [--keep DIR]

Builds a synthetic reports database of N reports (benchmarks/builder.py) and a bureau
database holding a review of every report (versions 1, plus a second version for a
tenth: the worst case for "latest per report"), then times, median of --runs:
- the review list of one year (review_queue of that year + current_reviews + the status merge),
- the same for all years,
- a save (one new version with three verdicts, optimistic version check, audit event),
- a sample drawn by risk from one year (draw only).
Target (issue #13): the review list and a save ≤ 1 s at 100,000 reports.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from builder import build  # noqa: E402


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="review_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"reports-{args.reports}.duckdb"
    os.environ["REPORTS_DB"] = str(db)
    os.environ["BUREAU_DB"] = str(work / f"bureau-{args.reports}.duckdb")
    import queries
    from bureau import review, sampling, store

    t0 = time.perf_counter()
    if not db.exists():
        build(db, args.reports)
    print(f"reports db: {args.reports:,} reports ({time.perf_counter() - t0:.1f} s to build)")
    con = duckdb.connect(str(db), read_only=True)
    all_reports = queries.run("review_queue", con)
    year = int(all_reports["fiscal_year"].max())
    if store.current_reviews().empty:
        t0 = time.perf_counter()
        frame = pd.DataFrame({
            "unit_key": all_reports["unit_key"], "fiscal_year": all_reports["fiscal_year"].astype(int),
            "version": 1, "reviewed_sha256": all_reports["sha256"], "review_score": 85.0, "review_grade": "良",
            "review_comment": "批量复核", "reviewer": "bench", "reviewer_display": "基准", "reviewed_at": pd.Timestamp.now(),
            "n_verdicts": 0})
        again = frame.iloc[::10].assign(version=2, review_score=80.0)
        with store.connect() as bcon:
            for part in (frame, again):
                bcon.register("part", part)
                bcon.execute("insert into reviews (unit_key, fiscal_year, version, reviewed_sha256, review_score, "
                             "review_grade, review_comment, reviewer, reviewer_display, reviewed_at, n_verdicts) "
                             "select * from part")
                bcon.unregister("part")
        print(f"bureau db: {len(frame) + len(again):,} review rows ({time.perf_counter() - t0:.1f} s to write)")

    def review_list(years):
        queue = queries.run("review_queue", con, years=years)
        return review.review_list(queue, store.current_reviews(years[0] if years else None))

    figures = []
    ms, out = timed(lambda: review_list([year]), args.runs)
    figures.append((f"review list, one year ({len(out):,} reports)", ms))
    ms, out = timed(lambda: review_list(None), args.runs)
    figures.append((f"review list, all years ({len(out):,} reports)", ms))
    target = all_reports.iloc[0]
    state = {"v": int(store.current_reviews(int(target["fiscal_year"])).set_index("unit_key").loc[target["unit_key"], "version"])}

    def save():
        state["v"] = store.save_review(target["unit_key"], int(target["fiscal_year"]), seen_version=state["v"],
                                       reviewer="bench", score=77, grade="中", sha256=target["sha256"],
                                       verdicts=[{"finding_key": f"k{i}", "verdict": "已核实"} for i in range(3)])

    ms, _ = timed(save, args.runs)
    figures.append(("save a review (new version + 3 verdicts + event)", ms))
    one_year = all_reports[all_reports["fiscal_year"] == year]
    ms, out = timed(lambda: sampling.draw(one_year, method="risk", seed=1, count=50, stratified=True), args.runs)
    figures.append((f"draw 50 of {len(one_year):,} by risk, stratified", ms))
    con.close()
    print(f"{'what':<55} {'median s':>9}")
    for what, s in figures:
        print(f"{what:<55} {s:9.3f}")
    worst = max(s for what, s in figures[:3])
    print(f"target ≤ 1 s: {'met' if worst <= 1 else 'NOT met'} (worst {worst:.3f} s)")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
