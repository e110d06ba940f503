"""单位对比's side-by-side view of two to five chosen units (queries/unit_compare.sql): one table
of the measures and one small chart per measure.

The table puts the **measures in rows and the units in columns**: with two to five units there
are at most five value columns, so the table fits a phone's width and a row reads across like a
comparison sheet ("支出数: 85.53 | 1,300.00 | …"), whereas units as rows would give a dozen
columns to scroll sideways for two or three rows. Since a column then holds figures of every
kind, each cell is written as its measure is written everywhere else (万元 and 元 two decimals,
rates with %, counts whole) and a blank stays blank (None: "—" on screen, an empty cell in the
CSV), never 0.

The charts keep a small unit readable beside a large one: one small chart per measure, each with
its own axis (so a 2,000 万元 budget does not flatten a score of 90), every bar labelled with its
value, and a money measure whose largest value is over LOG_RATIO times its smallest drawn on a
log axis, which its title says (a 20 万元 unit next to a 5,000 万元 one stays visible).
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui import style

QUERY = "unit_compare"
MIN_UNITS, MAX_UNITS = 2, 5
LOG_RATIO = 20
MEASURE_HEADER = "指标"

# column -> (row label, kind); kinds: money (万元), yuan (元), rate (%), score, count, text
MEASURES: dict[str, tuple[str, str]] = {
    "budget_wan": ("预算数（万元）", "money"),
    "expenditure_total": ("支出数（万元）", "money"),
    "execution_rate": ("执行率（%）", "rate"),
    "self_score": ("自评得分", "score"),
    "review_score": ("复核得分", "score"),
    "grade": ("等次", "text"),
    "cases_handled": ("案件数", "count"),
    "cost_per_case": ("每件成本（元/件）", "yuan"),
    "mismatches": ("不符（条）", "count"),
    "notices": ("提示（条）", "count"),
    "signals": ("信号（条）", "count"),
}
OPTIONAL = ("review_score",)  # a row only when some chosen unit has it (复核得分: once reviewed)


def cell(value, kind: str) -> str | None:
    """One figure as the table writes it; None when blank."""
    if style.is_blank(value):
        return None
    if kind in ("money", "yuan"):
        return style.wan(value, unit=False)
    if kind == "rate":
        return style.pct(value)
    if kind == "score":
        return style.num(value, 2)
    if kind == "count":
        return style.num(value)
    return str(value)


def column_names(rows: pd.DataFrame, labels: dict[str, str] | None = None) -> list[str]:
    """A column per report: the unit's label as the sidebar says it (`labels`: unit_id -> label,
    with （演示） for demo units), else its name; a unit with two reports in the year (two names
    merged by data/unit_aliases.csv) gets each under its reported name."""
    names = [(labels or {}).get(uid, name) for uid, name in zip(rows["unit_id"], rows["unit_name"])]
    twice = rows["unit_id"].duplicated(keep=False)
    return [f"{n}（{r}）" if t else str(n) for n, r, t in zip(names, rows["reported_name"].fillna(""), twice)]


def side_by_side(rows: pd.DataFrame, labels: dict[str, str] | None = None, missing: list[str] = ()) -> pd.DataFrame:
    """The table: 指标, then one column per report in `rows` (unit_compare's rows, in the order
    to show), then one blank column per chosen unit without a report that year (`missing`)."""
    measures = [c for c in MEASURES if c not in OPTIONAL or rows[c].notna().any()]
    table = {MEASURE_HEADER: [MEASURES[c][0] for c in measures]}
    for name, (_, row) in zip(column_names(rows, labels), rows.iterrows()):
        table[name] = [cell(row[c], MEASURES[c][1]) for c in measures]
    for name in missing:
        table[str(name)] = [None] * len(measures)
    return pd.DataFrame(table, dtype=object)


def charted(rows: pd.DataFrame) -> list[str]:
    """The measures drawn: the numeric ones some chosen unit has."""
    return [c for c, (_, kind) in MEASURES.items() if kind != "text" and rows[c].notna().any()]


def uses_log(values: pd.Series, kind: str) -> bool:
    known = values.dropna()
    known = known[known > 0]
    return kind in ("money", "yuan") and len(known) > 1 and known.max() > LOG_RATIO * known.min()


def small_multiples(rows: pd.DataFrame, title: str, labels: dict[str, str] | None = None) -> go.Figure:
    """One bar chart per measure, each on its own axis, every bar labelled with its value. A unit
    keeps its colour in every chart and the legend names it once (clicking it hides that unit
    everywhere), so the charts need no unit names under the bars; a click on a bar opens the unit
    (customdata: unit_id). A blank figure draws no bar (not a bar of 0)."""
    measures = charted(rows)
    names = column_names(rows, labels)
    cols = 2 if len(measures) > 1 else 1
    nrows = math.ceil(len(measures) / cols)
    titles = [MEASURES[c][0] + ("（对数刻度）" if uses_log(rows[c], MEASURES[c][1]) else "") for c in measures]
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=titles, vertical_spacing=min(0.12, 0.5 / nrows),
                        horizontal_spacing=0.08)
    for i, c in enumerate(measures):
        label, kind = MEASURES[c]
        values = rows[c].astype("float64")
        at = dict(row=i // cols + 1, col=i % cols + 1)
        for j, (name, uid, value) in enumerate(zip(names, rows["unit_id"], values)):
            text = cell(value, kind) or ""
            fig.add_trace(go.Bar(
                x=[name], y=[value], name=name, legendgroup=name, showlegend=i == 0,
                marker_color=style.PALETTE[j % len(style.PALETTE)], text=[text], textposition="outside",
                cliponaxis=False, customdata=[[uid]],
                hovertemplate=f"{label}：{text or '空白'}<extra>%{{x}}</extra>"), **at)
        known = values[values > 0]
        if uses_log(values, kind):
            low, high = math.log10(known.min()), math.log10(known.max())
            fig.update_yaxes(type="log", range=[low - 0.4, high + 0.3], dtick=1, **at)
        else:
            top = values.max()
            fig.update_yaxes(rangemode="tozero", range=[0, (top if top > 0 else 1) * 1.25], **at)
        if kind == "count":  # whole ticks: no "0.5 条"
            fig.update_yaxes(tickformat=",d", **({"dtick": 1} if values.max() <= 3 else {}), **at)
        fig.update_xaxes(showticklabels=False, **at)
    fig.update_layout(title=title, height=max(300, 200 * nrows + 120), barmode="overlay", bargap=0.3,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, xanchor="left"))
    return fig
