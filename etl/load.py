"""The one pipeline files -> records -> database (the schema of etl/schema.sql).

    load_files(paths, db)        `python -m etl load`: find, extract, store, refresh
    extract_files(paths)         `python -m etl extract` and the upload page's review: find and extract
    store_files(con, items)      the upload page's confirm: store what extract_files gave, refresh

Finding: `iter_inputs` expands files, folders and .zip archives under the input
rules (size limits, zip-bomb and unsafe-path checks, GBK member names).
Extracting: isolated worker processes (etl/isolate.py), time and memory limits.
Storing: `store_record` writes one record in one transaction (the report row,
every child table, the unit, the original file and a load-log row, or nothing at
all), from this process only, since DuckDB allows one writer. A record for a
(unit_key, fiscal_year) that already has a current report replaces it with all
its child rows; the same file (same sha256) again changes nothing. Refreshing:
the query layer's derived tables are rebuilt after every store; a failure there
is reported as an error. Every reason and summary is one line of Chinese, as the
user reads it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

from etl.config import (ARCHIVE_EXTENSIONS, BOMB_MIN_BYTES_ARCHIVE, DEFAULT_DB, REPORT_EXTENSIONS, Limits,
                        looks_like_zip_bomb)
from etl.db import open_db
from etl.document import one_line
from etl.isolate import ExtractPool, Task, default_workers, extract_isolated
from etl.readers import EMPTY_FILE, cannot_read, inflate_refused, mb, too_large, zip_bomb
from etl.record import BUDGET_FIELDS
from etl.textnorm import unit_name_key

MAX_ARCHIVE_MEMBERS = 10_000


def unit_key(report: dict) -> str:
    """Identity of a unit across years: region + budget code, else region + name
    (etl.textnorm.unit_name_key: whitespace removed, full-width brackets as ASCII)."""
    region = unit_name_key(report.get("region"))
    code = unit_name_key(report.get("budget_code"))
    return f"{region}|{code or unit_name_key(report.get('unit_name'))}"


# Child tables: record list -> (table, columns with DuckDB types). row_no is
# the 1-based position in the record, so document order survives.
_MONEY = "double"
CHILD_TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "income": ("income", [
        ("org", "varchar"), ("total", _MONEY), ("carryover", _MONEY),
        ("fiscal_appropriation", _MONEY), ("fund_appropriation", _MONEY),
        ("special_account_income", _MONEY), ("other_income", _MONEY)]),
    "expenditure": ("expenditure", [
        ("org", "varchar"), ("total", _MONEY), ("basic", _MONEY), ("personnel", _MONEY),
        ("public", _MONEY), ("project", _MONEY), ("surplus_year", _MONEY),
        ("surplus_cumulative", _MONEY)]),
    "three_public": ("three_public", [
        ("org", "varchar"), ("total", _MONEY), ("reception", _MONEY),
        ("vehicle_operation", _MONEY), ("vehicle_purchase", _MONEY), ("overseas", _MONEY)]),
    "fixed_assets": ("fixed_assets", [
        ("org", "varchar"), ("total", _MONEY), ("in_use", _MONEY), ("leased", _MONEY),
        ("other", _MONEY)]),
    "goals": ("goals", [("seq", "integer"), ("text", "varchar")]),
    "indicators": ("indicators", [
        ("level1", "varchar"), ("level2", "varchar"), ("seq", "integer"), ("name", "varchar"),
        ("target_text", "varchar"), ("actual_text", "varchar"), ("actual_value", "double"),
        ("actual_unit", "varchar"), ("weight", "double"), ("score", "double"),
        ("deviation_reason", "varchar")]),
    "cases": ("cases", [
        ("category", "varchar"), ("channel", "varchar"), ("channel_label", "varchar"),
        ("count", "integer"), ("amount_wan", "double"), ("approx", "boolean")]),
}
_CHILD_TABLE_NAMES = [t for t, _ in CHILD_TABLES.values()] + ["narratives", "budget"]
# record.budget (one object, the project's own section): one row when any figure is stated.
_BUDGET_SQL = (f"insert into budget (report_id, {', '.join(BUDGET_FIELDS)}) "
               f"values (?, {', '.join('?' for _ in BUDGET_FIELDS)})")


def _child_insert_sql(table: str, columns: list[tuple[str, str]]) -> str:
    # One statement per table, each column one list parameter: DuckDB costs
    # about 0.5 ms per statement, so a statement per row would dominate.
    cols = [("row_no", "integer")] + columns
    names = ", ".join(f'"{c}"' for c, _ in cols)
    lists = ", ".join(f"unnest(?::{t}[])" for _, t in cols)
    return f"insert into {table} (report_id, {names}) select ?, {lists}"


_CHILD_SQL = {key: _child_insert_sql(table, cols) for key, (table, cols) in CHILD_TABLES.items()}
_NARRATIVE_SQL = ("insert into narratives (report_id, section, text) "
                  "select ?, unnest(?::varchar[]), unnest(?::varchar[])")

_REPORT_COLUMNS = [
    "unit_key", "region", "fiscal_year", "unit_name", "budget_code",
    "evaluation_method", "evaluator", "report_date", "contact", "phone", "staff_quota",
    "staff_actual", "functions", "main_tasks", "overall_results", "self_score", "grade",
    "goals_completion", "is_demo", "file_name", "sha256", "format", "money_unit",
    "template", "warnings", "record_json"]
_REPORT_SQL = (f"insert into reports ({', '.join(_REPORT_COLUMNS)}) values ("
               + ", ".join("?::date" if c == "report_date" else "?" for c in _REPORT_COLUMNS) + ") returning report_id")

# Update-then-insert rather than ON CONFLICT, which costs DuckDB twice as much.
# The name, region and code of the latest year win.
_UNIT_UPDATE_SQL = """
update units set
    unit_name   = case when $year >= last_year then $name else unit_name end,
    region      = case when $year >= last_year then $region else region end,
    budget_code = case when $year >= last_year then $code else budget_code end,
    first_year  = least(first_year, $year),
    last_year   = greatest(last_year, $year)
where unit_key = $key
"""
_UNIT_INSERT_SQL = """
insert into units (unit_key, region, unit_name, budget_code, first_year, last_year)
values ($key, $region, $name, $code, $year, $year)
"""
_DOCUMENT_SQL = """
insert into documents (sha256, file_name, format, size_bytes, content)
select $sha, $name, $format, $size, $content
where not exists (select 1 from documents where sha256 = $sha)
"""

_LOG_SQL = """
insert into load_log (file_name, file_path, sha256, status, reason, report_id,
                      replaced_report_id, unit_key, fiscal_year, loaded_by)
values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def store_record(con: duckdb.DuckDBPyConnection, record: dict, file_bytes: bytes | None = None,
                 file_path: str | None = None, loaded_by: str | None = None) -> tuple[str, int]:
    """Store one report record in its own transaction (`loaded_by`: who, for the load log).

    Returns (status, report_id) with status "loaded" (new unit-year),
    "replaced" (another file was current for that unit and year) or
    "unchanged" (this very file is already current). Raises ValueError for a
    record without the fields a report row needs; on any error nothing of the
    record stays in the database.
    """
    report = record.get("report") or {}
    source = record.get("source") or {}
    sha = source.get("sha256") or (hashlib.sha256(file_bytes).hexdigest() if file_bytes is not None else None)
    file_name = source.get("file_name") or (Path(file_path).name if file_path else None)
    year, name = report.get("fiscal_year"), _clean(report.get("unit_name"))
    missing = [what for what, value in (("年度", year), ("单位名称", name), ("文件校验值 sha256", sha),
                                        ("文件名", file_name)) if value in (None, "")]
    if missing:
        raise ValueError(f"报告记录缺少{'、'.join(missing)}，无法入库")
    key = unit_key(report)

    con.execute("begin transaction")
    try:
        current = con.execute("select report_id, sha256 from reports where unit_key = ? and fiscal_year = ?",
                              [key, year]).fetchone()
        if current and current[1] == sha:
            con.execute(_LOG_SQL, [file_name, file_path, sha, "unchanged", None, current[0], None, key, year,
                                  loaded_by])
            con.execute("commit")
            return "unchanged", current[0]
        replaced_id = None
        if current:
            replaced_id = current[0]
            for table in _CHILD_TABLE_NAMES:
                con.execute(f"delete from {table} where report_id = ?", [replaced_id])
            con.execute("delete from reports where report_id = ?", [replaced_id])
        report_id = _insert_report(con, key, record, sha, file_name)
        unit = dict(key=key, region=report.get("region"), name=name, code=report.get("budget_code"), year=year)
        if not con.execute(_UNIT_UPDATE_SQL, unit).fetchone()[0]:
            con.execute(_UNIT_INSERT_SQL, unit)
        if file_bytes is not None:
            con.execute(_DOCUMENT_SQL, dict(sha=sha, name=file_name, format=source.get("format"),
                                            size=len(file_bytes), content=file_bytes))
        status = "replaced" if replaced_id is not None else "loaded"
        con.execute(_LOG_SQL, [file_name, file_path, sha, status, None, report_id, replaced_id, key, year, loaded_by])
        con.execute("commit")
        return status, report_id
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass  # the connection is gone; so is the transaction
        raise


def _clean(text):
    return text.strip() if isinstance(text, str) else text


def _insert_report(con, key: str, record: dict, sha: str, file_name: str) -> int:
    report, source = record.get("report") or {}, record.get("source") or {}
    values = dict(report)
    values.update(
        unit_key=key, unit_name=_clean(report.get("unit_name")),
        goals_completion=record.get("goals_completion"),
        is_demo=bool(source.get("demo")), file_name=file_name, sha256=sha,
        format=source.get("format") or Path(file_name).suffix.lstrip(".").lower() or "unknown",
        money_unit=source.get("money_unit") or "万元", template=source.get("template"),
        warnings=list(source.get("warnings") or []),
        record_json=json.dumps(record, ensure_ascii=False))
    report_id = con.execute(_REPORT_SQL, [values.get(c) for c in _REPORT_COLUMNS]).fetchone()[0]

    for key_, (table, columns) in CHILD_TABLES.items():
        items = record.get(key_) or []
        if not items:
            continue
        params = [report_id, list(range(1, len(items) + 1))]
        for column, _ in columns:
            values = [item.get(column) for item in items]
            if column == "approx":  # not null in the schema; absent means exact
                values = [bool(v) for v in values]
            params.append(values)
        con.execute(_CHILD_SQL[key_], params)
    budget = record.get("budget") or {}
    if any(budget.get(f) is not None for f in BUDGET_FIELDS):
        con.execute(_BUDGET_SQL, [report_id] + [budget.get(f) for f in BUDGET_FIELDS])
    narrative = record.get("narrative") or {}
    if narrative:
        con.execute(_NARRATIVE_SQL, [report_id, list(narrative), list(narrative.values())])
    return report_id


def store_error(e: BaseException) -> str:
    """The one-line reason for a record that could not be written."""
    return f"无法写入数据库（{one_line(e)}）"


def log_failure(con, file_name: str, file_path: str | None, reason: str, sha: str | None = None,
                loaded_by: str | None = None) -> None:
    """Record a file that could not be loaded (one autocommitted row)."""
    con.execute(_LOG_SQL, [file_name, file_path, sha, "failed", reason, None, None, None, None, loaded_by])


# ---------------------------------------------------------------------------
# Finding the inputs: files, folders, zip archives

@dataclass
class Item:
    """One candidate report: a file on disk or a member of an archive."""
    name: str                      # as shown to the user
    file_name: str                 # base name, goes into the record
    path: str | None = None        # on disk (None for an archive member)
    archive: str | None = None     # the .zip it comes from
    member: zipfile.ZipInfo | None = None
    data: bytes | None = None      # contents, once read
    sha: str | None = None
    error: str | None = None       # one line: why it cannot be loaded (refused, unreadable, not stored)
    record: dict | None = None     # once extracted
    status: str | None = None      # once stored: loaded | replaced | unchanged | failed

    @property
    def ok(self) -> bool:
        """Extracted and ready to store."""
        return self.record is not None and self.error is None


def iter_inputs(paths: Iterable[str | os.PathLike], limits: Limits) -> Iterator[Item]:
    """Expand PATH arguments into items, in a stable order.

    Folders are walked recursively for the supported extensions (the `.json`
    expected records beside demo documents and Word's `~$` lock files are
    skipped); a .zip is opened and its members checked before inflating.
    A file named explicitly is always tried, whatever its extension.
    """
    seen: set[str] = set()
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for sub in _walk(p):
                yield from _once(sub, seen, limits)
        elif p.exists():
            yield from _once(p, seen, limits)
        else:
            yield Item(shown_name(str(p)), shown_name(p.name), path=str(p), error="文件或文件夹不存在")


def shown_name(name: str) -> str:
    """A file name as text: names whose bytes are not UTF-8 (copied from a
    Chinese Windows share, they are GBK) arrive with surrogate escapes, which
    neither DuckDB nor the terminal can take."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        # "page_files/" beside a saved web page (or Word's "name.files/") holds
        # its images, scripts and frames, not reports.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not d.lower().endswith(("_files", ".files")))
        for d in dirs:  # "报告.docx/": refused by name rather than passed over in silence
            if d.lower().endswith(REPORT_EXTENSIONS):
                yield Path(root) / d
        for f in sorted(files):
            if f.startswith((".", "~$")):
                continue
            if f.lower().endswith(REPORT_EXTENSIONS + ARCHIVE_EXTENSIONS):
                yield Path(root) / f


def _once(p: Path, seen: set[str], limits: Limits) -> Iterator[Item]:
    real = os.path.realpath(p)
    if real in seen:
        return
    seen.add(real)
    if p.suffix.lower() in ARCHIVE_EXTENSIONS and p.is_file():
        yield from _archive_items(p, limits)
        return
    item = Item(shown_name(str(p)), shown_name(p.name), path=str(p))
    try:
        st = p.stat()
    except OSError as e:
        item.error = cannot_read(e)
        return (yield item)
    size = st.st_size
    if stat.S_ISDIR(st.st_mode):
        item.error = "这是一个文件夹，不是报告文件（名称像文件）：请导入其中的报告文件"
    elif not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
        item.error = "不是普通文件（可能是设备或管道），无法读取"
    elif size > limits.max_file_bytes:
        item.error = too_large(size, limits.max_file_mb)
    yield item


def _archive_items(p: Path, limits: Limits) -> Iterator[Item]:
    def refused(reason: str) -> Item:
        return Item(shown_name(str(p)), shown_name(p.name), path=str(p), error=reason)

    try:
        if p.stat().st_size > limits.max_inflated_bytes:
            return (yield refused(f"压缩包过大：{mb(p.stat().st_size)} MB，"
                                  f"超过上限 {limits.max_inflated_mb:g} MB"))
        zf = zipfile.ZipFile(p)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as e:
        return (yield refused(f"不是可读的 zip 压缩包，可能已损坏（{one_line(e)}）"))
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        if len(members) > MAX_ARCHIVE_MEMBERS:
            return (yield refused(f"压缩包中有 {len(members)} 个文件，超过上限 {MAX_ARCHIVE_MEMBERS} 个，已拒绝"))
        declared = sum(i.file_size for i in members)
        if declared > limits.max_inflated_bytes:
            return (yield refused(inflate_refused(declared, limits.max_inflated_mb)))
        found = 0
        for info in members:
            name = _member_name(info)
            base = name.rsplit("/", 1)[-1]
            item = Item(f"{shown_name(str(p))}/{name}", base, archive=str(p), member=info)
            lower = base.lower()
            if base.startswith((".", "~$")) or not lower.endswith(REPORT_EXTENSIONS + ARCHIVE_EXTENSIONS):
                continue
            found += 1
            if stat.S_ISLNK(info.external_attr >> 16):
                item.error = "压缩包中的符号链接（快捷方式）不处理，已拒绝"
            elif lower.endswith(ARCHIVE_EXTENSIONS):
                item.error = "压缩包中的压缩包不处理：请先解压，再导入里面的压缩包"
            elif name.startswith("/") or ".." in name.split("/") or re.match(r"^[A-Za-z]:", name):
                item.error = "压缩包内的文件路径不安全（指向压缩包以外），已拒绝"
            elif looks_like_zip_bomb(info.file_size, info.compress_size, BOMB_MIN_BYTES_ARCHIVE):
                item.error = zip_bomb(info.file_size, info.compress_size)
            elif info.file_size > limits.max_file_bytes:
                item.error = too_large(info.file_size, limits.max_file_mb)
            yield item
        if not found:
            yield refused(f"压缩包中没有报告文件（支持 {' '.join(REPORT_EXTENSIONS)}）")


def _member_name(info: zipfile.ZipInfo) -> str:
    # Zips made on Chinese Windows store GBK names without the UTF-8 flag;
    # zipfile then decodes them as cp437 mojibake.
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


class OpenArchives:
    """Keeps the current archive open while its members are read in turn."""

    def __init__(self):
        self.path, self.zf = None, None

    def get(self, path: str) -> zipfile.ZipFile:
        if path != self.path:
            self.close()
            self.zf, self.path = zipfile.ZipFile(path), path
        return self.zf

    def close(self):
        if self.zf is not None:
            self.zf.close()
        self.path, self.zf = None, None


def read_item(item: Item, limits: Limits, archives: OpenArchives | None = None) -> None:
    """Fill item.data (bounded by the file size limit), or item.error."""
    limit = limits.max_file_bytes
    try:
        if item.member is not None:
            zf = (archives or OpenArchives()).get(item.archive)
            with zf.open(item.member) as f:
                # Bounded read: a lying header cannot make us inflate more.
                data = f.read(limit + 1)
        else:
            with open(item.path, "rb") as f:
                data = f.read(limit + 1)
    except OSError as e:
        item.error = cannot_read(e)
        return
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, EOFError, zlib.error) as e:
        if isinstance(e, RuntimeError) and "encrypted" in str(e):  # zipfile: "... password required"
            item.error = "压缩包中的文件已加密：请去掉密码后重新打包"
        else:
            item.error = f"无法从压缩包中解压此文件，压缩包可能已损坏（{one_line(e)}）"
        return
    if len(data) > limit:
        item.error = too_large(None, limits.max_file_mb)
    elif not data:
        item.error = EMPTY_FILE
    else:
        item.data = data


# ---------------------------------------------------------------------------
# The pipeline

@dataclass
class LoadSummary:
    loaded: int = 0
    replaced: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    refresh_error: str | None = None   # the derived tables could not be rebuilt (one line)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.refresh_error else 0

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    def line(self) -> str:
        return (f"已导入 {self.loaded} 份，替换 {self.replaced} 份，"
                f"未变 {self.unchanged} 份，失败 {self.failed} 份")

    def failure_lines(self) -> list[str]:
        return [f"  {name}：{reason}" for name, reason in self.failures]


class Extraction:
    """The report files found under `paths`, and the worker processes that extract them.

        with Extraction(paths, limits) as run:    # the workers are forked here
            for item in run.results(): ...       # read and extracted, in the order found
    """

    def __init__(self, paths: Iterable[str | os.PathLike], limits: Limits = Limits(), workers: int | None = None):
        self.limits = limits
        self.items = list(iter_inputs(paths, limits))
        self.pool = ExtractPool(limits, workers=min(workers or default_workers(), max(1, len(self.items))))

    def __enter__(self) -> "Extraction":
        # Start the workers before DuckDB starts its threads: forking a lean process.
        self.pool.start()
        return self

    def __exit__(self, *exc) -> None:
        self.pool.close()

    def results(self, is_current: Callable[[str], bool] | None = None) -> Iterator[Item]:
        """Each item, in order: read (item.data, item.sha) and extracted (item.record), or
        with item.error. One whose bytes `is_current(sha)` says are already the current report is
        passed through unextracted (record and error both None)."""
        for outcome in self.pool.map(self._tasks(is_current)):
            item: Item = outcome.task.meta
            if item.error is None:
                item.record, item.error = outcome.record, outcome.reason
            yield item

    def _tasks(self, is_current) -> Iterator[Task]:
        archives = OpenArchives()
        try:
            for item in self.items:
                task = Task(name=item.name, file_name=item.file_name, meta=item)
                if item.error is None:
                    read_item(item, self.limits, archives)
                if item.error is not None:
                    task.extract = False
                else:
                    item.sha = hashlib.sha256(item.data).hexdigest()
                    if is_current is not None and is_current(item.sha):
                        task.extract = False  # the very same file is already current: no need to extract it
                    else:
                        task.data = item.data
                yield task
        finally:
            archives.close()


def extract_files(paths: Iterable[str | os.PathLike], limits: Limits = Limits(), *,
                  workers: int | None = None) -> Iterator[Item]:
    """Every report file under `paths`, in order, with its record (item.record) or the
    one-line reason it has none (item.error). Nothing is stored."""
    with Extraction(paths, limits, workers) as run:
        yield from run.results()


def store_files(con: duckdb.DuckDBPyConnection, items: Iterable[Item], limits: Limits = Limits(), *,
                loaded_by: str | None = None) -> LoadSummary:
    """Store each item's record in its own transaction (or log why it has none), in order
    (so when two files of one unit-year come together, the later one is current); then
    rebuild the query layer's derived tables. Sets item.status (and item.error) of each."""
    summary = LoadSummary()
    # The writer is the bottleneck and its statements are tiny single-table
    # inserts and key lookups: planning them without the optimizer saves ~15% of its time.
    con.execute("pragma disable_optimizer")
    try:
        for item in items:
            _settle(con, item, summary, limits, loaded_by)
    finally:
        con.execute("pragma enable_optimizer")
    summary.refresh_error = _refresh(con)
    return summary


def load_files(paths: Iterable[str | os.PathLike], db=DEFAULT_DB, limits: Limits = Limits(), *,
               workers: int | None = None, on_progress: Callable[[int, int], None] | None = None,
               loaded_by: str | None = None) -> LoadSummary:
    """Load every report found under `paths` into `db` (a path or an open connection).

    Files are extracted in parallel worker processes with the time and memory
    limits of `limits` and stored here as they come (store_files); a file whose
    bytes are already the current report is not extracted again.
    `on_progress(done, total)` is called after each file.
    """
    with Extraction(paths, limits, workers) as run:
        own = not isinstance(db, duckdb.DuckDBPyConnection)
        con = open_db(db) if own else db
        try:
            def is_current(sha: str) -> bool:
                return con.execute("select 1 from reports where sha256 = ? limit 1", [sha]).fetchone() is not None

            def settled() -> Iterator[Item]:
                for done, item in enumerate(run.results(is_current), 1):
                    yield item
                    item.data = None  # stored: free the bytes at once
                    if on_progress is not None:
                        on_progress(done, len(run.items))

            return store_files(con, settled(), limits, loaded_by=loaded_by)
        finally:
            if own:
                con.close()


def _settle(con, item: Item, summary: LoadSummary, limits: Limits, loaded_by: str | None) -> None:
    reason = item.error
    if reason is None and item.record is None:
        # Skipped as already current when it was queued; make sure it still is
        # (an earlier file of this run may have replaced it).
        row = con.execute("select report_id, unit_key, fiscal_year from reports where sha256 = ? limit 1",
                          [item.sha]).fetchone()
        if row:
            con.execute(_LOG_SQL, [item.file_name, item.name, item.sha, "unchanged", None, row[0], None,
                                   row[1], row[2], loaded_by])
            item.status = "unchanged"
            summary.count("unchanged")
            return
        try:
            item.record = extract_isolated(data=item.data, file_name=item.file_name, limits=limits)
        except Exception as e:  # ExtractError or a worker failure, already one line
            reason = one_line(e)
    if reason is None:
        try:
            item.status, _ = store_record(con, item.record, file_bytes=item.data, file_path=item.name,
                                          loaded_by=loaded_by)
            summary.count(item.status)
        except Exception as e:  # one file's failure must not stop the others
            reason = store_error(e)
    if reason is not None:
        item.status, item.error = "failed", reason
        summary.failures.append((item.name, reason))
        try:
            log_failure(con, item.file_name or item.name, item.name, reason, item.sha, loaded_by)
        except Exception:  # the failure is still reported to the user
            pass


def _refresh(con) -> str | None:
    """Rebuild the query layer's derived tables after a load (the dashboard reads them);
    the one-line error when that fails (the reports stay stored; the tables are marked stale)."""
    import queries  # the layer above; imported here so that reading files needs no DuckDB queries

    try:
        queries.refresh(con)
    except Exception as e:
        return f"汇总表刷新失败，报告已入库（{one_line(e)}）：请运行 python -m queries --refresh"
    return None
