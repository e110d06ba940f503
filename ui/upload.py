"""The 导入报告 flow: the ETL's own pipeline (etl.load), in three steps.

`prepare` runs `extract_files` over the uploaded files (and the members of
uploaded .zip archives): the same input rules, isolated worker processes and
one-line Chinese reasons as `python -m etl load`. It also works out each
report's key figures the way the dashboard will show them once loaded: the
records are written into a scratch in-memory database and the query layer's
`import_preview` reads them back (same 执行率 rules, same 不符 checks).
`check` then says, before anything is stored, what confirming will do with
each file (`plan`: 新报告, 已在库中, 将替换 X年 的报告, 本批重复, 无法导入),
from the database's current reports (`import_matches`). `store`, when the user
confirms, runs `store_files` on exactly those files (a file repeated in the
batch once): the database never holds half a report, failures in the load log, the derived
tables rebuilt.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterable

import pandas as pd

import queries
from etl.config import ARCHIVE_EXTENSIONS, REPORT_EXTENSIONS, Limits
from etl.db import LoadError, open_db
from etl.load import Item, extract_files, store_files, store_record, unit_key
from ui import data

log = logging.getLogger("dashboard")

# Who loaded, for the load log: until the dashboard has accounts, the page itself.
UPLOAD_USER = "导入页面"

ACCEPTED = [ext.lstrip(".") for ext in REPORT_EXTENSIONS + ARCHIVE_EXTENSIONS]  # docx ... zip
MAX_FILE_MB = Limits().max_file_mb  # the loader's limit, for the page's help text
STATUS_TEXT = {
    "loaded": "已导入（新报告）",
    "replaced": "已导入（替换该单位该年度的旧报告）",
    "unchanged": "未变（同一文件已在库中）",
    "failed": "失败",
    "duplicate": "本批重复（未再导入）",
}
# What confirming will do (Candidate.plan), counted in the preview's caption.
PLAN_TEXT = {"new": "新报告", "replace": "将替换旧报告", "unchanged": "已在库中", "duplicate": "本批重复",
             "failed": "无法导入"}
# What confirming will do (Candidate.plan) -> the loader's status it should come back with.
PLANNED_STATUS = {"new": "loaded", "replace": "replaced", "unchanged": "unchanged", "failed": "failed",
                  "duplicate": "duplicate"}
PREVIEW = "import_preview"
# The preview table: the candidate's own columns and its plan, then import_preview's figures.
PREVIEW_LABELS = {"file": "文件", "unit_name": "单位", "fiscal_year": "年度", "plan_text": "状态"}
# 状态 right after the file's identity: the column the reader decides on, visible without scrolling.
PREVIEW_COLUMNS = ["file", "unit_name", "fiscal_year", "plan_text", "budget_wan", "expenditure_total", "execution_rate",
                   "self_score", "grade", "mismatches", "warning_count", "first_warning", "template"]
# (is_demo rides along: ui.table shows 数据类别 when any file is demo data)


@dataclass
class Candidate(Item):
    """One report file from the upload (name as shown: "报告.docx" or "合集.zip/某局.docx"),
    with what extraction made of it, its figures as the dashboard computes them, and
    what confirming will do with it."""
    unit_key: str | None = None
    figures: dict = field(default_factory=dict)   # the import_preview row of its record
    plan: str | None = None       # new | replace | unchanged | duplicate | failed (see plan())
    plan_text: str | None = None  # the same, as the 状态 column says it

    @property
    def report(self) -> dict:
        return (self.record or {}).get("report") or {}

    def row(self) -> dict:
        """The preview table's row (raw column names; PREVIEW_COLUMNS, labelled by preview_labels())."""
        return {"file": self.name, "unit_name": self.report.get("unit_name"),
                "fiscal_year": self.report.get("fiscal_year"), **self.figures, "plan_text": self.plan_text}


def preview_labels() -> dict[str, str]:
    return {**queries.labels(PREVIEW), **PREVIEW_LABELS}


def preview_frame(candidates: list[Candidate]) -> pd.DataFrame:
    """One row per file, in upload order; blank figures stay blank (a failed file has none)."""
    frame = pd.DataFrame([c.row() for c in candidates]).reindex(columns=PREVIEW_COLUMNS + ["is_demo"])
    frame["fiscal_year"] = frame["fiscal_year"].astype("Int64")
    for col in ("budget_wan", "expenditure_total", "execution_rate", "self_score"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    for col in ("mismatches", "warning_count"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    frame["is_demo"] = frame["is_demo"].fillna(False).astype(bool)  # a file not read is no demo report
    return frame


def loaded_by() -> str:
    """Who the load log names for this page's loads: the signed-in account (the load log is
    the import's audit record, listed on 数据质量's 操作记录)."""
    from ui import auth

    user = auth.current_user()
    return f"{user.name}（{UPLOAD_USER}）" if user is not None else UPLOAD_USER


def prepare(files: Iterable, limits: Limits = Limits()) -> list[Candidate]:
    """Expand and read the uploaded files (st.UploadedFile or (name, bytes)),
    extract every report in isolated workers, and return one Candidate each,
    with its figures (figure_candidates)."""
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
            cand.unit_key = unit_key(cand.report)
        candidates.append(cand)
    if not candidates:
        # e.g. a .zip holding no report files at all
        shown = uploads[0][0] if uploads else "（无文件）"
        candidates.append(Candidate(shown, shown, error=f"压缩包中没有 {'/'.join(REPORT_EXTENSIONS)} 报告文件"))
    figure_candidates(candidates)
    return candidates


def figure_candidates(candidates: list[Candidate]) -> None:
    """Fill each readable candidate's `figures` as the dashboard will compute them: the records
    are stored in a scratch in-memory database (etl.load.store_record, as confirming will) and
    read back by the query layer's import_preview. A record the loader would refuse (no year, no
    unit name) gets its one-line reason as `error` now, so the preview says it. Two files of one
    unit and year cannot sit in one database: they go into separate rounds."""
    rounds: list[dict[tuple, Candidate]] = []
    seen: set[str] = set()
    for cand in candidates:
        if not cand.ok or cand.sha in seen:
            continue
        seen.add(cand.sha)
        key = (cand.unit_key, cand.report.get("fiscal_year"))
        free = next((r for r in rounds if key not in r), None)
        if free is None:
            free = {}
            rounds.append(free)
        free[key] = cand
    by_sha: dict[str, dict] = {}
    for batch in rounds:
        con = open_db(":memory:")
        try:
            for cand in batch.values():
                record = {**cand.record, "source": {**(cand.record.get("source") or {}), "sha256": cand.sha}}
                try:
                    store_record(con, record, file_path=cand.name)
                except ValueError as exc:  # the loader's own refusal, one line of Chinese
                    cand.error = str(exc)
            rows = queries.run(PREVIEW, con)
        except Exception:  # noqa: BLE001 - figures are a help for review: without them the preview still works
            log.exception("upload preview figures")
            continue
        finally:
            con.close()
        by_sha.update({row["sha256"]: row for row in rows.to_dict("records")})
    for cand in candidates:
        row = dict(by_sha.get(cand.sha) or {}) if cand.ok else {}
        row.pop("sha256", None)
        cand.figures = {k: (None if pd.isna(v) else v) for k, v in row.items()}


def _day(ts) -> str:
    return f"{ts.year}年{ts.month}月{ts.day}日导入" if ts is not None and not pd.isna(ts) else "导入日期不详"


def plan(candidates: list[Candidate], current: pd.DataFrame) -> list[Candidate]:
    """Say what confirming will do with each candidate, in upload order, given the database's
    current reports (`current`: rows of import_matches). Sets plan and plan_text:

      duplicate  本批重复（与 X 相同）: the same bytes came earlier in this batch; loaded once
      failed     无法导入：reason
      unchanged  已在库中（同一文件，某日导入）: these very bytes are the current report
      replace    将替换 X年 的报告（file，某日导入）: its unit and year have a current report from
                 another file; or an earlier file of this batch (本批 file), which it then replaces
      new        新报告
    """
    by_sha = {r["sha256"]: r for r in current.to_dict("records")}
    by_unit_year = {(r["unit_key"], int(r["fiscal_year"])): r for r in current.to_dict("records")}
    first_of: dict[str, Candidate] = {}
    in_batch: dict[tuple, Candidate] = {}
    for cand in candidates:
        earlier = first_of.get(cand.sha) if cand.sha else None
        if earlier is not None:
            cand.plan, cand.plan_text = "duplicate", f"本批重复（与 {earlier.name} 相同）"
            continue
        if cand.sha:
            first_of[cand.sha] = cand
        if not cand.ok:
            cand.plan, cand.plan_text = "failed", f"无法导入：{cand.error}"
            continue
        year = cand.report.get("fiscal_year")
        key = (cand.unit_key, year)
        before = in_batch.get(key)
        if before is not None:
            cand.plan, cand.plan_text = "replace", f"将替换 {year}年 的报告（本批 {before.name}）"
            before.plan_text += f"；随后被本批 {cand.name} 替换"
        elif cand.sha in by_sha:
            cand.plan, cand.plan_text = "unchanged", f"已在库中（同一文件，{_day(by_sha[cand.sha]['loaded_at'])}）"
        elif key in by_unit_year:
            old = by_unit_year[key]
            cand.plan = "replace"
            cand.plan_text = f"将替换 {year}年 的报告（{old['file_name']}，{_day(old['loaded_at'])}）"
        else:
            cand.plan, cand.plan_text = "new", "新报告"
        in_batch[key] = cand
    return candidates


def check(candidates: list[Candidate]) -> str | None:
    """plan() against the database as it is now; the one-line notice when it cannot be asked
    (the plan then assumes an empty database, and the loader still decides on confirming)."""
    shas = sorted({c.sha for c in candidates if c.sha})
    keys = sorted({c.unit_key for c in candidates if c.ok})
    current, notice = None, None
    if data._stamp(data.db_path()) is not None and (shas or keys):
        try:
            current = data.run("import_matches", sha256s=shas, unit_keys=keys)
        except data.DataError as exc:
            notice = f"暂时无法核对库中已有的报告（{exc}）；确认导入时仍按同一规则处理。"
    if current is None:
        current = pd.DataFrame(columns=[c for c, _, _ in queries.get("import_matches").columns])
    plan(candidates, current)
    return notice


def store(candidates: list[Candidate]) -> list[Candidate]:
    """Load the readable reports and log the unreadable ones, as `etl load` does; a file
    repeated within the batch is stored once (status "duplicate" for the repeats)."""
    todo = [c for c in candidates if c.plan != "duplicate"]
    with data.database().writing() as con:
        summary = store_files(con, todo, loaded_by=loaded_by())
    for cand in candidates:
        if cand.plan == "duplicate":
            cand.status = "duplicate"
    data.clear_cache()
    if summary.refresh_error:
        log.error("after upload: %s", summary.refresh_error)
        raise LoadError(summary.refresh_error)
    return candidates


def differs_from_plan(candidates: list[Candidate]) -> list[Candidate]:
    """The files whose load ended otherwise than the preview said (another load came in between)."""
    return [c for c in candidates if c.plan and c.status and PLANNED_STATUS[c.plan] != c.status]
