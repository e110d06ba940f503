"""导入报告: upload .docx/.doc/.pdf/.txt/.zip, review what was read from each
file (key figures and warnings), then confirm to load — the same rules as
`python -m etl load` (see ui/upload.py)."""
import hashlib

import pandas as pd
import streamlit as st

import ui
from ui import auth, upload

ui.page_start("导入报告", "上传各单位的部门整体支出绩效自评报告，核对读取结果后确认入库。同一单位同一年度再次导入会替换旧报告。",
              needs_data=False, show_filters=False)
auth.require("绩效科")

with st.expander("能读取哪些报告？读不全时怎么办？", icon=":material/help:"):
    st.markdown(
        f"""
- **两种写法都能读。** 一是财政局的填报表模板（封面有“部门（单位）名称、预算编码”，有收入、支出、“三公”经费、
  固定资产四张表和绩效指标表）；二是**文字版报告**（标题如“××局2023年度部门整体支出绩效自评报告”，数字写在正文里）。
  文字版只能读到正文写明的数字，没写的项目留空，不按0计；读取结果里“报告格式”一栏会注明。
- **繁体字副本**（转载网站常见）会自动转为简体字读取，并在读取警告中注明。
- **文件格式：** .docx、.doc、.pdf（须有文字层，扫描图片无法读取）、.txt（UTF-8 或 GBK/GB18030）、.html，
  或打包成 .zip；每份报告不超过 {upload.MAX_FILE_MB:g} MB，一次上传的每个文件（含 .zip 压缩包）
  不超过 {st.get_option("server.maxUploadSize")} MB。表头注明“元”的金额自动换算为万元。
- **无法导入的文件**会逐个列出原因，不影响其他文件入库；入库的每份报告要么完整写入，要么不写。
- **同一单位同一年度**再次导入会替换旧报告；同一个文件重复导入不会重复入库。
- **单位归并与分类**由项目 data 目录下的对照表决定（可用 Excel 或记事本编辑，保存为 UTF-8 的 CSV）：
  单位更名或合并登记在 `unit_aliases.csv`，所属行业在 `unit_sectors.csv`，哪些是“办案单位”（每件成本才有可比性）
  在 `case_units.csv`，评价等次的分档在 `grade_rules.csv`。改完后重启看板，或运行 `python -m queries --refresh`。
"""
    )

ui.components.uploader_in_chinese()
files = st.file_uploader(
    "选择报告文件（可多选；支持 .docx、.doc、.pdf、.txt、.html，或打包成 .zip）", type=upload.ACCEPTED,
    accept_multiple_files=True, key="up_files",
)
if files:
    # Extraction is slow (Word/PDF conversion): keep the result for this exact set of files across reruns.
    batch = hashlib.sha256(b"".join(hashlib.sha256(f.getvalue()).digest() + f.name.encode() for f in files)).hexdigest()
    if st.session_state.get("up_batch") != batch:
        with st.spinner(f"正在读取 {len(files)} 个文件……"):
            st.session_state["up_candidates"] = upload.prepare(files)
        st.session_state["up_batch"] = batch
        st.session_state.pop("up_result", None)
elif "up_result" not in st.session_state:
    st.caption("也可以在服务器上用命令批量导入：`python -m etl load 报告文件夹`。")
    st.stop()
candidates = st.session_state["up_candidates"]
result = st.session_state.get("up_result")

if result is None:
    notice = upload.check(candidates)  # against the database as it is now, on every rerun
    counts = pd.Series([c.plan for c in candidates]).value_counts()
    st.subheader("读取结果", anchor=False)
    st.caption("共 {} 个文件：".format(len(candidates)) + "，".join(
        f"{text} {counts[plan]} 个" for plan, text in upload.PLAN_TEXT.items() if plan in counts)
        + "。请核对后确认入库；「状态」一栏是确认后将发生的事。")
    if notice:
        st.warning(notice, icon=":material/warning:")
    for cand in candidates:
        if cand.plan == "failed":
            st.error(f"**{ui.plain(cand.name)}**：{ui.plain(cand.error)}", icon=":material/block:")
    ui.table(upload.preview_frame(candidates), upload.PREVIEW, key="up_review", title="读取结果",
             columns=upload.PREVIEW_COLUMNS, labels=upload.PREVIEW_LABELS, xlsx=False)
    warned = [c for c in candidates if c.ok and ((c.record.get("source") or {}).get("warnings"))]
    if warned:
        with st.expander(f"全部读取警告（{len(warned)} 个文件）", icon=":material/warning:"):
            for cand in warned:
                st.markdown(f"**{ui.plain(cand.name)}**")
                st.markdown("\n".join(f"- {ui.plain(w)}" for w in cand.record["source"]["warnings"]))
    todo = [c for c in candidates if c.plan in ("new", "replace", "unchanged")]
    failed = counts.get("failed", 0)
    label = f"确认导入 {len(todo)} 份报告" + (f"（{failed} 份无法导入的将记入失败记录）" if failed else "")
    if st.button(label, type="primary", disabled=not todo and not failed, key="up_confirm",
                 icon=":material/database_upload:"):
        try:
            st.session_state["up_result"] = upload.store(candidates)  # the load log records who
        except Exception as exc:  # noqa: BLE001 - e.g. the database is locked by a running `etl load`
            st.error(f"无法写入数据库，请稍后重试（{ui.plain(' '.join(str(exc).split())[:200])}）。", icon=":material/error:")
            st.stop()
        st.rerun()
else:
    st.subheader("导入结果", anchor=False)
    counts = pd.Series([c.status for c in result]).value_counts()
    st.success("；".join(f"{upload.STATUS_TEXT[s]} {n} 份" for s, n in counts.items()), icon=":material/check_circle:")
    table = pd.DataFrame([{"文件": c.name, "结果": upload.STATUS_TEXT.get(c.status, c.status),
                           "单位名称": (c.record or {}).get("report", {}).get("unit_name"),
                           "年度": (c.record or {}).get("report", {}).get("fiscal_year"),
                           "原因": c.error or (c.plan_text if c.status == "duplicate" else None)}
                          for c in result])
    moved = upload.differs_from_plan(result)
    if moved:  # another load came in between the preview and the confirmation
        st.warning("以下文件的结果与预览不同（预览之后库中报告有变化）：" + "、".join(ui.plain(c.name) for c in moved),
                   icon=":material/warning:")
    st.dataframe(table, hide_index=True, placeholder="—", key="up_result_table")
    ui.downloads(table, "up_result_dl", "导入结果", xlsx=False)
    loaded = [c for c in result if c.status in ("loaded", "replaced", "unchanged")]
    if loaded:
        st.markdown("**查看导入的单位：**")
        row = st.container(horizontal=True)
        for i, cand in enumerate(loaded):
            if row.button(ui.plain(cand.record["report"].get("unit_name") or cand.name), key=f"up_open_{i}",
                          icon=":material/apartment:"):
                history = ui.fetch("unit_history", units=[cand.unit_key])
                if history is not None and not history.empty:
                    ui.open_unit(history.iloc[0]["unit_id"])
    st.page_link("pages/overview.py", label="去总览", icon=":material/dashboard:")
