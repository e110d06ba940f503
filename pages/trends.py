"""年度趋势: one figure over the years, for units, for sectors or for the
whole district. Clicking a unit's line opens 单位详情."""
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
# measure -> column of trends_by_sector (by sector) and of overview_by_year (whole district)
GROUP_MEASURES = {
    "报告单位数": "units_reporting",
    "支出合计（万元）": "expenditure_total",
    "预算执行率中位数（%）": "median_execution_rate",
    "自评得分中位数": "median_self_score",
    "勾稽不符（条）": "mismatches",
    "可信度信号（条）": "signals",
}
SECTOR_MEASURES = {**GROUP_MEASURES, "占当年支出比例（%）": "expenditure_share_pct"}


def value_format(measure: str) -> str:
    """The table format of a measure's year columns: money and rates with two
    decimals, counts whole."""
    if "（条）" in measure or "单位数" in measure or "（件）" in measure:
        return "%d"
    if "%" in measure:
        return "%.2f%%"
    return "%,.2f" if "万元" in measure or "元" in measure else "%.2f"


def additive(measure: str) -> bool:
    """Money and counts add up; rates and scores do not."""
    return "万元" in measure or "（件）" in measure


def by_year_table(rows, index: list[str], column: str, labels: dict[str, str], agg="first"):
    """One row per unit or sector and one column per year (the figure over the
    years reads left to right), plus 数据类别 when demo data is part of it."""
    wide = rows.pivot_table(index=index, columns="fiscal_year", values=column, aggfunc=agg, sort=True)
    wide.columns = [f"{y}年" for y in wide.columns]
    kinds = rows.groupby(index)["is_demo"].agg(lambda v: bool(v.fillna(False).astype(bool).any()))
    wide = wide.join(kinds).reset_index()
    if len(wide.columns) > len(index) + 1:  # largest in the latest year first, as the chart's legend picks them
        wide = wide.sort_values(wide.columns[-2], ascending=False, na_position="last")
    return wide, {**labels, **{c: c for c in wide.columns if str(c).endswith("年")}}

if f.single_year and len(f.all_years) > 1:
    span = {"year_from": None, "year_to": None}
    ui.heading_years(ui.filters.year_text(f.all_years[0], f.all_years[-1]))
    st.caption(f"左侧只选了一个年度，趋势按库中全部年度（{f.all_years[0]}–{f.all_years[-1]}年）显示。")
else:
    span = {"year_from": f.year_from, "year_to": f.year_to}
if len(f.all_years) == 1:
    st.info(f"库中只有 {f.all_years[0]} 年一个年度的报告，趋势图只有一个点；导入其他年度的报告后可看到变化。",
            icon=":material/info:")

GROUPINGS = {"按单位": "unit", "按行业": "sector", "全区": "all"}  # -> the address bar's name of its 指标
ui.filters.check_link("tr_by", "分组", GROUPINGS)
c1, c2, c3 = st.columns([2, 3, 2])
by = c1.segmented_control("分组", list(GROUPINGS), default="按单位", key="tr_by", required=True, bind="query-params")
measures = {"按单位": UNIT_MEASURES, "按行业": SECTOR_MEASURES}.get(by, GROUP_MEASURES)
ui.filters.check_link(f"tr_{GROUPINGS[by]}", "指标", measures)
# one 指标 list per grouping (the lists differ), each kept in the address bar: ?tr_by=按行业&tr_sector=…
measure = c2.selectbox("指标", list(measures), key=f"tr_{GROUPINGS[by]}", bind="query-params")

if by == "按单位":
    name, column = UNIT_MEASURES[measure]
    df = ui.fetch(name, **f.params(**span))
    if df is None:
        st.stop()
    # only the columns drawn, before any filtering copies them (a year of 10,000 units, every column)
    kept = ["fiscal_year", "unit_id", "unit_name", "sector", column, "is_demo"]
    rows = df[kept + (["case_unit"] if name == "cost_per_case" else [])].dropna(subset=[column])
    del df
    if name == "cost_per_case" and not f.units:
        case_units = rows["case_unit"].fillna(False).astype(bool)
        if not case_units.all():
            st.caption("只显示办案单位（data/case_units.csv）：其他单位报告的投诉件数不是其主要产出，每件成本不可比；"
                       "在左侧选择单位可查看指定单位。")
        rows = rows[case_units]
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
    shown = rows[kept]
    # a unit merged from two (data/unit_aliases.csv) can have two reports in a year: one point per
    # unit and year, their amounts added, their rates and scores averaged
    agg = (lambda v: v.sum(min_count=1)) if additive(measure) else "mean"
    line = shown.groupby(["unit_id", "unit_name", "fiscal_year"], as_index=False).agg(
        value=(column, agg), is_demo=("is_demo", "max"))
    # one unit is one series, its real and demo years joined; a real year is a filled point, a demo year hollow
    line["series"] = line["unit_name"]
    line["kind"] = line["is_demo"].fillna(False).astype(bool).map({True: "演示", False: "真实"})
    # the legend lists units as the lines end: highest in its latest year first
    legend_order = (line.sort_values("fiscal_year").groupby("series")["value"].last()
                    .sort_values(ascending=False).index.tolist())
    fig = px.line(line, x="fiscal_year", y="value", color="series", markers=True, custom_data=["unit_id", "kind"],
                  category_orders={"series": legend_order},
                  title=f"{measure}（按单位）", labels={"fiscal_year": "年度", "value": measure, "series": "单位"})
    kinds = set(line["kind"])
    if kinds == {"真实", "演示"}:
        for trace in fig.data:
            trace.marker.symbol = ["circle-open" if k == "演示" else "circle" for k in (c[1] for c in trace.customdata)]
    fig.update_traces(hovertemplate="%{x}年 %{fullData.name}：%{y:,.2f}（%{customdata[1]}数据）<extra></extra>")
    fig.update_xaxes(type="category", categoryorder="category ascending")
    fig.update_traces(marker_size=9)
    fig.update_layout(legend_title_text="单位（实心点为真实报告，空心点为演示数据）" if len(kinds) > 1 else "单位")
    ui.chart(fig, shown, name, "tr_units_chart", title=f"{measure}_按单位", drill=True, height=460)
    wide, labels = by_year_table(shown, ["unit_id", "unit_name", "sector"], column,
                                 {"unit_name": "单位名称", "sector": "行业"}, agg=agg)
    ui.table(wide, None, "tr_units_table", title=f"{measure}_按单位", drill=True, labels=labels,
             number_format=value_format(measure))

elif by == "按行业":
    column = SECTOR_MEASURES[measure]
    rows = ui.fetch("trends_by_sector", **f.params(**span))
    if rows is None:
        st.stop()
    if rows.empty:
        ui.nothing_matches()
        st.stop()
    shown = rows[["fiscal_year", "sector", column, "is_demo"]]
    fig = px.line(shown, x="fiscal_year", y=column, color="sector", markers=True, custom_data=["sector"],
                  title=f"{measure}（按行业；点击折线上的点按该行业筛选）",
                  labels={"fiscal_year": "年度", column: measure, "sector": "行业"})
    fig.update_xaxes(type="category", categoryorder="category ascending")
    fig.update_traces(marker=dict(size=8))
    ui.chart(fig, shown, "trends_by_sector", "tr_sector_chart", title=f"{measure}_按行业", height=460,
             cross=ui.components.SECTOR_FILTER)
    wide, labels = by_year_table(shown, ["sector"], column, {"sector": "行业"})
    ui.table(wide, None, "tr_sector_table", title=f"{measure}_按行业", labels=labels,
             number_format=value_format(measure))
    with st.expander("各行业各年度全部指标"):
        ui.table(rows, "trends_by_sector", "tr_sector_all", title="行业年度趋势")

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
    ui.table(rows, "overview_by_year", "tr_all_table", title="年度概览_全区",
             columns=["fiscal_year", "units_reporting", "expenditure_total", "expenditure_change_pct",
                      "median_execution_rate", "median_self_score", "mismatches", "notices", "signals"])
