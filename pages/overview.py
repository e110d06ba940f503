"""总览: the chosen year against the previous one — units reporting, total
spending, median execution rate, median self-score, findings — with small
charts of the years and of the chosen year's units."""
import streamlit as st

import ui
from ui import style, svg

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

# Three small charts drawn as inline SVG (ui.svg), no chart library: a cold first open draws them with the page
left, middle, right = st.columns(3)
with left:
    shown = years[["fiscal_year", "expenditure_total", "reports_without_expenditure", "units_reporting", "is_demo"]]
    blank = shown["reports_without_expenditure"].fillna(0).astype(int)
    # a year with blank reports adds up less than it spent: the hover says how many are missing
    tips = [f"{y}年：{style.wan(v)}" + (f"（另有 {m} 份报告支出空白，未计入）" if m else "")
            for y, v, m in zip(shown["fiscal_year"].astype(int), shown["expenditure_total"], blank)]
    svg.chart(svg.bars(list(shown["fiscal_year"].astype(int).astype(str)), {"支出合计": list(shown["expenditure_total"])},
                       {"支出合计": tips}, "万元"),
              shown, "overview_by_year", "ov_years", title="各年度支出合计（万元）")

execution = ui.fetch("budget_execution", **f.params(year_from=year, year_to=year))
with middle:
    if execution is not None and not execution.empty:
        shown = execution[["unit_id", "unit_name", "sector", "execution_rate", "execution_basis", "is_demo"]]
        drawn, note = ui.sample_points(shown.dropna(subset=["execution_rate"]))
        drawn = drawn.reset_index(drop=True)
        kinds = ui.kind_labels(drawn)
        colours = ui.kind_colors(kinds)
        # a strip: each unit a dot along the rate; a click on a dot opens the unit's 单位详情
        svg.chart(svg.strip(list(drawn["execution_rate"]),
                            [f"{n}：{style.pct(r)}" + ("（演示）" if k == "演示" else "")
                             for n, r, k in zip(drawn["unit_name"], drawn["execution_rate"], kinds)],
                            list(kinds.map(colours)), [svg.unit_link(u) for u in drawn["unit_id"]], "预算执行率（%）",
                            legend=[(k, colours[k]) for k in ("真实", "演示")] if kinds.nunique() > 1 else None),
                  shown, "budget_execution", "ov_exec", title=f"{year}年各单位预算执行率（点击点查看单位）")
        if note:
            st.caption(note)

scores = ui.fetch("score_distribution", **f.params(year_from=year, year_to=year), bin_width=5)
with right:
    if scores is not None and not scores.empty:
        shown = scores[scores["sector"] == "（全部）"][["bin_label", "bin_low", "reports", "share_pct", "is_demo"]]
        shown = shown.sort_values("bin_low", na_position="first")  # "<60" has no lower bound
        svg.chart(svg.bars(list(shown["bin_label"].astype(str)), {"报告数": list(shown["reports"].astype(int))},
                           {"报告数": [f"{b}分：{int(n)} 份报告" for b, n in zip(shown["bin_label"], shown["reports"])]},
                           "报告数", rotate=len(shown) > 6, whole=True),
                  shown, "score_distribution", "ov_score_hist", title=f"{year}年自评得分分布")

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
