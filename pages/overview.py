"""总览: the chosen year against the previous one — units reporting, total
spending, median execution rate, median self-score, findings — with small
charts of the years and of the chosen year's units."""
import pandas as pd
import streamlit as st

import ui
from ui import style

f = ui.page_start("总览", "所选年度（年度区间的末年）与上一年的比较；点击图中或表中的单位可查看单位详情。")
year = f.year

# every year when one is chosen (the cards' small lines and the bars need the years before it), else the range
years = ui.fetch("overview_by_year", **f.trend_params())
if years is None:
    st.stop()
row = years[years["fiscal_year"] == year]
if row.empty:
    ui.nothing_matches()
    st.stop()
r = row.iloc[0]
has_prev = not style.is_blank(r["prev_units_reporting"])

st.subheader(f"{year}年" + (f"（与{year - 1}年比较）" if has_prev else f"（库中没有{year - 1}年的可比数据）"),
             anchor=False)
as_of = ui.data.data_as_of()
if as_of:
    st.caption(f"数据截至 {as_of}（最近一次成功入库）")
prior = years[years["fiscal_year"] <= year]  # the small lines in the cards: every year up to the chosen one
cols = st.columns([1, 1.5, 1.2, 1.1, 1.1])  # room for a 支出合计 of six digits and two decimals
ui.metric(cols[0], "报告单位数", style.num(r["units_reporting"]), style.delta(r["units_change"], 0, " 个"),
          trend=list(prior["units_reporting"]))
missing = int(r["reports_without_expenditure"] or 0)
ui.metric(cols[1], "支出合计（万元）", style.wan(r["expenditure_total"], unit=False),
          style.delta(r["expenditure_change_pct"], 2, "%"), trend=list(prior["expenditure_total"]),
          help="各单位支出合计之和（报告未填合计时取基本支出+项目支出）；空白不计。",
          delta_description=f"另有 {missing} 份报告支出空白，未计入" if missing else None)
ui.metric(cols[2], "预算执行率中位数", style.pct(r["median_execution_rate"]),
          style.delta(r["execution_rate_change"], 2, " 个百分点"), trend=list(prior["median_execution_rate"]),
          help="报告所述执行率；未述则按 支出÷预算，再无则 支出÷收入。")
ui.metric(cols[3], "自评得分中位数", style.num(r["median_self_score"], 2), style.delta(r["self_score_change"], 2, " 分"),
          trend=list(prior["median_self_score"]))
# 不符 (figures that do not add up), 提示 (notices) and 信号 (signals, not conclusions) are three things
before = years[years["fiscal_year"] == year - 1]
prev_mismatches = None if before.empty or style.is_blank(before.iloc[0]["mismatches"]) else int(before.iloc[0]["mismatches"])
mismatches = 0 if style.is_blank(r["mismatches"]) else int(r["mismatches"])
ui.metric(cols[4], "勾稽不符", style.num(mismatches, 0, " 条"),
          None if prev_mismatches is None else style.delta(mismatches - prev_mismatches, 0, " 条"),
          help="报告自身数字对不上的条数（如合计≠各项之和）；核查提示与可信度信号见下行。",
          delta_color="inverse", trend=list(prior["mismatches"].fillna(0)))
st.markdown(ui.components.finding_badges(r["mismatches"], r["notices"], r["signals"])
            + "　（信号是提示，不是结论；详见“数据质量”页）")
ui.demo_note(row)

# Three small charts drawn by ECharts, not plotly: plotly.js is most of a cold first open (ui.echart)
left, middle, right = st.columns(3)
with left:
    shown = years[["fiscal_year", "expenditure_total", "reports_without_expenditure", "units_reporting", "is_demo"]]
    blank = shown["reports_without_expenditure"].fillna(0).astype(int)
    source = pd.DataFrame({
        "年度": shown["fiscal_year"].astype(int).astype(str),
        "支出合计": shown["expenditure_total"].round(2),
        # a year with blank reports adds up less than it spent: the tooltip says how many are missing
        "说明": [f"{y}年：{style.wan(v)}" + (f"（另有 {m} 份报告支出空白，未计入）" if m else "")
                 for y, v, m in zip(shown["fiscal_year"].astype(int), shown["expenditure_total"], blank)],
    })
    ui.echart({
        "dataset": {"source": source},
        "xAxis": {"type": "category"},
        "yAxis": {"type": "value", "name": "万元", "nameTextStyle": {"align": "left"}},
        "tooltip": {"trigger": "item", "formatter": "{@说明}", "confine": True},
        "series": [{"type": "bar", "encode": {"x": "年度", "y": "支出合计"}, "barMaxWidth": 48}],
    }, shown, "overview_by_year", "ov_years", title="各年度支出合计（万元）")

execution = ui.fetch("budget_execution", **f.params(year_from=year, year_to=year))
with middle:
    if execution is not None and not execution.empty:
        shown = execution[["unit_id", "unit_name", "sector", "execution_rate", "execution_basis", "is_demo"]]
        drawn, note = ui.sample_points(shown.dropna(subset=["execution_rate"]))
        drawn = drawn.reset_index(drop=True)
        kinds = ui.kind_labels(drawn)
        source = pd.DataFrame({
            "预算执行率": drawn["execution_rate"].round(2),
            # a strip: each unit a dot along the rate, spread a little up and down so dots do not hide each other
            "散开": [((i * 37) % 11 - 5) / 10 for i in range(len(drawn))],
            "类别": kinds.map({"真实": 0, "演示": 1}).astype(int),
            "说明": [f"{n}：{style.pct(r)}" + ("（演示）" if k == "演示" else "")
                     for n, r, k in zip(drawn["unit_name"], drawn["execution_rate"], kinds)],
        })
        both = kinds.nunique() > 1
        ui.echart({
            "dataset": {"source": source},
            "xAxis": {"type": "value", "name": "预算执行率（%）", "nameLocation": "middle", "nameGap": 26, "scale": True,
                      "axisLine": {"onZero": False}},
            "yAxis": {"type": "value", "show": False, "min": -1, "max": 1},
            "grid": {"left": 8, "right": 16, "top": 28 if both else 12, "bottom": 30, "containLabel": True},
            "visualMap": {"type": "piecewise", "dimension": "类别", "show": both, "orient": "horizontal",
                          "top": 0, "right": 0, "selectedMode": False,
                          "pieces": [{"value": 0, "label": "真实", "color": ui.kind_colors(kinds)["真实"]},
                                     {"value": 1, "label": "演示", "color": ui.kind_colors(kinds)["演示"]}]},
            "tooltip": {"trigger": "item", "formatter": "{@说明}", "confine": True},
            "series": [{"type": "scatter", "encode": {"x": "预算执行率", "y": "散开"}, "symbolSize": 11,
                        "itemStyle": {"opacity": 0.8}, "cursor": "pointer"}],
        }, shown, "budget_execution", "ov_exec", title=f"{year}年各单位预算执行率（点击点查看单位）",
            drill_units=[list(drawn["unit_id"])])
        if note:
            st.caption(note)

scores = ui.fetch("score_distribution", **f.params(year_from=year, year_to=year), bin_width=5)
with right:
    if scores is not None and not scores.empty:
        shown = scores[scores["sector"] == "（全部）"][["bin_label", "bin_low", "reports", "share_pct", "is_demo"]]
        shown = shown.sort_values("bin_low", na_position="first")  # "<60" has no lower bound
        source = pd.DataFrame({"得分区间": shown["bin_label"].astype(str), "报告数": shown["reports"].astype(int),
                               "说明": [f"{b}分：{int(n)} 份报告" for b, n in zip(shown["bin_label"], shown["reports"])]})
        ui.echart({
            "dataset": {"source": source},
            "xAxis": {"type": "category", "axisLabel": {"interval": 0, "rotate": 30 if len(source) > 6 else 0}},
            "yAxis": {"type": "value", "name": "报告数", "minInterval": 1, "nameTextStyle": {"align": "left"}},
            "tooltip": {"trigger": "item", "formatter": "{@说明}", "confine": True},
            "series": [{"type": "bar", "encode": {"x": "得分区间", "y": "报告数"}, "barMaxWidth": 40}],
        }, shown, "score_distribution", "ov_score_hist", title=f"{year}年自评得分分布")

st.subheader(f"{year}年各单位", anchor=False)
if execution is not None:
    ranked = ui.components.with_ranking_context(
        execution, "execution_rate", lambda d: f"{d:.2f} 个百分点",
        ui.fetch("implied_grade", **f.params(year_from=year, year_to=year)),
        ui.fetch("budget_execution", **f.params(year_from=year - 1, year_to=year - 1)))
    ui.table(
        ranked.sort_values("execution_rate", ascending=False, na_position="last"), "budget_execution",
        "ov_units", title=f"{year}年各单位预算执行",
        columns=["unit_name", "sector", "expenditure_total", "execution_rate", "vs_last_year", "ranking_grade",
                 "execution_basis", "stated_minus_computed"],
        drill=True,
    )
    st.caption(f"较上年：预算执行率与{year - 1}年相比（↑ 升高，↓ 降低）；等次为报告申报的等次。")
