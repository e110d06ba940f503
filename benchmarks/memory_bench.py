"""Memory of the dashboard's server process with several people browsing a large database.

    .venv/bin/python benchmarks/memory_bench.py [--size 100000] [--sessions 5] [--rounds 2] [--keep DIR]
                                                [--baseline CHECKOUT]

Builds (or reuses, with --keep) a database of N synthetic reports (benchmarks/builder.py), starts
`streamlit run app.py` on it as run.sh does, and opens --sessions browser tabs at once in Chromium
(Playwright, /usr/bin/chromium headless). Each tab opens every analysis page in turn, --rounds
times, each page until its script has finished. The server's resident memory (VmRSS of the process,
sampled every 0.2 s) is printed: after start, the peak while browsing, at the end of browsing,
and 35 s after every tab has closed (Streamlit ends a session's state once its tab is gone).
Also per page: the bytes the server sends over the websocket for one view (median over the
tabs of the last round; the target is ≤ 500 KB a view at 100,000 reports).

--baseline runs the same measurement, in the same run, on another checkout's app.py (e.g.
`git worktree add /tmp/base <commit>`), so the figures compare before and after. Target (issue
#14): ≤ 400 MB with 5 sessions at 100,000 reports.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

CHROMIUM = "/usr/bin/chromium"
PAGES = ["overview", "compare", "trends", "unit_detail", "complaints", "scores", "quality"]
# What run.sh sets for the server (glibc's per-thread arenas and its dynamic mmap threshold keep
# freed memory otherwise; Arrow's jemalloc pool keeps its own).
SERVER_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072",
              "ARROW_DEFAULT_MEMORY_POOL": "system"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.2)


def settle(pg) -> None:
    pg.locator('[data-testid="stMain"] h1').first.wait_for(timeout=120_000)
    pg.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stSpinner"]')
                 && document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state')
                    !== 'running'""", timeout=120_000)


def measure(checkout: Path, db: Path, env: dict, sessions: int, rounds: int) -> dict:
    from playwright.sync_api import sync_playwright

    from browser_bench import serve  # the benchmarks' one way to start a server (warmed as run.sh does)

    with serve(checkout, db, env) as (url, pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        time.sleep(2)
        started = rss_mb(pid)
        sampler = Sampler(pid)
        sampler.start()
        t0 = time.monotonic()
        contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(sessions)]
        tabs = [c.new_page() for c in contexts]
        for tab in tabs:
            tab.set_default_timeout(180_000)  # a busy 2-core machine: the first views are slow
        received = [0] * len(tabs)
        for i, tab in enumerate(tabs):
            tab.on("websocket", lambda ws, i=i: ws.on("framereceived", lambda f, i=i: _count(received, i, f)))
        views, sent = 0, {}
        for _ in range(rounds):
            for name in PAGES:
                received[:] = [0] * len(tabs)
                # every tab asks for the page before any waits: the sessions run side by side
                for tab in tabs:
                    tab.goto(f"{url}/{name}", wait_until="commit")
                for tab in tabs:
                    settle(tab)
                    views += 1
                sent[name] = statistics.median(received)
        browsing = time.monotonic() - t0
        at_end = rss_mb(pid)
        for c in contexts:
            c.close()
        time.sleep(35)
        sampler.stop.set()
        after = rss_mb(pid)
        browser.close()
    return {"start": started, "peak": sampler.peak, "end": at_end, "closed": after, "views": views,
            "seconds": browsing, "sent": sent}


def _count(received: list[int], i: int, frame) -> None:
    received[i] += len(frame) if isinstance(frame, (bytes, str)) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=Path("/tmp/memory_bench"))
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way, first")
    args = parser.parse_args()

    from builder import build

    args.keep.mkdir(parents=True, exist_ok=True)
    db = args.keep / f"bench_{args.size}.duckdb"
    if not db.exists():
        print(f"building {args.size:,} reports into {db} …", flush=True)
        build(db, args.size)
    runs = ([("baseline " + str(args.baseline), args.baseline, {})] if args.baseline else [])
    runs.append(("this checkout", ROOT, SERVER_ENV))
    print(f"\n{args.size:,} reports, {args.sessions} sessions × {len(PAGES)} pages × {args.rounds} rounds")
    print(f"{'server':<40} {'start':>7} {'peak':>7} {'end':>7} {'closed':>7}  MB   views  s/view")
    results = {}
    for label, checkout, env in runs:
        r = measure(checkout, db, env, args.sessions, args.rounds)
        results[label] = r
        print(f"{label[:40]:<40} {r['start']:7.0f} {r['peak']:7.0f} {r['end']:7.0f} {r['closed']:7.0f}      "
              f"{r['views']:5d}  {r['seconds'] / r['views']:.2f}", flush=True)
    print(f"\n{'KB sent per view':<40} " + " ".join(f"{p[:11]:>11}" for p in PAGES))
    for label, r in results.items():
        print(f"{label[:40]:<40} " + " ".join(f"{r['sent'][p] / 1024:11.0f}" for p in PAGES))
    if len(results) == 2:
        (b, a) = results.values()
        print(f"peak {b['peak']:.0f} -> {a['peak']:.0f} MB ({a['peak'] / b['peak']:.2f}×); after closing "
              f"{b['closed']:.0f} -> {a['closed']:.0f} MB ({a['closed'] / b['closed']:.2f}×)")
    mine = results["this checkout"]
    print(f"target ≤ 400 MB with {args.sessions} sessions: peak {mine['peak']:.0f} MB — "
          f"{'met' if mine['peak'] <= 400 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
