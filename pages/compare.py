"""单位对比: rankings of units for budget execution, cost per case and
self-score in one year, and self-score against execution rate with the
credibility signals marked. Clicking a unit opens 单位详情."""
import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from ui import style

f = ui.page_start("单位对比", "同一年度各单位的排名；点击条形、散点或表格行可查看单位详情。")

in_range = [y for y in f.all_years if f.year_from <= y <= f.year_to]
year = st.segmented_control("年度", in_range, default=f.year, key="cmp_year", required=True) \
    if len(in_range) > 1 else f.year
scope = f.params(year_from=year, year_to=year)

top = st.columns([2, 2, 4])
order = top[0].segmented_control("排序", ["由高到低", "由低到高"], default="由高到低", key="cmp_order", required=True)
limit = top[1].number_input("图中最多显示单位数", min_value=5, max_value=200, value=30, step=5, key="cmp_limit")
descending = order == "由高到低"


def ranking(df: pd.DataFrame, value: str, name: str, key: str, title: str, axis: str, text: str) -> None:
    """A horizontal bar per unit (best at the top), then the whole table."""
    ranked = df.dropna(subset=[value]).sort_values(value, ascending=not descending)
    blank = len(df) - len(ranked)
    shown = ranked.head(int(limit))
    if shown.empty:
        ui.nothing_matches()
    else:
        fig = px.bar(shown, x=value, y="unit_name", orientation="h", color=ui.kind_labels(shown),
                     color_discrete_map=ui.KIND_COLORS, custom_data=["unit_id"], text_auto=text,
                     title=f"{year}年{title}（{order}，共 {len(ranked)} 个单位" +
                           (f"，图中前 {len(shown)} 个" if len(shown) < len(ranked) else "") + "）",
                     labels={value: axis, "unit_name": "", "color": "数据类别"})
        fig.update_yaxes(categoryorder="array", categoryarray=list(shown["unit_name"])[::-1])
        ui.chart(fig, shown, name, f"{key}_chart", title=f"{year}年{title}", drill=True,
                 height=max(220, 130 + 26 * len(shown)))
    if blank:
        st.caption(f"另有 {blank} 个单位该项空白（报告未填或无法计算），不参与排名，见下表。")
    ui.table(df.sort_values(value, ascending=not descending, na_position="last"), name, f"{key}_table",
             title=f"{year}年{title}", drill=True)


tab_exec, tab_cost, tab_score, tab_scatter = st.tabs(["预算执行率", "每件成本", "自评得分", "得分与执行率"])

with tab_exec:
    execution = ui.fetch("budget_execution", **scope)
    if execution is not None:
        ranking(execution, "execution_rate", "budget_execution", "cmp_exec", "预算执行率", "预算执行率（%）", ".2f")

with tab_cost:
    st.caption("每件成本 = 全年支出（元）÷ 当年办理的投诉/案件数；没有案件数的单位不列出。")
    cost = ui.fetch("cost_per_case", **scope)
    if cost is not None:
        ranking(cost, "cost_per_case", "cost_per_case", "cmp_cost", "每件成本", "每件成本（元/件）", ",.2f")

with tab_score:
    rank = ui.fetch("score_rank", **scope)
    if rank is not None:
        ranking(rank, "self_score", "score_rank", "cmp_score", "自评得分", "自评得分", ".2f")

with tab_scatter:
    st.caption("每个点是一个单位；带红框的点有可信度信号（如高分低执行、质量指标全部100%等）——信号是提示，不是结论。")
    execution = ui.fetch("budget_execution", **scope)
    grades = ui.fetch("implied_grade", **scope)
    signals = ui.fetch("credibility_signals", **scope)
    if execution is not None and grades is not None and signals is not None:
        # One point per report: its execution rate, its self-score and the names of its signals.
        per_report = signals.groupby("report_id")["signal_name"].agg(lambda s: "；".join(sorted(set(s))))
        points = execution.merge(grades[["report_id", "self_score"]], on="report_id", how="inner")
        points["signal_names"] = points["report_id"].map(per_report)
        points["has_signal"] = points["signal_names"].notna()
        points = points.dropna(subset=["execution_rate", "self_score"])
        if points.empty:
            ui.nothing_matches()
        else:
            points = points[["unit_id", "unit_name", "sector", "execution_rate", "self_score", "signal_names",
                             "has_signal", "is_demo"]]
            fig = px.scatter(points, x="execution_rate", y="self_score", color=ui.kind_labels(points),
                             color_discrete_map=ui.KIND_COLORS, hover_name="unit_name",
                             hover_data={"signal_names": True, "sector": True}, custom_data=["unit_id"],
                             title=f"{year}年 自评得分与预算执行率",
                             labels={"execution_rate": "预算执行率（%）", "self_score": "自评得分",
                                     "signal_names": "可信度信号", "sector": "行业", "color": "数据类别"})
            fig.update_traces(marker=dict(size=12, opacity=0.85))
            for trace in fig.data:  # outline the points that carry a signal
                flagged = points.loc[ui.kind_labels(points) == trace.name, "has_signal"]
                trace.marker.line = dict(width=[2.5 if v else 0 for v in flagged], color=style.BAD)
            fig.add_hline(y=95, line_dash="dot", line_color=style.WARN, annotation_text="95分")
            fig.add_vline(x=80, line_dash="dot", line_color=style.WARN, annotation_text="执行率80%")
            labels = {"signal_names": "可信度信号", "has_signal": "有信号", "self_score": "自评得分"}
            ui.chart(fig, points, "budget_execution", "cmp_scatter", title=f"{year}年得分与执行率",
                     labels=labels, drill=True, height=480)
