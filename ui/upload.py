"""The 导入报告 flow: the ETL's own pipeline (etl.load), in two steps.

`prepare` runs `extract_files` over the uploaded files (and the members of
uploaded .zip archives): the same input rules, isolated worker processes and
one-line Chinese reasons as `python -m etl load`; the page shows the result for
review. `store`, when the user confirms, runs `store_files`: one transaction per
report, failures in the load log, the derived tables rebuilt.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable

from etl.config import ARCHIVE_EXTENSIONS, REPORT_EXTENSIONS, Limits
from etl.db import LoadError
from etl.load import Item, extract_files, store_files, unit_key
from ui import data

# Who loaded, for the load log: until the dashboard has accounts, the page itself.
UPLOAD_USER = "导入页面"

ACCEPTED = [ext.lstrip(".") for ext in REPORT_EXTENSIONS + ARCHIVE_EXTENSIONS]  # docx ... zip
MAX_FILE_MB = Limits().max_file_mb  # the loader's limit, for the page's help text
STATUS_TEXT = {
    "loaded": "已导入（新报告）",
    "replaced": "已导入（替换该单位该年度的旧报告）",
    "unchanged": "未变（同一文件已在库中）",
    "failed": "失败",
}


@dataclass
class Candidate(Item):
    """One report file from the upload (name as shown: "报告.docx" or "合集.zip/某局.docx"),
    with what extraction made of it."""
    unit_key: str | None = None

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


def loaded_by() -> str:
    """Who the load log names for this page's loads: the signed-in account (the load log is
    the import's audit record, listed on 数据质量's 操作记录)."""
    from ui import auth

    user = auth.current_user()
    return f"{user.name}（{UPLOAD_USER}）" if user is not None else UPLOAD_USER


def prepare(files: Iterable, limits: Limits = Limits()) -> list[Candidate]:
    """Expand and read the uploaded files (st.UploadedFile or (name, bytes)),
    extract every report in isolated workers, and return one Candidate each."""
    uploads = [(u.name, u.getvalue()) if hasattr(u, "getvalue") else (u[0], u[1]) for u in files]
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths = []
        for i, (name, content) in enumerate(uploads):
            folder = Path(tmp) / str(i)  # one folder per upload: two files may share a name
            folder.mkdir()
            path = folder / Path(name).name
            path.write_bytes(content)
            paths.append(path)
        items = list(extract_files(paths, limits, workers=2))
    candidates = []
    for item in items:
        cand = Candidate(**{f.name: getattr(item, f.name) for f in fields(Item)})
        cand.name = item.name.split(f"{tmp}/", 1)[-1].split("/", 1)[-1]
        cand.path = None  # the temporary copy is gone
        if cand.ok:
            cand.unit_key = unit_key(cand.record.get("report") or {})
        candidates.append(cand)
    if not candidates:
        # e.g. a .zip holding no report files at all
        shown = uploads[0][0] if uploads else "（无文件）"
        candidates.append(Candidate(shown, shown, error=f"压缩包中没有 {'/'.join(REPORT_EXTENSIONS)} 报告文件"))
    return candidates


def store(candidates: list[Candidate]) -> list[Candidate]:
    """Load the readable reports and log the unreadable ones, as `etl load` does."""
    with data.database().writing() as con:
        summary = store_files(con, candidates, loaded_by=loaded_by())
    data.clear_cache()
    if summary.refresh_error:
        logging.getLogger("dashboard").error("after upload: %s", summary.refresh_error)
        raise LoadError(summary.refresh_error)
    return candidates
