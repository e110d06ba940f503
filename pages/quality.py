"""数据质量: when data was last loaded, files that failed with their reasons,
reading warnings, and the consistency findings and credibility signals by
rule and by unit."""
import plotly.express as px
import streamlit as st

import ui
from ui import auth, style

f = ui.page_start("数据质量", "入库情况、读取失败与警告、报告自身数字的勾稽核查。", needs_data=False)
status = ui.status()
if status.kind in ("missing", "error"):
    ui.no_database(status)
    st.stop()

if ui.data.derived_stale():
    st.warning(
        "**汇总表需要刷新。** 报告或对照表（data/*.csv）在上次刷新后有改动，各页面现在每次都临时重算，打开会变慢"
        "（数字仍然正确）。请在项目目录运行：\n\n"
        f"`{ui.data.REFRESH_HINT.format(path=status.path)}`\n\n刷新后重新打开页面即可；`run.sh` 启动时也会自动刷新。",
        icon=":material/update:",
    )

load = ui.fetch("load_status")
if load is not None and not load.empty:
    s = load.iloc[0]
    cols = st.columns([1.9, 1, 0.9, 1.1, 1.3])  # the date whole at 1280 px
    last = None if style.is_blank(s["last_load_at"]) else str(s["last_load_at"])
    ui.metric(cols[0], "最近入库", last[:10] if last else "—", help=f"时间：{last[:19]}" if last else None)
    ui.metric(cols[1], "当前报告数", style.num(s["reports"]),
              help=f"真实 {style.num(s['real_reports'])} 份，演示 {style.num(s['demo_reports'])} 份；"
                   f"其中文字版（没有填报表，数字取自正文）{style.num(s['prose_reports'])} 份")
    ui.metric(cols[2], "单位数", style.num(s["units"]))
    ui.metric(cols[3], "入库失败（次）", style.num(s["failed"]), delta_color="inverse",
              help=f"共 {style.num(s['attempts'])} 次入库尝试：新入库 {style.num(s['loaded'])}，"
                   f"替换 {style.num(s['replaced'])}，未变 {style.num(s['unchanged'])}")
    ui.metric(cols[4], "有读取警告的报告", style.num(s["reports_with_warnings"]),
              help="有值得核对的警告的报告；文字版报告末尾说明其没有哪些表的一行不算在内（下表仍列出）。")
if not status.ok:
    ui.no_database(status)

st.subheader("入库失败的文件", anchor=False)
failures = ui.fetch("load_failures")
ui.table(failures, "load_failures", "dq_failures", title="入库失败的文件",
         columns=["loaded_at", "file_name", "file_path", "reason", "later_loaded"], empty="没有入库失败的文件。")

if status.ok:
    st.subheader("读取警告", anchor=False)
    warnings = ui.fetch("report_warnings", **f.params())
    ui.table(warnings, "report_warnings", "dq_warnings", title="读取警告", drill=True,
             columns=["fiscal_year", "unit_name", "file_name", "warning_no", "warning"],
             empty="当前筛选范围内的报告没有读取警告。")

    checks = ui.fetch("consistency_checks", **f.params())
    signals = ui.fetch("credibility_signals", **f.params())
    severity = checks["severity"] if checks is not None else None
    counts = {"不符": 0 if severity is None else int((severity == "不符").sum()),
              "提示": 0 if severity is None else int((severity == "提示").sum()),
              "信号": 0 if signals is None else len(signals)}
    st.subheader("核查发现与信号", anchor=False)
    st.markdown(ui.components.finding_badges(*counts.values()))
    ui.filters.check_link("dq_kind", "性质", counts)
    kinds = st.segmented_control(
        "性质", list(counts), selection_mode="multi", default=list(counts), key="dq_kind", bind="query-params",
        format_func=lambda k: f"{ui.components.FINDING_NAMES[k]}（{counts[k]}）",
        help="勾稽不符：报告自身的数字对不上；核查提示：值得核对但不一定是错（如编制人数说明）；可信度信号：提示而非结论。")
    kinds = set(kinds or [])
    if checks is not None:
        checks = checks[checks["severity"].isin(kinds)]

    st.subheader("勾稽关系核查", anchor=False)
    summary = ui.fetch("consistency_summary", **f.params())
    if summary is not None:
        summary = summary[summary["severity"].isin(kinds)]
    if summary is not None and not summary.empty:
        shown = summary[["fiscal_year", "rule_name", "severity", "reports_flagged", "reports_total", "flagged_pct",
                         "is_demo"]]
        fig = px.bar(shown, x="reports_flagged", y="rule_name", color="severity", orientation="h",
                     facet_col="fiscal_year" if shown["fiscal_year"].nunique() > 1 else None,
                     color_discrete_map={"不符": style.BAD, "提示": style.WARN}, title="各规则涉及的报告数",
                     labels={"reports_flagged": "涉及报告数", "rule_name": "", "severity": "性质",
                             "fiscal_year": "年度"})
        fig.for_each_annotation(lambda a: a.update(text=a.text.replace("年度=", "") + "年"))
        fig.update_layout(bargap=0.6 if shown["rule_name"].nunique() <= 2 else 0.25)  # one rule: not a slab
        ui.chart(fig, shown, "consistency_summary", "dq_rules_chart", title="各规则涉及的报告数",
                 height=max(240, 150 + 36 * shown["rule_name"].nunique()))
    if checks is not None and not checks.empty:
        by_unit = (checks.groupby(["unit_id", "unit_name", "severity"], as_index=False)
                   .agg(findings=("rule", "size"), is_demo=("is_demo", "max")))
        pivot = by_unit.pivot_table(index=["unit_id", "unit_name"], columns="severity", values="findings",
                                    aggfunc="sum", fill_value=0).reset_index()
        order = [c for c in ("不符", "提示") if c in pivot.columns]
        pivot = pivot.sort_values(order, ascending=False) if order else pivot
        st.markdown("**按单位**（点击行查看单位详情）")
        ui.table(pivot, None, "dq_by_unit", title="核查发现_按单位", drill=True,
                 labels={"unit_name": "单位名称", "不符": "不符（条）", "提示": "提示（条）"})
    st.markdown("**全部核查发现**")
    ui.table(checks, "consistency_checks", "dq_checks", title="核查发现", drill=True,
             columns=["fiscal_year", "unit_name", "rule_name", "severity", "org", "figures", "expected", "actual",
                      "difference"],
             empty="当前筛选范围内没有发现勾稽关系问题。")

    st.subheader("可信度信号", anchor=False)
    st.caption("信号只是提示值得关注的情况（如高分低执行、满意度≥99%、未列问题、与上年文字雷同），不是结论。")
    if "信号" not in kinds:
        st.caption("（上方“性质”未选可信度信号。）")
        signals = signals.iloc[0:0] if signals is not None else None
    ui.table(signals, "credibility_signals", "dq_signals", title="可信度信号", drill=True,
             columns=["fiscal_year", "unit_name", "sector", "signal_name", "detail", "value", "self_score"],
             empty="当前筛选范围内没有可信度信号。")


st.subheader("操作记录", anchor=False)
st.caption("导入、复核、抽查、通报与登录：谁在什么时候做了什么（最新在前）。")
auth.audit_table()
