"""The loader's speed and memory (issue #14): the writer, memory per document, PDF extraction.

    .venv/bin/python benchmarks/load_bench.py [--repeats 3] [--work DIR] [--before TREE] [--sizes 500,1000,2000]

Prints, measured in this run:

1. `etl load` of the demo corpus (`python -m etl demo`, 260 documents) into a fresh
   database: reports/s and the parent's CPU per report (the single writer's cost:
   the parent process's user+system time over the whole load, refresh included),
   one report per transaction (`batch_reports=1`, as before batching) against
   batched (the default), min/median over the repeats, and the ratio.
   1b. The writer alone: the demo's records (`etl extract` JSON Lines, made once) stored
   into a fresh database in this process, CPU ms/report and reports/s, one report per
   transaction against batched (no extraction, no refresh: what the one writer costs).
2. The loader's peak resident memory (the parent: the workers are not counted) for
   500, 1000 and 2000 distinct documents (copies of the seed report with their own
   budget codes): flat means the figure does not grow with the count.
3. PDF extraction ms/file (the demo's PDFs, one core, in-process CPU time, best of
   the repeats) by pdfminer (the reader before) and by the PDFium fast path, against
   .docx ms/file; the target is PDF within 4x of .docx.

With `--before TREE` (a checkout of an earlier commit, e.g. `git worktree add /tmp/before
<commit>`), sections 1 and 2 also run that tree's loader, side by side.
Each load runs in a fresh process (`python -c`), so that imports and memory are its own.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_RUN = r"""
import json, os, resource, sys, time
from etl.load import load_files
kw = {"batch_reports": int(sys.argv[3])} if sys.argv[3] != "default" else {}
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
s = load_files([sys.argv[1]], sys.argv[2], **kw)
wall = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime,
                  "n": s.loaded + s.replaced + s.unchanged, "failed": s.failed, "rss_mb": r1.ru_maxrss / 1024}))
"""


def load_once(tree: Path, corpus: Path, db: Path, batch: str) -> dict:
    if db.exists():
        db.unlink()
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", _RUN, str(corpus), str(db), batch], cwd=tree, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"load failed in {tree}:\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["failed"]:
        print(f"  note: {out['failed']} files failed", file=sys.stderr)
    return out


def seed_corpus(folder: Path, n: int) -> Path:
    from tests.material import SEED

    text = SEED.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i:05d}.txt").write_text(text.replace("125002", f"{700000 + i}"), encoding="utf-8")
    return folder


def stats(values: list[float]) -> str:
    return f"min {min(values):7.2f}  median {statistics.median(values):7.2f}"


def section_load(args, work: Path, trees: dict[str, Path]) -> None:
    corpus = work / "demo"
    if not corpus.exists():
        subprocess.run([sys.executable, "-m", "etl", "demo", "--out", str(corpus)], cwd=ROOT, check=True,
                       capture_output=True)
    docs = sum(1 for p in corpus.iterdir() if p.suffix in (".docx", ".pdf", ".txt", ".html", ".doc"))
    print(f"\n1. etl load of the demo corpus ({docs} documents) into a fresh database, {os.cpu_count()} cores, "
          f"{args.repeats} runs each")
    configs = [(name, tree, "1" if name == "after, one per transaction" else "default")
               for name, tree in [("after, one per transaction", trees["after"]), ("after, batched", trees["after"])]]
    if "before" in trees:
        configs.insert(0, ("before (its own writer)", trees["before"], "default"))
    results = {}
    for name, tree, batch in configs:
        runs = [load_once(tree, corpus, work / "bench.duckdb", batch) for _ in range(args.repeats)]
        rate = [r["n"] / r["wall"] for r in runs]
        cpu = [1000 * r["cpu"] / r["n"] for r in runs]
        results[name] = (statistics.median(rate), statistics.median(cpu))
        print(f"  {name:28s} reports/s {stats(rate)}   parent CPU ms/report {stats(cpu)}")
    base = results["before (its own writer)"] if "before" in trees else results["after, one per transaction"]
    after = results["after, batched"]
    print(f"  batched vs {'before' if 'before' in trees else 'one per transaction'}: "
          f"{after[0] / base[0]:.2f}x reports/s, parent CPU {base[1] / after[1]:.1f}x less per report"
          f"   (target >= 100 reports/s: {'met' if after[0] >= 100 else 'NOT met'})")


def section_writer(args, work: Path) -> None:
    import etl.load as load
    from etl.db import open_db
    from etl.records import read_records

    records = work / "demo.jsonl"
    if not records.exists():
        files = sorted(str(p) for p in (work / "demo").iterdir()
                       if p.suffix in (".docx", ".pdf", ".txt", ".html", ".doc"))
        with open(records, "wb") as out:
            subprocess.run([sys.executable, "-m", "etl", "extract", *files], cwd=ROOT, stdout=out,
                           stderr=subprocess.DEVNULL)
    print(f"\n1b. the writer alone: {records.name} stored into a fresh database (in-process, {args.repeats} runs)")
    figures = {}
    for batch in (1, load.BATCH_REPORTS):
        cpu, rate = [], []
        for _ in range(args.repeats):
            db = work / f"writer-{batch}.duckdb"
            if db.exists():
                db.unlink()
            con = open_db(db)
            items = list(read_records([records]))
            summary = load.LoadSummary()
            c0, w0 = time.process_time(), time.perf_counter()
            with load.store_settings(con, one_by_one=batch == 1):
                writer = load.BatchWriter(con, summary, batch_reports=batch)
                for item in items:
                    writer.add(item)
                writer.close()
            c1, w1 = time.process_time(), time.perf_counter()
            con.close()
            cpu.append(1000 * (c1 - c0) / len(items))
            rate.append(len(items) / (w1 - w0))
        figures[batch] = min(cpu)
        label = "one per transaction" if batch == 1 else f"batched ({batch} a transaction)"
        print(f"  {label:28s} reports/s {stats(rate)}   CPU ms/report {stats(cpu)}")
    print(f"  batched: {figures[1] / figures[load.BATCH_REPORTS]:.1f}x less CPU per report")


def section_memory(args, work: Path, trees: dict[str, Path]) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    print("\n2. peak RSS of the loading process (parent only) by number of documents (seed copies, .txt)")
    for name, tree in trees.items():
        row = []
        for n in sizes:
            corpus = work / f"seed-{n}"
            if not corpus.exists():
                seed_corpus(corpus, n)
            r = load_once(tree, corpus, work / "mem.duckdb", "default")
            row.append(r["rss_mb"])
        growth = (row[-1] - row[0]) / (sizes[-1] - sizes[0]) * 1000
        print(f"  {name:8s} " + "  ".join(f"{n} docs {mb:6.0f} MB" for n, mb in zip(sizes, row))
              + f"   growth {growth:+.1f} MB per 1000 documents")


def section_pdf(args, work: Path) -> None:
    from etl.extract import extract_bytes
    from etl.readers import pdf as pdf_reader

    corpus = work / "demo"
    pdfs = [(p.read_bytes(), p.name) for p in sorted(corpus.glob("*.pdf"))]
    docx = [(p.read_bytes(), p.name) for p in sorted(corpus.glob("*.docx"))[:60]]

    def ms(items) -> list[float]:
        out = []
        for _ in range(max(3, args.repeats)):
            start = time.process_time()
            for data, name in items:
                extract_bytes(data, name)
            out.append(1000 * (time.process_time() - start) / len(items))
        return out

    extract_bytes(*pdfs[0])
    extract_bytes(*docx[0])
    d = ms(docx)
    pdf_reader.FAST_PATH = False
    before = ms(pdfs)
    pdf_reader.FAST_PATH = True
    after = ms(pdfs)
    print(f"\n3. extraction ms/file, one core, CPU time ({len(pdfs)} PDFs, {len(docx)} .docx of the demo)")
    print(f"  .docx                  {stats(d)}")
    print(f"  PDF, pdfminer (before) {stats(before)}   {min(before) / min(d):5.1f}x .docx")
    print(f"  PDF, PDFium fast path  {stats(after)}   {min(after) / min(d):5.1f}x .docx   "
          f"({min(before) / min(after):.1f}x faster; target <= 4x .docx: "
          f"{'met' if min(after) <= 4 * min(d) else 'NOT met'})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work", metavar="DIR", help="keep the corpora here between runs (default: a temp folder)")
    ap.add_argument("--before", metavar="TREE", help="an earlier checkout to compare the loader against")
    ap.add_argument("--sizes", default="500,1000,2000")
    ap.add_argument("--only", choices=["load", "writer", "memory", "pdf"])
    args = ap.parse_args()
    tmp = None if args.work else tempfile.TemporaryDirectory(prefix="load-bench-")
    work = Path(args.work or tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    trees = {"after": ROOT}
    if args.before:
        trees = {"before": Path(args.before).resolve(), "after": ROOT}
    if args.only in (None, "load"):
        section_load(args, work, trees)
    if args.only in (None, "load", "writer"):
        section_writer(args, work)
    if args.only in (None, "memory"):
        section_memory(args, work, trees)
    if args.only in (None, "pdf"):
        if not (work / "demo").exists():
            subprocess.run([sys.executable, "-m", "etl", "demo", "--out", str(work / "demo")], cwd=ROOT,
                           check=True, capture_output=True)
        section_pdf(args, work)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
