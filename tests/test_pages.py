"""AppTest tests of the dashboard: every page on a populated, an empty and a
missing database, the shared filters (widgets, URL, across pages), downloads
(UTF-8 BOM, Chinese headers, exactly the filtered rows), the upload flow, and
the friendly message that replaces any query error.

The populated database is tests/pagedata.py's hand-made one (four units,
figures written down there); the lead's `demo_db` fixture, when conftest.py
provides it, is smoke-tested too.
"""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

import queries
from tests.pagedata import FAILED_FILE, LABELS, NAMES, SEED_TEXT, UNIT_A, UNIT_B, UNIT_C, UNIT_D, build_empty_db, build_sample_db

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/compare.py", "pages/trends.py", "pages/unit_detail.py",
         "pages/complaints.py", "pages/scores.py", "pages/quality.py", "pages/upload.py"]
DATA_PAGES = [p for p in PAGES if p not in ("pages/upload.py", "pages/quality.py")]
BOM = b"\xef\xbb\xbf"
CRASH = "页面出错"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("pages") / "sample.duckdb")


@pytest.fixture()
def blank_db(tmp_path) -> Path:
    return build_empty_db(tmp_path / "empty.duckdb")


class MediaSpy:
    """Keeps the in-memory media storage and file manager AppTest creates per run, so a test
    can read the bytes behind a download button: a deferred one's (data a callable, made when
    clicked) by running its callable as a click does."""

    def __init__(self, monkeypatch):
        self.storages, self.managers = [], []
        spy = self

        class Recording(app_test_module.MemoryMediaFileStorage):
            def __init__(self, endpoint):
                super().__init__(endpoint)
                spy.storages.append(self)

        class Manager(app_test_module.MediaFileManager):
            def __init__(self, storage):
                super().__init__(storage)
                spy.managers.append(self)

        monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
        monkeypatch.setattr(app_test_module, "MediaFileManager", Manager)

    def content(self, button) -> bytes:
        url = button.proto.url
        if not url and button.proto.deferred_file_id:
            url = self.managers[-1].execute_deferred(button.proto.deferred_file_id)
        assert url, f"download button {button.label!r} has neither a URL nor a deferred file"
        return self.storages[-1].get_file(url.rsplit("/", 1)[-1]).content

    @staticmethod
    def deferred(button) -> bool:
        """Whether the button's file is made only when clicked (nothing stored with the view)."""
        return not button.proto.url and bool(button.proto.deferred_file_id)


class _NavigationPagesManager(app_test_module.PagesManager):
    """AppTest starts every run as a fresh server would: in Streamlit's old
    pages/-folder mode until app.py calls st.navigation, where a non-default
    page first runs bare and reruns itself through app.py (ui.components.
    _through_app), losing that run's button clicks. A real server leaves that
    mode for good on its first request (the e2e test covers that request), so
    the tests run as such a server does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        app_test_module.PagesManager.uses_pages_directory = False


def open_app(db: Path, monkeypatch, page: str | None = None, query: dict | None = None,
             state: dict | None = None, setup=None) -> AppTest:
    """app.py run as a fresh server would; setup(at), when given, sets at.secrets, at.user, … first."""
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)
    monkeypatch.setenv("REPORTS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if setup:
        setup(at)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if query:
        at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def assert_clean(at: AppTest) -> None:
    """No Python error reached the screen, and the page's catch-all did not fire."""
    assert not at.exception, [e.value for e in at.exception]
    crashes = [e.value for e in at.error if CRASH in e.value]
    assert not crashes, crashes


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return found[0]


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has all these (Chinese) columns; tables
    without row selection carry no key in AppTest, so they are found by header."""
    for frame in at.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with {columns}: {[list(d.value.columns) for d in at.dataframe]}")


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# --- every page, every database state ---------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_sample_database(sample_db, monkeypatch, page):
    at = open_app(sample_db, monkeypatch, page)
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    assert at.title, "page has no title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_tells_how_to_load_on_an_empty_database(empty_db, monkeypatch, page):
    at = open_app(empty_db, monkeypatch, page)
    assert_clean(at)
    if page == "pages/upload.py":
        assert at.file_uploader, "the upload page must offer the uploader on an empty database"
    else:
        assert "python -m etl load" in texts(at.info), texts(at.info)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_a_missing_database(tmp_path, monkeypatch, page):
    at = open_app(tmp_path / "nowhere" / "reports.duckdb", monkeypatch, page)
    assert_clean(at)
    if page != "pages/upload.py":
        assert "还没有数据库文件" in texts(at.info)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_database(demo_db, monkeypatch, page):
    at = open_app(Path(demo_db), monkeypatch, page)
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]


# --- figures and filters ----------------------------------------------------------------------

def test_overview_compares_the_latest_year_with_the_one_before(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    assert_clean(at)
    # 2022: A, B, C, D report; 2021: A and B.
    assert metric(at, "报告单位数").value == "4"
    assert metric(at, "报告单位数").delta == "+2 个"
    # 85.53 + 1300 + 500 + 100
    assert metric(at, "支出合计（万元）").value == "1,985.53"
    # scores 78, 85, 90, 96 -> (85 + 90) / 2; 2021: (88 + 95) / 2 = 91.5
    assert metric(at, "自评得分中位数").value == "87.50"
    assert metric(at, "自评得分中位数").delta == "-4.00 分"


def test_overview_and_a_unit_link_draw_no_chart_library_on_first_view(sample_db, monkeypatch):
    # a cold first open (benchmarks/browser_bench.py): the cards' lines and the small charts are inline SVG
    import html
    import urllib.parse

    at = open_app(sample_db, monkeypatch)
    assert not at.get("plotly_chart") and not at.get("echarts_chart") and not at.get("vega_lite_chart")
    assert all(not m.proto.chart_data for m in at.metric)
    drawings = [str(m.value) for m in at.markdown if "<svg" in str(m.value)]
    lines = [d for d in drawings if "bureau-spark" in d]
    assert len(lines) == 5 and all("<polyline" in d for d in lines)  # 2021 and 2022: a line on every card
    charts = [d for d in drawings if "bureau-svg" in d]
    assert len(charts) == 3 and all("\n\n" not in d for d in charts)  # one HTML block each: no Markdown inside
    strip = next(d for d in charts if "<circle" in d)
    assert strip.count("<circle") == 4  # one dot per unit of 2022, each a link to its 单位详情
    hrefs = [urllib.parse.unquote(html.unescape(h)) for h in re.findall(r'href="([^"]*)"', strip)]
    assert any(h.startswith("unit_detail?") and f"u={UNIT_A}" in h for h in hrefs), hrefs
    for label in ("各年度支出合计（万元）", "2022年各单位预算执行率（点击点查看单位）", "2022年自评得分分布"):
        assert f"**{label}**" in texts(at.markdown)
    assert at.download_button(key="ov_exec__csv")  # each chart keeps its 下载CSV
    unit = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": UNIT_A})
    assert_clean(unit)
    assert not unit.get("plotly_chart") and not unit.get("echarts_chart")
    assert any("<svg" in str(m.value) and "人员支出" in str(m.value) for m in unit.markdown)  # 历年支出构成


def test_svg_drawings_keep_blanks_and_text_as_written():
    from ui import svg

    assert svg.sparkline([1, None]) == "" and svg.sparkline([5]) == ""
    assert svg.sparkline([1, 2, None, 3, 4]).count("<polyline") == 2  # a blank year is a gap, not zero
    assert svg.svg_text("<b>[x](y) $a$ :red[z]") == "".join(
        f"&#{ord(c)};" if not c.isalnum() and c != " " else c for c in "<b>[x](y) $a$ :red[z]")
    drawn = svg.bars(["2021", "2022"], {"支出合计": [10.0, None]}, {"支出合计": ["一", "二"]}, "万元")
    assert drawn.count("<rect") == 1 and "<title>一</title>" in drawn and "二" not in drawn
    assert svg.nice_ticks(0, 3, whole=True) == [0, 1, 2, 3]


def heading(at: AppTest) -> str:
    return at.title[0].value


def url(at: AppTest, key: str) -> list[str]:
    """A parameter as the script last wrote the address bar."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def test_choosing_one_year_is_one_action_and_the_heading_says_it(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    assert heading(at) == "总览 · 2022年"
    assert at.sidebar.selectbox(key="yr_one").options == ["2022年", "2021年"]  # the latest first, chosen
    assert not at.sidebar.get("select_slider")
    at.sidebar.selectbox(key="yr_one").set_value(2021).run()
    assert_clean(at)
    assert heading(at) == "总览 · 2021年"
    assert at.subheader[0].value.startswith("2021年")  # the cards follow the chosen year, not the latest
    assert metric(at, "报告单位数").value == "2"
    assert url(at, "year") == ["2021"]  # written to the address bar


def test_a_year_range_only_when_asked_and_older_links_still_open_it(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    assert [s.key for s in at.sidebar.selectbox] == ["yr_one"]
    at.sidebar.toggle(key="yr_range").set_value(True).run()
    assert_clean(at)
    assert (at.sidebar.selectbox(key="yr_from").value, at.sidebar.selectbox(key="yr_to").value) == (2021, 2022)
    assert heading(at) == "总览 · 2021–2022年"
    assert at.subheader[0].value == "2022年（与2021年比较）"
    assert url(at, "year") == ["2021", "2022"]
    at.sidebar.toggle(key="yr_range").set_value(False).run()  # back to one year: the range's last
    assert at.sidebar.selectbox(key="yr_one").value == 2022 and heading(at) == "总览 · 2022年"
    for query, view in [({"year": ["2021", "2022"]}, (True, "2021–2022年")), ({"year": ["2021", "2021"]}, (False, "2021年")),
                        ({"year_from": "2021", "year_to": "2022"}, (True, "2021–2022年")),
                        ({"year_to": "2021"}, (True, "2021年"))]:
        at = open_app(sample_db, monkeypatch, "pages/scores.py", query=query)
        assert_clean(at)
        assert not at.warning
        assert heading(at) == "评分分布 · " + view[1], query
        assert at.sidebar.toggle(key="yr_range").value is (view[1] != "2021年" and view[0]), query


def test_sector_filter_narrows_every_figure_and_is_bound_to_the_url(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    at.sidebar.multiselect(key="sector").set_value(["教育"]).run()
    assert_clean(at)
    assert metric(at, "报告单位数").value == "1"
    assert metric(at, "支出合计（万元）").value == "1,300.00"
    # The browser writes bound widgets into the URL (checked in test_e2e.py); here: bound to "sector".
    assert at.sidebar.multiselect(key="sector").proto.query_param_key == "sector"


def test_a_copied_link_opens_the_same_view(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, query={"sector": "教育", "year": ["2021", "2021"]})
    assert_clean(at)
    assert at.sidebar.multiselect(key="sector").value == ["教育"]
    # B in 2021: 1200 万元, the first year in the database so no comparison
    assert metric(at, "支出合计（万元）").value == "1,200.00"
    assert metric(at, "支出合计（万元）").delta is None or metric(at, "支出合计（万元）").delta == ""


def test_demo_filter_shows_only_demo_data_and_labels_it(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    at.sidebar.segmented_control(key="data").set_value("demo").run()
    assert_clean(at)
    assert metric(at, "报告单位数").value == "1"  # C only
    assert metric(at, "支出合计（万元）").value == "500.00"
    assert "仅演示数据" in texts(at.caption)
    table = at.dataframe[0].value
    assert list(table["数据类别"]) == ["演示"]


def test_filters_stay_when_moving_to_another_page(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    at.sidebar.multiselect(key="sector").set_value(["卫生健康"]).run()
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="sector").value == ["卫生健康"]
    table = at.dataframe[0].value
    assert list(table["单位名称"]) == [NAMES[UNIT_D]]


def test_filters_that_match_nothing_say_so(sample_db, monkeypatch):
    # B reported in 2021 and 2022, but the sector 卫生健康 (D) has nothing in 2021
    at = open_app(sample_db, monkeypatch, query={"sector": "卫生健康", "year": ["2021", "2021"]})
    assert_clean(at)
    assert "没有符合当前筛选条件的数据" in texts(at.info)
    for page in PAGES[1:6]:
        at.switch_page(page).run()
        assert_clean(at)


def test_unit_detail_of_a_unit_with_one_year(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_D], "ud_tab": "核查与信号"})
    assert_clean(at)
    assert "该单位只有一个年度的报告" in texts(at.caption)
    assert metric(at, "自评得分").value == "78.00"
    # its income parts (80 + 10) against the total (100): the 勾稽 finding is listed
    checks = [d.value for d in at.dataframe if "核查规则" in d.value.columns]
    assert checks and "收入分项之和与收入合计不符" in set(checks[0]["核查规则"])


def test_indicators_say_met_or_not_and_wrap_long_cells(sample_db, monkeypatch):
    # a leader sees at a glance which indicators reached their target, counted and coloured; long
    # indicator names wrap (st.table) instead of being cut; the CSV holds the plain words
    spy = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_D], "ud_tab": "绩效指标"})
    assert_clean(at)
    assert ":green-badge[达成 2 项] :red-badge[未达成 1 项]" in texts(at.markdown)
    shown = [t.value for t in at.table if "达成" in t.value.columns]
    assert shown, "the indicators are drawn with st.table"
    cells = dict(zip(shown[0]["指标名称"], shown[0]["达成"]))
    assert cells["资金发放到位率"] == ":green-badge[达成]" and cells["享受保险基金补助人数"] == ":red-badge[未达成]"
    assert cells["提速工伤认定"] == ":gray-badge[无法判断]"
    button = next(b for b in at.get("download_button") if b.proto.id.find("ud_indicators__csv") >= 0)
    csv = pd.read_csv(io.BytesIO(spy.content(button)), encoding="utf-8-sig")
    assert list(csv.columns)[:7] == ["一级指标", "二级指标", "指标编号", "指标名称", "年度目标值", "完成情况", "达成"]
    assert dict(zip(csv["指标名称"], csv["达成"]))["享受保险基金补助人数"] == "未达成"
    assert dict(zip(csv["指标名称"], csv["得分"]))["享受保险基金补助人数"] == 4


def test_indicators_without_targets_say_so_instead_of_blank_columns(sample_db, monkeypatch):
    # the seed's template layout (评价内容|绩效目标|完成情况) has no 目标值/分值/得分: no blank columns, one line why
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_A], "ud_tab": "绩效指标"})
    assert_clean(at)
    assert "本报告的指标表没有填写年度目标值" in texts(at.caption)
    shown = [t.value for t in at.table if "指标名称" in t.value.columns][0]
    assert not {"年度目标值", "分值", "得分", "达成"} & set(shown.columns)


def test_rankings_show_the_grade_and_the_change_from_the_year_before(sample_db, monkeypatch):
    # 2022 against 2021: A's stated rate 92.5% -> 88.97%, B's 97% -> 98%; A's score 88 -> 90; C and D have no 2021
    at = open_app(sample_db, monkeypatch, "pages/compare.py")
    assert_clean(at)
    execution = at.dataframe(key="cmp_exec_table").value.set_index("单位名称")
    assert execution.loc[NAMES[UNIT_A], "较上年"] == "↓ 3.53 个百分点"
    assert execution.loc[NAMES[UNIT_B], "较上年"] == "↑ 1.00 个百分点" and execution.loc[NAMES[UNIT_B], "等次"] == "优"
    assert pd.isna(execution.loc[NAMES[UNIT_D], "较上年"]) and execution.loc[NAMES[UNIT_D], "等次"] == "中"
    at = open_app(sample_db, monkeypatch, "pages/compare.py", query={"cmp_tab": "自评得分"})  # only the open tab is drawn
    scores = at.dataframe(key="cmp_score_table").value.set_index("单位名称")
    assert scores.loc[NAMES[UNIT_A], "较上年"] == "↑ 2.00 分"
    overview = open_app(sample_db, monkeypatch)
    units = overview.dataframe(key="ov_units").value.set_index("单位名称")
    assert units.loc[NAMES[UNIT_B], "较上年"] == "↑ 1.00 个百分点" and units.loc[NAMES[UNIT_B], "等次"] == "优"
    graded = open_app(sample_db, monkeypatch, "pages/scores.py").dataframe(key="sc_implied").value.set_index("单位名称")
    assert graded.loc[NAMES[UNIT_B], "较上年"] == "↑ 1.00 分"


def test_change_text_says_up_down_or_unchanged():
    from ui.components import change_text

    assert change_text(90, 88, lambda d: f"{d:.2f} 分") == "↑ 2.00 分"
    assert change_text(1, 3, str) == "↓ 2.0" and change_text(5, 5, str) == "持平"
    assert change_text(None, 3, str) is None and change_text(3, float("nan"), str) is None


def test_unit_detail_shows_money_across_years(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_A]})
    assert_clean(at)
    expenditure = [d.value for d in at.dataframe if "支出合计" in d.value.columns][0]
    by_year = dict(zip(expenditure["年度"], expenditure["支出合计"]))
    assert by_year == {2022: 85.53, 2021: 80.0}
    assert "每件成本 925.65 元/件" in texts(at.caption)  # 855,300 元 ÷ 924 件


def test_sidebar_unit_choice_opens_that_unit(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, query={"unit": NAMES[UNIT_B]})
    at.switch_page("pages/unit_detail.py").run()
    assert_clean(at)
    assert at.selectbox(key="u").value == LABELS[UNIT_B]


def test_a_unit_is_found_by_its_budget_code(sample_db, monkeypatch):
    # the pickers read 单位名称（预算编码）: typing 125010 in the list (Streamlit filters on the label) finds 教育局,
    # and a link may give the code alone
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"unit": "125010"})
    assert_clean(at)
    assert LABELS[UNIT_B] in at.sidebar.multiselect(key="unit").options
    assert at.sidebar.multiselect(key="unit").value == [LABELS[UNIT_B]]
    assert [o for o in at.selectbox(key="u").options if "125010" in o] == [LABELS[UNIT_B]]
    assert at.selectbox(key="u").value == LABELS[UNIT_B]  # one unit in the sidebar: 单位详情 opens it


def test_a_click_applies_once_and_a_cleared_filter_stays_cleared():
    # a chart keeps its selection over reruns: the value it applied is not applied again after 清除,
    # an emptied selection lets the next click count
    import streamlit as st

    from ui.components import new_click

    st.session_state.clear()
    assert new_click("chart", "教育") and not new_click("chart", "教育")
    assert new_click("chart", "卫生健康") and not new_click("chart", None) and new_click("chart", "卫生健康")


def test_clicking_a_sector_filters_the_page_and_says_so(sample_db, monkeypatch):
    # what a click on a sector's point sets (ui.components.cross_pick): the sidebar's 行业, with a note and 清除
    from ui.components import SECTOR_PENDING

    at = open_app(sample_db, monkeypatch, "pages/trends.py", query={"tr_by": "按行业"}, state={SECTOR_PENDING: "教育"})
    assert_clean(at)
    assert at.sidebar.multiselect(key="sector").value == ["教育"]
    assert "已按行业「教育」筛选" in texts(at.markdown)
    assert set(table_with(at, "行业")["行业"]) == {"教育"}
    at.button(key="xf_sector_clear").click().run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="sector").value == []
    assert "已按行业" not in texts(at.markdown) and len(set(table_with(at, "行业")["行业"])) > 1


def test_clicking_a_channel_filters_the_complaints_page(sample_db, monkeypatch):
    # what a click on a channel's bar sets: the page's 渠道, its units and counts only, a note and 清除
    at = open_app(sample_db, monkeypatch, "pages/complaints.py", state={"cp_channel": "hotline_12345"})
    assert_clean(at)
    assert "已按渠道「12345热线」筛选" in texts(at.markdown)
    units = at.dataframe(key="cp_units_table").value
    assert set(units["渠道"]) == {"12345热线"}
    assert metric(at, "2022年投诉/案件件数（12345热线）").value == "435 件"
    at.button(key="cp_channel__clear").click().run()
    assert_clean(at)
    assert "已按渠道" not in texts(at.markdown) and len(set(at.dataframe(key="cp_units_table").value["渠道"])) > 1


def test_quality_lists_failed_files_warnings_and_findings(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/quality.py")
    assert_clean(at)
    failures = table_with(at, "失败原因")
    assert failures["文件名"].tolist() == [FAILED_FILE]
    warnings = at.dataframe(key="dq_warnings").value
    assert warnings["单位名称"].tolist() == [NAMES[UNIT_D]]
    checks = at.dataframe(key="dq_checks").value
    mismatch = checks[checks["核查规则"] == "收入分项之和与收入合计不符"]
    assert mismatch["单位名称"].tolist() == [NAMES[UNIT_D]]


def test_quality_says_when_the_derived_tables_need_a_refresh(sample_db, tmp_path, monkeypatch):
    # stale q_* tables make every page slow; the page names the command that fixes it
    import duckdb

    db = Path(shutil.copy(sample_db, tmp_path / "stale.duckdb")).resolve()
    con = duckdb.connect(str(db))
    con.execute("update q_meta set fingerprint = 'before an edit of data/unit_sectors.csv'")
    con.close()
    at = open_app(db, monkeypatch, "pages/quality.py")
    assert_clean(at)
    assert f"python -m queries --refresh --db {db}" in texts(at.warning)
    fresh = open_app(sample_db, monkeypatch, "pages/quality.py")
    assert "汇总表需要刷新" not in texts(fresh.warning)


def test_scatter_lists_the_reports_with_credibility_signals(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/compare.py", query={"cmp_tab": "得分与执行率"})
    assert_clean(at)
    flagged = at.dataframe(key="cmp_flagged").value
    # 2022: every report keeps the seed's five 100% quality indicators; A and B repeat their 2021 texts
    repeated = "与上年报告文字雷同、质量指标全部100%"
    assert dict(zip(flagged["单位名称"], flagged["可信度信号"])) == {
        NAMES[UNIT_B]: repeated, NAMES[UNIT_A]: repeated,
        NAMES[UNIT_C]: "质量指标全部100%", NAMES[UNIT_D]: "质量指标全部100%"}


def test_trends_by_sector_table_has_a_column_per_year(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/trends.py")
    at.segmented_control(key="tr_by").set_value("按行业").run()
    at.selectbox(key="tr_sector").set_value("支出合计（万元）").run()
    assert_clean(at)
    table = table_with(at, "行业", "2021年", "2022年")
    by_sector = {s: (a, b) for s, a, b in zip(table["行业"], table["2021年"], table["2022年"])}
    assert by_sector["教育"] == (1200, 1300)                       # B
    assert by_sector["社会保障和就业"] == (80, 85.53)              # A
    assert pd.isna(by_sector["卫生健康"][0]) and by_sector["卫生健康"][1] == 100   # D: no 2021 report, blank


def test_a_link_with_a_demo_units_plain_name_opens_it(sample_db, monkeypatch):
    # demo units are labelled 名称（编码）（演示） in the pickers; a link by the bare name still finds the unit
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_C]})
    assert_clean(at)
    assert at.selectbox(key="u").value == LABELS[UNIT_C]
    assert at.header[0].value == NAMES[UNIT_C]


def test_a_zero_change_has_no_arrow():
    from ui.components import no_change

    assert [no_change(d) for d in ["+0.00 分", "+0 个", "-0.00%", "+0.05%", "+10 个", None]] == \
        [True, True, True, False, False, False]


def test_yes_no_columns_read_是_否_and_blank_stays_blank():
    from ui.components import display_frame

    frame = pd.DataFrame({"approx": pd.array([True, False, None], dtype="boolean")})
    shown = display_frame(frame, None)["approx"].tolist()
    assert shown[:2] == ["是", "否"] and pd.isna(shown[2])


# --- downloads --------------------------------------------------------------------------------

def test_csv_download_holds_exactly_the_filtered_rows(sample_db, monkeypatch):
    media = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch, "pages/compare.py", query={"sector": "教育", "year": ["2021", "2022"]})
    at.segmented_control(key="cmp_year").set_value(2021).run()
    assert_clean(at)
    shown = at.dataframe[0].value
    button = at.download_button(key="cmp_exec_table__csv")
    data = media.content(button)
    assert data.startswith(BOM)
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert "单位名称" in csv.columns and "预算执行率（%）" in csv.columns
    # B's 2021 report only: 1200 万元 spent, stated rate 97%
    assert list(csv["单位名称"]) == [NAMES[UNIT_B]] == list(shown["单位名称"])
    assert list(csv["年度"]) == [2021]
    assert csv["支出合计（万元）"].tolist() == [1200.0]
    assert csv["预算执行率（%）"].tolist() == [97.0]
    assert list(csv.columns) == list(shown.columns) + ["数据截至"]


def test_chart_csv_and_blank_cells_stay_blank(sample_db, monkeypatch):
    media = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_A]})
    data = media.content(at.download_button(key="ud_money_income__csv"))
    text = data.decode("utf-8-sig").splitlines()
    assert text[0].startswith("年度,机构,收入合计,上年结转")
    # 2022 汇总: 85.53 total, 上年结转 blank (not 0)
    assert text[1].startswith("2022,汇总,85.53,,85.53")


def test_xlsx_bytes_round_trip():
    from ui.components import xlsx_bytes

    frame = pd.DataFrame({"单位名称": ["甲", "乙"], "支出合计（万元）": [1.5, None]})
    back = pd.read_excel(io.BytesIO(xlsx_bytes(frame, "测试")))
    assert list(back.columns) == ["单位名称", "支出合计（万元）"]
    assert back["支出合计（万元）"].iloc[0] == 1.5 and pd.isna(back["支出合计（万元）"].iloc[1])


def test_clicked_point_gives_its_unit():
    import plotly.express as px

    from ui.components import clicked_unit

    class Event:
        class selection:
            points = [{"curve_number": 0, "point_index": 1}]

    fig = px.bar(pd.DataFrame({"x": [1, 2], "unit_id": ["a", "b"]}), x="x", custom_data=["unit_id"])
    assert clicked_unit(fig, Event) == "b"


# --- upload -----------------------------------------------------------------------------------

def test_upload_reviews_then_loads_and_logs_bad_files(blank_db, monkeypatch):
    at = open_app(blank_db, monkeypatch, "pages/upload.py")
    # before any file: what can be read, for staff who are not programmers
    guide = at.expander[0]
    assert guide.label.startswith("能读取哪些报告") and "文字版报告" in texts(guide.markdown)
    assert "50 MB" in texts(guide.markdown)
    at.file_uploader[0].set_value([
        ("云溪区劳动监察大队2022.txt", SEED_TEXT.read_bytes(), "text/plain"),
        ("坏报告.pdf", b"%PDF-1.4 this is not a real pdf", "application/pdf"),
    ]).run()
    assert_clean(at)
    review = table_with(at, "文件", "单位", "状态")
    assert list(review["状态"].str[:5]) == ["新报告", "无法导入："]
    assert review["单位"].iloc[0] == "云溪区劳动和社会保障监察大队"
    assert "坏报告.pdf" in texts(at.error)
    # the ETL's own reason, in Chinese, as the CLI gives it
    assert review["状态"].iloc[1].startswith("无法导入：PDF 文件已损坏，无法打开")
    assert "PDF 文件已损坏" in texts(at.error)
    assert queries.run("years", blank_db).empty  # nothing stored before confirming

    at.button(key="up_confirm").click().run()
    assert_clean(at)
    assert "已导入（新报告） 1 份" in texts(at.success)
    years = queries.run("years", blank_db)
    assert years["reports"].tolist() == [1] and years["fiscal_year"].tolist() == [2022]
    failures = queries.run("load_failures", blank_db)
    assert failures["file_name"].tolist() == ["坏报告.pdf"]
    # the load log is the import's audit record: who (here the local user, no accounts configured)
    assert set(queries.run("load_events", blank_db)["loaded_by"]) == {"local（导入页面）"}

    at.switch_page("pages/overview.py").run()  # the new report is on the dashboard at once
    assert_clean(at)
    assert metric(at, "支出合计（万元）").value == "85.53"


def test_upload_of_the_same_file_again_is_unchanged(sample_db, tmp_path, monkeypatch):
    db = shutil.copy(sample_db, tmp_path / "copy.duckdb")
    at = open_app(Path(db), monkeypatch, "pages/upload.py")
    at.file_uploader[0].set_value(("seed.txt", SEED_TEXT.read_bytes(), "text/plain")).run()
    at.button(key="up_confirm").click().run()
    assert_clean(at)
    result = table_with(at, "文件", "结果")
    # the sample database's A 2022 report is the seed, stored with the seed file's sha256:
    # the same file again changes nothing (as `etl load` would say)
    assert result["结果"].tolist() == ["未变（同一文件已在库中）"]
    assert queries.run("years", db)["reports"].tolist() == [2, 4]


def test_upload_preview_says_in_library_or_replaces_before_confirming(sample_db, tmp_path, monkeypatch):
    db = Path(shutil.copy(sample_db, tmp_path / "preview.duckdb"))
    seed = SEED_TEXT.read_bytes()
    older = seed.decode("utf-8").replace("2022", "2021").encode("utf-8")  # A 2021 is loaded from another file
    at = open_app(db, monkeypatch, "pages/upload.py")
    at.file_uploader[0].set_value([
        ("监察大队2022.txt", seed, "text/plain"),
        ("监察大队2021.txt", older, "text/plain"),
        ("监察大队2022 - 副本.txt", seed, "text/plain"),
        ("坏报告.pdf", b"%PDF-1.4 this is not a real pdf", "application/pdf"),
    ]).run()
    assert_clean(at)
    review = table_with(at, "文件", "状态")
    assert list(review.columns) == ["文件", "单位", "年度", "状态", "预算数（万元）", "支出数（万元）", "执行率（%）",
                                    "自评得分", "自评等次", "不符", "读取警告", "首条警告", "报告格式"]
    status = review["状态"].tolist()
    assert status[0].startswith("已在库中（同一文件，") and status[0].endswith("导入）")
    assert status[1].startswith("将替换 2021年 的报告（云溪区劳动和社会保障监察大队-2021.txt，")
    assert status[2] == "本批重复（与 监察大队2022.txt 相同）"
    assert status[3].startswith("无法导入：PDF 文件已损坏")
    assert review["支出数（万元）"].tolist()[:3] == [85.53, 85.53, 85.53] and pd.isna(review["支出数（万元）"].iloc[3])
    assert review["执行率（%）"].iloc[0] == 88.97 and pd.isna(review["预算数（万元）"].iloc[0])  # blank, not 0
    assert "已在库中 1 个" in texts(at.caption) and "本批重复 1 个" in texts(at.caption)
    assert not [j for j in at.json], "the record is not shown as a JSON tree any more"
    before = len(queries.run("load_events", db))

    confirm = at.button(key="up_confirm")
    assert confirm.label == "确认导入 2 份报告（1 份无法导入的将记入失败记录）"
    confirm.click().run()
    assert_clean(at)
    result = table_with(at, "文件", "结果")
    assert result["结果"].tolist() == ["未变（同一文件已在库中）", "已导入（替换该单位该年度的旧报告）",
                                     "本批重复（未再导入）", "失败"]
    assert not at.warning, "every file ended as the preview said"
    events = queries.run("load_events", db).head(len(queries.run("load_events", db)) - before)
    assert sorted(events["status"]) == ["failed", "replaced", "unchanged"]  # the repeat is not loaded twice
    assert queries.run("years", db)["reports"].tolist() == [2, 4]


# --- errors -----------------------------------------------------------------------------------

def test_a_failing_query_becomes_a_chinese_message(sample_db, tmp_path, monkeypatch):
    db = shutil.copy(sample_db, tmp_path / "fail.duckdb")  # own path: no cached results

    def broken(name, *args, **kwargs):
        if name == "budget_execution":
            raise RuntimeError("Binder Error: something deep in SQL")
        return real(name, *args, **kwargs)

    real = queries.run
    monkeypatch.setattr(queries, "run", broken)
    at = open_app(Path(db), monkeypatch)
    assert_clean(at)
    message = texts(at.error)
    assert "「预算执行率」暂时无法计算" in message
    assert "Binder" not in message and "Traceback" not in message


def test_the_dashboard_lets_go_of_the_file_when_idle(sample_db, tmp_path, monkeypatch):
    # `python -m etl load` needs the file to itself (DuckDB: one writing process, no readers
    # elsewhere); a dashboard left open must not block it for ever.
    import subprocess
    import sys
    import time

    from ui import data

    db = Path(shutil.copy(sample_db, tmp_path / "idle.duckdb"))
    monkeypatch.setattr(data, "IDLE_CLOSE_S", 0.3)
    reader = data._Database(db)
    with reader.reading() as con:
        assert con.execute("select count(*) from reports").fetchone() == (6,)
    write = [sys.executable, "-c",
             "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('checkpoint')", str(db)]
    time.sleep(1.0)
    done = subprocess.run(write, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    with reader.reading() as con:  # and it comes back on the next query
        assert con.execute("select count(*) from reports").fetchone() == (6,)


@pytest.fixture(scope="module")
def cases_db(tmp_path_factory) -> Path:
    """The seed's 监察 brigade and a hospital reporting the same complaints (not its output)."""
    from tests.dbfactory import build_db, seed_record, variant
    seed = seed_record()
    hospital = variant(seed, report__unit_name="云溪区人民医院", report__budget_code="301500")
    return build_db(tmp_path_factory.mktemp("cases") / "cases.duckdb", [seed, hospital])


def test_cost_ranking_leaves_out_units_whose_output_is_not_cases(cases_db, monkeypatch):
    at = open_app(cases_db, monkeypatch, "pages/compare.py", query={"cmp_tab": "每件成本"})
    assert_clean(at)
    assert at.dataframe(key="cmp_cost_table").value["单位名称"].tolist() == ["云溪区劳动和社会保障监察大队"]
    assert "另有 1 个非办案单位" in texts(at.caption)
    at.toggle(key="cmp_cost_all").set_value(True).run()
    assert_clean(at)
    table = at.dataframe(key="cmp_cost_table").value
    assert sorted(table["单位名称"]) == ["云溪区人民医院", "云溪区劳动和社会保障监察大队"]
    assert dict(zip(table["单位名称"], table["办案单位"])) == {"云溪区人民医院": "否", "云溪区劳动和社会保障监察大队": "是"}


def test_cost_trend_shows_case_units_unless_a_unit_is_chosen(cases_db, monkeypatch):
    at = open_app(cases_db, monkeypatch, "pages/trends.py")
    at.selectbox(key="tr_unit").set_value("每件成本（元/件）").run()
    assert_clean(at)
    assert at.dataframe(key="tr_units_table").value["单位名称"].tolist() == ["云溪区劳动和社会保障监察大队"]
    assert "只显示办案单位" in texts(at.caption)


def test_a_prose_report_is_shown_with_blanks_and_says_so(tmp_path, monkeypatch):
    from etl.extract import extract_bytes
    from tests.dbfactory import build_db
    text = ("南县财政局2020年度部门整体支出绩效自评报告\n一、自评得分情况\n经自评，综合评分为97分，评价等次为优。\n"
            "二、单位基本概况\n（一）人员编制：核定编制45人，实有在职42人。\n三、部门整体支出管理及使用情况\n"
            "（一）基本支出\n2020年度基本支出2602.28万元，其中人员支出1903.67万元，公用支出698.61万元。\n"
            "四、存在的问题\n1.预算编制不够精细。\n五、改进措施\n1.加强预算编制管理。\n")
    record = extract_bytes(text.encode("utf-8"), "南县财政局.txt")
    db = build_db(tmp_path / "prose.duckdb", [record])
    at = open_app(db, monkeypatch, "pages/unit_detail.py", query={"u": "南县财政局"})
    assert_clean(at)
    assert "文字版" in texts(at.caption)
    assert metric(at, "自评得分").value == "97.00"
    assert metric(at, "支出合计（万元）").value == "—"       # not stated in the text: blank, not 0


# --- text from a document is text -------------------------------------------------------------

from tests.hostiledata import (  # noqa: E402
    COLOUR, EVIL, FORMULA, HOSTILE_CODE, HOSTILE_NAME, HOSTILE_TEXT, HTML, IMG, KATEX, LINK, SCRIPT,
    build_hostile_db,
)

RAW = [IMG, LINK, HTML, SCRIPT, COLOUR, KATEX, f"www.{EVIL}", ":smile:", ":material/home:"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    return build_hostile_db(tmp_path_factory.mktemp("hostile") / "hostile.duckdb")


def markdown_strings(at: AppTest) -> list[str]:
    """Everything on the page that Streamlit draws as Markdown."""
    out = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [e.label for e in at.expander] + [t.label for t in at.tabs] + [b.label for b in at.button]
    out += [str(m.value) for m in at.metric] + [m.label for m in at.metric]
    for control in at.segmented_control:
        out += [str(o) for o in control.options]
    for table in at.table:  # st.table's cells and headers are Markdown too (ui.table(wrap=True))
        out += [str(c) for c in table.value.columns] + [str(v) for v in table.value.to_numpy().ravel()]
    return out


def assert_no_raw_markup(at: AppTest) -> None:
    """No Markdown place holds a hostile string as it was (plain() escapes at least one
    character of each), so none is drawn as an image, link, colour, formula or tag."""
    raw = [(p, s[:120]) for s in markdown_strings(at) for p in RAW if p in s]
    assert not raw, raw


def plotly_specs(at: AppTest) -> list[str]:
    """The figures as plotly.js gets them (JSON escapes "<" as \\u003c: decoded here)."""
    import json

    return [json.dumps(json.loads(e.proto.spec), ensure_ascii=False) for e in at.get("plotly_chart")]


@pytest.mark.parametrize("page", PAGES)
def test_document_text_is_never_markup_on_any_page(hostile_db, monkeypatch, page):
    query = {"u": HOSTILE_CODE} if page == "pages/unit_detail.py" else None
    at = open_app(hostile_db, monkeypatch, page, query=query)
    assert_clean(at)
    assert_no_raw_markup(at)
    specs = plotly_specs(at)
    for spec in specs:  # plotly draws <b>, <a href>, <br> in names, ticks and hovers
        assert "<img" not in spec and "<script" not in spec, spec[:300]
    if page == "pages/compare.py":
        assert any("&lt;img src=x" in spec for spec in specs)  # the unit is drawn, escaped
    if page == "pages/overview.py":  # inline SVG (ui.svg): a document's text only as character references
        from ui.svg import svg_text

        drawings = [str(m.value) for m in at.markdown if "<svg" in str(m.value)]
        assert len(drawings) >= 3 and not any("<img" in d or "<script" in d for d in drawings)
        assert any(svg_text(HOSTILE_NAME) in d for d in drawings)  # the unit's dot, its hover text escaped


def test_unit_detail_shows_the_hostile_report_as_its_literal_text(hostile_db, monkeypatch):
    from ui.components import WORD_JOINER, plain

    at = open_app(hostile_db, monkeypatch, "pages/unit_detail.py", query={"u": HOSTILE_CODE})
    assert_clean(at)
    assert at.selectbox(key="u").value == f"{HOSTILE_NAME}（{HOSTILE_CODE}）"  # a selectbox shows its options as text
    assert at.header[0].value == plain(HOSTILE_NAME)
    # the narratives, goals' completion and overview sections: st.text, exactly as written (each tab
    # is drawn only when open)
    texts_shown = []
    for tab in ("报告内容", "目标与完成"):
        shown = open_app(hostile_db, monkeypatch, "pages/unit_detail.py", query={"u": HOSTILE_CODE, "ud_tab": tab})
        assert_clean(shown)
        texts_shown += [t.value for t in shown.text]
    assert texts_shown.count(HOSTILE_TEXT) >= 4, texts_shown
    assert FORMULA in texts_shown
    assert metric(at, "评价等次").value == plain(f"优{HTML}")
    # plain() only adds backslashes and invisible word joiners
    assert plain(HOSTILE_NAME).replace("\\", "").replace(WORD_JOINER, "") == HOSTILE_NAME.replace("\\", "")
    assert_no_raw_markup(at)


def test_a_formula_in_a_document_stays_text_in_the_downloads(hostile_db, monkeypatch):
    import openpyxl

    from ui.components import xlsx_bytes

    media = MediaSpy(monkeypatch)
    at = open_app(hostile_db, monkeypatch, "pages/unit_detail.py", query={"u": HOSTILE_CODE, "ud_tab": "报告内容"})
    text = media.content(at.download_button(key="ud_text__csv")).decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in text and "\n" + FORMULA not in text
    assert HTML in text  # the text itself is kept as written
    frame = pd.DataFrame({"文字": [FORMULA, "-5%", "+86 730", "@SUM(A1)"]})
    csv = pd.read_csv(io.BytesIO(ui_csv(frame)), encoding="utf-8-sig")
    assert csv["文字"].tolist() == ["'" + FORMULA, "-5%", "+86 730", "'@SUM(A1)"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    assert sheet["A2"].value == FORMULA and sheet["A2"].data_type == "s"


def ui_csv(frame: pd.DataFrame) -> bytes:
    from ui.components import csv_bytes

    return csv_bytes(frame)


def test_figures_get_their_data_strings_escaped_for_plotly():
    import plotly.express as px

    from ui.components import clicked_unit, plot_plain

    frame = pd.DataFrame({"unit_name": [HOSTILE_NAME, "乙"], "v": [1, 2], "unit_id": ["<a>", "b"],
                          "note": [SCRIPT, "x"]})
    fig = px.bar(frame, x="v", y="unit_name", custom_data=["unit_id"], hover_data=["note"], color="unit_name")
    fig.update_yaxes(categoryorder="array", categoryarray=[HOSTILE_NAME, "乙"])
    shown = plot_plain(fig)
    spec = shown.to_json().replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    assert "<img" not in spec and "<script" not in spec and "&lt;img src=x" in spec
    assert shown.layout.yaxis.categoryarray[0] == shown.data[0].y[0]  # the order still names the bars
    assert fig.data[0].y[0] == HOSTILE_NAME  # the drawn copy only: a click still finds the unit

    class Event:
        class selection:
            points = [{"curve_number": 0, "point_index": 0}]

    assert clicked_unit(fig, Event) == "<a>"


# --- a link's values that are not understood ----------------------------------------------------

@pytest.mark.parametrize("query, line", [
    ({"year": ["' OR 1=1 --"]}, "链接中的年度「' OR 1=1 --」无法识别，已显示默认年度。"),
    ({"year": ["99999"]}, "链接中的年度「99999」无法识别，已显示默认年度。"),
    ({"year": ["2030", "2031"]}, "链接中的年度「2030、2031」无法识别，已显示默认年度。"),
    ({"unit": ["没有这个局"]}, "链接中的单位「没有这个局」无法识别，已显示全部单位。"),
    ({"sector": ["<b>行业</b>"]}, "链接中的行业「<b>行业</b>」无法识别，已显示全部行业。"),
    ({"data": ["假的"]}, "链接中的数据来源「假的」无法识别，已显示全部数据。"),
])
def test_a_bad_value_in_a_link_falls_back_and_says_so(sample_db, monkeypatch, query, line):
    from ui.components import plain

    at = open_app(sample_db, monkeypatch, query=query)
    assert_clean(at)
    assert texts(at.warning) == plain(line)  # one line, the value as plain text
    assert at.sidebar.selectbox(key="yr_one").value == 2022 and not at.sidebar.toggle(key="yr_range").value
    assert metric(at, "报告单位数").value == "4"  # the default view: every unit of 2022
    at.switch_page("pages/compare.py").run()  # still said while the view is the link's fallback
    assert texts(at.warning) == plain(line)
    at.sidebar.multiselect(key="sector").set_value(["教育"]).run()  # a filter chosen: said no more
    assert not at.warning


def test_good_link_values_are_taken_without_a_word(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, query={"year": ["2021"], "data": ["real"]})
    assert_clean(at)
    assert not at.warning
    assert at.sidebar.selectbox(key="yr_one").value == 2021  # one year: that year alone
    assert not at.sidebar.toggle(key="yr_range").value
    assert at.sidebar.segmented_control(key="data").value == "real"  # the internal name, as the label
    assert metric(at, "报告单位数").value == "2"


def test_an_unknown_unit_in_a_unit_link_says_so(sample_db, monkeypatch):
    from ui.components import plain

    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": "[不存在](http://evil.example)"})
    assert_clean(at)
    assert texts(at.warning) == plain("链接中的单位「[不存在](http://evil.example)」无法识别，请在下面选择单位。")
    assert at.selectbox(key="u").value is None
    assert at.dataframe(key="ud_units").value["单位名称"].tolist()  # the unit list to choose from


def test_a_load_gets_the_file_while_the_dashboard_reads_it(sample_db, tmp_path, monkeypatch):
    # the loader asks (etl.load.load_flag) and the dashboard lets go at once, not after 30 s idle;
    # a query meanwhile waits for the load and then reads the new data
    import subprocess
    import sys
    import threading
    import time

    from ui import data

    db = Path(shutil.copy(sample_db, tmp_path / "busy.duckdb"))
    reader = data._Database(db)
    with reader.reading() as con:
        assert con.execute("select count(*) from reports").fetchone() == (6,)
    write = [sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[2]); from etl.load import open_db; "
        "con = open_db(sys.argv[1]); print('open', flush=True); time.sleep(1.5); "
        "con.execute(\"delete from reports where unit_name = '云溪区卫生健康局'\"); con.close()"), str(db), str(ROOT)]
    started = time.monotonic()
    loader = subprocess.Popen(write, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []

    def browse():
        # the loader has the file once it says so (a fixed sleep lost the race on a busy machine)
        assert loader.stdout.readline().strip() == "open"
        time.sleep(0.2)  # this query starts while the loader holds the file: it waits for it
        with reader.reading() as con:
            seen.append(con.execute("select count(*) from reports").fetchone()[0])

    browser = threading.Thread(target=browse)
    browser.start()
    assert loader.wait(timeout=60) == 0, loader.stderr.read()[-500:]
    browser.join(timeout=60)
    assert time.monotonic() - started < 20  # not the 30 s idle time
    assert seen == [5]
    assert not reader.flag.exists()


# --- a page's own choices travel in the link too ----------------------------------------------------

def test_a_link_keeps_each_pages_own_choices(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/compare.py", query={
        "year": ["2021", "2022"], "cmp_year": "2021", "cmp_order": "由低到高", "cmp_tab": "每件成本"})
    assert_clean(at)
    assert not at.warning
    assert at.segmented_control(key="cmp_year").value == 2021 and heading(at) == "单位对比 · 2021年"
    assert at.segmented_control(key="cmp_order").value == "由低到高"
    for key in ("cmp_year", "cmp_order"):
        assert at.segmented_control(key=key).proto.query_param_key == key
    at = open_app(sample_db, monkeypatch, "pages/trends.py", query={"tr_by": "按行业", "tr_sector": "支出合计（万元）"})
    assert_clean(at)
    assert at.segmented_control(key="tr_by").value == "按行业"
    assert at.selectbox(key="tr_sector").value == "支出合计（万元）"
    assert at.selectbox(key="tr_sector").proto.query_param_key == "tr_sector"
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_A], "ud_year": "2021"})
    assert_clean(at)
    assert at.segmented_control(key="ud_year").value == 2021 and heading(at) == "单位详情 · 2021年"
    assert url(at, "u") == [LABELS[UNIT_A]]  # the unit stays in the address bar


def test_a_unit_link_by_name_keeps_the_unit_in_the_address_bar(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_C]})  # a demo unit
    assert_clean(at)
    assert at.selectbox(key="u").value == LABELS[UNIT_C]
    assert url(at, "u") == [LABELS[UNIT_C]]
    at.selectbox(key="u").set_value(None).run()
    assert url(at, "u") == []  # cleared: gone from the address bar, not brought back by the old link
    assert at.selectbox(key="u").value is None


@pytest.mark.parametrize("page, query, line", [
    ("pages/compare.py", {"cmp_order": "乱序"}, "链接中的排序「乱序」无法识别，已显示默认选项。"),
    ("pages/compare.py", {"cmp_tab": "没有"}, "链接中的页签「没有」无法识别，已显示默认选项。"),
    ("pages/trends.py", {"tr_unit": "身高"}, "链接中的指标「身高」无法识别，已显示默认选项。"),
])
def test_a_bad_page_choice_in_a_link_says_so(sample_db, monkeypatch, page, query, line):
    from ui.components import plain

    at = open_app(sample_db, monkeypatch, page, query=query)
    assert_clean(at)
    assert texts(at.warning) == plain(line)


# --- tables: our own Chinese sort, downloads in the order shown, tidy numbers --------------------

def test_sorting_a_table_sorts_its_downloads(sample_db, monkeypatch):
    media = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch, "pages/compare.py")
    sort = at.selectbox(key="cmp_exec_table__sort")
    assert sort.value == "默认顺序" and "预算执行率（%） 升序" in sort.options
    sort.set_value("单位名称 升序").run()
    assert_clean(at)
    shown = table_with(at, "单位名称", "预算执行率（%）")
    assert list(shown["单位名称"]) == sorted(shown["单位名称"])
    for suffix, read in (("__csv", lambda b: pd.read_csv(io.BytesIO(b), encoding="utf-8-sig")),):
        got = read(media.content(at.download_button(key="cmp_exec_table" + suffix)))
        assert list(got["单位名称"]) == list(shown["单位名称"])


def test_a_long_table_sends_its_first_rows_and_downloads_all_of_them(sample_db, monkeypatch):
    # issue #14: a province's year is 10,000 units; the browser gets SCREEN_ROWS of them, the files all
    import ui.components

    monkeypatch.setattr(ui.components, "SCREEN_ROWS", 2)
    media = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch, "pages/compare.py")
    at.selectbox(key="cmp_exec_table__sort").set_value("单位名称 升序").run()
    assert_clean(at)
    shown = table_with(at, "单位名称", "预算执行率（%）")
    got = pd.read_csv(io.BytesIO(media.content(at.download_button(key="cmp_exec_table__csv"))), encoding="utf-8-sig")
    assert len(shown) == 2 and len(got) > 2
    assert list(got["单位名称"]) == sorted(got["单位名称"]) and list(shown["单位名称"]) == list(got["单位名称"][:2])
    assert f"共 {len(got):,} 行，按当前排序显示前 2 行；下载CSV/Excel 含全部 {len(got):,} 行。" in texts(at.caption)


def test_numbers_in_downloads_are_tidy():
    from ui.components import csv_bytes, xlsx_bytes

    frame = pd.DataFrame({"支出合计（万元）": [232.16000000000003, None, 1200.0], "办理件数": [56.0, None, 3.0],
                          "预算执行率（%）": [97.123456, 50.0, None]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines() == ["支出合计（万元）,办理件数,预算执行率（%）", "232.16,56,97.12", ",,50.00", "1200.00,3,"]
    back = pd.read_excel(io.BytesIO(xlsx_bytes(frame)))
    assert back["支出合计（万元）"].tolist()[0] == 232.16 and back["办理件数"].tolist()[0] == 56


def test_streamlits_english_table_menus_are_hidden(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/compare.py")
    css = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert '[data-testid="stElementToolbar"]' in css and "stDataFrameColumnMenu" in css


# --- 不符, 提示 and 信号 are three things -----------------------------------------------------------

def test_mismatches_notices_and_signals_are_counted_and_filtered_apart(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    assert_clean(at)
    assert metric(at, "勾稽不符").value.endswith(" 条")
    line = texts(at.markdown)
    assert ":red-badge[勾稽不符" in line and ":orange-badge[核查提示" in line and ":violet-badge[可信度信号" in line
    at = open_app(sample_db, monkeypatch, "pages/quality.py", query={"year": ["2021", "2022"]})
    assert_clean(at)
    kind = at.segmented_control(key="dq_kind")
    assert kind.value == ["不符", "提示", "信号"] and kind.proto.query_param_key == "dq_kind"
    everything = table_with(at, "性质", "核查规则")
    assert not everything.empty
    for only in ("不符", "提示"):
        at.segmented_control(key="dq_kind").set_value([only]).run()
        assert_clean(at)
        try:
            rows = table_with(at, "性质", "核查规则")
        except AssertionError:
            rows = pd.DataFrame({"性质": []})
        assert set(rows["性质"]) <= {only}
        assert len(rows) == int((everything["性质"] == only).sum())


# --- demo and real: a badge says what it sits on; one unit is one series --------------------------

def test_badges_describe_the_report_on_screen_and_a_unit_is_one_series(sample_db, monkeypatch):
    import json

    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_A]})
    assert_clean(at)
    assert "2022年报告为真实报告" in texts(at.markdown) and "演示" not in texts(at.markdown)
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_C]})
    assert "年报告为演示数据" in texts(at.markdown)
    at = open_app(sample_db, monkeypatch, "pages/trends.py")
    assert_clean(at)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in figure["data"]]
    assert NAMES[UNIT_C] in names and not any(n.endswith("（演示）") for n in names)  # the unit's name, once
    assert len(names) == len(set(names))


def test_unit_detail_shows_the_units_years_at_a_glance(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/unit_detail.py", query={"u": NAMES[UNIT_A]})
    assert_clean(at)
    glance = table_with(at, "年度", "预算执行率", "可信度信号（条）")
    assert list(glance["年度"]) == ["2022年", "2021年"]
    for column in ("支出合计（万元）", "预算执行率", "自评得分", "评价等次", "勾稽不符（条）", "可信度信号（条）"):
        assert column in glance.columns
    spent = list(glance["支出合计（万元）"])
    assert spent == ["85.53 ↑", "80.00"]  # 2022 against 2021


def test_overview_says_when_the_data_was_last_loaded(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    assert_clean(at)
    line = [c.value for c in at.caption if c.value.startswith("数据截至 ")]
    assert line and line[0].endswith("（最近一次成功入库）") and len(line[0].split()[1]) == 10


# --- 单位对比: two to five units side by side (#12 item 8) ---------------------------------------

SMALL_UNIT = "云溪区档案馆"


@pytest.fixture(scope="module")
def five_units_db(tmp_path_factory) -> Path:
    """The sample's four units and a fifth, small one (20 万元, no complaints, no budget stated)."""
    from tests.dbfactory import build_db, variant
    from tests.pagedata import sample_records

    records = sample_records()
    small = variant(records[1], report__unit_name=SMALL_UNIT, report__budget_code="125040", cases=[],
                    source__file_name="档案馆-2022.txt", source__sha256=None)
    small["expenditure"][0].update(total=20.0, basic=20.0, personnel=15.0, public=5.0, project=0.0)
    return build_db(tmp_path_factory.mktemp("five") / "five.duckdb", records + [small])


def chart_spec(at: AppTest, key: str) -> dict:
    import json

    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)


def side_table(at: AppTest) -> pd.DataFrame:
    return table_with(at, "指标")


def test_compare_puts_two_units_side_by_side(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/compare.py", query={"unit": [NAMES[UNIT_A], NAMES[UNIT_B]]})
    assert_clean(at)
    table = side_table(at)
    assert list(table.columns) == ["指标", LABELS[UNIT_A], LABELS[UNIT_B]]  # the chosen order, as the sidebar names them
    rows = table.set_index("指标")
    assert rows.loc["支出数（万元）"].tolist() == ["85.53", "1,300.00"]
    assert rows.loc["执行率（%）"].tolist() == ["88.97%", "98.00%"]
    assert rows.loc["自评得分"].tolist() == ["90.00", "96.00"]
    assert rows.loc["案件数", LABELS[UNIT_A]] == "924"
    assert pd.isna(rows.loc["案件数", LABELS[UNIT_B]])  # B states no cases: blank, never 0
    assert rows.loc["每件成本（元/件）", LABELS[UNIT_A]] == "925.65"
    assert rows.loc["预算数（万元）"].isna().all()
    assert "复核得分" not in rows.index  # nobody reviewed yet: no empty row
    assert {"等次", "不符（条）", "提示（条）", "信号（条）"} <= set(rows.index)
    # one small chart per measure, each on its own axis
    spec = chart_spec(at, "cmp_side_chart")
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == ["支出数（万元）", "执行率（%）", "自评得分", "案件数", "每件成本（元/件）", "不符（条）", "提示（条）",
                      "信号（条）"]  # 预算数 is blank for both: not drawn
    assert len(spec["data"]) == 8 * 2 and spec["layout"]["title"]["text"] == "2022年所选单位各项指标"
    assert [t["name"] for t in spec["data"] if t.get("showlegend")] == [LABELS[UNIT_A], LABELS[UNIT_B]]
    assert all(spec["layout"][f"yaxis{i if i > 1 else ''}"].get("type") != "log" for i in range(1, 9))  # 85 vs 1,300: linear
    # the download is the table as shown: UTF-8 with BOM, blanks empty
    spy = MediaSpy(monkeypatch)
    at.run()
    button = [b for b in at.get("download_button") if b.proto.label == "下载CSV"][0]
    csv = spy.content(button)
    assert csv.startswith(BOM)
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["指标", LABELS[UNIT_A], LABELS[UNIT_B], "数据截至"]
    assert frame.set_index("指标").loc["案件数"].tolist()[:2] == ["924", ""]


def test_compare_five_units_keeps_the_small_one_readable(five_units_db, monkeypatch):
    names = [NAMES[UNIT_B], NAMES[UNIT_A], SMALL_UNIT, NAMES[UNIT_D], NAMES[UNIT_C]]
    at = open_app(five_units_db, monkeypatch, "pages/compare.py", query={"unit": names})
    assert_clean(at)
    table = side_table(at)
    assert list(table.columns) == ["指标", LABELS[UNIT_B], LABELS[UNIT_A], SMALL_UNIT + "（125040）", LABELS[UNIT_D],
                                   LABELS[UNIT_C]]
    spend = table.set_index("指标").loc["支出数（万元）"].tolist()
    assert spend == ["1,300.00", "85.53", "20.00", "100.00", "500.00"]
    assert "演示" in texts(at.caption)  # C is demo data, and says so
    spec = chart_spec(at, "cmp_side_chart")
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles[0] == "支出数（万元）（对数刻度）"  # 1,300 beside 20: a log axis, named in its title
    assert spec["layout"]["yaxis"]["type"] == "log"
    spend_bars = [t for t in spec["data"] if t.get("xaxis", "x") == "x"]
    assert [t["text"][0] for t in spend_bars] == ["1,300.00", "85.53", "20.00", "100.00", "500.00"]  # each labelled


def test_compare_asks_for_two_to_five_units(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "pages/compare.py", query={"unit": [NAMES[UNIT_A]]})
    assert_clean(at)
    assert "选择 2–5 个单位，可在此并排比较（现选 1 个）" in texts(at.caption)
    assert not [d for d in at.dataframe if "指标" in d.value.columns]


def test_every_download_says_when_the_data_was_last_loaded(sample_db, monkeypatch):
    # the CSV's last column 数据截至, the same time as 总览's line, on every row; the file still reads back
    media = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch)
    as_of = next(c.value for c in at.caption if c.value.startswith("数据截至 ")).split("（")[0].removeprefix("数据截至 ")
    for key in ("ov_units__csv", "ov_years__csv"):
        csv = pd.read_csv(io.BytesIO(media.content(at.download_button(key=key))), encoding="utf-8-sig")
        assert list(csv.columns)[-1] == "数据截至" and set(csv["数据截至"]) == {as_of}, key
    assert len(csv) == 2  # 2021 and 2022: no line above the header or below the rows


def test_a_stamp_is_one_last_column_and_nothing_without_a_load():
    from ui.components import stamped

    frame = pd.DataFrame({"单位名称": ["甲", "乙"]})
    assert list(stamped(frame, "2026-12-07 10:32")["数据截至"]) == ["2026-12-07 10:32"] * 2
    assert stamped(frame, None) is frame


# --- a province's units (issue #14): search-first pickers, downloads made when clicked ------------

@pytest.fixture(scope="module")
def many_units_db(tmp_path_factory) -> Path:
    """310 units over 10 years (benchmarks/builder.py): more than ui.filters.LARGE_UNITS."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from builder import build

    path = tmp_path_factory.mktemp("many") / "many.duckdb"
    build(path, 3100)
    return path


def unit_options(at: AppTest) -> list[str]:
    return list(at.multiselect(key="unit").options)


def test_many_units_the_sidebar_searches_first_and_sends_only_the_best_matches(many_units_db, monkeypatch):
    from ui.filters import PICK_LIMIT, SEARCH_LABEL

    at = open_app(many_units_db, monkeypatch)
    assert_clean(at)
    assert at.text_input(key="unit_q").label == SEARCH_LABEL
    assert len(unit_options(at)) == PICK_LIMIT
    assert "共 310 个单位，列表显示前 50 个" in texts(at.sidebar.caption)
    at.text_input(key="unit_q").input("c17").run()  # a budget code, any case
    options = unit_options(at)
    assert options[0].startswith("第17") and "（C17）" in options[0]  # the exact code first, then C170…
    assert all("C17" in o for o in options) and len(options) < PICK_LIMIT
    at.multiselect(key="unit").select(options[0]).run()
    assert_clean(at)
    assert "1个单位" in texts(at.caption)
    at.text_input(key="unit_q").input("卫生健康局").run()  # another search: the chosen unit stays chosen
    assert at.multiselect(key="unit").value == [options[0]] and options[0] in unit_options(at)
    at.text_input(key="unit_q").input("没有这个单位").run()
    assert "没有名称、预算编码或曾用名含「没有这个单位」的单位" in texts(at.sidebar.caption)


def test_many_units_a_link_opens_a_unit_outside_the_first_matches(many_units_db, monkeypatch):
    at = open_app(many_units_db, monkeypatch, query={"unit": "C301"})  # by code, as an older link may
    assert_clean(at)
    chosen = at.multiselect(key="unit").value
    assert len(chosen) == 1 and chosen[0].startswith("第301") and chosen[0] in unit_options(at)
    detail = open_app(many_units_db, monkeypatch, "pages/unit_detail.py", query={"u": "C302"})
    assert_clean(detail)
    assert detail.text_input(key="ud_q")
    picker = detail.selectbox(key="u")
    assert picker.value.startswith("第302") and len(picker.options) <= 51
    assert any(h.value.startswith("第302") for h in detail.header)
    detail.text_input(key="ud_q").input("C46").run()
    assert detail.selectbox(key="u").options[0] == picker.value  # the unit shown stays first
    assert detail.selectbox(key="u").options[1].startswith("第46")


def test_a_small_database_keeps_the_whole_unit_list(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch)
    assert not [t for t in at.text_input if t.key == "unit_q"]
    assert sorted(unit_options(at)) == sorted(LABELS.values())


def test_downloads_are_made_only_when_clicked(sample_db, monkeypatch):
    media = MediaSpy(monkeypatch)
    at = open_app(sample_db, monkeypatch)
    buttons = [b for b in at.get("download_button") if b.proto.label in ("下载CSV", "下载Excel")]
    assert buttons and all(media.deferred(b) for b in buttons)
    assert not any(f.mimetype == "text/csv" for f in media.storages[-1]._files_by_id.values())  # nothing built
    csv = media.content(at.download_button(key="ov_exec__csv"))
    assert csv.startswith(BOM) and len(pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")) == 4
