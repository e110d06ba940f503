"""One look for every page: the plotly template, the colours and the number formats.

Money is 万元 with two decimals, rates are percentages with two decimals, and a
blank figure stays blank ("—"), never 0. Charts use the "bureau" template
registered here; pages pass `theme=None` (done by ui.components.chart) so
Streamlit's own theme does not override it.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

from etl.record import CHANNEL_CN

# Calm, print-friendly colours; the first is the bureau's blue. Demo data is
# drawn in grey wherever a chart separates real from demo.
PALETTE = ["#1f5fa8", "#e0803a", "#3f9c6d", "#c44e52", "#8c6bb1", "#4aa3b5", "#b8912f", "#6b7b8c",
           # more for charts of many units or categories: no two neighbouring series share a colour
           "#7fb3e0", "#a0522d", "#9cc26b", "#e377c2", "#17becf", "#5b4b8a", "#d4a017", "#2f4f4f"]
DEMO_COLOR = "#9aa3ad"
GOOD, WARN, BAD = "#3f9c6d", "#e0a43a", "#c44e52"
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
TEMPLATE = "bureau"

CHANNEL_LABELS = CHANNEL_CN


def _register() -> None:
    if TEMPLATE in pio.templates:
        return
    layout = go.Layout(
        font=dict(family=FONT, size=13, color="#1f2933"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=10, t=72, b=10),
        title=dict(font=dict(size=15), x=0, xanchor="left", y=0.98, yanchor="top", yref="container"),
        # full numbers with thousands separators: "100,000", never "100k" or "0.2M"
        xaxis=dict(gridcolor="#e6e9ef", zerolinecolor="#c9ced6", automargin=True, title_standoff=8,
                   exponentformat="none", separatethousands=True),
        yaxis=dict(gridcolor="#e6e9ef", zerolinecolor="#c9ced6", automargin=True, title_standoff=8,
                   exponentformat="none", separatethousands=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1, title_text=""),
        hoverlabel=dict(font_family=FONT),
        separators=".,",
    )
    pio.templates[TEMPLATE] = go.layout.Template(layout=layout)
    # plotly express picks trace colours from its default template at creation.
    px.defaults.template = TEMPLATE
    px.defaults.color_discrete_sequence = PALETTE


_register()


def is_blank(value: Any) -> bool:
    """None, NaN and pandas' NA are blank (the report left the cell empty)."""
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def wan(value: Any, unit: bool = True) -> str:
    """85.53 -> "85.53 万元"; blank -> "—"."""
    if is_blank(value):
        return "—"
    text = f"{float(value):,.2f}"
    return f"{text} 万元" if unit else text


def pct(value: Any, digits: int = 2) -> str:
    """88.97 (already a percentage) -> "88.97%"; blank -> "—"."""
    if is_blank(value):
        return "—"
    return f"{float(value):.{digits}f}%"


def num(value: Any, digits: int = 0, suffix: str = "") -> str:
    """A count or score: 924 -> "924"; 90.5 with digits=1 -> "90.5"; blank -> "—"."""
    if is_blank(value):
        return "—"
    text = f"{float(value):,.{digits}f}"
    return f"{text}{suffix}"


def yuan(value: Any) -> str:
    """元 with two decimals (cost per case): 925.65 -> "925.65 元"."""
    if is_blank(value):
        return "—"
    return f"{float(value):,.2f} 元"


def delta(value: Any, digits: int = 2, suffix: str = "") -> str | None:
    """A change for st.metric's delta; None (no arrow) when blank."""
    if is_blank(value):
        return None
    return f"{float(value):+,.{digits}f}{suffix}"


# The page's own CSS (ui.components.page_start draws it on every page).
PAGE_CSS = """
/* KPI card labels wrap instead of ending in "…" at 1280 px and on a phone */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricLabel"] { height: auto !important; min-height: 1.5rem; }
/* A table's header is not clickable: a click there sorts only the screen (the downloads would not
   follow) and opens Streamlit's English column menu. Each table has its own 排序 (ui.components.table),
   which the downloads keep. A transparent strip lies over the header row. */
[data-testid="stDataFrame"] { position: relative; }
[data-testid="stDataFrame"]::before {
    content: ""; position: absolute; top: 0; left: 0; right: 0; height: 36px; z-index: 10; cursor: default; }
/* On a phone a touched chart's tool row would lie over its title */
@media (max-width: 640px) { .js-plotly-plot .modebar-container { display: none !important; } }
"""


def wrap_title(text: str | None, width: int = 24) -> str | None:
    """A long chart title in two lines: the words in brackets (the how or the hint) go to a second,
    smaller line, so a title is not cut at the chart's edge at 1280 px or on a phone."""
    if not text or len(text) <= width or "<br>" in text or "（" not in text[1:]:
        return text
    head, _, tail = text.partition("（")
    return f"{head}<br><span style='font-size:12px'>（{tail}</span>"


MONEY_FORMAT = "%,.2f"  # tables: 12,665.36 (万元 or 元), as on the cards


def column_format(name: str, label: str) -> str | None:
    """printf-style format for a table column, from its name and Chinese label:
    万元 and 元 two decimals with thousands separators, rates/shares/percentages
    two decimals with %."""
    if "%" in label or "％" in label or name.endswith(("_rate", "_pct", "_share")) or "率" in label:
        return "%.2f%%"
    if "万元" in label or "元" in label or name.endswith(("_wan", "_yuan")):
        return MONEY_FORMAT
    if "得分" in label or "分数" in label or "百分点" in label or name.endswith("score"):
        return "%.2f"
    return None


def count_axis(fig: go.Figure, values, axis: str = "y") -> None:
    """Whole-number ticks for counts (no "0.5 份报告" on small numbers)."""
    top = max([v for v in values if not is_blank(v)] or [0])
    settings = dict(rangemode="tozero", tickformat=",d")
    if top <= 10:
        settings["dtick"] = 1
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(**settings)


GRADE_ORDER = ["优", "优秀", "良", "良好", "中", "中等", "合格", "差", "不合格"]


def grade_order(grades) -> list[str]:
    """The usual grades best first, then any local names (如“三级”) after them."""
    present = list(dict.fromkeys(g for g in grades if not is_blank(g)))
    return [g for g in GRADE_ORDER if g in present] + sorted(g for g in present if g not in GRADE_ORDER)


# Plotly's menu and messages in Chinese. The plotly.js bundled with Streamlit
# has no zh-CN locale registered, but a figure's config may carry its own
# (config.locales), so the dictionary travels with every chart.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "locale": "zh-CN",
    "locales": {"zh-CN": {
        "dictionary": {
            "Download plot as a png": "下载图片（PNG）",
            "Download plot as a PNG": "下载图片（PNG）",
            "Fullscreen": "全屏",
            "Exit fullscreen": "退出全屏",
            "Close fullscreen": "退出全屏",
            "Download plot": "下载图片",
            "Zoom": "框选放大",
            "Pan": "平移",
            "Box Select": "框选",
            "Lasso Select": "套索选择",
            "Zoom in": "放大",
            "Zoom out": "缩小",
            "Autoscale": "自动缩放",
            "Reset axes": "还原坐标轴",
            "Reset view": "还原视图",
            "Reset": "还原",
            "Toggle Spike Lines": "显示/隐藏参考线",
            "Toggle show closest data on hover": "悬停时显示最近的数据",
            "Show closest data on hover": "悬停时显示最近的数据",
            "Compare data on hover": "悬停时比较数据",
            "Double-click to zoom back out": "双击还原",
            "Double-click on legend to isolate one trace": "双击图例只看这一项",
            "Snapshot succeeded": "截图成功",
            "Taking snapshot - this may take a few seconds": "正在生成图片，请稍候",
            "Sorry, there was a problem downloading your snapshot!": "图片下载失败，请重试",
            "Error": "错误",
            "Produced with Plotly.js": "由 Plotly.js 生成",
            "trace": "系列",
            "max": "最大", "min": "最小", "median": "中位数", "q1": "下四分位", "q3": "上四分位",
            "mean": "平均", "lower fence": "下限", "upper fence": "上限",
        },
        "format": {
            "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
            "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
            "months": ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
            "shortMonths": ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
            "date": "%Y-%m-%d",
            "decimal": ".",
            "thousands": ",",
        },
    }},
}
