"""Cold page opens in a real browser (issue #12 item 11): how long a leader waits for a page in a new tab.

    .venv/bin/python benchmarks/browser_bench.py [--db FILE] [--runs 3] [--before REF] [--profile]

Playwright drives Debian's chromium (headless) against `streamlit run app.py` on the demo database
(built once into /tmp/browser/ through `python -m etl demo` and `python -m etl load` unless --db names
one). Each run starts a fresh server as run.sh does (and, where the tree has it, scripts/warm_start.py
right after), then times, each in a new browser context (empty cache, as a new profile/tab):

    总览 fresh      the first page opened on the fresh server
    总览 warm       总览 again in a new context (server warm, browser cold)
    单位详情 ?u=    a shared link /unit_detail?u=<name> in a new context
    ?u= new tab    that link in a new tab of a browser that has opened the dashboard before (cache warm)
    总览 new tab    总览 likewise

Two figures per open: "shown" = navigation until the page's main table/chart is visible (总览: its
units table; 单位详情: the unit's heading and 历年一览), "done" = until the script has finished and
every chart on the page is drawn. Server CPU (user+sys of the streamlit process) per open too.
--before REF runs the same over the tree of git REF (git archive into /tmp/browser/tree-REF), so one
run prints before, after and their ratio; each run times both in turn (the shared machine's load falls
on both alike). --tree DIR adds another checkout (a variant being tried), labelled by its folder name. --profile prints where the browser's time went (the
largest scripts fetched and the main thread's busy time) for one open of each page.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/browser")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1600, "height": 1000}
SCRIPT_DONE = """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') !== 'running'
  && !document.querySelector('[data-testid="stSkeleton"]')
  && Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).every(c => c.querySelector('.main-svg'))
  && Array.from(document.querySelectorAll('[data-testid="stEChartsChart"]')).every(c => c.querySelector('canvas, svg'))"""


def build_demo_db(folder: Path) -> Path:
    db = folder / "reports.duckdb"
    if db.exists():
        return db
    folder.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    subprocess.run([py, "-m", "etl", "demo", "--out", str(folder / "demo")], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([py, "-m", "etl", "load", str(folder / "demo"), "--db", str(db)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return db


def tree_of(ref: str) -> Path:
    """The files of git `ref` in a folder of their own (the app as it was)."""
    sha = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    out = WORK / f"tree-{sha}"
    if not out.exists():
        out.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def a_unit_name(db: Path) -> str:
    sys.path.insert(0, str(ROOT))
    import queries

    units = queries.run("units", db).sort_values(["reports", "unit_name"], ascending=[False, True])
    return str(units.iloc[0]["unit_name"]).replace("（演示）", "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """user+sys CPU of a process and its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(tree: Path, db: Path, env: dict | None = None):
    """`streamlit run app.py` of `tree` on a free port over `db`, warmed as run.sh does; (url, pid)."""
    port = _free_port()
    log = open(WORK / f"bench-streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=tree, env={**os.environ, "REPORTS_DB": str(db), **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"streamlit did not start in {tree}")
            time.sleep(0.2)
        warm = tree / "scripts" / "warm_start.py"
        if warm.exists():  # as run.sh does right after the server answers
            subprocess.run([sys.executable, str(warm), base], cwd=tree, check=False, stdout=subprocess.DEVNULL)
        yield base, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def open_cold(browser, url: str, shown_selector: str, pid: int, profile: bool = False, context=None) -> dict:
    """One open in a fresh context (or a new tab of `context`): seconds until `shown_selector` is
    visible and until all is drawn."""
    own = context is None
    context = context or browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    cdp = None
    if profile:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(shown_selector).first.wait_for(state="visible")
    shown = time.perf_counter() - t0
    page.wait_for_timeout(150)  # the script may not have started its running state yet
    page.wait_for_function(SCRIPT_DONE, timeout=60_000, polling=50)
    done = time.perf_counter() - t0
    time.sleep(0.3)  # the server's last messages
    out = {"shown": shown, "done": done, "cpu": cpu_seconds(pid) - cpu0}
    if profile:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        resources = page.evaluate("""() => performance.getEntriesByType('resource')
            .filter(r => r.initiatorType === 'script' || r.name.endsWith('.js'))
            .map(r => [r.name.split('/').pop(), r.decodedBodySize, r.duration])""")
        out["profile"] = {k: metrics.get(k) for k in ("ScriptDuration", "TaskDuration", "LayoutDuration",
                                                      "RecalcStyleDuration", "JSHeapUsedSize")}
        out["scripts"] = sorted(resources, key=lambda r: -r[1])[:6]
        out["js_bytes"] = sum(r[1] for r in resources)
    if own:
        context.close()
    else:
        page.close()
    return out


# the page's first table drawn (总览: its units; 单位详情: the unit's 历年一览)
TABLE = '[data-testid="stMain"] [data-testid="stDataFrame"] canvas'
CASES = [  # name, path, what must be visible
    ("总览 fresh", "/", TABLE),
    ("总览 warm", "/", TABLE),
    ("单位详情 ?u=", "/unit_detail?u={unit}", TABLE),
]
# the same link in a new tab of a browser that has shown the dashboard before (its cache holds the scripts)
TAB_CASES = [("?u= new tab", "/unit_detail?u={unit}", TABLE), ("总览 new tab", "/", TABLE)]


def bench(trees: list[tuple[str, Path]], db: Path, runs: int, unit: str, profile: bool) -> dict:
    """{label: {case: [open, ...]}}; each run times every tree in turn (before, after, before, …), so
    the load of the shared machine falls on both alike."""
    from playwright.sync_api import sync_playwright

    found = {label: {name: [] for name, _, _ in CASES + TAB_CASES} for label, _ in trees}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for run in range(runs):
            for label, tree in trees if run % 2 == 0 else trees[::-1]:
                results = found[label]
                with serve(tree, db) as (base, pid):
                    for name, path, selector in CASES:
                        url = base + path.format(unit=urllib.request.quote(unit))
                        r = open_cold(browser, url, selector, pid, profile=profile and run == runs - 1)
                        results[name].append(r)
                        if "profile" in r:
                            print(f"    [{label}] {name}: JS fetched {r['js_bytes'] / 1e6:.1f} MB; main thread "
                                  + ", ".join(f"{k} {v:.2f}" if k != "JSHeapUsedSize" else f"heap {v / 1e6:.0f} MB"
                                              for k, v in r["profile"].items() if v is not None))
                            for script, size, dur in r["scripts"]:
                                print(f"        {script:40s} {size / 1e6:6.2f} MB  {dur / 1000:5.2f} s")
                    regular = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
                    open_cold(browser, base + "/compare", TABLE, pid, context=regular)  # been here before
                    for name, path, selector in TAB_CASES:
                        url = base + path.format(unit=urllib.request.quote(unit))
                        results[name].append(open_cold(browser, url, selector, pid, context=regular))
                    regular.close()
        browser.close()
    return found


def summary(rows: list[dict], key: str) -> tuple[float, float]:
    values = [r[key] for r in rows]
    return min(values), statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="the database (default: the demo district, built in /tmp/browser)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", help="a git ref to time as well, e.g. main")
    ap.add_argument("--tree", type=Path, action="append", default=[], help="another checkout to time as well")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    db = (args.db or build_demo_db(WORK)).resolve()
    unit = a_unit_name(db)
    trees = ([("before", tree_of(args.before))] if args.before else []) + [("after", ROOT)]
    trees += [(t.resolve().name, t.resolve()) for t in args.tree]
    print(f"database {db}; unit link ?u={unit}; {args.runs} runs; chromium headless, viewport 1600×1000;"
          f" {os.cpu_count()} cores (shared)")
    found = bench(trees, db, args.runs, unit, args.profile)
    print(f"\n{'page':14s} " + "  ".join(f"{label + ' ' + k:>24s}" for label, _ in trees for k in ("shown", "done"))
          + ("   ratio done (med)" if args.before else "") + "   server CPU (med)")
    for name, _, _ in CASES + TAB_CASES:
        cells = []
        for label, _ in trees:
            for key in ("shown", "done"):
                lo, med = summary(found[label][name], key)
                cells.append(f"{f'{lo:.2f} / {med:.2f} s':>24s}")
        line = f"{name:14s} " + "  ".join(cells)
        if args.before:
            line += f"   {summary(found['before'][name], 'done')[1] / summary(found['after'][name], 'done')[1]:10.2f}×"
        line += "   " + "  ".join(f"{label} {summary(found[label][name], 'cpu')[1]:.2f} s" for label, _ in trees)
        print(line)
    print("(min / median over runs; shown = main table visible, done = script finished and every chart drawn)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
