"""The dashboard in a real browser: `streamlit run app.py` on a free port over
the hand-made test database (tests/pagedata.py), driven by Playwright with
Debian's chromium.

What AppTest cannot show: a page URL opened first on a fresh server, the
filters written into the URL and kept by the sidebar navigation, a click on
a chart or a table row opening 单位详情, a real CSV download, a real upload,
a hostile report's text drawn as text. Every test fails on any request to a
host other than the dashboard's own (a bureau intranet has no internet).
Screenshots of every page go to test-output/.
"""
from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from tests.hostiledata import EVIL, FORMULA, HOSTILE_CODE, HOSTILE_NAME, HOSTILE_TEXT, build_hostile_db
from tests.pagedata import NAMES, SEED_TEXT, UNIT_A, UNIT_B, build_sample_db

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PAGES = {"overview": "总览", "compare": "单位对比", "trends": "年度趋势", "unit_detail": "单位详情",
         "complaints": "投诉分析", "scores": "评分分布", "quality": "数据质量", "upload": "导入报告"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/setup.sh)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, log_dir: Path, env: dict | None = None):
    """`streamlit run app.py` on a free port over `db` (and extra environment), until the block ends."""
    port = _free_port()
    log = open(log_dir / "streamlit.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "REPORTS_DB": str(db), **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
                log.seek(0)
                pytest.fail(f"streamlit did not start:\n{log.read()[-3000:]}")
            time.sleep(0.3)
        yield {"url": base, "db": db, "log": log}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A dashboard server of its own over a fresh copy of the test database."""
    db = build_sample_db(tmp_path_factory.mktemp("e2e") / "reports.duckdb")
    with serve(db, tmp_path_factory.mktemp("e2e-log")) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A dashboard over the sample database plus a report whose text is Markdown, HTML and KaTeX."""
    db = build_hostile_db(tmp_path_factory.mktemp("e2e-hostile") / "reports.duckdb")
    with serve(db, tmp_path_factory.mktemp("e2e-hostile-log")) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


OWN_HOST = "127.0.0.1"  # every dashboard of this module listens there (_serve)


@pytest.fixture()
def page(browser):
    """A fresh browser tab; any request to another host is refused, and fails the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    outside: list[str] = []

    def guard(route):
        url = urllib.parse.urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname == OWN_HOST:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda r: outside.append(r.url) if urllib.parse.urlsplit(r.url).hostname not in (
        OWN_HOST, None) and not r.url.startswith(("data:", "blob:")) and r.url not in outside else None)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert not outside, f"requests left the machine: {sorted(set(outside))[:10]}"


def settle(pg, title: str | None = None) -> None:
    """Wait until the page's script has finished: title shown, no running indicator."""
    if title:
        pg.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for()
    else:
        pg.locator('[data-testid="stMain"] h1').first.wait_for()
    pg.wait_for_timeout(300)
    pg.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stSpinner"]')
                 && !document.querySelector('[data-testid="stSkeleton"]')
                 && document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') !== 'running'""",
        timeout=60_000)
    pg.wait_for_timeout(500)


def assert_no_error(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, "a Streamlit exception is shown"
    assert pg.get_by_text("页面出错").count() == 0, "the page's catch-all message is shown"


def screenshot(pg, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to it."""
    OUT.mkdir(exist_ok=True)
    height = pg.evaluate("""() => Math.max(...Array.from(document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"]')).map(e => e.scrollHeight))""")
    pg.set_viewport_size({"width": 1400, "height": min(int(height) + 80, 6000)})
    pg.wait_for_timeout(800)
    pg.screenshot(path=str(OUT / f"{name}.png"))
    pg.set_viewport_size({"width": 1400, "height": 1000})


def metric_value(pg, label: str) -> str:
    card = pg.locator('[data-testid="stMetric"]', has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_a_page_url_opened_first_on_a_fresh_server_gets_the_whole_app(server, page):
    # The first request of the server: Streamlit's pages/ folder mode would run the page bare.
    page.goto(f"{server['url']}/compare")
    settle(page, "单位对比")
    assert_no_error(page)
    assert page.locator('[data-testid="stSidebar"]').get_by_text("筛选", exact=True).count() == 1
    assert page.get_by_text("Page not found").count() == 0


def test_every_page_opens_without_error(server, page):
    for path, title in PAGES.items():
        page.goto(f"{server['url']}/{'' if path == 'overview' else path}")
        settle(page, title)
        assert_no_error(page)
        screenshot(page, path)
    page.goto(f"{server['url']}/unit_detail?u={NAMES[UNIT_A]}")
    settle(page, "单位详情")
    page.get_by_role("heading", name=NAMES[UNIT_A]).wait_for()
    assert_no_error(page)
    screenshot(page, "unit_detail_with_unit")


def test_filters_live_in_the_url_and_survive_navigation(server, page):
    page.goto(f"{server['url']}/?sector=教育")
    settle(page, "总览")
    assert metric_value(page, "支出合计") == "1,300.00"
    page.locator('[data-testid="stSidebarNav"]').get_by_text("单位对比").click()
    settle(page, "单位对比")
    assert "sector=" in page.url and "/compare" in page.url
    assert page.locator(".st-key-sector").get_by_text("教育").count() >= 1
    # the sidebar choice writes itself into the URL: 演示 only
    page.locator(".st-key-data").get_by_text("演示", exact=True).click()
    settle(page, "单位对比")
    assert "data=演示" in urllib.parse.unquote(page.url)  # bound widgets write the label they show


def click_first(page, selector: str) -> None:
    mark = page.locator(selector).first
    mark.wait_for()
    mark.scroll_into_view_if_needed()
    box = mark.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_clicking_a_channel_or_a_sector_filters_the_page(server, page):
    # a real click on a bar of 各年度分渠道件数 / a point of a sector's line: the page filters, says so, 清除 undoes it
    page.goto(f"{server['url']}/complaints")
    settle(page, "投诉分析")
    click_first(page, ".st-key-cp_years .js-plotly-plot g.point path")
    page.get_by_text("已按渠道「").first.wait_for()
    settle(page, "投诉分析")
    assert_no_error(page)
    page.get_by_role("button", name="清除", exact=True).click()
    settle(page, "投诉分析")
    assert page.get_by_text("已按渠道「").count() == 0
    page.goto(f"{server['url']}/trends?tr_by=按行业")
    settle(page, "年度趋势")
    click_first(page, ".st-key-tr_sector_chart .js-plotly-plot g.points path.point")
    page.get_by_text("已按行业「").first.wait_for()
    settle(page, "年度趋势")
    assert "sector=" in page.url  # the sidebar's 行业: kept in the link like any filter
    assert_no_error(page)
    page.get_by_role("button", name="清除", exact=True).click()
    settle(page, "年度趋势")
    assert page.get_by_text("已按行业「").count() == 0 and "sector=" not in page.url


def test_clicking_a_bar_opens_the_unit(server, page):
    page.goto(f"{server['url']}/compare")
    settle(page, "单位对比")
    # bars are drawn best first, from the top: the first bar of the 真实 trace is B (98%)
    bar = page.locator(".st-key-cmp_exec_chart .js-plotly-plot g.point path").first
    bar.wait_for()
    # the chart's own menu speaks Chinese (plotly.js has no zh-CN locale of its own here)
    titles = page.locator(".st-key-cmp_exec_chart .modebar-btn").evaluate_all(
        "els => els.map(e => e.getAttribute('data-title'))")
    assert "下载图片（PNG）" in titles and "还原坐标轴" in titles, titles
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/unit_detail?**")
    settle(page, "单位详情")
    page.get_by_role("heading", name=NAMES[UNIT_B]).wait_for()
    assert_no_error(page)


def test_clicking_a_dot_of_the_overview_strip_opens_the_unit(server, page):
    # 总览's small charts are inline SVG (ui.svg): a hover title per mark, a dot links to its 单位详情
    page.goto(f"{server['url']}/?year=2022")
    settle(page, "总览")
    dot = page.locator(".bureau-svg circle", has=page.locator("title", has_text=NAMES[UNIT_B])).first
    dot.wait_for()
    assert page.locator(".bureau-spark polyline").count() >= 5  # each card's line over the years
    dot.scroll_into_view_if_needed()
    dot.click()
    page.wait_for_url("**/unit_detail?**")
    settle(page, "单位详情")
    page.get_by_role("heading", name=NAMES[UNIT_B]).wait_for()
    assert "year=2022" in page.url  # the view's filters go along
    assert_no_error(page)


def test_clicking_a_table_row_opens_the_unit(server, page):
    page.goto(f"{server['url']}/trends?unit={NAMES[UNIT_A]}")
    settle(page, "年度趋势")
    grid = page.locator(".st-key-tr_units_table [data-testid='stDataFrame']")
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the row-selection checkbox of the first data row (rows are 35 px, the header too)
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_url("**/unit_detail?**")
    settle(page, "单位详情")
    page.get_by_role("heading", name=NAMES[UNIT_A]).wait_for()
    assert_no_error(page)


def test_the_unit_list_of_an_empty_unit_page_opens_a_unit(server, page):
    # a drill-down from 单位详情 to itself: its own "u" is bound to the selectbox there
    page.goto(f"{server['url']}/unit_detail?sector=教育")
    settle(page, "单位详情")
    grid = page.locator(".st-key-ud_units [data-testid='stDataFrame']")
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the one row: B, the only unit of 教育
    page.get_by_role("heading", name=NAMES[UNIT_B]).wait_for()
    assert_no_error(page)


def test_csv_download_is_the_filtered_table(server, page):
    page.goto(f"{server['url']}/compare?sector=教育&year=2021&year=2022")
    settle(page, "单位对比")
    with page.expect_download() as info:
        page.locator(".st-key-cmp_exec_table__csv button").click()
    data = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    # 教育 is B only; the year shown is the end of the range, 2022: 1300 万元 at 98%
    assert csv["单位名称"].tolist() == [NAMES[UNIT_B]]
    assert csv["支出合计（万元）"].tolist() == [1300.0]
    assert csv["预算执行率（%）"].tolist() == [98.0]


def test_an_uploaded_report_appears_in_the_data(server, page):
    # The seed report, re-labelled as a unit the database does not hold yet.
    text = SEED_TEXT.read_text(encoding="utf-8")
    text = text.replace("云溪区劳动和社会保障监察大队", "云溪区上传测试局", 1).replace("125002", "125099", 1)
    page.goto(f"{server['url']}/upload")
    settle(page, "导入报告")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "上传测试局2022.txt", "mimeType": "text/plain", "buffer": text.encode("utf-8")}])
    page.get_by_role("heading", name="读取结果").wait_for(timeout=90_000)
    settle(page, "导入报告")
    assert page.get_by_text("新报告 1 个").count() == 1  # the preview says what confirming will do
    page.locator(".st-key-up_confirm button").click()
    page.get_by_text("已导入（新报告） 1 份").wait_for(timeout=60_000)
    assert_no_error(page)
    screenshot(page, "upload_done")
    page.goto(f"{server['url']}/")
    settle(page, "总览")
    assert metric_value(page, "报告单位数") == "5"  # four units in 2022, and now this one
    page.goto(f"{server['url']}/unit_detail?u=云溪区上传测试局")
    settle(page, "单位详情")
    page.get_by_role("heading", name="云溪区上传测试局").wait_for()
    assert_no_error(page)


# --- text from a document is text -------------------------------------------------------------

def visible(text: str) -> str:
    """Text as a reader sees it: whitespace collapsed, the invisible word joiners
    (ui.components.plain keeps bare addresses from becoming links with them) dropped."""
    return " ".join(text.replace("\u2060", "").split())


def assert_nothing_from(pg, host: str) -> None:
    main = pg.locator('[data-testid="stApp"]')
    pointing = main.locator(f'[src*="{host}"], [href*="{host}"], [srcset*="{host}"], [xlink\\:href*="{host}"]')
    assert pointing.count() == 0, pointing.evaluate_all("els => els.map(e => e.outerHTML.slice(0, 200))")
    # no rendered formula, colour directive or Markdown link/image in any text the page draws
    assert main.locator(".katex").count() == 0
    # (# : a heading's anchor; .unit-link: a dot of a ui.svg chart, to its unit's 单位详情)
    links = main.locator('[data-testid="stMarkdownContainer"] a:not([href^="#"]):not(.unit-link), '
                         '[data-testid="stMarkdownContainer"] img')
    assert links.count() == 0, links.evaluate_all("els => els.map(e => e.outerHTML.slice(0, 200))")
    ours = main.locator("a.unit-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith("unit_detail?") for h in ours), ours


def test_a_hostile_report_is_shown_as_its_text_on_every_page(hostile_server, page):
    base = hostile_server["url"]
    for path, title in PAGES.items():
        page.goto(f"{base}/{'' if path == 'overview' else path}")
        settle(page, title)
        assert_no_error(page)
        assert_nothing_from(page, EVIL)
    page.goto(f"{base}/compare")
    settle(page, "单位对比")
    ticks = page.locator(".st-key-cmp_exec_chart .ytick text").evaluate_all("els => els.map(e => e.textContent)")
    assert HOSTILE_NAME in ticks, ticks  # plotly draws the name as its characters, no <img>, no link
    page.goto(f"{base}/unit_detail?u={HOSTILE_CODE}")
    settle(page, "单位详情")
    heading = page.locator('[data-testid="stMain"] h2').first
    assert visible(heading.inner_text()) == visible(HOSTILE_NAME)
    page.get_by_role("tab", name="报告内容").click()
    page.wait_for_url("**ud_tab=*")  # the open tab alone is drawn: a rerun
    settle(page, "单位详情")
    page.locator('[data-testid="stText"]').first.wait_for(state="attached")
    shown = [visible(t) for t in page.locator('[data-testid="stText"]').all_inner_texts()]
    assert visible(HOSTILE_TEXT) in shown and visible(FORMULA) in shown, shown
    for tab in ("目标与完成", "原始文件", "绩效指标"):
        page.get_by_role("tab", name=tab).click()
        settle(page, "单位详情")
        assert_nothing_from(page, EVIL)
    assert_no_error(page)
    screenshot(page, "unit_detail_hostile")
    page.goto(f"{base}/?year=99999")
    settle(page, "总览")
    page.get_by_text("链接中的年度「99999」无法识别，已显示默认年度。").wait_for()


def test_one_year_is_one_choice_and_a_copied_link_keeps_the_whole_view(server, page, browser):
    page.goto(server["url"])
    settle(page, "总览 · 2022年")
    page.locator(".st-key-yr_one").click()
    page.get_by_role("option", name="2021年").click()
    settle(page, "总览 · 2021年")
    assert "year=2021" in page.url
    page.get_by_role("heading", name="2021年（库中没有2020年的可比数据）").wait_for()  # the cards follow the choice
    page.goto(f"{server['url']}/compare?year=2021&year=2022")
    settle(page, "单位对比 · 2022年")
    page.locator(".st-key-cmp_order").get_by_text("由低到高").click()
    settle(page, "单位对比")
    page.get_by_role("tab", name="每件成本").click()
    settle(page, "单位对比")
    link = urllib.parse.unquote(page.url)
    assert "cmp_order=由低到高" in link and "cmp_tab=每件成本" in link, link
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = fresh.new_page()
        other.goto(page.url)
        settle(other, "单位对比 · 2022年")
        assert other.get_by_role("tab", name="每件成本").get_attribute("aria-selected") == "true"
        assert other.locator(".st-key-yr_range input").is_checked()
        assert urllib.parse.unquote(other.url) == link
        other.goto(f"{server['url']}/unit_detail?u={NAMES[UNIT_A]}")
        settle(other, "单位详情")
        other.get_by_role("heading", name=NAMES[UNIT_A]).wait_for()
        assert f"u={NAMES[UNIT_A]}" in urllib.parse.unquote(other.url)  # the unit stays in the address bar
    finally:
        fresh.close()


def test_no_english_on_any_page(server, page):
    import re

    from ui.components import ENGLISH_WORDS

    english = re.compile(r"\b(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")\b")
    for path, title in PAGES.items():
        page.goto(f"{server['url']}/{'' if path == 'overview' else path}")
        settle(page, title)
        tables = page.locator('[data-testid="stDataFrame"]:visible')
        if tables.count():
            tables.first.hover()  # where Streamlit's English toolbar would show
        found = english.findall(page.locator("body").inner_text())
        assert not found, (path, found)
    page.locator(".st-key-sector input").click()
    page.keyboard.type("没有这个行业")
    assert page.locator('[data-testid="stMultiSelectDropdown"]').inner_text().strip() == "没有匹配项"
    page.keyboard.press("Escape")
    page.goto(f"{server['url']}/nosuchpage")
    settle(page, "总览")
    dialog = page.locator('[data-testid="stDialog"]')
    dialog.get_by_text("链接中的页面不存在，已打开总览。").wait_for()
    assert not english.findall(dialog.inner_text()) and "找不到页面" in dialog.inner_text()


# --- issue #12 items 3, 10 and 12: tables sorted by 排序 only, no English, a phone's first screen ------

# Latin words that may stand on a page: file formats, units and abbreviations a Chinese reader uses
ALLOWED_LATIN = {"CSV", "Excel", "PNG", "PDF", "Word", "docx", "doc", "pdf", "txt", "html", "zip", "DOCX",
                 "DOC", "TXT", "HTML", "ZIP", "KB", "MB", "P25", "P75", "localhost", "Plotly", "js", "OIDC"}


def latin_words(pg) -> list[str]:
    """The Latin words a reader sees on the page (text drawn in the DOM, the sidebar included)."""
    import re

    text = pg.evaluate("""() => {
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || el.closest('script, style, noscript, [data-testid="stIconMaterial"]')) continue;
        const css = getComputedStyle(el);
        if (/Material/.test(css.fontFamily)) continue;  // an icon's name drawn as its glyph
        if (parseFloat(css.fontSize) === 0) continue;  // replaced by Chinese (ui.components.uploader_in_chinese)
        if (el.closest("code")) continue;  // a command to type (python -m etl load …) is a command
        if (!el.checkVisibility()) continue;
        out.push(node.nodeValue);
      }
      return out.join(" ");
    }""")
    text = re.sub(r"[\w./-]+\.(csv|toml|duckdb)\b", " ", text)  # a file's path (data/grade_rules.csv) is a name
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", text) if w not in ALLOWED_LATIN]


def test_no_english_word_on_any_page_at_any_width(server, browser):
    for width, height in ((1400, 1000), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        try:
            pg = context.new_page()
            for path, title in {**PAGES, "unit_detail?u=" + NAMES[UNIT_A]: "单位详情"}.items():
                pg.goto(f"{server['url']}/{'' if path == 'overview' else path}")
                settle(pg, title)
                pg.keyboard.press("Tab")  # a keyboard user's first stop (Streamlit's skip link) is read too
                found = latin_words(pg)
                assert not found, (path, width, sorted(set(found)))
        finally:
            context.close()


def test_a_phone_opens_the_page_not_the_sidebar(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    try:
        pg = context.new_page()
        for path, title in (("", "总览"), ("compare", "单位对比"), (f"unit_detail?u={NAMES[UNIT_A]}", "单位详情")):
            pg.goto(f"{server['url']}/{path}")
            settle(pg, title)
            sidebar = pg.locator('[data-testid="stSidebar"]')
            box = sidebar.bounding_box()
            assert sidebar.get_attribute("aria-expanded") == "false" or box is None or box["x"] + box["width"] <= 1, box
            heading = pg.locator('[data-testid="stMain"] h1').first.bounding_box()
            assert heading["x"] >= 0 and heading["x"] + 40 < 390  # the page's title is on screen, not under a panel
    finally:
        context.close()


def test_a_header_click_does_not_sort_and_the_download_follows_the_sort_control(server, page):
    page.goto(f"{server['url']}/compare")
    settle(page, "单位对比")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()

    def csv_rows():
        with page.expect_download() as info:
            page.locator(".st-key-cmp_exec_table__csv button").click()
        return pd.read_csv(Path(info.value.path()), encoding="utf-8-sig")

    before = csv_rows()
    heads = lambda: grid.locator('[role="columnheader"]').all_inner_texts()  # noqa: E731 (the grid's a11y table)
    cells = lambda: grid.locator('[role="gridcell"]').all_inner_texts()[:12]  # noqa: E731
    shown_heads, shown_cells = heads(), cells()
    box = grid.bounding_box()
    y = box["y"] + 17
    for x in (box["x"] + 320, box["x"] + 500):  # a header cell clicked (Streamlit sorts the screen only) …
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
    page.mouse.move(box["x"] + 320, y)  # … or dragged (Streamlit moves the column on screen only)
    page.mouse.down()
    page.mouse.move(box["x"] + 500, y, steps=8)
    page.mouse.move(box["x"] + 650, y, steps=8)
    page.mouse.up()
    page.mouse.click(box["x"] + 250, y)  # where a column's menu icon shows
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stDataFrameColumnMenu"]').count() == 0  # no English column menu
    assert page.get_by_text("Sort ascending").count() == 0
    assert heads() == shown_heads and cells() == shown_cells  # the screen kept its order
    assert csv_rows()["单位名称"].tolist() == before["单位名称"].tolist()
    # the one way to sort: 排序, and the download holds that order
    page.locator(".st-key-cmp_exec_table__sort").click()
    page.get_by_role("option", name="预算执行率（%） 升序").click()
    settle(page, "单位对比")
    after = csv_rows()
    rates = after["预算执行率（%）"].dropna().tolist()
    assert rates == sorted(rates) and rates != before["预算执行率（%）"].dropna().tolist()
