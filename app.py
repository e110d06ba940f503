"""部门整体支出绩效自评 · 数据看板 — the frame and table of contents.

    streamlit run app.py          (database: $REPORTS_DB, default data/reports.duckdb)

Page config, the shared sidebar filters (ui.filters), one st.navigation
listing every page, then the chosen page. Pages only draw: their data comes
from the query layer through ui.data.
"""
from __future__ import annotations

import logging
import uuid
from pathlib import Path

import streamlit as st

from ui import auth, data, filters

st.set_page_config(
    page_title="绩效自评数据看板",
    page_icon="🏛️",  # an emoji: a :material/…: icon here makes the browser fetch it from Google's font host
    layout="wide",
    initial_sidebar_state="auto",  # collapsed on a phone (the sidebar would cover the page), open on a desktop
)


def _page(path: str, title: str, icon: str, url: str, **kw) -> st.Page:
    return st.Page(path, title=title, icon=f":material/{icon}:", url_path=url, **kw)


def pages_for(role: str) -> dict:
    """The table of contents a role may open (the data layer enforces the same for 单位)."""
    if role == "单位":
        return {"本单位": [_page("pages/unit_detail.py", "单位详情", "apartment", "unit_detail", default=True)]}
    pages = {
        "分析": [
            _page("pages/overview.py", "总览", "dashboard", "overview", default=True),
            _page("pages/compare.py", "单位对比", "leaderboard", "compare"),
            _page("pages/trends.py", "年度趋势", "trending_up", "trends"),
            _page("pages/unit_detail.py", "单位详情", "apartment", "unit_detail"),
            _page("pages/complaints.py", "投诉分析", "support_agent", "complaints"),
            _page("pages/scores.py", "评分分布", "bar_chart", "scores"),
        ],
        "数据": [_page("pages/quality.py", "数据质量", "fact_check", "quality")],
    }
    if role == "绩效科":
        pages["数据"].append(_page("pages/upload.py", "导入报告", "upload_file", "upload"))
        work = [_page("pages/review.py", "复核", "rate_review", "review"),
                _page("pages/sampling.py", "抽查", "casino", "sampling")]
        if (Path(__file__).resolve().parent / "pages" / "circular.py").exists():
            work.append(_page("pages/circular.py", "通报", "description", "circular"))
        pages["复核"] = work
    return pages


user = auth.gate()
page = st.navigation(pages_for(user.role))


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
