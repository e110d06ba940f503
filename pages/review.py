"""复核 (绩效科 only): the year's reports by review status; for one report its key
figures, its findings and the original file; the reviewer's 复核得分 (等次 from
data/grade_rules.csv), 复核意见 and a verdict per finding. Every save is a new
version (bureau.store); a save over a version saved meanwhile is refused."""
import pandas as pd
import streamlit as st

import ui
from bureau import review, store
from ui import auth, data, style

ui.page_start("复核", "绩效科逐份复核各单位自评报告：核对数字与发现，给出复核得分、等次和意见。", show_filters=False)
user = auth.require("绩效科")

years = sorted(data.status().years, reverse=True)  # the latest first
c1, c2 = st.columns([1, 3])
year = c1.selectbox("年度", years, key="rv_year")
wanted = c2.multiselect("复核状态", review.STATUSES, default=list(review.STATUSES), key="rv_status")
queue = ui.fetch("review_queue", years=[year])
if queue is None:
    st.stop()
try:
    reviews = store.current_reviews(year)
except store.BureauError as exc:
    st.error(str(exc))
    st.stop()
listing = review.review_list(queue, reviews)
if flash := st.session_state.pop("rv_flash", None):
    st.success(flash, icon=":material/check_circle:")
counts = listing["status"].value_counts()
st.caption("　".join(f"{s}：{int(counts.get(s, 0))} 份" for s in review.STATUSES))
shown = listing[listing["status"].isin(wanted)]
table = shown.rename(columns={"review_score": "复核得分", "review_grade": "复核等次", "status": "复核状态",
                              "reviewer_display": "复核人", "reviewed_at": "复核时间"})
ui.table(table, "review_queue", "rv_list", title=f"{year}年_复核清单",
         columns=["unit_name", "sector", "self_score", "grade", "复核得分", "复核等次", "复核状态", "mismatches",
                  "notices", "signals", "复核人", "复核时间"],
         empty="没有该状态的报告。")
if shown.empty:
    st.stop()

# options keyed by report; the status is on the card below
options = {r.unit_key: r.unit_name for r in shown.itertuples()}
chosen = st.selectbox("复核哪份报告", list(options), key="rv_pick", format_func=options.get)
rep = shown[shown["unit_key"] == chosen].iloc[0]
key = f"{rep['unit_key']}|{year}"
seen_key = f"rv_seen|{key}"
if seen_key not in st.session_state:
    st.session_state[seen_key] = int(rep["version"])

st.subheader(f"{rep['unit_name']} · {year}年", anchor=False)
m = st.columns(5)
ui.metric(m[0], "自评得分", style.num(rep["self_score"]) if not style.is_blank(rep["self_score"]) else "—")
ui.metric(m[1], "申报等次", rep["grade"] if not style.is_blank(rep["grade"]) else "—")
ui.metric(m[2], "预算执行率", "—" if style.is_blank(rep["execution_rate"]) else f"{rep['execution_rate']:.2f}%")
ui.metric(m[3], "支出合计（万元）", "—" if style.is_blank(rep["expenditure_total"]) else f"{rep['expenditure_total']:,.2f}")
ui.metric(m[4], "复核状态", rep["status"])

scope = {"units": [rep["unit_id"]], "years": [year]}
found = review.findings(ui.fetch("consistency_checks", **scope), ui.fetch("credibility_signals", **scope),
                        ui.fetch("report_warnings", **scope), int(rep["report_id"]))

docs = ui.fetch("unit_documents", **scope)
if docs is not None and not docs.empty:
    doc = docs.iloc[0]
    if bool(doc["has_content"]):
        st.download_button(f"下载原始文件：{doc['file_name']}", data.document_loader(doc["sha256"]),
                           file_name=doc["file_name"], key=f"rv_doc_{doc['sha256']}", icon=":material/download:",
                           on_click="ignore")
    else:
        st.caption(f"原始文件 {doc['file_name']} 未存入库中。")

history = store.review_history(rep["unit_key"], year)
last = history.iloc[0] if not history.empty else None
VERDICT_CHOICES = ["（未核实）", *store.VERDICTS]
previous = {v["finding_key"]: v for v in (last["verdicts"] if last is not None else [])}

with st.form(f"rv_form_{key}"):
    st.markdown("**复核结论**")
    f1, f2 = st.columns([1, 3])
    score_text = f1.text_input("复核得分（0–100）", value="" if last is None or pd.isna(last["review_score"])
                               else f"{last['review_score']:g}")
    comment = f2.text_area("复核意见", value="" if last is None or last["review_comment"] is None
                           else str(last["review_comment"]))
    verdicts = []
    if found:
        st.markdown("**逐项核实发现**（不符 / 提示 / 信号 / 读取警告）")
    for i, item in enumerate(found):
        prev = previous.get(item["finding_key"], {})
        a, b, c = st.columns([3, 1.2, 2])
        a.text(f"【{item['kind']}】{item['finding']}")
        verdict = b.selectbox("结论", VERDICT_CHOICES, key=f"rv_v_{key}_{i}", label_visibility="collapsed",
                              index=VERDICT_CHOICES.index(prev["verdict"]) if prev.get("verdict") in VERDICT_CHOICES else 0)
        note = c.text_input("说明", value=prev.get("note") or "", key=f"rv_n_{key}_{i}", label_visibility="collapsed",
                            placeholder="说明（可选）")
        if verdict in store.VERDICTS:
            verdicts.append({**item, "verdict": verdict, "note": note})
    if not found:
        st.caption("该报告没有核查发现、信号或读取警告。")
    submitted = st.form_submit_button("保存复核", type="primary")

if submitted:
    try:
        score = store.validate_score(score_text)
        grade = None
        if score is not None:
            graded = data.run("score_grade", score=score, region=rep["region"], fiscal_year=year)
            grade = None if graded.empty else graded.iloc[0]["grade"]
        version = store.save_review(rep["unit_key"], year, seen_version=st.session_state[seen_key],
                                    reviewer=user.name, reviewer_display=user.display, score=score, grade=grade,
                                    comment=comment.strip(), sha256=rep["sha256"], verdicts=verdicts)
    except store.ReviewConflict as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        if st.button("刷新"):
            st.session_state.pop(seen_key, None)
            st.rerun()
    except (store.BureauError, ui.DataError) as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.session_state[seen_key] = version
        st.session_state["rv_flash"] = (f"已保存第 {version} 版复核" + (f"：{score:g} 分，{grade}" if score is not None
                                                                    else "") + "。")
        st.rerun()  # the list and its counts show the new status

if not history.empty:
    st.markdown("**复核记录**（每次保存一版，最新在前）")
    cur = history.iloc[0]
    if cur["review_comment"]:
        st.text(f"当前复核意见：{cur['review_comment']}")
    shown_history = pd.DataFrame({
        "版本": history["version"], "复核得分": history["review_score"], "复核等次": history["review_grade"],
        "复核意见": history["review_comment"], "复核人": history["reviewer_display"], "复核时间": history["reviewed_at"],
        "报告文件": history["reviewed_sha256"].str[:12], "核实结论数": history["n_verdicts"],
    })
    st.dataframe(shown_history, hide_index=True, width="stretch")
