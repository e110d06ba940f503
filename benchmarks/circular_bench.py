"""Time to make a 通报 for 5,000 units (target ≤ 30 s): a database of 50,000 reports
(5,000 units × 10 years, benchmarks/builder.py), then gather, Word and PDF for the latest year.

    .venv/bin/python benchmarks/circular_bench.py [--units 5000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    from builder import YEARS, build

    from bureau import circular

    folder = args.keep or Path(tempfile.mkdtemp(prefix="circular-bench-"))
    db = folder / f"circular-{args.units}.duckdb"
    if not db.exists():
        t = time.perf_counter()
        build(db, args.units * len(YEARS))
        print(f"database: {args.units * len(YEARS):,} reports in {time.perf_counter() - t:.1f} s")
    year = YEARS[-1]
    t0 = time.perf_counter()
    data = circular.gather(year, None, db=str(db))
    t1 = time.perf_counter()
    docx = circular.to_docx(data)  # includes the chart (kaleido)
    t2 = time.perf_counter()
    pdf = circular.to_pdf(data)   # chart already drawn: the Word file again and LibreOffice
    t3 = time.perf_counter()
    circular.gather(year, data.reports["region"].iloc[0], db=str(db))  # with a region
    t4 = time.perf_counter()
    units = int((data.reports["fiscal_year"] == year).sum())
    print(f"通报 {year}, {units:,} units: gather {t1 - t0:.2f} s, Word {t2 - t1:.2f} s ({len(docx) / 1e6:.1f} MB, "
          f"chart {'yes' if data.chart else 'no'}), PDF {t3 - t2:.2f} s ({len(pdf) / 1e6:.1f} MB); "
          f"total Word+PDF {t3 - t0:.2f} s (target ≤ 30 s); gather with a region {t4 - t3:.2f} s")
    return 0 if t3 - t0 <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
