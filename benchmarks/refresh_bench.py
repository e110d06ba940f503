"""One report into a large database: the incremental refresh against the full rebuild.

    .venv/bin/python benchmarks/refresh_bench.py [--n 100000] [--repeats 3] [--dir /tmp/refresh]

Builds (or reuses, when its derived tables were made by the present scripts) a
database of N synthetic reports with benchmarks/builder.py under --dir, copies it,
then times on the copy, each case --repeats times (a different report each time):

- a new report (new unit, latest year): etl.load.store_record + queries.refresh;
- a new report in a middle year (its year and the year after are rebuilt);
- a replacement (same unit and year, another file);
- `etl load` of one generated .docx (extraction in a worker process, store, refresh);
- queries.refresh(full=True), the full rebuild every load did before;
- `python -m etl load FILE.docx` as a command, a new process each time (its imports included:
  what the 绩效科 waits for); with --before CHECKOUT the same command from that checkout too,
  alternating, in the same run.

Prints CPU seconds of this process (of the command's process tree for the command) (DuckDB's threads included; the .docx case's
extraction runs in a worker and is in its wall time only) and wall seconds,
min / median, and the full rebuild's ratio to each in the same run.
Target (issue 14): one report into 100,000 ≤ 1 s end to end.
"""
from __future__ import annotations

import argparse
import copy
import os
import resource
import subprocess
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import queries  # noqa: E402
from builder import SECTOR_WORDS, YEARS, build  # noqa: E402
from etl.load import load_files, store_record  # noqa: E402

SEED = ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.json"
REGION = "演示市演示区"  # the builder's


def base_db(directory: Path, n: int) -> Path:
    path = directory / f"refresh-{n}.duckdb"
    if path.is_file():
        con = duckdb.connect(str(path), read_only=True)
        try:
            current = queries._meta(con) is not None and queries._meta(con)[1] == queries.derive_fingerprint()
        finally:
            con.close()
        if current:
            print(f"reusing {path}")
            return path
    t0 = time.perf_counter()
    frames = build(path, n)
    print(f"built {path} ({n:,} reports) in {time.perf_counter() - t0:.1f} s, full refresh {frames['_refresh_s']:.1f} s")
    return path


def record(i: int, year: int, name: str | None = None, code: str | None = None) -> dict:
    r = json.loads(SEED.read_text(encoding="utf-8"))
    r["report"].update(region=REGION, unit_name=name or f"第{900000 + i}新设局", budget_code=code or f"N{i}",
                       fiscal_year=year, self_score=80 + i % 20)
    r["source"] = {**r.get("source", {}), "sha256": f"bench-{i}-{time.time_ns()}", "file_name": f"bench-{i}.docx"}
    return r


def timed(fn) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def docx(directory: Path, i: int) -> Path:
    from demo.blocks import RenderOptions
    from demo.render import render

    r = record(i, YEARS[-1])
    r["report"]["region"] = "岳阳市云溪区"  # the title the extractor reads the region from
    path = directory / f"bench-{i}.docx"
    path.write_bytes(render(copy.deepcopy(r), "docx", RenderOptions()))
    return path


def load_command(checkout: Path, path: Path, db: Path) -> tuple[float, float]:
    """(CPU s of the process tree, wall s) of `python -m etl load PATH --db DB` run from `checkout`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(path), "--db", str(db)], cwd=checkout,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(checkout)})
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0 and "已导入 1 份" in proc.stdout, (checkout, proc.stdout, proc.stderr[-800:])
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/refresh"))
    parser.add_argument("--before", type=Path, help="another checkout: its `python -m etl load` is timed too")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    work = args.dir / f"refresh-{args.n}-work.duckdb"
    shutil.copy(base_db(args.dir, args.n), work)
    con = duckdb.connect(str(work))
    con.execute("set enable_progress_bar = false")
    results: dict[str, list[tuple[float, float]]] = {}
    counter = iter(range(1, 10**6))

    def case(label: str, fn, expect: str) -> None:
        for _ in range(args.repeats if expect != "full" else max(2, args.repeats - 1)):
            cpu, wall, mode = timed(fn)
            assert mode == expect, (label, mode)
            results.setdefault(label, []).append((cpu, wall))

    def add(year: int):
        def run():
            store_record(con, record(next(counter), year))
            return queries.refresh(con)
        return run

    def replace():
        i = next(counter)
        unit = i % (args.n // len(YEARS))  # a builder unit with a code (every fifth has none)
        unit += unit % 5 == 0
        store_record(con, record(i, YEARS[-1], name=f"第{unit}{SECTOR_WORDS[unit % len(SECTOR_WORDS)]}", code=f"C{unit}"))
        return queries.refresh(con)

    def load_one(folder: Path):
        def run():
            summary = load_files([docx(folder, next(counter))], con, workers=1)
            assert summary.loaded == 1 and summary.refresh_error is None, summary.failures
            return con.execute("select refresh_mode from q_meta").fetchone()[0]
        return run

    case("新报告（新单位，最新年度）", add(YEARS[-1]), "incremental")
    case(f"新报告（中间年度 {YEARS[len(YEARS) // 2]}）", add(YEARS[len(YEARS) // 2]), "incremental")
    case("替换一份报告（同单位同年度）", replace, "incremental")
    with tempfile.TemporaryDirectory() as folder:
        case("etl load 一个 .docx（抽取+入库+刷新）", load_one(Path(folder)), "incremental")
    case("全量重建 refresh(full=True)", lambda: queries.refresh(con, full=True), "full")
    con.close()
    with tempfile.TemporaryDirectory() as folder:
        checkouts = [("", ROOT)] + ([(f"（{args.before.name}）", args.before.resolve())] if args.before else [])
        for _ in range(args.repeats):
            for tag, checkout in checkouts:
                cpu, wall = load_command(checkout, docx(Path(folder), next(counter)), work)
                results.setdefault(f"命令 etl load 一个 .docx{tag}", []).append((cpu, wall))
    work.unlink()

    full_cpu = statistics.median(c for c, _ in results["全量重建 refresh(full=True)"])
    full_wall = statistics.median(w for _, w in results["全量重建 refresh(full=True)"])
    print(f"\n== {args.n:,} reports, {args.repeats} repeats: CPU s / wall s, min / median; full ÷ case (median)")
    for label, runs in results.items():
        cpus, walls = [c for c, _ in runs], [w for _, w in runs]
        print(f"{label:<34} CPU {min(cpus):6.2f} / {statistics.median(cpus):6.2f}   wall {min(walls):6.2f} / "
              f"{statistics.median(walls):6.2f}   ×{full_cpu / statistics.median(cpus):5.1f} CPU, "
              f"×{full_wall / statistics.median(walls):5.1f} wall")


if __name__ == "__main__":
    main()
