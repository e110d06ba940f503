"""部门整体支出绩效自评 · 数据看板 — the frame and table of contents.

    streamlit run app.py          (database: $REPORTS_DB, default data/reports.duckdb)

Page config, the shared sidebar filters (ui.filters), one st.navigation
listing every page, then the chosen page. Pages only draw: their data comes
from the query layer through ui.data.
"""
from __future__ import annotations

import logging
import uuid

import streamlit as st

from ui import data, filters

st.set_page_config(
    page_title="绩效自评数据看板",
    page_icon="🏛️",  # an emoji: a :material/…: icon here makes the browser fetch it from Google's font host
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "分析": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/compare.py", title="单位对比", icon=":material/leaderboard:", url_path="compare"),
        st.Page("pages/trends.py", title="年度趋势", icon=":material/trending_up:", url_path="trends"),
        st.Page("pages/unit_detail.py", title="单位详情", icon=":material/apartment:", url_path="unit_detail"),
        st.Page("pages/complaints.py", title="投诉分析", icon=":material/support_agent:", url_path="complaints"),
        st.Page("pages/scores.py", title="评分分布", icon=":material/bar_chart:", url_path="scores"),
    ],
    "数据": [
        st.Page("pages/quality.py", title="数据质量", icon=":material/fact_check:", url_path="quality"),
        st.Page("pages/upload.py", title="导入报告", icon=":material/upload_file:", url_path="upload"),
    ],
}

page = st.navigation(PAGES)


def failed(what: str) -> str:
    """Log the current exception with a reference the user can quote."""
    ref = uuid.uuid4().hex[:8]
    logging.getLogger("dashboard").exception("%s failed [%s]", what, ref)
    return ref


try:
    filters.sidebar(data.status())
except Exception:  # noqa: BLE001 - without filters the pages still show everything
    st.sidebar.warning(f"筛选暂时无法显示（错误编号 {failed('sidebar')}）。")

try:
    page.run()
except Exception:  # noqa: BLE001 - the user sees a message, the log gets the traceback
    st.error(
        f"页面出错，暂时无法显示「{page.title}」。请调整筛选条件或刷新重试；"
        f"如仍出错请联系管理员（错误编号 {failed('page ' + page.title)}）。",
        icon=":material/error:",
    )
