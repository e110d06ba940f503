"""抽查 (绩效科 only): draw a sample of a year's units — N units or a share, at random
or weighted by risk, optionally stratified by 行业 — with a recorded seed; saved with
its rule (bureau.store), listed, downloadable. Same seed + same reports = same sample."""
from datetime import date

import pandas as pd
import streamlit as st

import ui
from bureau import sampling, store
from ui import auth, data

ui.page_start("抽查", "从某一年度的报告中抽取单位进行重点核查：随机或按风险加权，可按行业分层；保存抽取规则和随机种子，可复现。",
              show_filters=False)
user = auth.require("绩效科")

with st.expander("抽取规则与风险权重", icon=":material/help:"):
    st.markdown(
        f"""
- **随机抽取**：各单位被抽中的机会相同。**按风险加权**：被抽中的机会与风险权重成正比（不放回）：

  {sampling.WEIGHT_FORMULA}。

  “自评高而执行低”即可信度信号“自评得分 ≥ 95 而预算执行率 < 80%”。
- **按行业分层**：样本量按各行业报告数的比例分到各行业（每个行业至少一个，样本量允许时），在行业内按同一规则抽取。
- **随机种子**：同一种子、同一批报告，抽出的样本完全相同（可复现、可核对）；换一个种子即重新抽取。
"""
    )

years = sorted(data.status().years, reverse=True)  # the latest first
c1, c2, c3, c4 = st.columns(4)
year = c1.selectbox("年度", years, key="sp_year")
method_label = c2.radio("抽取方式", ["随机抽取", "按风险加权"], key="sp_method", horizontal=True)
method = "random" if method_label == "随机抽取" else "risk"
by = c3.radio("样本量", ["单位数", "比例"], key="sp_by", horizontal=True)
if by == "单位数":
    count, share = c4.number_input("抽取单位数", min_value=1, value=5, step=1, key="sp_count"), None
else:
    count, share = None, c4.number_input("抽取比例（%）", min_value=1.0, max_value=100.0, value=10.0, step=1.0,
                                         key="sp_share") / 100
d1, d2 = st.columns([1, 3])
seed = int(d1.number_input("随机种子", min_value=0, value=int(date.today().strftime("%Y%m%d")), step=1, key="sp_seed",
                           help="记录在样本中；同一种子、同一批报告抽出相同的样本。"))
stratified = d2.checkbox("按行业分层", key="sp_strata")

queue = ui.fetch("review_queue", years=[year])
if queue is None or queue.empty:
    st.info("该年度没有报告。", icon=":material/info:")
    st.stop()
drawn = sampling.draw(queue, method=method, seed=seed, count=count, share=share, stratified=stratified)
rule = sampling.rule_text(method, seed, count=count, share=share, stratified=stratified, size=len(drawn))
st.markdown(f"**预览：** {rule}")
labels = {"weight": "风险权重", "reason": "抽取依据"}
ui.table(drawn, "review_queue", "sp_preview", title=f"{year}年_抽查预览",
         columns=["unit_name", "sector", "self_score", "execution_rate", "expenditure_total", "mismatches", "notices",
                  "signals", "weight", "reason"], labels=labels)
if st.button("保存样本", type="primary", key="sp_save"):
    try:
        sid = store.save_sample(fiscal_year=year, rule=rule, method=method, seed=seed, stratified=stratified,
                                drawn_by=user.display, members=drawn)
    except store.BureauError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.success(f"已保存样本 {sid}：{rule}")

st.subheader("已保存的样本", anchor=False)
try:
    saved = store.samples(year)
except store.BureauError as exc:
    st.error(str(exc))
    st.stop()
if saved.empty:
    st.caption("该年度还没有保存的样本。")
    st.stop()
st.dataframe(pd.DataFrame({"样本编号": saved["sample_id"], "抽取规则": saved["rule"], "随机种子": saved["seed"],
                           "单位数": saved["n_members"], "抽取人": saved["drawn_by"], "抽取时间": saved["drawn_at"]}),
             hide_index=True, width="stretch")
pick = st.selectbox("查看样本", saved["sample_id"].tolist(), key="sp_pick",
                    format_func=lambda s: f"样本 {s}：{saved.set_index('sample_id').loc[s, 'rule']}")
members = store.sample_members(sample_id=int(pick))
shown = pd.DataFrame({"序号": range(1, len(members) + 1), "单位名称": members["unit_name"], "行业": members["sector"],
                      "抽取依据": members["reason"], "风险权重": members["weight"], "单位键": members["unit_key"],
                      "抽取规则": members["rule"], "随机种子": members["seed"], "抽取人": members["drawn_by"],
                      "抽取时间": members["drawn_at"]})
st.dataframe(shown, hide_index=True, width="stretch")
ui.downloads(shown, f"sp_members_{pick}", f"{year}年_抽查样本{pick}", xlsx=False)
