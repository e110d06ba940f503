"""Screenshots of every page at a wide, a laptop and a phone width, to look at before a release.

    .venv/bin/python scripts/screenshots.py [--db FILE] [--out /tmp/browser/shots] [--full]

Starts `streamlit run app.py` on the database (default: $REPORTS_DB or data/reports.duckdb) and
saves <page>_<width>.png for each page at 1600×1000, 1280×900 and 390×844 (a phone), each a fresh
tab as a new reader opens it. --full grows the window to the page's height first (Streamlit
scrolls inside its main block, so a plain full-page shot shows only the first screen).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

SIZES = [(1600, 1000), (1280, 900), (390, 844)]
PAGES = ["", "compare", "trends", "unit_detail?u={unit}", "unit_detail", "complaints", "scores", "quality",
         "upload", "review", "sampling", "circular"]


def main(argv: list[str] | None = None) -> int:
    import browser_bench as bench
    from playwright.sync_api import sync_playwright

    from etl.config import configured_db

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path("/tmp/browser/shots"))
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--pages", nargs="*", help="url paths (default: every page)")
    args = ap.parse_args(argv)
    db = (args.db or configured_db()).resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    unit = bench.a_unit_name(db)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bench.CHROMIUM, headless=True, args=bench.ARGS)
        with bench.serve(ROOT, db) as (base, _):
            for path in args.pages if args.pages is not None else PAGES:
                for width, height in SIZES:
                    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                                  is_mobile=width < 600, has_touch=width < 600)
                    page = context.new_page()
                    page.goto(f"{base}/{path.format(unit=unit)}")
                    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=60_000)
                    page.wait_for_timeout(300)
                    page.wait_for_function(bench.SCRIPT_DONE, timeout=60_000)
                    page.wait_for_timeout(800)
                    if args.full:
                        tall = page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll(
                            '[data-testid="stMain"], [data-testid="stMainBlockContainer"]')).map(e => e.scrollHeight))""")
                        page.set_viewport_size({"width": width, "height": min(int(tall) + 80, 8000)})
                        page.wait_for_timeout(800)
                    name = (path.split("?")[0] or "overview") + ("_u" if "?u=" in path else "")
                    page.screenshot(path=str(args.out / f"{name}_{width}.png"))
                    context.close()
        browser.close()
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
