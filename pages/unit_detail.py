"""单位详情: one unit in depth — its money tables across years, its indicators,
goals against completion, its narrative sections (problems and improvements
first), its consistency findings and signals, and its original documents.
Reached by clicking a unit anywhere else (URL parameter `u` = unit_id)."""
import pandas as pd
import streamlit as st

import ui
from ui import data, documents, filters, style, svg

f = ui.page_start("单位详情")
U_URL = "_ud_u_url"  # the unit this page last wrote to ?u=
TABS = ["收支（历年）", "绩效指标", "目标与完成", "报告内容", "核查与信号", "原始文件"]

units = ui.fetch("units")
if units is None:
    st.stop()
to_label, to_id = filters.unit_names()
demo_units = set(units.loc[units["is_demo"].fillna(False).astype(bool), "unit_id"])
# Arriving without a unit: the one chosen in the sidebar, if exactly one.
if "u" not in st.query_params and len(f.units) == 1 and f.units[0] in to_label:
    st.session_state["u"] = to_label[f.units[0]]
opened = st.session_state.pop(ui.components.OPEN_UNIT, None)  # a click on a unit anywhere, this page included
if opened in to_id:
    st.session_state["u"] = opened
# ?u= is kept by hand, not bound: a link may name the unit by its name, code or id (云溪区教育局 finds
# 云溪区教育局（演示）), and the address bar then shows the unit's label
given = st.query_params.get("u")
if given and (given != st.session_state.get(U_URL) or "u" not in st.session_state) and opened not in to_id:
    found = filters.resolve_unit(given)
    if found is None:
        ui.components.link_warning(filters.link_notice("单位", [given], "请在下面选择单位"))
    st.session_state["u"] = found
if len(to_id) == 1 and st.session_state.get("u") not in to_id:  # one unit in view (a 单位 account): open it
    st.session_state["u"] = next(iter(to_id))
options, where = list(to_id), st
if filters.many_units(to_id):  # search first: only the chosen unit and the best matches are sent as options
    c_search, where = st.columns([2, 3])
    options = filters.search_first_options("ud_q", [st.session_state.get("u")], to_id, c_search)
label = where.selectbox("单位", options, index=None, key="u", placeholder="选择一个单位（或在其他页面点击单位）")
if label is not None and st.query_params.get("u") != label:
    st.query_params["u"] = label
elif label is None and "u" in st.query_params:
    del st.query_params["u"]
st.session_state[U_URL] = label
unit = to_id.get(label)
if unit is None:
    st.info("请选择一个单位，或点击下表的行。在总览、单位对比、年度趋势、投诉分析、评分分布等页面点击图表中的单位或表格的行，"
            "也会打开这里。", icon=":material/apartment:")
    listing = ui.fetch("units", **f.params(year_from=None, year_to=None))  # each unit's whole span of years
    ui.table(listing, "units", "ud_units", title="单位列表", drill=True,
             columns=["unit_name", "sector", "budget_code", "first_year", "last_year", "reports", "names_used"],
             empty="没有符合左侧筛选条件的单位。")
    st.stop()

info = units[units["unit_id"] == unit].iloc[0]
scope = {"units": [unit]}  # everything of this unit, whatever the sidebar's year and data filters
history = ui.fetch("unit_history", **scope)
if history is None or history.empty:
    ui.nothing_matches()
    st.stop()
years = sorted(history["fiscal_year"].unique())

badges = [f":blue-badge[{ui.plain(info['sector'])}]"]
if not style.is_blank(info["budget_code"]):
    badges.append(f"预算编码 {ui.plain(info['budget_code'])}")
badges.append(f"{years[0]}–{years[-1]}年，共 {len(history)} 份报告" if len(years) > 1 else f"仅 {years[0]} 年一份报告")
demo_years = sorted(int(y) for y in history.loc[history["is_demo"].fillna(False).astype(bool), "fiscal_year"])
if demo_years and len(demo_years) < len(history):  # some years real, some demo: say which are which
    badges.append(f":orange-badge[:material/science: {'、'.join(map(str, demo_years))}年为{ui.components.DEMO_TEXT}]")
elif demo_years:
    badges.append(f":orange-badge[:material/science: {ui.components.DEMO_TEXT}]")
st.header(ui.plain(info["unit_name"]), anchor=False)
st.markdown("　".join(badges))
documents.brief_buttons(unit, info["unit_name"])  # the unit's brief as Word / PDF (bureau/circular.py)
if len(years) == 1:
    st.caption("该单位只有一个年度的报告，历年比较从第二份报告入库后显示。")

if len(years) > 1:
    filters.check_link("ud_year", "查看年度", years, "已显示左侧所选年度")
    year = st.segmented_control("查看年度", years, default=f.year if f.year in years else years[-1], key="ud_year",
                                required=True, bind="query-params")
else:
    year = years[0]
ui.heading_years(f"{year}年")
one = {"units": [unit], "year_from": year, "year_to": year}
# A unit merged from two (data/unit_aliases.csv) can have two reports in one year: show one at a time.
names = dict(zip(history["report_id"], history["reported_name"]))
in_year = list(history.loc[history["fiscal_year"] == year, "report_id"])
report = in_year[0]
if len(in_year) > 1:
    report = st.segmented_control(f"{year}年有 {len(in_year)} 份报告（合并前的单位各报一份）", in_year,
                                  format_func=lambda r: ui.plain(names.get(r) or str(r)), default=in_year[0],
                                  key=f"ud_report_{year}", required=True)


viewed_demo = bool(history.loc[history["report_id"] == report, "is_demo"].fillna(False).astype(bool).any())
# the badge of the report on screen: what it sits on, not the unit's other years
st.markdown(f":orange-badge[:material/science: {year}年报告为{ui.components.DEMO_TEXT}]" if viewed_demo
            else f":green-badge[:material/verified: {year}年报告为真实报告]")


def this_report(df):
    """The rows of the report being viewed (the year's only one, or the one chosen)."""
    return df if df is None or "report_id" not in df.columns else df[df["report_id"] == report]


# --- the year at a glance -----------------------------------------------------------------------
details = this_report(ui.fetch("report_details", **one))
execution = this_report(ui.fetch("budget_execution", **one))
cost = ui.fetch("cost_per_case", **one)
d = details.iloc[0] if details is not None and not details.empty else None
if d is not None and str(d["template"] or "").startswith("文字版"):
    st.caption(":material/article: 该年度报告为文字版（没有填报表）：金额、人数取自正文叙述，正文未写明的项目为空白，"
               "见“原始文件”页的读取警告。")
cols = st.columns(4)
if d is not None:
    ui.metric(cols[0], "自评得分", style.num(d["self_score"], 2))
    ui.metric(cols[1], "评价等次", ui.plain(d["grade"]) or "—")
if execution is not None and not execution.empty:
    e = execution.iloc[0]
    ui.metric(cols[2], "支出合计（万元）", style.wan(e["expenditure_total"], unit=False))
    ui.metric(cols[3], "预算执行率", style.pct(e["execution_rate"]), help=f"口径：{e['execution_basis'] or '—'}")
if cost is not None and not cost.empty:
    c = cost.iloc[0]
    st.caption(f"每件成本 {style.yuan(c['cost_per_case'])}/件"
               f"（支出 {style.wan(c['expenditure_total'])} ÷ {style.num(c['cases_handled'])} 件）"
               + ("" if bool(c["case_unit"]) else "；本单位不是办案单位，投诉件数不是其主要产出，每件成本仅供参考"))

filters.check_link("ud_tab", "页签", TABS)
# --- the unit's years at a glance, each figure against the year before ------------------------------
def by_year(df, **columns):
    """One row per year of the unit (two reports in a year, merged units: added or averaged)."""
    if df is None or df.empty:
        return None
    return df.groupby("fiscal_year").agg(**columns)


def with_arrow(values, text, better_up=True):
    """Each year's figure as text with ↑/↓ against the year before (— when either is blank)."""
    out, before = [], None
    for v in values:
        arrow = ui.components.arrow(v, before)
        out.append(text(v) + (f" {arrow}" if arrow else ""))
        before = v
    return out


glance = history.groupby("fiscal_year").agg(self_score=("self_score", "mean"), grade=("grade", "first"))
parts = [by_year(ui.fetch("budget_execution", **scope), expenditure_total=("expenditure_total", lambda v: v.sum(min_count=1)),
                 execution_rate=("execution_rate", "mean")),
         by_year(ui.fetch("cost_per_case", **scope), cases_handled=("cases_handled", lambda v: v.sum(min_count=1)),
                 cost_per_case=("cost_per_case", "mean")),
         by_year(ui.fetch("consistency_checks", **scope), mismatches=("severity", lambda v: int((v == "不符").sum())),
                 notices=("severity", lambda v: int((v == "提示").sum()))),
         by_year(ui.fetch("credibility_signals", **scope), signals=("signal", "size"))]
for part in parts:
    if part is not None:
        glance = glance.join(part)
glance = glance.sort_index()
for col in ("mismatches", "notices", "signals"):
    glance[col] = glance[col].fillna(0).astype(int) if col in glance else 0
shown = {"年度": [f"{y}年" for y in glance.index]}
for col, label, text in [("expenditure_total", "支出合计（万元）", lambda v: style.wan(v, unit=False)),
                         ("execution_rate", "预算执行率", style.pct),
                         ("self_score", "自评得分", lambda v: style.num(v, 2)),
                         ("cases_handled", "办理案件（件）", style.num),
                         ("cost_per_case", "每件成本（元）", lambda v: style.wan(v, unit=False)),
                         ("mismatches", "勾稽不符（条）", style.num), ("notices", "核查提示（条）", style.num),
                         ("signals", "可信度信号（条）", style.num)]:
    if col in glance:
        shown[label] = with_arrow(list(glance[col]), text)
        if col == "self_score":
            shown["评价等次"] = ["—" if style.is_blank(g) else str(g) for g in glance["grade"]]  # a cell, not Markdown
st.markdown("**历年一览**（↑↓ 为与上一年比较）")
glance_frame = pd.DataFrame(shown).iloc[::-1]  # the latest year first
st.dataframe(glance_frame, hide_index=True, height="content", key="ud_glance")
ui.downloads(glance_frame, "ud_glance", f"{info['unit_name']}_历年一览", xlsx=False)

tab_money, tab_ind, tab_goals, tab_text, tab_flags, tab_docs = st.tabs(TABS, key="ud_tab", bind="query-params")

if ui.is_open(tab_money):  # only the tab on screen is computed
    with tab_money:
        money = ui.fetch("unit_money", **scope)
        if money is not None and not money.empty:
            structure = ui.fetch("spending_structure", **scope)
            if structure is not None and not structure.empty:
                parts = structure.melt(id_vars=["fiscal_year"], value_vars=["personnel", "public", "project"],
                                       var_name="item", value_name="amount").dropna(subset=["amount"])
                # two reports in a year (merged units) make one bar of the unit as it is now
                parts = parts.groupby(["fiscal_year", "item"], as_index=False, sort=False)["amount"].sum()
                parts["item"] = parts["item"].map({"personnel": "人员支出", "public": "公用支出", "project": "项目支出"})
                # inline SVG (ui.svg), no chart library: a shared ?u= link opens on this tab
                wide = parts.pivot(index="fiscal_year", columns="item", values="amount").sort_index()
                items = [i for i in ("人员支出", "公用支出", "项目支出") if i in wide.columns]
                bar_years = [f"{int(y)}年" for y in wide.index]
                svg.chart(svg.bars(bar_years, {i: list(wide[i].round(2)) for i in items},
                                   {i: [f"{y} {i}：{style.wan(v)}" for y, v in zip(bar_years, wide[i])] for i in items},
                                   "万元", height=340, legend=True, values_shown=True, width=1000),
                          parts, None, "ud_structure", title=f"{info['unit_name']}_历年支出构成",
                          heading="历年支出构成（万元）",
                          labels={"fiscal_year": "年度", "item": "支出项目", "amount": "金额（万元）"})
            only_total = st.toggle("只看汇总行（单位整体）", value=True, key="ud_total_only")
            for code, title in [("income", "收入"), ("expenditure", "支出"), ("three_public", "“三公”经费"),
                                ("fixed_assets", "固定资产")]:
                rows = money[money["table_code"] == code]
                if only_total:
                    rows = rows[rows["org"] == "汇总"] if (rows["org"] == "汇总").any() else rows
                st.markdown(f"**{title}（万元）**")
                if rows.empty:
                    st.caption("报告未填此表。")
                    continue
                # One row per report, organisation and row, one column per item, in the report's own order.
                # (unstack, not pivot_table(dropna=False): that fills in every year × row combination)
                wide = rows.set_index(["fiscal_year", "report_id", "org", "row_no", "item_name"])["value"].unstack()
                wide = wide[list(dict.fromkeys(rows["item_name"]))].reset_index()
                wide = wide.sort_values(["fiscal_year", "report_id", "row_no"], ascending=[False, True, True])
                if wide.groupby("fiscal_year")["report_id"].nunique().max() > 1:  # merged units: say whose row it is
                    wide.insert(1, "reported_name", wide["report_id"].map(names))
                wide = wide.drop(columns=["report_id", "row_no"])
                ui.table(wide, None, f"ud_money_{code}", title=f"{info['unit_name']}_{title}",
                         labels={"fiscal_year": "年度", "org": "机构", "reported_name": "报告所用名称"},
                         number_format=style.MONEY_FORMAT)
        else:
            st.info("该单位的报告没有可读的收支表。", icon=":material/info:")

if ui.is_open(tab_ind):
    with tab_ind:
        indicators = this_report(ui.fetch("unit_indicators", **one))
        columns = ["level1", "level2", "seq", "name", "target_text", "actual_text", ui.components.ATTAINMENT,
                   "weight", "score", "deviation_reason"]
        if indicators is not None and not indicators.empty:
            indicators = ui.components.with_attainment(indicators)
            # the template's own layout (评价内容|绩效目标|完成情况) has no 目标值/分值/得分 columns: say so, not blank columns
            absent = [c for c in ("target_text", "weight", "score", "deviation_reason") if indicators[c].isna().all()]
            if "target_text" in absent:
                absent.append(ui.components.ATTAINMENT)
                st.caption("本报告的指标表没有填写年度目标值，无法逐项判断是否达成；"
                           + ("也没有分值、得分列。" if {"weight", "score"} <= set(absent) else "已略去空白列。"))
            else:
                st.markdown(ui.components.attainment_badges(indicators))
                st.caption("达成：完成值达到目标值（按目标写明的方向，如 ≥95%、≤3天；目标只写 100% 时须达到 100%）；"
                           "目标或完成情况为文字、方向不明、单位不同时为“无法判断”，不作推测。")
            columns = [c for c in columns if c not in absent]
        ui.table(indicators, "unit_indicators", "ud_indicators", title=f"{info['unit_name']}_{year}_绩效指标",
                 columns=columns, labels={ui.components.ATTAINMENT: ui.components.ATTAINMENT_LABEL}, wrap=True,
                 badges={ui.components.ATTAINMENT_LABEL: ui.components.ATTAINMENT_COLOURS},
                 empty="该年度报告没有可读的绩效指标表。")

if ui.is_open(tab_goals):
    with tab_goals:
        goals = this_report(ui.fetch("unit_goals", **one))
        if goals is None or goals.empty:
            st.info("该年度报告没有列出预期目标。", icon=":material/info:")
        else:
            left, right = st.columns(2)
            with left:
                st.markdown("**预期目标**")
                for _, g in goals.iterrows():
                    st.markdown(f"- **目标{style.num(g['seq'])}**：{ui.plain(g['text'])}")
            with right:
                st.markdown("**实际完成**")
                ui.text(goals.iloc[0]["goals_completion"])
            ui.downloads(ui.display_frame(goals, "unit_goals", columns=["seq", "text", "goals_completion"]), "ud_goals",
                         f"{info['unit_name']}_{year}_目标与完成")

if ui.is_open(tab_text):
    with tab_text:
        narratives = this_report(ui.fetch("unit_narratives", **one))
        if d is not None:
            for label, column in [("职能职责概述", "functions"), ("年度主要工作内容", "main_tasks"),
                                  ("总体运行情况及取得的成绩", "overall_results")]:
                if not style.is_blank(d[column]):
                    with st.expander(label):
                        ui.text(d[column])
        if narratives is None or narratives.empty:
            st.info("该年度报告没有可读的文字章节。", icon=":material/info:")
        else:
            first = ["problems", "improvements"]
            ordered = narratives.assign(_o=narratives["section"].map(lambda s: first.index(s) if s in first else 9))
            ordered = ordered.sort_values("_o", kind="stable")
            for _, n in ordered.iterrows():
                if n["section"] in first:
                    st.markdown(f"#### {ui.plain(n['section_name'])}")
                    ui.text(n["text"])
                else:
                    with st.expander(ui.plain(n["section_name"])):
                        ui.text(n["text"])
            ui.downloads(ui.display_frame(ordered, "unit_narratives", columns=["section_name", "text"]), "ud_text",
                         f"{info['unit_name']}_{year}_报告内容")

if ui.is_open(tab_flags):
    with tab_flags:
        checks = ui.fetch("consistency_checks", **scope)
        st.markdown("**勾稽关系核查（历年）**")
        ui.table(checks, "consistency_checks", "ud_checks", title=f"{info['unit_name']}_核查发现",
                 columns=["fiscal_year", "rule_name", "severity", "org", "figures", "expected", "actual", "difference"],
                 empty="该单位各年报告的数字勾稽关系没有发现问题。")
        signals = ui.fetch("credibility_signals", **scope)
        st.markdown("**可信度信号（历年，提示而非结论）**")
        ui.table(signals, "credibility_signals", "ud_signals", title=f"{info['unit_name']}_可信度信号",
                 columns=["fiscal_year", "signal_name", "detail", "value", "self_score"],
                 empty="该单位各年报告没有可信度信号。")

if ui.is_open(tab_docs):
    with tab_docs:
        docs = ui.fetch("unit_documents", **scope)
        if docs is None or docs.empty:
            st.info("没有入库文件记录。", icon=":material/info:")
        else:
            for _, doc in docs.iterrows():
                c1, c2 = st.columns([5, 2])
                size = "" if style.is_blank(doc["size_bytes"]) else f"，{int(doc['size_bytes']) / 1024:.1f} KB"
                c1.markdown(f"**{doc['fiscal_year']}年** {ui.plain(doc['file_name'])}（{ui.plain(doc['format'])}{size}，"
                            f"入库于 {str(doc['loaded_at'])[:16]}）")
                if bool(doc["has_content"]):
                    c2.download_button("下载原始文件", data.document_loader(doc["sha256"]), file_name=ui.components.safe_file_name(doc["file_name"]),
                                       key=f"ud_doc_{doc['sha256']}", icon=":material/download:", on_click="ignore")
                else:
                    c2.caption("库中未存文件内容")
            ui.table(docs, "unit_documents", "ud_docs", title=f"{info['unit_name']}_原始文件",
                     columns=["fiscal_year", "file_name", "format", "size_bytes", "loaded_at", "has_content"])

st.subheader("历年概况", anchor=False)
ui.table(history, "unit_history", "ud_history", title=f"{info['unit_name']}_历年概况",
         columns=["fiscal_year", "reported_name", "budget_code", "self_score", "grade"])

st.subheader("自评得分与复核得分", anchor=False)
ui.table(ui.fetch("review_compare", **scope), "review_compare", "ud_review", title=f"{info['unit_name']}_复核得分",
         columns=["fiscal_year", "self_score", "review_score", "score_gap", "review_grade", "needs_rereview"],
         empty="该单位的报告尚未复核。")
