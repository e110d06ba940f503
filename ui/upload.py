"""The 导入报告 flow, under the same rules as `python -m etl load`.

Uploaded files (and the members of uploaded .zip archives) are expanded and
checked by the ETL's own input rules (etl.load.iter_inputs / read_item: size
limits, zip-bomb and unsafe-path checks, GBK member names), extracted in the
ETL's isolated worker processes (etl.isolate: time and memory limits), shown
for review, and stored only when the user confirms (etl.load.store_record in
one transaction per report; failures go to the load log like the CLI's). The
reasons shown are the ETL's own, already one line of Chinese each.
"""
from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import queries
from etl.config import ARCHIVE_EXTENSIONS, REPORT_EXTENSIONS, Limits
from etl.isolate import ExtractPool, Task
from etl.load import iter_inputs, log_failure, read_item, store_error, store_record, unit_key
from ui import data

ACCEPTED = [ext.lstrip(".") for ext in REPORT_EXTENSIONS + ARCHIVE_EXTENSIONS]  # docx ... zip
MAX_FILE_MB = Limits().max_file_mb  # the loader's limit, for the page's help text
STATUS_TEXT = {
    "loaded": "已导入（新报告）",
    "replaced": "已导入（替换该单位该年度的旧报告）",
    "unchanged": "未变（同一文件已在库中）",
    "failed": "失败",
}


@dataclass
class Candidate:
    """One report file from the upload, with what extraction made of it."""
    name: str                    # as shown: "报告.docx" or "合集.zip/某局.docx"
    file_name: str
    data: bytes | None = None
    sha: str | None = None
    record: dict | None = None
    error: str | None = None     # one line: why it cannot be loaded
    status: str | None = None    # after loading: loaded | replaced | unchanged | failed
    unit_key: str | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None and self.error is None

    def summary(self) -> dict:
        """The record's headline figures, for the review table."""
        rep = (self.record or {}).get("report") or {}
        src = (self.record or {}).get("source") or {}
        totals = [r for r in (self.record or {}).get("expenditure") or [] if r.get("org") == "汇总"]
        return {
            "文件": self.name,
            "结果": "可导入" if self.ok else "无法导入",
            "单位名称": rep.get("unit_name"),
            "年度": rep.get("fiscal_year"),
            "预算编码": rep.get("budget_code"),
            "自评得分": rep.get("self_score"),
            "评价等次": rep.get("grade"),
            "支出合计（万元）": totals[0].get("total") if totals else None,
            "报告格式": TEMPLATE_NAMES.get(src.get("template"), src.get("template")) if self.record else None,
            "绩效指标数": len((self.record or {}).get("indicators") or []) if self.record else None,
            "读取警告数": len(src.get("warnings") or []) if self.record else None,
            "数据类别": ("演示" if src.get("demo") else "真实") if self.record else None,
            "原因": self.error,
        }


# the extractor's layout codes, as report_details.sql names them
TEMPLATE_NAMES = {"yueyang-yunxi-2022": "岳阳填报表模板", "hunan-prose": "文字版报告（数字取自正文）"}


def prepare(files: Iterable, limits: Limits = Limits()) -> list[Candidate]:
    """Expand and read the uploaded files (st.UploadedFile or (name, bytes)),
    extract every report in isolated workers, and return one Candidate each."""
    uploads = [(u.name, u.getvalue()) if hasattr(u, "getvalue") else (u[0], u[1]) for u in files]
    candidates: list[Candidate] = []
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths = []
        for i, (name, content) in enumerate(uploads):
            folder = Path(tmp) / str(i)  # one folder per upload: two files may share a name
            folder.mkdir()
            path = folder / Path(name).name
            path.write_bytes(content)
            paths.append(path)
        items = list(iter_inputs(paths, limits))
        for item in items:
            if item.error is None:
                read_item(item, limits)
        tasks = []
        for item in items:
            shown = item.name.split(f"{tmp}/", 1)[-1].split("/", 1)[-1]
            cand = Candidate(shown, item.file_name, error=item.error)
            if item.error is None:
                cand.data = item.data
                cand.sha = hashlib.sha256(item.data).hexdigest()
            candidates.append(cand)
            tasks.append(Task(name=shown, data=cand.data, file_name=item.file_name, meta=cand,
                              extract=cand.error is None))
    if any(t.extract for t in tasks):
        with ExtractPool(limits, workers=min(2, sum(t.extract for t in tasks))) as pool:
            for outcome in pool.map(tasks):
                cand = outcome.task.meta
                if not outcome.task.extract:
                    continue
                if outcome.reason is not None:
                    cand.error = outcome.reason
                else:
                    cand.record = outcome.record
    for cand in candidates:
        if cand.ok:
            cand.unit_key = unit_key(cand.record.get("report") or {})
    if not candidates:
        # e.g. a .zip holding no report files at all
        candidates.append(Candidate(uploads[0][0] if uploads else "（无文件）", "",
                                    error=f"压缩包中没有 {'/'.join(REPORT_EXTENSIONS)} 报告文件"))
    return candidates


def store(candidates: list[Candidate]) -> list[Candidate]:
    """Load the readable reports and log the unreadable ones, as `etl load` does."""
    with data.database().writing() as con:
        for cand in candidates:
            if cand.ok:
                try:
                    cand.status, _ = store_record(con, cand.record, file_bytes=cand.data, file_path=cand.name)
                except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the others
                    cand.status, cand.error = "failed", store_error(exc)
            else:
                cand.status = "failed"
            if cand.status == "failed":
                try:
                    log_failure(con, cand.file_name or cand.name, cand.name, cand.error or "无法读取此文件", cand.sha)
                except Exception:  # noqa: BLE001 - the failure is still shown on the page
                    pass
        if any(c.status in ("loaded", "replaced") for c in candidates):
            try:
                queries.refresh(con)  # the derived tables, as `etl load` rebuilds them after a load
            except Exception:  # noqa: BLE001 - queries then derive on the fly; slower, still right
                logging.getLogger("dashboard").exception("queries.refresh after upload failed")
    data.clear_cache()
    return candidates
