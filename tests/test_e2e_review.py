"""The review cycle in a real browser (slow), over the demo district's database (conftest's demo_db:
the demo corpus through the real ETL), with a temporary accounts file (a 绩效科 user and a 单位 user)
and a bureau database of its own.

The 绩效科 takes the demo district's 2024 reports from 未复核 to a printed 通报: of its 43 reports,
39 are reviewed by the fixture through bureau.store (as a colleague would have, by hand in the
browser that is three minutes of clicks), and BROWSER_REVIEWS in the browser — each with a
复核得分, a 复核意见 and a verdict on one of its findings. The list then says 已复核 for all; a
抽查 sample for 2024 is drawn and saved; the 2024 通报 is generated as Word and as PDF, downloaded,
and opened (python-docx, pdfplumber): its ranking holds the 复核得分 and 等次 given. Then the 单位
account signs in and sees only its own unit: its page, another unit's link, another page's URL
and its brief's download. Last, a sign-in survives a reload until 退出登录."""
from __future__ import annotations

import io
import os
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

import queries
from bureau import accounts, store
from tests.test_e2e import CHROMIUM, assert_no_error, browser, page, screenshot, serve, settle  # noqa: F401,F811 - fixtures

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/setup.sh)")
PASSWORDS = {"zhang": "pw-zhang-123", "dui": "pw-dui-456"}
YEAR = 2024
OWN_UNIT = "岳阳市云溪区|125002"  # the 单位 account's unit (云溪区劳动和社会保障监察大队)
# reviewed in the browser: unit_key -> (复核得分, the 等次 data/grade_rules.csv gives it); each has findings
BROWSER_REVIEWS = {
    OWN_UNIT: (72.5, "中"),
    "岳阳市云溪区|岳阳市云溪区统计局": (85.0, "良"),
    "岳阳市云溪区|108001": (78.0, "中"),
    "岳阳市云溪区|205001": (91.0, "优"),
}


@contextmanager
def _bureau_db(path: Path):
    """bureau.store pointed at this test's bureau database while the block runs."""
    before = os.environ.get(store.BUREAU_ENV)
    os.environ[store.BUREAU_ENV] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(store.BUREAU_ENV, None)
        else:
            os.environ[store.BUREAU_ENV] = before


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db):
    base = tmp_path_factory.mktemp("e2e_review")
    path = base / "accounts.toml"
    accounts.add_user("zhang", display="张三", role="绩效科", password=PASSWORDS["zhang"], path=path)
    accounts.add_user("dui", display="监察大队", role="单位", unit="125002", password=PASSWORDS["dui"], path=path)
    bureau = base / "bureau.duckdb"
    queue = queries.run("review_queue", str(demo_db), years=[YEAR])
    assert set(BROWSER_REVIEWS) <= set(queue["unit_key"])
    with _bureau_db(bureau):
        for r in queue[~queue["unit_key"].isin(list(BROWSER_REVIEWS))].itertuples(index=False):
            score = max(0.0, float(r.self_score) - 2)
            grade = queries.run("score_grade", str(demo_db), score=score, region=r.region, fiscal_year=YEAR)
            store.save_review(r.unit_key, YEAR, seen_version=0, reviewer="li", reviewer_display="李四", score=score,
                              grade=grade.iloc[0]["grade"], comment="材料齐全，数字已核对。", sha256=r.sha256)
    env = {"BUREAU_ACCOUNTS": str(path), store.BUREAU_ENV: str(bureau)}
    with serve(demo_db, base, env) as running:
        yield {**running, "queue": queue, "bureau": bureau}


def sign_in(pg, url: str, user: str) -> None:
    pg.context.clear_cookies()  # signed out: no sign-in cookie of an earlier visit
    pg.goto(url)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PASSWORDS[user])
    pg.get_by_role("button", name="登录").click()


def open_page(pg, title: str) -> None:
    pg.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    settle(pg, title)


def choose(pg, key: str, option: str) -> None:
    """Pick an option of the selectbox with this key by typing it (the list is virtualised)."""
    pg.locator(f".st-key-{key}").click()
    pg.keyboard.press("Control+A")
    pg.keyboard.type(option)
    pg.get_by_role("option", name=option, exact=True).click()


def download(pg, make: str, take: str) -> bytes:
    """Click 生成… (the file is made in the page's run), then 下载…; the downloaded bytes."""
    pg.get_by_role("button", name=make).click()
    button = pg.get_by_role("button", name=take)
    button.wait_for(timeout=180_000)
    with pg.expect_download(timeout=60_000) as got:
        button.click()
    return Path(got.value.path()).read_bytes()


def test_the_bureau_takes_2024_from_unreviewed_to_a_printed_circular(server, page):  # noqa: F811
    names = dict(zip(server["queue"]["unit_key"], server["queue"]["unit_name"]))
    total = len(names)
    sign_in(page, server["url"], "zhang")
    settle(page, "总览")
    open_page(page, "复核")
    assert f"year={YEAR}" in page.url  # the latest year first
    page.get_by_text(f"未复核：{len(BROWSER_REVIEWS)} 份").wait_for()

    for n, (unit, (score, grade)) in enumerate(BROWSER_REVIEWS.items(), start=1):
        choose(page, "rv_pick", names[unit])
        settle(page, "复核")
        page.get_by_role("heading", name=f"{names[unit]} · {YEAR}年").wait_for()
        form = page.locator('[data-testid="stForm"]')
        form.get_by_label("复核得分（0–100）").fill(f"{score:g}")
        form.get_by_label("复核意见").fill(f"<b>第{n}份</b> 执行率与支出已核对")
        verdict = form.get_by_role("combobox", name="结论").first  # the verdict on its first finding
        verdict.click()
        page.keyboard.press("Control+A")  # the box holds （未核实）: typed over, the list shows the verdict
        page.keyboard.type("已核实")
        page.get_by_role("option", name="已核实", exact=True).click()
        assert verdict.input_value() == "已核实"
        form.get_by_role("button", name="保存复核").click()
        page.get_by_text(f"已保存第 1 版复核：{score:g} 分，{grade}").wait_for()
        settle(page, "复核")
        assert_no_error(page)
    page.get_by_text(f"已复核：{total} 份").wait_for()
    assert page.get_by_text("未复核：0 份").count() == 1
    assert page.get_by_text(f"当前复核意见：<b>第{len(BROWSER_REVIEWS)}份</b> 执行率与支出已核对").count() == 1  # as text
    screenshot(page, "review_demo")
    with _bureau_db(server["bureau"]):
        current = store.current_reviews(YEAR).set_index("unit_key")
        verdicts = {u: store.review_history(u, YEAR).iloc[0]["verdicts"] for u in BROWSER_REVIEWS}
    assert len(current) == total
    for unit, (score, grade) in BROWSER_REVIEWS.items():
        assert (current.at[unit, "review_score"], current.at[unit, "review_grade"]) == (score, grade)
        assert [v["verdict"] for v in verdicts[unit]] == ["已核实"], verdicts[unit]

    # 抽查: five units of 2024 at random, saved with their rule and seed
    open_page(page, "抽查")
    page.get_by_role("button", name="保存样本").click()
    page.get_by_text("已保存样本").first.wait_for()
    settle(page, "抽查")
    assert_no_error(page)
    with _bureau_db(server["bureau"]):
        sample = store.sample_members(YEAR)
    assert len(sample) == 5

    # 通报: the chart on screen, then Word and PDF
    open_page(page, "通报")
    assert page.locator(".st-key-ci_dist").count() == 1 or page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    docx_bytes = download(page, "生成Word", "下载Word")
    pdf_bytes = download(page, "生成PDF", "下载PDF")
    assert_no_error(page)
    screenshot(page, "circular_demo")

    import docx
    import pdfplumber

    document = docx.Document(io.BytesIO(docx_bytes))
    heading = "".join(p.text for p in document.paragraphs[:3])
    assert f"岳阳市云溪区{YEAR}年度" in heading and "部门整体支出绩效自评情况通报" in heading, heading
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    ranking = next(t for t in tables if t[0][:4] == ["名次", "单位", "自评得分", "复核得分"])
    rows = {r[1]: r for r in ranking[1:]}
    assert len(rows) == total
    for unit, (score, grade) in BROWSER_REVIEWS.items():
        assert rows[names[unit]][3:5] == [f"{score:.2f}", grade], rows[names[unit]]
    ranked_scores = [float(r[3]) for r in ranking[1:]]
    assert ranked_scores == sorted(ranked_scores, reverse=True)  # all reviewed: ranked by 复核得分
    figures = {r[0]: r for r in next(t for t in tables if t[0][0] == "项目")}
    assert figures["已复核报告（份）"][1] == str(total)
    drawn = next(t for t in tables if t[0] == ["序号", "单位", "抽取理由"])
    assert [r[1] for r in drawn[1:]] == list(sample["unit_name"])

    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        lines = [line for p in pdf.pages for line in (p.extract_text() or "").splitlines()]
        sizes = {(round(p.width), round(p.height)) for p in pdf.pages}
    assert sizes == {(595, 842)}
    for unit, (score, grade) in BROWSER_REVIEWS.items():
        assert any(names[unit] in line and f"{score:.2f}" in line and grade in line for line in lines), names[unit]


def test_a_unit_sees_only_its_own_unit(server, page):  # noqa: F811
    names = dict(zip(server["queue"]["unit_key"], server["queue"]["unit_name"]))
    own, others = names[OWN_UNIT], [n for u, n in names.items() if u != OWN_UNIT]
    other = names["岳阳市云溪区|108001"]
    for path in ("", "circular", "review", f"unit_detail?u={urllib.parse.quote(other)}"):
        sign_in(page, f"{server['url']}/{path}", "dui")
        settle(page, "单位详情")
        assert_no_error(page)
        body = page.locator('[data-testid="stApp"]').inner_text()
        # a link's value that is not this unit is echoed back as typed (“链接中的单位「…」无法识别”): not data
        body = "\n".join(line for line in body.splitlines() if "链接中的" not in line)
        assert own in body
        assert not [n for n in others if n in body], path
        links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        assert not [t for t in links if t.strip() != "单位详情"], links
    screenshot(page, "unit_account_demo")
    import docx

    brief = docx.Document(io.BytesIO(download(page, "单位简报（Word）", "下载Word")))
    text = "\n".join([p.text for p in brief.paragraphs] + [c.text for t in brief.tables for r in t.rows for c in r.cells])
    with _bureau_db(server["bureau"]):
        reviewed = OWN_UNIT in set(store.current_reviews(YEAR)["unit_key"])
    assert own in text and (not reviewed or f"{BROWSER_REVIEWS[OWN_UNIT][0]:.2f}" in text)  # with its own review
    assert not [n for n in others if n in text]


def test_a_sign_in_survives_a_reload_until_sign_out(server, page):  # noqa: F811
    sign_in(page, server["url"], "zhang")
    settle(page, "总览")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "bureau_session" in cookies and cookies["bureau_session"]["sameSite"] == "Strict"
    page.reload()
    settle(page, "总览")
    assert page.locator('[data-testid="stSidebar"]').get_by_text("当前用户：张三（绩效科）").count() == 1
    page.goto(f"{server['url']}/compare")  # a new session on another page: still signed in
    settle(page, "单位对比")
    assert_no_error(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    settle(page, "登录")
    page.wait_for_function("() => !document.cookie.includes('bureau_session=')", timeout=10_000)
    page.reload()
    settle(page, "登录")
    assert page.get_by_label("用户名").count() == 1
    assert page.get_by_text("当前用户").count() == 0
