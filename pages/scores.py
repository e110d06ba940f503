"""评分分布: self-score histograms and boxes by sector and year, grade counts,
and the grade each report declares beside the grade its score implies."""
import plotly.graph_objects as go
import plotly.express as px
import streamlit as st

import ui
from ui import figures, style

f = ui.page_start("评分分布", "自评得分的分布、等次构成，以及申报等次与按得分分档的等次是否一致。")
year = f.year

c1, c2 = st.columns([3, 4])  # room for the four choices at 1280 px
width = c1.segmented_control("分组宽度", [1, 2, 5, 10], default=5, key="sc_bin", required=True,
                             format_func=lambda w: f"{w} 分")

dist = ui.fetch("score_distribution", **f.params(), bin_width=float(width))
if dist is None:
    st.stop()
if dist.empty:
    ui.nothing_matches()
    st.stop()

left, right = st.columns(2)
with left:
    fig, hist = figures.score_histogram(dist)  # the 通报 prints the same figure
    ui.chart(fig, hist, "score_distribution", "sc_hist", title="自评得分分布", height=400)

pct = ui.fetch("score_percentiles", **f.params())
with right:
    if pct is not None and not pct.empty:
        sectors = pct[(pct["fiscal_year"] == year) & (pct["sector"] != "（全部）")].sort_values("median")
        if sectors.empty:
            st.info(f"{year}年没有有得分的报告。", icon=":material/info:")
        else:
            # Boxes drawn from the query's own quartiles, so the chart and its CSV agree with the SQL.
            fig = go.Figure(go.Box(
                y=sectors["sector"], q1=sectors["p25"], median=sectors["median"], q3=sectors["p75"],
                lowerfence=sectors["min_score"], upperfence=sectors["max_score"], mean=sectors["mean_score"],
                orientation="h", marker_color=style.PALETTE[0], name="自评得分",
            ))
            # a dot on each median: the point a click selects (a box of given quartiles has none) to filter by sector
            fig.add_trace(go.Scatter(
                x=sectors["median"], y=sectors["sector"], customdata=sectors[["sector"]].to_numpy(), mode="markers",
                marker=dict(size=11, color=style.PALETTE[1], line=dict(width=1, color="white")), name="中位数",
                hovertemplate="%{y}：中位数 %{x:.2f} 分（点击按该行业筛选）<extra></extra>",
            ))
            fig.update_layout(title=f"{year}年各行业自评得分（箱线：最低、P25、中位数、P75、最高；点击圆点按行业筛选）",
                              xaxis_title="自评得分", showlegend=False)
            shown = sectors[["sector", "reports_scored", "min_score", "p25", "median", "p75", "max_score",
                             "mean_score", "is_demo"]]
            ui.chart(fig, shown, "score_percentiles", "sc_box", title=f"{year}年各行业得分分位数",
                     height=max(320, 140 + 36 * len(sectors)), cross=ui.components.SECTOR_FILTER)

if pct is not None and not pct.empty:
    with st.expander("得分分位数明细（按年度、行业）"):
        ui.table(pct, "score_percentiles", "sc_pct_table", title="得分分位数")

st.subheader("等次", anchor=False)
grades = ui.fetch("grade_counts", **f.params())
g1, g2 = st.columns(2)
with g1:
    if grades is not None and not grades.empty:
        shown = grades[grades["fiscal_year"] == year][["grade_kind_name", "grade", "reports", "share_pct", "is_demo"]]
        fig = px.bar(shown, x="grade", y="reports", color="grade_kind_name", barmode="group",
                     title=f"{year}年等次分布：申报与按得分对应", text_auto=True,
                     labels={"grade": "等次", "reports": "报告数", "grade_kind_name": "口径"})
        fig.update_xaxes(categoryorder="array", categoryarray=style.grade_order(shown["grade"]))
        style.count_axis(fig, shown["reports"])
        ui.chart(fig, shown, "grade_counts", "sc_grades", title=f"{year}年等次分布", height=380)
implied = ui.fetch("implied_grade", **f.params(year_from=year, year_to=year))
with g2:
    if implied is not None and not implied.empty:
        comparable = implied[implied["comparable"].fillna(False).astype(bool)]
        mismatched = comparable[~comparable["matches"].fillna(False).astype(bool)]
        a, b, c = st.columns(3)
        ui.metric(a, "可比较报告", style.num(len(comparable)), help="申报等次是“优/良/中/差”等可对照写法的报告。")
        ui.metric(b, "等次不一致", style.num(len(mismatched)), delta_color="inverse")
        ui.metric(c, "无法比较", style.num(len(implied) - len(comparable)),
                  help="申报等次为本地叫法（如“三级”）或空白，不作比较。")
        if len(mismatched):
            st.caption("申报等次与得分对应等次不一致的报告见下表（筛选“等次一致”为否）。")
if implied is not None:
    st.caption(f"{year}年各单位申报等次与得分对应等次（分档规则见 data/grade_rules.csv）")
    order = implied.assign(_m=implied["matches"].fillna(True).astype(bool)).sort_values(["_m", "self_score"])
    order = ui.components.with_ranking_context(order.drop(columns="_m"), "self_score", lambda d: f"{d:.2f} 分", None,
                                               ui.fetch("implied_grade", **f.params(year_from=year - 1, year_to=year - 1)))
    ui.table(order, "implied_grade", "sc_implied", title=f"{year}年申报与对应等次", drill=True,
             columns=["fiscal_year", "unit_name", "sector", "self_score", "vs_last_year", "grade", "declared_band",
                      "implied_grade", "rule_set", "comparable", "matches"])
    st.caption(f"较上年：自评得分与{year - 1}年相比（↑ 升高，↓ 降低）。")

st.subheader("自评得分与复核得分", anchor=False)
st.caption("绩效科复核后的得分与单位自评得分之差（自评减复核，正数即自评偏高）；未复核的报告复核得分为空。")
ui.table(ui.fetch("review_compare", **f.params()), "review_compare", "sc_review", title="自评与复核得分",
         drill=True, columns=["fiscal_year", "unit_name", "self_score", "review_score", "score_gap", "review_grade",
                              "needs_rereview"])
