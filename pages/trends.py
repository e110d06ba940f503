"""年度趋势: one figure over the years, for units, for sectors or for the
whole district. Clicking a unit's line opens 单位详情."""
import pandas as pd
import plotly.express as px
import streamlit as st

import ui

f = ui.page_start("年度趋势", "选择一个指标，看它在各年度的变化；按单位时点击折线上的点可查看单位详情。")

# measure -> (query, column) for one value per unit and year
UNIT_MEASURES = {
    "支出合计（万元）": ("budget_execution", "expenditure_total"),
    "预算执行率（%）": ("budget_execution", "execution_rate"),
    "自评得分": ("score_rank", "self_score"),
    "每件成本（元/件）": ("cost_per_case", "cost_per_case"),
    "办理案件数（件）": ("cost_per_case", "cases_handled"),
    "人员支出占比（%）": ("spending_structure", "personnel_share"),
    "项目支出占比（%）": ("spending_structure", "project_share"),
    "“三公”经费（万元）": ("three_public_change", "three_public_total"),
    "在职人员控制率（%）": ("staff_control", "control_rate"),
}
# measure -> column of overview_by_year, for a sector or the whole district
GROUP_MEASURES = {
    "报告单位数": "units_reporting",
    "支出合计（万元）": "expenditure_total",
    "预算执行率中位数（%）": "median_execution_rate",
    "自评得分中位数": "median_self_score",
    "勾稽不符（条）": "mismatches",
    "可信度信号（条）": "signals",
}

if f.single_year and len(f.all_years) > 1:
    span = {"year_from": None, "year_to": None}
    st.caption(f"左侧只选了一个年度，趋势按库中全部年度（{f.all_years[0]}–{f.all_years[-1]}年）显示。")
else:
    span = {"year_from": f.year_from, "year_to": f.year_to}
if len(f.all_years) == 1:
    st.info(f"库中只有 {f.all_years[0]} 年一个年度的报告，趋势图只有一个点；导入其他年度的报告后可看到变化。",
            icon=":material/info:")

c1, c2, c3 = st.columns([2, 3, 2])
by = c1.segmented_control("分组", ["按单位", "按行业", "全区"], default="按单位", key="tr_by", required=True)
measures = UNIT_MEASURES if by == "按单位" else GROUP_MEASURES
measure = c2.selectbox("指标", list(measures), key=f"tr_measure_{by}")

if by == "按单位":
    name, column = UNIT_MEASURES[measure]
    df = ui.fetch(name, **f.params(**span))
    if df is None:
        st.stop()
    rows = df.dropna(subset=[column])
    if rows.empty:
        ui.nothing_matches()
        st.stop()
    limit = c3.number_input("最多显示单位数", min_value=1, max_value=50, value=10, key="tr_limit",
                            disabled=bool(f.units), help="未在左侧选择单位时，显示最近年度该指标最高的单位。")
    if not f.units:
        latest = rows.sort_values("fiscal_year").groupby("unit_id").tail(1)
        keep = latest.nlargest(int(limit), column)["unit_id"]
        if len(latest) > len(keep):
            st.caption(f"共 {len(latest)} 个单位，图中显示最近年度{measure}最高的 {len(keep)} 个；"
                       f"可在左侧选择单位比较指定单位。")
        rows = rows[rows["unit_id"].isin(keep)]
    rows = rows.sort_values(["unit_name", "fiscal_year"])
    shown = rows[["fiscal_year", "unit_id", "unit_name", "sector", column, "is_demo"]]
    fig = px.line(shown, x="fiscal_year", y=column, color="unit_name", markers=True, custom_data=["unit_id"],
                  line_dash=ui.kind_labels(shown), title=f"{measure}（按单位）",
                  labels={"fiscal_year": "年度", column: measure, "unit_name": "单位", "line_dash": "数据类别"})
    fig.update_xaxes(type="category", categoryorder="category ascending")
    fig.update_traces(marker=dict(size=9))
    ui.chart(fig, shown, name, "tr_units_chart", title=f"{measure}_按单位", drill=True, height=460)
    ui.table(shown, name, "tr_units_table", title=f"{measure}_按单位", drill=True)

elif by == "按行业":
    column = GROUP_MEASURES[measure]
    sectors = list(f.sectors)
    if not sectors:
        listing = ui.fetch("sectors", **f.params(**span))
        sectors = [] if listing is None else list(listing["sector"])
    frames = []
    for sector in sectors:
        one = ui.fetch("overview_by_year", **f.params(**span, sectors=[sector]))
        if one is not None and not one.empty:
            frames.append(one.assign(sector=sector))
    if not frames:
        ui.nothing_matches()
        st.stop()
    rows = pd.concat(frames, ignore_index=True)
    shown = rows[["fiscal_year", "sector", column, "is_demo"]]
    fig = px.line(shown, x="fiscal_year", y=column, color="sector", markers=True, title=f"{measure}（按行业）",
                  labels={"fiscal_year": "年度", column: measure, "sector": "行业"})
    fig.update_xaxes(type="category", categoryorder="category ascending")
    ui.chart(fig, shown, "overview_by_year", "tr_sector_chart", title=f"{measure}_按行业",
             labels={"sector": "行业"}, height=460)
    ui.table(shown, "overview_by_year", "tr_sector_table", title=f"{measure}_按行业", labels={"sector": "行业"})

else:
    column = GROUP_MEASURES[measure]
    rows = ui.fetch("overview_by_year", **f.params(**span))
    if rows is None:
        st.stop()
    if rows.empty:
        ui.nothing_matches()
        st.stop()
    shown = rows[["fiscal_year", column, "is_demo"]]
    fig = px.line(shown, x="fiscal_year", y=column, markers=True, title=f"{measure}（全区）",
                  labels={"fiscal_year": "年度", column: measure})
    fig.update_xaxes(type="category", categoryorder="category ascending")
    ui.chart(fig, shown, "overview_by_year", "tr_all_chart", title=f"{measure}_全区", height=420)
    ui.table(rows, "overview_by_year", "tr_all_table", title="年度概览_全区")
