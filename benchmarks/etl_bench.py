"""ETL speed on generated .docx reports.

    .venv/bin/python benchmarks/etl_bench.py [--n 240]

Single-core figures are CPU time of this process (best of 5), so that other
work on the machine does not distort the ratio. Prints, for N generated reports (varied copies of the seed and a larger unit,
both indicator layouts): extraction reports/s on one core (in-process), the
floor (just unzip + lxml-parse word/document.xml of the same files) and the
ratio extract/floor, then `etl load` of the folder into a fresh database
(worker processes, the batched writer) in reports/s.
Targets (issue 2): >= 25 reports/s per core for extract, <= 4x the floor.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.blocks import RenderOptions  # noqa: E402
from demo.render import render  # noqa: E402
from etl.extract import extract_bytes  # noqa: E402

SEED = ROOT.parent / "shared" / "spec" / "examples" / "yunxi-2022-labor-inspection-brigade.json"


def make_reports(out: Path, n: int) -> list[Path]:
    """N distinct .docx reports: the seed with its unit, code and figures varied."""
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    paths = []
    for i in range(n):
        r = copy.deepcopy(seed)
        r["report"].update(unit_name=f"云溪区第{i + 1}测试单位", budget_code=f"{900000 + i}",
                           fiscal_year=2019 + i % 6, self_score=80 + i % 20)
        scale = 1 + (i % 37) / 10
        for table in ("income", "expenditure", "fixed_assets"):
            for row in r[table]:
                for k, v in row.items():
                    if isinstance(v, float):
                        row[k] = round(v * scale, 2)
        opts = RenderOptions(indicator_layout="rich" if i % 2 else "template", money_unit="元" if i % 10 == 0 else "万元")
        p = out / f"report-{i:04d}.docx"
        p.write_bytes(render(r, "docx", opts))
        paths.append(p)
    return paths


def floor_seconds(paths: list[Path]) -> float:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    start = time.process_time()
    for p in paths:
        with zipfile.ZipFile(p) as z:
            etree.fromstring(z.read("word/document.xml"), parser)
    return time.process_time() - start


def extract_seconds(paths: list[Path]) -> float:
    start = time.process_time()
    for p in paths:
        extract_bytes(p.read_bytes(), p.name)
    return time.process_time() - start


def load_seconds(folder: Path, db: Path) -> float:
    from etl.config import Limits
    from etl.load import load_files

    start = time.perf_counter()
    summary = load_files([folder], db, Limits())
    elapsed = time.perf_counter() - start
    print(f"  load summary: {summary}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=240)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="etl-bench-") as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        t0 = time.perf_counter()
        paths = make_reports(folder, args.n)
        print(f"generated {len(paths)} .docx reports in {time.perf_counter() - t0:.1f} s "
              f"({sum(p.stat().st_size for p in paths) / len(paths) / 1024:.0f} KiB each)")
        extract_seconds(paths[:10])  # warm imports and caches
        floor = min(floor_seconds(paths) for _ in range(5))
        ext = min(extract_seconds(paths) for _ in range(5))
        n = len(paths)
        print(f"floor (unzip + lxml parse): {n / floor:8.1f} reports/s  ({1000 * floor / n:.2f} ms each)")
        print(f"extract, one core:          {n / ext:8.1f} reports/s  ({1000 * ext / n:.2f} ms each)"
              f"   target >= 25/s  {'OK' if n / ext >= 25 else 'MISSED'}")
        print(f"extract / floor ratio:      {ext / floor:8.2f}x        target <= 4x   "
              f"{'OK' if ext / floor <= 4 else 'MISSED'}")
        ld = load_seconds(folder, Path(tmp) / "bench.duckdb")
        print(f"load ({os.cpu_count()} cores, workers):   {n / ld:8.1f} reports/s  ({ld:.1f} s for {n})")


if __name__ == "__main__":
    main()
