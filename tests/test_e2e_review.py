"""The review cycle in a real browser (slow): a server with a temporary accounts file
(a 绩效科 user and a 单位 user) over the hand-made test database. The 绩效科 signs in,
opens 复核, reviews a 2022 report, sees it 已复核 and downloads the 通报 holding it; the 单位 signs in and sees only its
own unit, also when it opens another page's URL or another unit's link."""
from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from bureau import accounts
from tests.pagedata import NAMES, UNIT_A, UNIT_B, build_sample_db
from tests.test_e2e import CHROMIUM, assert_no_error, browser, page, screenshot, serve, settle  # noqa: F401,F811 - fixtures

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/setup.sh)")
PASSWORDS = {"zhang": "pw-zhang-123", "dui": "pw-dui-456"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e_review")
    db = build_sample_db(base / "reports.duckdb")
    path = base / "accounts.toml"
    accounts.add_user("zhang", display="张三", role="绩效科", password=PASSWORDS["zhang"], path=path)
    accounts.add_user("dui", display="监察大队", role="单位", unit="125002", password=PASSWORDS["dui"], path=path)
    env = {"BUREAU_ACCOUNTS": str(path), "BUREAU_DB": str(base / "bureau.duckdb")}
    with serve(db, base, env) as running:
        yield running


def sign_in(pg, url: str, user: str) -> None:
    pg.context.clear_cookies()  # signed out: no sign-in cookie of an earlier visit
    pg.goto(url)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PASSWORDS[user])
    pg.get_by_role("button", name="登录").click()


def test_the_bureau_reviews_a_report(server, page):  # noqa: F811
    sign_in(page, server["url"], "zhang")
    settle(page, "总览")
    assert_no_error(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="复核").first.click()
    settle(page, "复核")
    assert page.get_by_text("已复核：0 份").count() == 1
    page.get_by_label("复核得分（0–100）").fill("88")
    page.get_by_label("复核意见").fill("<script>alert(1)</script> 数字已核对")
    page.get_by_role("button", name="保存复核").click()
    page.get_by_text("已保存第 1 版复核：88 分，良").wait_for()
    settle(page, "复核")
    assert page.get_by_text("已复核：1 份").count() == 1
    assert page.get_by_text("当前复核意见：<script>alert(1)</script> 数字已核对").count() == 1
    assert_no_error(page)
    screenshot(page, "review")

    # ... and issues the 通报: the Word file holds the review just saved
    page.locator('[data-testid="stSidebarNav"] a', has_text="通报").first.click()
    settle(page, "通报")
    page.get_by_role("button", name="生成Word").click()
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="下载Word").click()
    text = _docx_text(download.value.path())
    assert "通报" in text and "88" in text
    assert_no_error(page)


def _docx_text(path) -> str:
    import docx

    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_unit_sees_only_its_own_unit(server, page):  # noqa: F811
    others = [n for u, n in NAMES.items() if u != UNIT_A]
    for path in ("", "overview", f"unit_detail?u={urllib.parse.quote(UNIT_B)}"):
        sign_in(page, f"{server['url']}/{path}", "dui")
        settle(page, "单位详情")
        assert_no_error(page)
        body = page.locator('[data-testid="stApp"]').inner_text()
        assert NAMES[UNIT_A] in body
        assert not [n for n in others if n in body], path
        links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        assert not [t for t in links if t.strip() != "单位详情"], links  # one page: Streamlit hides the list
    screenshot(page, "unit_account")


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
