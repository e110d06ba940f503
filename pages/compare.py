"""单位对比: with two to five units chosen in the sidebar, those units side by side (a table of
the measures and a small chart per measure, ui/compare.py); then rankings of units for budget
execution, cost per case and self-score in one year, and self-score against execution rate with
the credibility signals marked. Clicking a unit opens 单位详情."""
import pandas as pd
import plotly.express as px
import streamlit as st

import ui
from ui import compare, style

f = ui.page_start("单位对比", "同一年度各单位的排名；点击条形、散点或表格行可查看单位详情。")

ORDERS = ["由高到低", "由低到高"]
TABS = ["预算执行率", "每件成本", "自评得分", "得分与执行率"]
in_range = [y for y in f.all_years if f.year_from <= y <= f.year_to]
# the page's own choices are kept in the address bar too (?cmp_year=2021&cmp_order=由低到高&cmp_tab=每件成本)
ui.filters.check_link("cmp_order", "排序", ORDERS)
ui.filters.check_link("cmp_tab", "页签", TABS)
if len(in_range) > 1:  # one row of controls: the year of the range, the order, how many bars
    ui.filters.check_link("cmp_year", "年度", in_range, "已显示区间末年")
    c_year, c_order, c_limit = st.columns([4, 2, 2])
    year = c_year.segmented_control("年度", in_range, default=f.year, key="cmp_year", required=True,
                                    bind="query-params")
else:
    c_order, c_limit, _ = st.columns([2, 2, 4])
    year = f.year
ui.heading_years(f"{year}年")
scope = f.params(year_from=year, year_to=year)
order = c_order.segmented_control("排序", ORDERS, default=ORDERS[0], key="cmp_order", required=True,
                                  bind="query-params")
limit = c_limit.number_input("图中最多显示单位数", min_value=5, max_value=200, value=30, step=5, key="cmp_limit")
descending = order == "由高到低"


def bar_labels(df: pd.DataFrame) -> pd.Series:
    """One bar per row: a unit merged from two (data/unit_aliases.csv) with two
    reports in the year gets each under its reported name, not two bars on one line."""
    if "reported_name" not in df.columns:
        return df["unit_name"]
    twice = df["unit_name"].duplicated(keep=False)
    return df["unit_name"].where(~twice, df["unit_name"] + "（" + df["reported_name"].fillna("") + "）")


def ranking(df: pd.DataFrame, value: str, name: str, key: str, title: str, axis: str, text: str,
            columns: list[str], change) -> None:
    """A horizontal bar per unit (best at the top), then the whole table with
    the ranked figure right after the unit's name, its 较上年 (↑↓, `change`
    formats the size of the change) and the report's 等次. text: plotly
    texttemplate of a bar's value."""
    df = ui.components.with_ranking_context(df, value, change, ui.fetch("implied_grade", **scope),
                                            ui.fetch(name, **f.params(year_from=year - 1, year_to=year - 1)))
    ranked = df.dropna(subset=[value]).sort_values(value, ascending=not descending)
    blank = len(df) - len(ranked)
    shown = ranked.assign(label=bar_labels(ranked)).head(int(limit))
    if shown.empty:
        ui.nothing_matches()
    else:
        kinds = ui.kind_labels(shown)
        fig = px.bar(shown, x=value, y="label", orientation="h", color=kinds,
                     color_discrete_map=ui.kind_colors(kinds), custom_data=["unit_id"],
                     title=f"{year}年{title}（{order}，共 {len(ranked)} 个单位" +
                           (f"，图中前 {len(shown)} 个" if len(shown) < len(ranked) else "") + "）",
                     labels={value: axis, "label": "", "color": "数据类别"})
        fig.update_traces(texttemplate=text, textposition="auto", textfont_size=12,
                          hovertemplate="%{y}：" + text + "<extra></extra>")
        fig.update_yaxes(categoryorder="array", categoryarray=list(shown["label"])[::-1])
        ui.chart(fig, shown.drop(columns="label"), name, f"{key}_chart", title=f"{year}年{title}", drill=True,
                 height=max(220, 130 + 26 * len(shown)))
    if blank:
        st.caption(f"另有 {blank} 个单位该项空白（报告未填或无法计算），不参与排名，见下表。")
    ui.table(df.sort_values(value, ascending=not descending, na_position="last"), name, f"{key}_table",
             title=f"{year}年{title}", drill=True, columns=["unit_name", value, "vs_last_year", "ranking_grade", *columns])
    st.caption(f"较上年：与{year - 1}年相比（↑ 升高，↓ 降低；上年没有数据时为空）；等次为报告申报的等次。")



def side_by_side() -> None:
    """The chosen units (2–5) next to each other in the year shown: one table, one chart per measure."""
    chosen = list(f.units)
    if not compare.MIN_UNITS <= len(chosen) <= compare.MAX_UNITS:
        st.caption(f"在侧栏「单位」中选择 {compare.MIN_UNITS}–{compare.MAX_UNITS} 个单位，可在此并排比较"
                   + (f"（现选 {len(chosen)} 个）。" if chosen else "。"))
        return
    rows = ui.fetch(compare.QUERY, **scope)
    if rows is None:
        return
    position = {uid: i for i, uid in enumerate(chosen)}
    rows = rows.assign(_at=rows["unit_id"].map(position)).sort_values(["_at", "report_id"]).drop(columns="_at")
    to_label, _ = ui.filters.unit_names()
    missing = [to_label.get(uid, uid) for uid in chosen if uid not in set(rows["unit_id"])]
    st.subheader(f"所选 {len(chosen)} 个单位并排比较", anchor=False)
    if missing:
        st.caption("、".join(ui.plain(m) for m in missing) + f" {year}年没有报告（或不在当前筛选内），该列空白。")
    if ui.has_demo(rows):
        st.caption(f":orange-badge[:material/science: {ui.components.DEMO_TEXT}] 单位名后标（演示）的为演示数据（非真实报告）。")
    table = compare.side_by_side(rows, to_label, missing)
    st.dataframe(table, hide_index=True, key="cmp_side_table", placeholder="—")
    ui.downloads(table, "cmp_side_table", f"{year}年所选单位并排比较")
    if not rows.empty and compare.charted(rows):
        st.caption("每个指标一张小图、各用自己的纵轴，小单位也看得清；金额相差悬殊时用对数刻度（图题注明）。空白不画、不按0计。")
        fig = compare.small_multiples(rows, f"{year}年所选单位各项指标", to_label)
        ui.chart(fig, rows, compare.QUERY, "cmp_side_chart", title=f"{year}年所选单位各项指标", drill=True,
                 columns=["unit_name", *compare.charted(rows)])
    if (~rows["case_unit"].fillna(False).astype(bool) & rows["cost_per_case"].notna()).any():
        st.caption("非办案单位（如医院、学校）报告的投诉件数不是其产出，其每件成本只作参考。")


side_by_side()

tab_exec, tab_cost, tab_score, tab_scatter = st.tabs(TABS, key="cmp_tab", bind="query-params")

if ui.is_open(tab_exec):  # only the tab on screen is computed
    with tab_exec:
        execution = ui.fetch("budget_execution", **scope)
        if execution is not None:
            ranking(execution, "execution_rate", "budget_execution", "cmp_exec", "预算执行率", "预算执行率（%）", "%{x:.2f}%",
                    ["execution_basis", "sector", "expenditure_total", "income_total", "budget_wan", "stated_rate",
                     "rate_vs_budget", "rate_vs_income", "stated_minus_computed", "stated_indicator", "reported_name",
                     "fiscal_year"], lambda d: f"{d:.2f} 个百分点")

if ui.is_open(tab_cost):
    with tab_cost:
        st.caption("每件成本 = 全年支出（元）÷ 当年办理的投诉/案件数；没有案件数的单位不列出。")
        cost = ui.fetch("cost_per_case", **scope)
        if cost is not None:
            everyone = st.toggle("包括非办案单位", value=False, key="cmp_cost_all",
                                 help="办案单位是主要产出为办理投诉、举报、信访、执法案件的单位（data/case_units.csv）。"
                                      "医院、学校等单位的报告也会写投诉件数，但那不是它们的产出，把全部支出摊到这些件数上"
                                      "得出的每件成本没有可比性，所以默认不参与排名。")
            case_units = cost["case_unit"].fillna(False).astype(bool)
            if not everyone:
                if (~case_units).any():
                    st.caption(f"另有 {int((~case_units).sum())} 个非办案单位报告了投诉件数，未参与排名（打开“包括非办案单位”可看）。")
                cost = cost[case_units]
            ranking(cost, "cost_per_case", "cost_per_case", "cmp_cost", "每件成本", "每件成本（元/件）", "%{x:,.2f} 元",
                    ["case_unit", "cases_handled", "categories", "expenditure_total", "sector", "prev_cost_per_case",
                     "change_pct", "fiscal_year"], style.yuan)

if ui.is_open(tab_score):
    with tab_score:
        rank = ui.fetch("score_rank", **scope)
        if rank is not None:
            ranking(rank, "self_score", "score_rank", "cmp_score", "自评得分", "自评得分", "%{x:.2f} 分",
                    ["rank", "units_ranked", "sector", "prev_self_score", "score_change", "prev_rank", "rank_change",
                     "fiscal_year"], lambda d: f"{d:.2f} 分")

if ui.is_open(tab_scatter):
    with tab_scatter:
        st.caption("每个点是一份报告（一个单位一年）；红色的点有可信度信号（如高分低执行、质量指标全部100%）——"
                   "信号是提示，不是结论。虚线为高分低执行的界线。")
        points = ui.fetch("score_vs_execution", **scope)
        if points is not None:
            every = points.dropna(subset=["execution_rate", "self_score"])
            drawn, note = ui.sample_points(every, keep=every["has_signal"].fillna(False))
            if drawn.empty:
                ui.nothing_matches()
            else:
                signal = drawn["has_signal"].fillna(False).astype(bool).map({True: "有可信度信号", False: "无信号"})
                fig = px.scatter(drawn, x="execution_rate", y="self_score", color=signal, symbol=ui.kind_labels(drawn),
                                 color_discrete_map={"有可信度信号": style.BAD, "无信号": style.PALETTE[0]},
                                 symbol_map={"真实": "circle", "演示": "diamond"},
                                 hover_name="unit_name", custom_data=["unit_id"],
                                 hover_data={"reported_name": True, "sector": True, "execution_basis": True,
                                             "signal_names": True},
                                 title=f"{year}年 自评得分与预算执行率",
                                 labels={"execution_rate": "预算执行率（%）", "self_score": "自评得分", "sector": "行业",
                                         "reported_name": "报告所用名称",
                                         "execution_basis": "执行率口径", "signal_names": "可信度信号",
                                         "color": "可信度信号", "symbol": "数据类别"})
                fig.update_traces(marker=dict(size=12, opacity=0.85, line=dict(width=1, color="white")))
                for trace in fig.data:  # "有可信度信号, 演示" -> "有可信度信号（演示）"
                    trace.name = trace.name.replace(", 真实", "").replace(", 演示", "（演示）")
                fig.update_layout(legend_title_text="")
                lines = ui.run("signal_thresholds").iloc[0]
                score_line, rate_line = float(lines["self_score_min"]), float(lines["execution_rate_max"])
                fig.add_hline(y=score_line, line_dash="dot", line_color=style.WARN, annotation_text=f"{score_line:g}分")
                fig.add_vline(x=rate_line, line_dash="dot", line_color=style.WARN, annotation_text=f"执行率{rate_line:g}%")
                ui.chart(fig, every, "score_vs_execution", "cmp_scatter", title=f"{year}年得分与执行率", drill=True,
                         height=480, columns=["unit_name", "sector", "self_score", "execution_rate", "execution_basis",
                                              "signals", "signal_names", "fiscal_year"])
                if note:
                    st.caption(note)
            flagged = points[points["has_signal"].fillna(False).astype(bool)]
            st.markdown(f"**有可信度信号的单位**（{len(flagged)} 个；点击行首的选择框查看单位详情）")
            ui.table(flagged, "score_vs_execution", "cmp_flagged", title=f"{year}年有可信度信号的单位", drill=True,
                     columns=["unit_name", "signal_names", "self_score", "execution_rate", "execution_basis",
                              "stated_rate", "computed_rate", "stated_minus_computed", "sector"],
                     empty="所选范围内没有带可信度信号的报告。")
            unplotted = len(points) - len(every)
            if unplotted:
                st.caption(f"另有 {unplotted} 份报告的得分或执行率空白，无法画点（空白不按0计）。")

st.subheader("自评得分与复核得分", anchor=False)
st.caption("差值 = 自评得分 − 复核得分，自评偏高的单位在前；未复核的报告复核得分为空。")
ui.table(ui.fetch("review_compare", **f.params()), "review_compare", "cp_review", title="单位对比_自评与复核得分",
         drill=True, columns=["fiscal_year", "unit_name", "sector", "self_score", "review_score", "score_gap",
                              "review_grade", "needs_rereview"])
