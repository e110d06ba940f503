"""The one pipeline files -> records -> database (the schema of etl/schema.sql).

    load_files(paths, db)        `python -m etl load`: find, extract, store, refresh
    extract_files(paths)         `python -m etl extract` and the upload page's review: find and extract
    store_files(con, items)      the upload page's confirm: store what extract_files gave, refresh

Finding: `iter_inputs` expands files, folders and .zip archives under the input
rules (size limits, zip-bomb and unsafe-path checks, GBK member names).
Extracting: isolated worker processes (etl/isolate.py), time and memory limits.
Storing: `BatchWriter` writes many records per transaction (a batch: every report row,
child table, unit, original file and load-log row of its reports, or nothing at all);
a batch that fails is written again one record per transaction (`store_record`), so
the bad record alone fails. From this process only, since DuckDB allows one writer. A
record for a (unit_key, fiscal_year) that already has a current report replaces it with all
its child rows; the same file (same sha256) again changes nothing. Refreshing:
the query layer's derived tables are rebuilt after every store; a failure there
is reported as an error. Every reason and summary is one line of Chinese, as the
user reads it.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import stat
import threading
import zipfile
import zlib
from collections import deque
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
    key, year, sha, file_name = _identity(record, file_bytes, file_path)
    report, source = record.get("report") or {}, record.get("source") or {}
    name = _clean(report.get("unit_name"))

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


def _identity(record: dict, file_bytes: bytes | None, file_path: str | None) -> tuple[str, int, str, str]:
    """(unit_key, fiscal_year, sha256, file_name) of a record; ValueError when it lacks one."""
    report = record.get("report") or {}
    source = record.get("source") or {}
    sha = source.get("sha256") or (hashlib.sha256(file_bytes).hexdigest() if file_bytes is not None else None)
    file_name = _file_name(record, file_path)
    year, name = report.get("fiscal_year"), _clean(report.get("unit_name"))
    missing = [what for what, value in (("年度", year), ("单位名称", name), ("文件校验值 sha256", sha),
                                        ("文件名", file_name)) if value in (None, "")]
    if missing:
        raise ValueError(f"报告记录缺少{'、'.join(missing)}，无法入库")
    return unit_key(report), year, sha, file_name


def _file_name(record: dict, file_path: str | None) -> str | None:
    return (record.get("source") or {}).get("file_name") or (Path(file_path).name if file_path else None)


def _report_values(key: str, record: dict, sha: str, file_name: str) -> dict:
    """The reports row of a record, by column name."""
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
    return values


def _insert_report(con, key: str, record: dict, sha: str, file_name: str) -> int:
    values = _report_values(key, record, sha, file_name)
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


# ---------------------------------------------------------------------------
# Storing many reports per transaction
#
# One transaction and a dozen statements per report cost the writer ~17 ms of
# CPU a report (DuckDB's per-statement and per-commit overhead), twice the
# extraction. `BatchWriter` stores up to BATCH_REPORTS reports (or BATCH_BYTES
# of original files) in one transaction with one statement per table, after
# working out in Python, in file order, what each report does (new, replaces,
# unchanged) exactly as store_record would one by one. When a batch fails, it
# is rolled back and stored again one report per transaction (store_record),
# so the one bad report is named and the others still load; either way the
# database never holds half a report.

BATCH_REPORTS = 200
BATCH_BYTES = 16 << 20
# Extracted items waiting for the writer thread (load_files): about one batch more.
HANDOFF_ITEMS = 256
HANDOFF_MB = 32
STORE_MEMORY_LIMIT = "128MB"   # DuckDB's own buffers while storing (restored for the refresh)

_REPORT_TYPES = {
    "fiscal_year": "integer", "report_date": "date", "staff_quota": "integer", "staff_actual": "integer",
    "self_score": "double", "is_demo": "boolean", "warnings": "varchar[]"}


def _unnest_sql(table: str, columns: list[tuple[str, str]]) -> str:
    names = ", ".join(f'"{c}"' for c, _ in columns)
    lists = ", ".join(f"unnest(?::{t}[])" for _, t in columns)
    return f"insert into {table} ({names}) select {lists}"


_BATCH_REPORT_SQL = _unnest_sql("reports", [("report_id", "bigint")] + [
    (c, _REPORT_TYPES.get(c, "varchar")) for c in _REPORT_COLUMNS])
_BATCH_CHILD_SQL = {key: _unnest_sql(table, [("report_id", "bigint"), ("row_no", "integer")] + cols)
                    for key, (table, cols) in CHILD_TABLES.items()}
_BATCH_NARRATIVE_SQL = _unnest_sql("narratives", [("report_id", "bigint"), ("section", "varchar"),
                                                  ("text", "varchar")])
_BATCH_BUDGET_SQL = _unnest_sql("budget", [("report_id", "bigint")] + [(f, "double") for f in BUDGET_FIELDS])
_BATCH_UNIT_SQL = _unnest_sql("units", [("unit_key", "varchar"), ("region", "varchar"), ("unit_name", "varchar"),
                                        ("budget_code", "varchar"), ("first_year", "integer"),
                                        ("last_year", "integer")]).replace("insert into", "insert or replace into")
_BATCH_DOCUMENT_SQL = _unnest_sql("documents", [("sha256", "varchar"), ("file_name", "varchar"),
                                                ("format", "varchar"), ("size_bytes", "bigint"),
                                                ("content", "blob")])
_BATCH_LOG_SQL = _unnest_sql("load_log", [
    ("log_id", "bigint"), ("file_name", "varchar"), ("file_path", "varchar"), ("sha256", "varchar"),
    ("status", "varchar"), ("reason", "varchar"), ("report_id", "bigint"), ("replaced_report_id", "bigint"),
    ("unit_key", "varchar"), ("fiscal_year", "integer"), ("loaded_by", "varchar")])


def advance_sequences(con) -> None:
    """Move report_id_seq and load_log_id_seq past the ids already in their tables.

    A database written by other means (benchmarks/builder.py, a restore) may hold ids the
    sequences have not given out; every insert would then fail on a duplicate key.
    DuckDB has no setval: the sequence is drawn forward, once, by as many as it lags."""
    for table, column, seq in (("reports", "report_id", "report_id_seq"),
                               ("load_log", "log_id", "load_log_id_seq")):
        top = con.execute(f"select max({column}) from {table}").fetchone()[0]
        if top is None:
            continue
        last, start = con.execute("select last_value, start_value from duckdb_sequences() "
                                  "where sequence_name = ?", [seq]).fetchone()
        given = last if last is not None else start - 1
        if given < top:
            con.execute(f"select max(nextval('{seq}')) from range(?)", [top - given])


def _next_ids(con, seq: str, n: int) -> list[int]:
    if n == 0:
        return []
    return sorted(v for (v,) in con.execute(f"select nextval('{seq}') from range(?)", [n]).fetchall())


class CurrentFiles:
    """The sha256 of every current report, fetched once (not a query per file): one bytes
    object of sorted 64-byte hex digests, 64 MB for a million reports, searched by halving."""

    def __init__(self, con):
        joined = con.execute("select string_agg(sha256, '' order by sha256) from reports "
                             "where length(sha256) = 64 and sha256 = lower(sha256)").fetchone()[0] or ""
        self._digests = _Digests(joined.encode("ascii"))
        del joined
        self._other = {s for (s,) in con.execute(
            "select sha256 from reports where not (length(sha256) = 64 and sha256 = lower(sha256))").fetchall()}

    def __contains__(self, sha: str) -> bool:
        if len(sha) != 64:
            return sha in self._other
        key = sha.encode("ascii", "replace")
        i = bisect.bisect_left(self._digests, key)
        return (i < len(self._digests) and self._digests[i] == key) or sha in self._other


class _Digests:
    """A bytes object of 64-byte digests seen as a sequence of them (for bisect)."""

    def __init__(self, joined: bytes):
        self._joined = joined

    def __len__(self) -> int:
        return len(self._joined) // 64

    def __getitem__(self, i: int) -> bytes:
        return self._joined[64 * i:64 * i + 64]


@dataclass
class _Plan:
    """What storing one item does, worked out before the batch's statements run."""
    item: Item
    status: str                      # loaded | replaced | unchanged | failed
    key: str | None = None
    year: int | None = None
    sha: str | None = None
    reason: str | None = None
    report_id: int | None = None     # a placeholder (-1, -2, ...) until the batch has its ids
    replaced_id: int | None = None
    written: bool = False            # a report row is inserted (it may be superseded within the batch)


class BatchWriter:
    """Stores items (Item: a record, or an error to log) many reports per transaction.

        writer = BatchWriter(con, summary, limits, loaded_by)
        for item in items: writer.add(item)
        writer.close()     # the last batch

    `batch_reports=1` stores one report per transaction (store_record), as before batching.
    `on_stored(item)` is called for each item once its outcome is committed.
    """

    def __init__(self, con, summary: LoadSummary, limits: Limits = Limits(), loaded_by: str | None = None, *,
                 batch_reports: int = BATCH_REPORTS, batch_bytes: int = BATCH_BYTES,
                 on_stored: Callable[[Item], None] | None = None):
        self.con, self.summary, self.limits, self.loaded_by = con, summary, limits, loaded_by
        self.batch_reports, self.batch_bytes = max(1, batch_reports), batch_bytes
        self.on_stored = on_stored
        self.pending: list[Item] = []
        self.pending_bytes = 0
        advance_sequences(con)

    def add(self, item: Item) -> None:
        self.pending.append(item)
        self.pending_bytes += len(item.data or b"") + len((item.record or {}).get("narrative") or ()) * 1024
        if len(self.pending) >= self.batch_reports or self.pending_bytes >= self.batch_bytes:
            self.flush()

    def close(self) -> None:
        self.flush()

    def flush(self) -> None:
        items, self.pending, self.pending_bytes = self.pending, [], 0
        if not items:
            return
        if self.batch_reports == 1 or len(items) == 1:
            self._one_by_one(items)
            return
        try:
            plans = self._store_batch(items)
        except Exception:  # noqa: BLE001 - one report's fault: find it, store the others
            self._one_by_one(items)
            return
        for plan in plans:
            item = plan.item
            item.status = plan.status
            if plan.status == "failed":
                item.error = plan.reason
                self.summary.failures.append((item.name, plan.reason))
            else:
                self.summary.count(plan.status)
            self._stored(item)

    def _one_by_one(self, items: list[Item]) -> None:
        for item in items:
            _settle(self.con, item, self.summary, self.limits, self.loaded_by)
            self._stored(item)

    def _stored(self, item: Item) -> None:
        if self.on_stored is not None:
            self.on_stored(item)

    # -- one batch, one transaction -------------------------------------------------

    def _store_batch(self, items: list[Item]) -> list[_Plan]:
        con = self.con
        con.execute("begin transaction")
        try:
            plans = self._plan(items)
            self._write(plans)
            con.execute("commit")
            return plans
        except BaseException:
            try:
                con.execute("rollback")
            except duckdb.Error:
                pass
            raise

    def _plan(self, items: list[Item]) -> list[_Plan]:
        """Each item's outcome, in order, as store_record one by one would decide it."""
        con = self.con
        # Files skipped as already current when queued: their report, if still current.
        skipped = [it.sha for it in items if it.error is None and it.record is None]
        by_sha: dict[str, tuple] = {}
        if skipped:
            for sha, rid, key, year in con.execute(
                    "select sha256, report_id, unit_key, fiscal_year from reports "
                    "where sha256 in (select unnest(?::varchar[]))", [skipped]).fetchall():
                by_sha.setdefault(sha, (rid, key, year))
        plans: list[_Plan] = []
        for item in items:
            if item.error is None and item.record is None:
                row = by_sha.get(item.sha)
                if row is None:  # replaced since it was queued (by an earlier batch): extract it now
                    try:
                        item.record = extract_isolated(data=item.data, file_name=item.file_name,
                                                       limits=self.limits)
                    except Exception as e:
                        item.error = one_line(e)
                else:
                    plans.append(_Plan(item, "unchanged", key=row[1], year=row[2], sha=item.sha,
                                       report_id=row[0]))
                    continue
            if item.error is not None:
                plans.append(_Plan(item, "failed", sha=item.sha, reason=item.error))
                continue
            try:
                key, year, sha, file_name = _identity(item.record, item.data, item.name)
            except ValueError as e:
                plans.append(_Plan(item, "failed", sha=item.sha, reason=store_error(e)))
                continue
            plans.append(_Plan(item, "", key=key, year=year, sha=sha))

        records = [p for p in plans if p.status == ""]
        keys = sorted({p.key for p in records})
        current: dict[tuple, tuple] = {}   # (key, year) -> (report_id, sha)
        units: dict[str, list] = {}
        if keys:
            for key, year, rid, sha in con.execute(
                    "select unit_key, fiscal_year, report_id, sha256 from reports "
                    "where unit_key in (select unnest(?::varchar[]))", [keys]).fetchall():
                current[(key, year)] = (rid, sha)
            for row in con.execute("select unit_key, region, unit_name, budget_code, first_year, last_year "
                                   "from units where unit_key in (select unnest(?::varchar[]))",
                                   [keys]).fetchall():
                units[row[0]] = list(row[1:])
        # The skipped files' reports may be replaced by an earlier file of this batch.
        for p in plans:
            if p.status == "unchanged" and p.key is not None:
                current.setdefault((p.key, p.year), (p.report_id, p.sha))
        changed_units: set[str] = set()
        placeholder = 0
        for p in plans:
            if p.status == "unchanged" and p.item.record is None:
                now = current.get((p.key, p.year))
                if now is None or now[1] != p.sha:
                    # An earlier file of this batch took its place: it no longer is current.
                    raise _Replan()
                continue
            if p.status != "":
                continue
            now = current.get((p.key, p.year))
            if now is not None and now[1] == p.sha:
                p.status, p.report_id = "unchanged", now[0]
                continue
            placeholder -= 1
            p.report_id, p.written = placeholder, True
            if now is not None:
                p.status, p.replaced_id = "replaced", now[0]
            else:
                p.status = "loaded"
            current[(p.key, p.year)] = (p.report_id, p.sha)
            report = p.item.record.get("report") or {}
            name, region, code, year = _clean(report.get("unit_name")), report.get("region"), \
                report.get("budget_code"), p.year
            unit = units.get(p.key)
            if unit is None:
                units[p.key] = [region, name, code, year, year]
            else:
                if year >= unit[4]:
                    unit[0], unit[1], unit[2] = region, name, code
                unit[3], unit[4] = min(unit[3], year), max(unit[4], year)
            changed_units.add(p.key)
        self._units = {k: units[k] for k in sorted(changed_units)}
        return plans

    def _write(self, plans: list[_Plan]) -> None:
        con = self.con
        written = [p for p in plans if p.written]
        ids = _next_ids(con, "report_id_seq", len(written))
        real = {p.report_id: rid for p, rid in zip(written, ids)}
        for p in plans:
            if p.report_id is not None and p.report_id < 0:
                p.report_id = real[p.report_id]
            if p.replaced_id is not None and p.replaced_id < 0:
                p.replaced_id = real[p.replaced_id]
        # Replaced reports: those in the database go; those of this batch are never inserted.
        superseded = {p.replaced_id for p in plans if p.replaced_id is not None}
        old = sorted(superseded - set(ids))
        if old:
            for table in _CHILD_TABLE_NAMES + ["reports"]:
                con.execute(f"delete from {table} where report_id in (select unnest(?::bigint[]))", [old])
        kept = [p for p in written if p.report_id not in superseded]
        if kept:
            self._insert_reports(kept)
        if self._units:
            cols = list(zip(*([k] + v for k, v in self._units.items())))
            con.execute(_BATCH_UNIT_SQL, [list(c) for c in cols])
        docs: dict[str, tuple] = {}
        for p in written:
            data = p.item.data
            if data is not None and p.sha not in docs:
                source = p.item.record.get("source") or {}
                docs[p.sha] = (p.sha, _file_name(p.item.record, p.item.name), source.get("format"),
                               len(data), data)
        if docs:
            have = {s for (s,) in con.execute("select sha256 from documents where sha256 in "
                                              "(select unnest(?::varchar[]))", [list(docs)]).fetchall()}
            rows = [row for sha, row in docs.items() if sha not in have]
            if rows:
                con.execute(_BATCH_DOCUMENT_SQL, [list(c) for c in zip(*rows)])
        log_ids = _next_ids(con, "load_log_id_seq", len(plans))
        rows = []
        for log_id, p in zip(log_ids, plans):
            item = p.item
            if p.status == "failed":
                rows.append((log_id, item.file_name or item.name, item.name, p.sha, "failed", p.reason,
                             None, None, None, None, self.loaded_by))
            else:
                file_name = item.file_name if item.record is None else _file_name(item.record, item.name)
                rows.append((log_id, file_name, item.name, p.sha, p.status, None, p.report_id, p.replaced_id,
                             p.key, p.year, self.loaded_by))
        con.execute(_BATCH_LOG_SQL, [list(c) for c in zip(*rows)])

    def _insert_reports(self, plans: list[_Plan]) -> None:
        con = self.con
        columns: list[list] = [[] for _ in range(len(_REPORT_COLUMNS) + 1)]
        children: dict[str, list[list]] = {k: [[] for _ in range(len(cols) + 2)]
                                           for k, (_, cols) in CHILD_TABLES.items()}
        narratives: list[list] = [[], [], []]
        budgets: list[list] = [[] for _ in range(len(BUDGET_FIELDS) + 1)]
        for p in plans:
            record, rid = p.item.record, p.report_id
            values = _report_values(p.key, record, p.sha, _file_name(record, p.item.name))
            columns[0].append(rid)
            for i, c in enumerate(_REPORT_COLUMNS, 1):
                columns[i].append(values.get(c))
            for key_, (_, cols) in CHILD_TABLES.items():
                items = record.get(key_) or []
                if not items:
                    continue
                lists = children[key_]
                lists[0].extend([rid] * len(items))
                lists[1].extend(range(1, len(items) + 1))
                for i, (column, _) in enumerate(cols, 2):
                    if column == "approx":  # not null in the schema; absent means exact
                        lists[i].extend(bool(item.get(column)) for item in items)
                    else:
                        lists[i].extend(item.get(column) for item in items)
            budget = record.get("budget") or {}
            if any(budget.get(f) is not None for f in BUDGET_FIELDS):
                budgets[0].append(rid)
                for i, f in enumerate(BUDGET_FIELDS, 1):
                    budgets[i].append(budget.get(f))
            narrative = record.get("narrative") or {}
            if narrative:
                narratives[0].extend([rid] * len(narrative))
                narratives[1].extend(narrative)
                narratives[2].extend(narrative.values())
        con.execute(_BATCH_REPORT_SQL, columns)
        for key_, lists in children.items():
            if lists[0]:
                con.execute(_BATCH_CHILD_SQL[key_], lists)
        if budgets[0]:
            con.execute(_BATCH_BUDGET_SQL, budgets)
        if narratives[0]:
            con.execute(_BATCH_NARRATIVE_SQL, narratives)


class _Replan(Exception):
    """A skipped file stopped being current within the batch: the batch goes one by one."""


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
                loaded_by: str | None = None, batch_reports: int = BATCH_REPORTS,
                on_stored: Callable[[Item], None] | None = None) -> LoadSummary:
    """Store each item's record (or log why it has none), in order (so when two files of one
    unit-year come together, the later one is current), many reports per transaction
    (BatchWriter; `batch_reports=1`: one per transaction); then rebuild the query layer's
    derived tables. Sets item.status (and item.error) of each."""
    summary = LoadSummary()
    with store_settings(con, one_by_one=batch_reports == 1):
        writer = BatchWriter(con, summary, limits, loaded_by, batch_reports=batch_reports, on_stored=on_stored)
        for item in items:
            writer.add(item)
        writer.close()
    summary.refresh_error = _refresh(con)
    return summary


class store_settings:
    """DuckDB settings while storing: its buffers capped at STORE_MEMORY_LIMIT (the loader's
    memory stays flat however many documents a run loads), and, one report per transaction,
    no optimizer (its statements are tiny single-table inserts and key lookups: planning them
    without it saves ~15% of the writer's time). The previous settings come back after."""

    def __init__(self, con, one_by_one: bool = False):
        self.con, self.one_by_one = con, one_by_one

    def __enter__(self):
        self.memory = self.con.execute("select current_setting('memory_limit')").fetchone()[0]
        self.con.execute(f"set memory_limit = '{STORE_MEMORY_LIMIT}'")
        if self.one_by_one:
            self.con.execute("pragma disable_optimizer")
        return self

    def __exit__(self, *exc):
        try:
            if self.one_by_one:
                self.con.execute("pragma enable_optimizer")
            self.con.execute("set memory_limit = ?", [self.memory])
        except duckdb.Error:
            if exc[0] is None:
                raise


def load_files(paths: Iterable[str | os.PathLike], db=DEFAULT_DB, limits: Limits = Limits(), *,
               workers: int | None = None, on_progress: Callable[[int, int], None] | None = None,
               loaded_by: str | None = None, batch_reports: int = BATCH_REPORTS) -> LoadSummary:
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
            current = CurrentFiles(con)
            handoff = _Handoff()
            # The writer stores in a thread of its own, so that the workers go on extracting
            # while a batch is written (DuckDB lets go of the GIL while it works).
            writer = _WriterThread(lambda items: store_files(con, items, limits, loaded_by=loaded_by,
                                                             batch_reports=batch_reports, on_stored=release),
                                   handoff)
            writer.start()
            aborted = True  # until every item is handed over
            try:
                for done, item in enumerate(run.results(current.__contains__), 1):
                    if not handoff.put(item):
                        break  # the writer failed: its error is raised below
                    if on_progress is not None:
                        on_progress(done, len(run.items))
                aborted = False
            finally:
                handoff.close(aborted=aborted)
                try:
                    writer.join()
                except KeyboardInterrupt:  # Ctrl-C while it writes or refreshes: stop its statement first
                    con.interrupt()
                    writer.join()
                    raise
            return writer.result()
        finally:
            if own:
                con.close()


class _Handoff:
    """Extracted items from the reading thread to the writing one, in order, at most
    HANDOFF_ITEMS or HANDOFF_MB ahead of the writer (memory stays flat)."""

    def __init__(self):
        self._items: deque[Item] = deque()
        self._bytes = 0
        self._closed = self._aborted = self._stopped = False
        self._cv = threading.Condition()

    @staticmethod
    def _size(item: Item) -> int:
        return len(item.data or b"")

    def put(self, item: Item) -> bool:
        """False when the writer has stopped (it failed)."""
        with self._cv:
            while not self._stopped and self._items and (
                    len(self._items) >= HANDOFF_ITEMS or self._bytes >= HANDOFF_MB << 20):
                self._cv.wait()
            if self._stopped:
                return False
            self._items.append(item)
            self._bytes += self._size(item)
            self._cv.notify_all()
            return True

    def close(self, aborted: bool = False) -> None:
        with self._cv:
            self._closed, self._aborted = True, aborted
            self._cv.notify_all()

    def stop(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify_all()

    def __iter__(self) -> Iterator[Item]:
        while True:
            with self._cv:
                while not self._items and not self._closed:
                    self._cv.wait()
                if self._aborted:
                    raise _LoadAborted
                if not self._items:
                    return
                item = self._items.popleft()
                self._bytes -= self._size(item)
                self._cv.notify_all()
            yield item


class _LoadAborted(Exception):
    """The reading side stopped on an error (or Ctrl-C): the writer stops at the next item."""


class _WriterThread(threading.Thread):
    def __init__(self, store: Callable[[Iterable[Item]], LoadSummary], handoff: _Handoff):
        super().__init__(name="etl-writer")  # always joined
        self._store, self._handoff = store, handoff
        self._summary: LoadSummary | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._summary = self._store(self._handoff)
        except BaseException as e:  # noqa: BLE001 - raised again in the reading thread
            self._error = e
        finally:
            self._handoff.stop()

    def result(self) -> LoadSummary:
        if self._error is not None and not isinstance(self._error, _LoadAborted):
            raise self._error
        assert self._summary is not None
        return self._summary


def release(item: Item) -> None:
    """Stored: drop the file's bytes and its record, so that a run's memory does not grow with it."""
    item.data = item.record = None


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
