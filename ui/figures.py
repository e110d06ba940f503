"""Plotly figures drawn the same way on a page and in a printed document (the 通报's chart,
自评得分 beside 复核得分, is drawn on the 通报 page and exported to PNG by bureau/documents.py)."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui import style


def score_histogram(dist: pd.DataFrame, title: str = "自评得分分布（按年度）") -> tuple[go.Figure, pd.DataFrame]:
    """Grouped bars of report counts per score band, one colour per year, from
    score_distribution's rows; returns the figure and the rows it draws."""
    hist = dist[dist["sector"] == "（全部）"][["fiscal_year", "bin_label", "bin_low", "reports", "share_pct", "is_demo"]]
    hist = hist.sort_values(["fiscal_year", "bin_low"], na_position="first")  # "<60" has no lower bound
    fig = px.bar(hist, x="bin_label", y="reports", color=hist["fiscal_year"].astype(str), barmode="group",
                 title=title, labels={"bin_label": "得分区间", "reports": "报告数", "color": "年度"},
                 template=style.TEMPLATE)
    bins = hist.drop_duplicates("bin_label").sort_values("bin_low", na_position="first")["bin_label"]
    fig.update_xaxes(categoryorder="array", categoryarray=list(bins))
    style.count_axis(fig, hist["reports"])
    return fig, hist


SELF_SERIES, REVIEW_SERIES = "自评得分", "复核得分"


def self_and_review_histogram(bins: pd.DataFrame, title: str) -> tuple[go.Figure, pd.DataFrame]:
    """Grouped bars of report counts per score band, 自评得分 and 复核得分 side by side, from rows
    bin_label | bin_low | series | reports (bureau.circular.score_bins); returns the figure and its rows."""
    rows = bins.sort_values(["bin_low", "series"], na_position="first", kind="stable")
    fig = px.bar(rows, x="bin_label", y="reports", color="series", barmode="group", title=title,
                 labels={"bin_label": "得分区间", "reports": "报告数", "series": "口径"}, template=style.TEMPLATE,
                 category_orders={"series": [SELF_SERIES, REVIEW_SERIES]},
                 color_discrete_map={SELF_SERIES: style.PALETTE[0], REVIEW_SERIES: style.PALETTE[1]})
    order = rows.drop_duplicates("bin_label").sort_values("bin_low", na_position="first")["bin_label"]
    fig.update_xaxes(categoryorder="array", categoryarray=list(order))
    style.count_axis(fig, rows["reports"])
    return fig, rows
