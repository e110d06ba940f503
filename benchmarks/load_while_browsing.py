"""A load while people browse: `python -m etl load` of a few reports while
8 browser sessions walk the dashboard's pages in a loop.

    .venv/bin/python benchmarks/load_while_browsing.py [--db FILE] [--sessions 8] [--files 5]

The dashboard serves a copy of --db (default: the demo database, built from
the demo corpus through the ETL); the load is --files copies of the seed
report, each as a unit the database does not hold. Prints whether the load
finished, its time, the page views and how many showed an error (a Streamlit
exception, the page's catch-all, any st.error), which must be 0, and the
slowest view. Needs Debian's chromium (as tests/test_e2e.py).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

PATHS = ["", "compare", "trends", "unit_detail", "complaints", "scores", "quality"]
CHROMIUM = "/usr/bin/chromium"
SEED = ROOT.parent / "shared" / "seeds" / "yunxi-2022-labor-inspection-brigade.txt"
ERRORS = ('[data-testid="stException"], [data-testid="stAlertContentError"]')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reports(folder: Path, n: int) -> Path:
    """n copies of the seed report, each a new unit (name and budget code changed)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        one = text.replace("云溪区劳动和社会保障监察大队", f"云溪区并发测试局{i}", 1).replace("125002", f"1299{i:02d}", 1)
        (folder / f"并发测试局{i}.txt").write_text(one, encoding="utf-8")
    return folder


def serve(db: Path, port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "REPORTS_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("the dashboard did not start")


async def session(browser, base: str, n: int, stop: asyncio.Event, views: list, errors: list) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    i = n  # each session starts on another page
    while not stop.is_set():
        path = PATHS[i % len(PATHS)]
        i += 1
        started = time.monotonic()
        try:
            await page.goto(f"{base}/{path}", timeout=180_000)
            await page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=180_000)
            await page.wait_for_function(
                """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state')
                         !== 'running'""", timeout=180_000)
            await page.wait_for_timeout(300)
            shown = await page.locator(ERRORS).all_inner_texts()
        except Exception as exc:  # noqa: BLE001 - a view that never finished is an error too
            shown = [f"{type(exc).__name__}: {str(exc).splitlines()[0]}"]
        views.append((path, time.monotonic() - started))
        if shown:
            errors.append((path, " ".join(shown)[:200]))
    await context.close()


async def browse_and_load(base: str, db: Path, files: Path, sessions: int, warmup: float) -> dict:
    from playwright.async_api import async_playwright

    views: list = []
    errors: list = []
    stop = asyncio.Event()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        tasks = [asyncio.create_task(session(browser, base, n, stop, views, errors)) for n in range(sessions)]
        await asyncio.sleep(warmup)
        views_before = len(views)
        started = time.monotonic()
        load = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "etl", "load", str(files), "--db", str(db), cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        flag = db.with_name(db.name + ".load-pending")  # etl.load.load_flag: the loader waits for the file
        waited = [None, None]
        while load.returncode is None:
            if flag.exists():
                waited[0] = waited[0] or time.monotonic()
                waited[1] = time.monotonic()
            try:
                await asyncio.wait_for(load.wait(), 0.05)
            except asyncio.TimeoutError:
                pass
        out = await load.stdout.read()
        took = time.monotonic() - started
        views_during = len(views) - views_before
        await asyncio.sleep(warmup)  # and the pages after the load
        stop.set()
        await asyncio.gather(*tasks)
        await browser.close()
    wait = waited[1] - waited[0] if waited[0] else 0.0
    return {"rc": load.returncode, "took": took, "wait": wait, "out": out.decode("utf-8", "replace").strip(),
            "views": views, "during": views_during, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, help="database to serve (a copy is used); default: the demo database")
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--files", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=15.0, help="seconds of browsing before and after the load")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-browse-") as tmp:
        tmp = Path(tmp)
        if args.db:
            db = Path(shutil.copy(args.db, tmp / "reports.duckdb"))
        else:
            from page_bench import build_demo

            print("building the demo database…", flush=True)
            db = build_demo(tmp)
        files = reports(tmp / "new", args.files)
        port = free_port()
        with open(tmp / "streamlit.log", "w+") as log:
            proc = serve(db, port, log)
            try:
                result = asyncio.run(browse_and_load(f"http://127.0.0.1:{port}", db, files, args.sessions,
                                                     args.warmup))
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
    slowest = max(result["views"], key=lambda v: v[1]) if result["views"] else ("", 0.0)
    print(f"load: {'finished' if result['rc'] == 0 else 'FAILED'} (exit {result['rc']}) in {result['took']:.1f} s"
          f", of which {result['wait']:.1f} s waiting for the dashboard to let go"
          f" — {result['out'].splitlines()[-1] if result['out'] else ''}")
    print(f"{args.sessions} sessions: {len(result['views'])} page views ({result['during']} during the load), "
          f"page errors: {len(result['errors'])}, slowest view {slowest[1]:.1f} s (/{slowest[0]})")
    for path, text in result["errors"][:10]:
        print(f"  /{path}: {text}")
    sys.exit(0 if result["rc"] == 0 and not result["errors"] else 1)


if __name__ == "__main__":
    main()
