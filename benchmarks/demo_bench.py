"""Time the demo district end to end: generate the corpus, then load it through the ETL.

    .venv/bin/python benchmarks/demo_bench.py [--seed N] [--keep DIR]

Runs the two commands the README's first start runs (`python -m etl demo` and
`python -m etl load`) as separate processes into a temporary folder, and
prints the wall time of each, the documents per format, reports per second for
the load, and the total against issue 3's target (under 60 s on 2 cores).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"python -m etl {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", metavar="DIR", help="write the corpus and database here instead of a temp folder")
    args = parser.parse_args()
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="demo-bench-")
    work = Path(args.keep or tmp.name)
    corpus, db = work / "corpus", work / "reports.duckdb"
    if db.exists():
        db.unlink()

    gen_s = _run(["demo", "--out", str(corpus), "--seed", str(args.seed)])
    docs = [p for p in corpus.iterdir() if p.suffix in (".docx", ".txt", ".pdf", ".html", ".doc")]
    formats = Counter(p.suffix.lstrip(".") for p in docs)
    load_s = _run(["load", str(corpus), "--db", str(db), "--quiet"])

    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    loaded = con.execute("select count(*) from reports").fetchone()[0]
    con.close()

    total = gen_s + load_s
    print(f"machine: {os.cpu_count()} cores")
    print(f"corpus: {len(docs)} documents ({', '.join(f'{n} {f}' for f, n in sorted(formats.items()))})")
    print(f"generate: {gen_s:6.1f} s  ({len(docs) / gen_s:.0f} documents/s, PDFs by one LibreOffice run)")
    print(f"load:     {load_s:6.1f} s  ({loaded / load_s:.1f} reports/s, {loaded} reports in the database)")
    print(f"total:    {total:6.1f} s  (target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'NOT met'})")
    if tmp is not None:
        tmp.cleanup()
    return 0 if loaded == len(docs) else 1


if __name__ == "__main__":
    sys.exit(main())
