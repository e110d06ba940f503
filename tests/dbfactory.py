"""Small test databases for the query layer, built without the ETL.

`build_db(path, records)` writes report records shaped like the spec's record
(see ../shared/spec/report-record.md) straight into every table of
etl/schema.sql (the benchmarks' scaled databases come from
benchmarks/builder.py). `seed_record()` is the hand-written record of
the seed report, the natural fixture; `variant(record, **changes)` copies it
with changes given as "section.field" paths.
"""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

import duckdb

from etl.config import PROJECT_ROOT, SCHEMA_SQL
from etl.load import unit_key
from etl.record import BUDGET_FIELDS

SEED_RECORD = PROJECT_ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.json"  # the copy of ../shared's

MONEY_COLUMNS = {
    "income": ["total", "carryover", "fiscal_appropriation", "fund_appropriation", "special_account_income", "other_income"],
    "expenditure": ["total", "basic", "personnel", "public", "project", "surplus_year", "surplus_cumulative"],
    "three_public": ["total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"],
    "fixed_assets": ["total", "in_use", "leased", "other"],
}
REPORT_COLUMNS = [
    "region", "fiscal_year", "unit_name", "budget_code", "evaluation_method", "evaluator", "report_date",
    "contact", "phone", "staff_quota", "staff_actual", "functions", "main_tasks", "overall_results",
    "self_score", "grade",
]
NARRATIVE_SECTIONS = [
    "overview", "basic_expenditure", "project_expenditure", "government_fund", "state_capital",
    "social_insurance_fund", "performance", "problems", "improvements", "other",
]


def seed_record() -> dict:
    return json.loads(SEED_RECORD.read_text(encoding="utf-8"))


def variant(record: dict, **changes: Any) -> dict:
    """A deep copy of `record` with changes keyed "section__field" (double
    underscore for the dot): variant(r, report__fiscal_year=2021, cases=[])."""
    out = copy.deepcopy(record)
    for key, value in changes.items():
        parts = key.split("__")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))


def insert_record(con: duckdb.DuckDBPyConnection, record: dict, file_bytes: bytes | None = None) -> int:
    """Write one record into every table (replacing the same unit and year); returns report_id."""
    rep = record["report"]
    src = record.get("source", {})
    key = unit_key(rep)
    payload = json.dumps(record, ensure_ascii=False)
    sha = src.get("sha256") or hashlib.sha256((file_bytes or payload.encode())).hexdigest()
    old = con.execute(
        "select report_id from reports where unit_key = ? and fiscal_year = ?", [key, rep["fiscal_year"]]
    ).fetchone()
    if old:
        for table in ["income", "expenditure", "three_public", "fixed_assets", "goals", "indicators", "cases",
                      "narratives", "budget", "reports"]:
            con.execute(f"delete from {table} where report_id = ?", [old[0]])
    columns = ["unit_key", *REPORT_COLUMNS, "goals_completion", "is_demo", "file_name", "sha256", "format",
               "money_unit", "template", "warnings", "record_json"]
    values = [key, *[rep.get(c) for c in REPORT_COLUMNS], record.get("goals_completion"),
              bool(src.get("demo", False)), src.get("file_name", "record.json"), sha, src.get("format", "txt"),
              src.get("money_unit", "万元"), src.get("template"), list(src.get("warnings", [])), payload]
    if src.get("loaded_at"):
        columns.append("loaded_at")
        values.append(src["loaded_at"])
    report_id = con.execute(
        f"insert into reports ({', '.join(columns)}) values ({', '.join('?' * len(columns))}) returning report_id",
        values,
    ).fetchone()[0]
    for table, cols in MONEY_COLUMNS.items():
        _insert_rows(con, table, ["report_id", "row_no", "org", *cols],
                     [[report_id, n, row["org"], *[row.get(c) for c in cols]]
                      for n, row in enumerate(record.get(table, []), start=1)])
    _insert_rows(con, "goals", ["report_id", "seq", "row_no", "text"],
                 [[report_id, g.get("seq"), n, g["text"]] for n, g in enumerate(record.get("goals", []), start=1)])
    _insert_rows(con, "indicators", ["report_id", "row_no", "level1", "level2", "seq", "name", "target_text",
                                     "actual_text", "actual_value", "actual_unit", "weight", "score", "deviation_reason"],
                 [[report_id, n, i.get("level1"), i.get("level2"), i.get("seq"), i["name"], i.get("target_text"),
                   i.get("actual_text"), i.get("actual_value"), i.get("actual_unit"), i.get("weight"), i.get("score"),
                   i.get("deviation_reason")] for n, i in enumerate(record.get("indicators", []), start=1)])
    _insert_rows(con, "cases", ["report_id", "row_no", "category", "channel", "channel_label", "count", "amount_wan",
                                "approx"],
                 [[report_id, n, c["category"], c["channel"], c.get("channel_label"), c.get("count"),
                   c.get("amount_wan"), bool(c.get("approx", False))]
                  for n, c in enumerate(record.get("cases", []), start=1)])
    budget = record.get("budget") or {}  # the project's own section (etl/record.py BUDGET_FIELDS)
    if any(budget.get(f) is not None for f in BUDGET_FIELDS):
        _insert_rows(con, "budget", ["report_id", *BUDGET_FIELDS], [[report_id, *[budget.get(f) for f in BUDGET_FIELDS]]])
    _insert_rows(con, "narratives", ["report_id", "section", "text"],
                 [[report_id, section, text] for section, text in (record.get("narrative") or {}).items()])
    if file_bytes is not None:
        con.execute(
            "insert or replace into documents values (?, ?, ?, ?, ?)",
            [sha, src.get("file_name", "record.json"), src.get("format", "txt"), len(file_bytes), file_bytes],
        )
    con.execute(
        "insert into load_log (file_name, sha256, status, report_id, unit_key, fiscal_year) values (?, ?, ?, ?, ?, ?)",
        [src.get("file_name", "record.json"), sha, "replaced" if old else "loaded", report_id, key, rep["fiscal_year"]],
    )
    units_upsert(con, key, rep)
    return report_id


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[list]) -> None:
    """All rows in one statement (DuckDB's single-row inserts are slow)."""
    if not rows:
        return
    marks = ", ".join(["(" + ", ".join("?" * len(columns)) + ")"] * len(rows))
    con.execute(f"insert into {table} ({', '.join(columns)}) values {marks}", [v for row in rows for v in row])


def units_upsert(con: duckdb.DuckDBPyConnection, key: str, rep: dict) -> None:
    year = rep["fiscal_year"]
    row = con.execute("select first_year, last_year from units where unit_key = ?", [key]).fetchone()
    if row is None:
        con.execute("insert into units values (?, ?, ?, ?, ?, ?)",
                    [key, rep.get("region"), rep["unit_name"], rep.get("budget_code"), year, year])
    else:
        first, last = row
        con.execute(
            "update units set first_year = ?, last_year = ?, unit_name = case when ? >= ? then ? else unit_name end "
            "where unit_key = ?",
            [min(first, year), max(last, year), year, last, rep["unit_name"], key],
        )


def log_failure(con: duckdb.DuckDBPyConnection, file_name: str, reason: str, loaded_at: str | None = None) -> None:
    if loaded_at:
        con.execute("insert into load_log (file_name, status, reason, loaded_at) values (?, 'failed', ?, ?)",
                    [file_name, reason, loaded_at])
    else:
        con.execute("insert into load_log (file_name, status, reason) values (?, 'failed', ?)", [file_name, reason])


def build_db(path: Path | str, records: Iterable[dict] = (), refresh: bool = True) -> Path:
    """A DuckDB file at `path` with the schema and `records` inserted in order,
    then the query layer's derived tables refreshed (as the ETL does after a
    load) unless refresh=False."""
    import queries  # here, so the ETL-side helpers above need no query layer

    path = Path(path)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        create_schema(con)
        for record in records:
            insert_record(con, record)
        if refresh:
            queries.refresh(con)
    finally:
        con.close()
    return path

