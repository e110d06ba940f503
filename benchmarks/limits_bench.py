"""Memory and time at the limits (issue #11 item 5).

    .venv/bin/python benchmarks/limits_bench.py [--scale 1.0] [--load] [--only NAME]

Builds the inputs of tests/fuzz.py:limit_documents (a 190 MB document.xml, a
PDF flate bomb, 300k characters on one PDF page, 100k attributes on one HTML
element, a 49 MB one-line text), runs `python -m etl extract FILE` (or `etl
load` into a fresh database with --load) on each, samples the RSS of the whole
process tree every 20 ms from /proc, and prints one row per input: size,
seconds, peak tree MB, and the outcome (the loader's one line, or "读取成功").
--near adds inputs just within the readers' bounds, which are read.
Target: each read in seconds or refused early, no tree over 1024 MB.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzz import limit_documents, near_limit_documents  # noqa: E402


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def tree_rss_mb(pid: int) -> float:
    """Sum of VmRSS over `pid` and all its descendants, in MB."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss_kb(p)
        todo.extend(_children(p))
    return total / 1024


def run(cmd: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """(seconds, peak tree MB, exit code, stderr) of one command."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.02)
    err = proc.stderr.read()
    return time.monotonic() - start, peak, proc.returncode, err


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="input sizes relative to the issue's (default 1)")
    ap.add_argument("--load", action="store_true", help="run `etl load` into a fresh database instead of extract")
    ap.add_argument("--near", action="store_true", help="also the inputs just within the bounds (read, not refused)")
    ap.add_argument("--only", help="just the input whose name contains this")
    args = ap.parse_args()
    python = sys.executable
    print(f"{'input':<22}{'size MB':>9}{'seconds':>9}{'peak MB':>9}  outcome")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        inputs = limit_documents(args.scale)
        if args.near:
            inputs.update(near_limit_documents())
        for name, data in inputs.items():
            if args.only and args.only not in name:
                continue
            path = Path(tmp) / name
            path.write_bytes(data)
            del data
            if args.load:
                cmd = [python, "-m", "etl", "load", "--quiet", "--db", str(Path(tmp) / f"{name}.duckdb"), str(path)]
            else:
                cmd = [python, "-m", "etl", "extract", str(path)]
            seconds, peak, code, err = run(cmd, ROOT)
            lines = [ln for ln in err.splitlines() if ln.strip()]
            outcome = ("读取成功" if code == 0 else lines[-1].split("：", 1)[-1] if lines else f"退出码 {code}")
            if len(lines) > 1:
                outcome += f"（另有 {len(lines) - 1} 行输出）"
            worst = max(worst, peak)
            print(f"{name:<22}{path.stat().st_size / 1e6:>9.1f}{seconds:>9.1f}{peak:>9.0f}  {outcome}", flush=True)
            path.unlink()
    print(f"highest peak: {worst:.0f} MB ({'within' if worst <= 1024 else 'OVER'} 1024 MB)")
    return 0 if worst <= 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
