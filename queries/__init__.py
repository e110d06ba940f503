"""Query layer: the figures leadership compares, one SQL file per question.

    import queries
    queries.catalog()                                  # every query: title, params, columns
    queries.run("budget_execution", db, years=[2022])  # -> pandas.DataFrame
    queries.labels("budget_execution")                 # column -> 中文 label
    queries.is_stale(db)                               # derived tables out of date? (then: --refresh)

Each `queries/NAME.sql` starts with a header comment that this module parses
into the catalog (title, description, formula, params, columns with Chinese
labels), so the SQL file is the single place a figure is defined. Values are
always bound as parameters, never formatted into SQL.

Derived tables. `_derive.sql` and `_findings.sql` turn the loaded reports and
the editable mappings under data/ (unit_aliases.csv, unit_sectors.csv,
case_units.csv, grade_rules.csv) into small q_* tables (unit identity and sector, one wide row
per report, consistency findings, credibility signals) and macros, stored in
the database by `refresh(con)`, which the ETL calls after each load. Each
run() compares a fingerprint of the reports and the mapping files with the one
stored at the last refresh; when they differ (or nothing was refreshed yet) it
builds the same objects as temp tables on its own read-only cursor instead,
which gives the same figures, only slower; is_stale(db) tells whether that is
happening (the dashboard's 数据质量 page shows the command that fixes it).
"""
from __future__ import annotations

import csv
import functools
import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import duckdb

if TYPE_CHECKING:  # pandas and pyarrow are imported where results are made: loading files needs neither
    import pandas as pd

from etl.config import DEFAULT_DB, PROJECT_ROOT

SQL_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("QUERIES_DATA_DIR", PROJECT_ROOT / "data"))
MAPPING_FILES = {
    "cfg_unit_aliases": ("unit_aliases.csv", ["region", "alias", "canonical", "note"]),
    "cfg_unit_sectors": ("unit_sectors.csv", ["kind", "value", "sector", "note"]),
    "cfg_case_units": ("case_units.csv", ["kind", "value", "case_unit", "note"]),
    "cfg_grade_rules": (
        "grade_rules.csv",
        ["rule_set", "region", "year_from", "year_to", "grade", "min_score", "max_score", "aliases", "source"],
    ),
}

# Scripts that build the derived q_* tables and macros, in this order.
REFRESH_SCRIPTS = ["_derive.sql", "_findings.sql"]

# The filters most queries share; a header line "-- params: filters" declares all six.
COMMON_PARAMS: dict[str, tuple[str, str]] = {
    "years": ("integer[]", "年度（可多选）"),
    "year_from": ("integer", "起始年度（含）"),
    "year_to": ("integer", "截止年度（含）"),
    "units": ("varchar[]", "单位（单位标识、预算编码或名称，可多选）"),
    "sectors": ("varchar[]", "行业（可多选）"),
    "data_kind": ("varchar", "数据类别：real 真实 / demo 演示 / all 或留空为全部"),
}
FILTERS = list(COMMON_PARAMS)
# Singular spellings accepted by run() for convenience: year=2022 -> years=[2022].
SINGULAR = {"year": "years", "unit": "units", "sector": "sectors"}

GROUPS = ["列表", "概览", "预算执行", "成本", "投诉", "评分", "核查", "单位", "数据质量"]


@functools.cache
def _nullable_types() -> dict:
    """Arrow integer and boolean types -> pandas' nullable dtypes (NULL stays NULL)."""
    import pandas as pd
    import pyarrow as pa  # installed with streamlit and duckdb's Arrow support
    return {
        pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(),
    }

_HEADER_KEY = re.compile(r"^--\s*(title|group|description|formula|notes|params|stored):\s*(.*)$")
_HEADER_PARAM = re.compile(r"^--\s*param\s+(\w+)\s+([\w\[\]]+)(?:\s*=\s*(\S+))?\s*:\s*(.*)$")
_HEADER_COLUMN = re.compile(r"^--\s*column\s+(\w+)\s*:\s*([^—]+?)\s*(?:—\s*(.*))?$")
_SQL_PARAM = re.compile(r"\$(\w+)")
_STORED_FILTER = re.compile(r"(\w+)\s+(in|=)\s+\$(\w+)")

# Stored results. A query whose header says "-- stored: by report" or
# "-- stored: by year" is a long listing (up to one row per indicator of every
# report) whose rows do not change with the filters, only which rows are shown.
# refresh() runs it with no filter into one table a year, q_stored_NAME_y2024, in
# its own order, behind the view q_stored_NAME (see _store_results); run() then
# reads the rows the filters select from that view (a WHERE over a UNION ALL
# keeps its order) instead of joining and sorting everything again, which
# keeps these listings fast at 100,000 reports. "by report": rows belong to
# one report each, so every common filter selects rows through scoped_reports;
# "by year": rows compare a unit with its previous year, so only the year
# filters are served from storage and units/sectors/data_kind run live (their
# previous-year base would change). "; column in $param" names a query
# parameter that only picks rows by an output column; any other non-default
# parameter runs the query live. Tests check both paths give the same frame.
STORED_PREFIX = "q_stored_"
YEAR_FILTERS = ("years", "year_from", "year_to")
SCOPE_FILTERS = ("units", "sectors", "data_kind")


@dataclass
class Param:
    name: str
    type: str
    default: Any
    label: str


@dataclass
class Query:
    name: str
    title: str = ""
    group: str = ""
    description: str = ""
    formula: str = ""
    notes: str = ""
    params: list[Param] = field(default_factory=list)
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (name, label, note)
    stored: str = ""  # "by report" / "by year" [; column in $param ...]: see STORED_PREFIX
    sql: str = ""

    def stored_plan(self) -> tuple[str, dict[str, tuple[str, str]]] | None:
        """(scope, {param: (column, "in" | "=")}) from the "stored:" header, or None."""
        if not self.stored:
            return None
        scope, *filters = [part.strip() for part in self.stored.split(";")]
        if scope not in ("by report", "by year"):
            raise ValueError(f"{self.name}: stored: must start with 'by report' or 'by year', not {scope!r}")
        row_filters = {}
        for item in filters:
            m = _STORED_FILTER.fullmatch(item)
            if not m:
                raise ValueError(f"{self.name}: cannot read stored filter {item!r}")
            column, op, param = m.groups()
            row_filters[param] = (column, op)
        return scope, row_filters

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "group": self.group,
            "description": self.description,
            "formula": self.formula,
            "notes": self.notes,
            "params": [vars(p).copy() for p in self.params],
            "columns": [{"name": n, "label": lab, "note": note} for n, lab, note in self.columns],
        }


def _convert_default(text: str | None, type_: str) -> Any:
    if text is None or text.lower() == "null":
        return None
    if type_ in ("integer", "bigint"):
        return int(text)
    if type_ == "double":
        return float(text)
    if type_ == "boolean":
        return text.lower() in ("true", "1", "yes")
    return text


def _parse(name: str, text: str) -> Query:
    """Read the header comment block of a query file into a Query."""
    query = Query(name=name, sql=text)
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        if m := _HEADER_KEY.match(line):
            key, value = m.groups()
            if key == "params":
                for item in (v.strip() for v in value.split(",")):
                    names = FILTERS if item == "filters" else [item] if item else []
                    for n in names:
                        type_, label = COMMON_PARAMS[n]
                        query.params.append(Param(n, type_, None, label))
                last = None
            else:
                setattr(query, key, value.strip())
                last = key if key in ("description", "formula", "notes") else None
        elif m := _HEADER_PARAM.match(line):
            n, type_, default, label = m.groups()
            query.params.append(Param(n, type_, _convert_default(default, type_), label.strip()))
            last = None
        elif m := _HEADER_COLUMN.match(line):
            n, label, note = m.groups()
            query.columns.append((n, label.strip(), (note or "").strip()))
            last = None
        elif last and line.strip("- "):
            # a continuation line of a multi-line description/formula/notes
            setattr(query, last, getattr(query, last) + "\n" + line[2:].strip())
        else:
            last = None
    return query


def names() -> list[str]:
    return [q["name"] for q in catalog()]


def get(name: str) -> Query:
    """The parsed query `name` (header and SQL); KeyError if there is none."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
        raise KeyError(f"unknown query: {name!r}")
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"unknown query: {name!r}")
    return _parsed(name, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _parsed(name: str, mtime_ns: int) -> Query:
    # parsed once per version of the file: run() consults headers on every call
    return _parse(name, (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


def catalog() -> list[dict]:
    """Every query as a dict: name, title, group, description, formula, notes,
    params [{name, type, default, label}], columns [{name, label, note}]."""
    queries = [get(p.stem) for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_")]
    order = {g: i for i, g in enumerate(GROUPS)}
    queries.sort(key=lambda q: (order.get(q.group, len(GROUPS)), q.name))
    return [q.as_dict() for q in queries]


def labels(name: str) -> dict[str, str]:
    """Column name -> Chinese label for the query's output."""
    return {n: label for n, label, _ in get(name).columns}


def _coerce(value: Any, type_: str) -> Any:
    if value is None:
        return None
    if type_.endswith("[]"):
        if isinstance(value, (str, bytes, int, float)):
            value = [value]
        items = [v for v in value if v is not None and not (isinstance(v, float) and v != v)]
        if not items:
            return None  # an empty selection means no filter
        return [_coerce(v, type_[:-2]) for v in items]
    if type_ in ("integer", "bigint"):
        return int(value)
    if type_ == "double":
        return float(value)
    if type_ == "boolean":
        return bool(value)
    return str(value)


def bind(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check and convert run()'s keyword arguments into the query's bound values."""
    query = get(name)
    values = _values(query, params)
    used = set(_SQL_PARAM.findall(_strip_comments(query.sql)))
    return {k: v for k, v in values.items() if k in used}


def _values(query: Query, params: dict[str, Any]) -> dict[str, Any]:
    """Every declared parameter of `query`, checked and converted (defaults filled in)."""
    name = query.name
    declared = {p.name: p for p in query.params}
    given = dict(params)
    for single, plural in SINGULAR.items():
        if single in given:
            value = given.pop(single)
            if value is not None:
                if given.get(plural) is not None:
                    raise TypeError(f"{name}: give {single} or {plural}, not both")
                given[plural] = [value]
    unknown = [k for k, v in given.items() if k not in declared and v is not None]
    if unknown:
        accepted = ", ".join(declared) or "none"
        raise TypeError(f"{name}: unknown parameter(s) {', '.join(unknown)}; accepted: {accepted}")
    values = {}
    for p in query.params:
        value = given.get(p.name)
        values[p.name] = _coerce(p.default if value is None else value, p.type)
    if values.get("data_kind") not in (None, "all", "real", "demo"):
        raise ValueError(f"data_kind must be real, demo or all, not {values['data_kind']!r}")
    if values.get("data_kind") == "all":
        values["data_kind"] = None
    return values


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def _mapping_rows(table: str, data_dir: Path | str | None) -> tuple[list[str], list[list]]:
    """(columns, rows) of one editable mapping file: strings (blank -> None) and the line
    number last, '#' comment lines skipped. A file missing from `data_dir` falls back to
    the project's own."""
    file_name, columns = MAPPING_FILES[table]
    path = Path(data_dir or DATA_DIR) / file_name
    if not path.is_file():
        path = PROJECT_ROOT / "data" / file_name
    rows: list[list] = []
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as f:
            lines = [(i, line) for i, line in enumerate(f, start=1) if line.strip() and not line.lstrip().startswith("#")]
        reader = csv.reader(line for _, line in lines)
        header = [h.strip() for h in next(reader, [])]
        for (line_no, _), cells in zip(lines[1:], reader):
            record = dict(zip(header, cells))
            rows.append([(record.get(c) or "").strip() or None for c in columns] + [line_no])
    return columns, rows


def read_mapping(table: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One editable mapping file as a frame of strings (blank -> NULL) with its
    line number (see _mapping_rows)."""
    import pandas as pd

    columns, rows = _mapping_rows(table, data_dir)
    frame = pd.DataFrame(rows, columns=columns + ["line_no"])
    frame = frame.astype({c: "string" for c in columns})
    return frame.astype({"line_no": "int64"})


@contextmanager
def _cursor(db: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(db, duckdb.DuckDBPyConnection):
        cur = db.cursor()
        try:
            yield cur
        finally:
            cur.close()
        return
    path = Path(db) if db is not None else DEFAULT_DB
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _mapping_paths(data_dir: Path | str | None) -> list[Path]:
    paths = []
    for file_name, _ in MAPPING_FILES.values():
        path = Path(data_dir or DATA_DIR) / file_name
        paths.append(path if path.is_file() else PROJECT_ROOT / "data" / file_name)
    return paths


def fingerprint(cur: duckdb.DuckDBPyConnection, data_dir: Path | str | None = None) -> str:
    """What the derived tables depend on: the set of current reports, the
    mapping files and the scripts themselves."""
    digest = hashlib.sha256()
    row = cur.execute(
        "select count(*), coalesce(max(report_id), 0), coalesce(sum(report_id), 0), max(loaded_at)::varchar "
        "from reports"
    ).fetchall()
    digest.update(repr(row).encode())
    # the refresh scripts and the stored queries' own SQL (editing another query
    # does not make the stored tables stale)
    scripts = [SQL_DIR / name for name in REFRESH_SCRIPTS] + [SQL_DIR / f"{q.name}.sql" for q in stored_queries()]
    for path in _mapping_paths(data_dir) + scripts:
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def _register_mappings(cur: duckdb.DuckDBPyConnection, data_dir: Path | str | None) -> None:
    """The mapping files as temp tables of this connection (as plain rows: no pandas needed)."""
    for table in MAPPING_FILES:
        columns, rows = _mapping_rows(table, data_dir)
        cur.execute(f"create or replace temp table {table} ("
                    + ", ".join(f"{c} varchar" for c in columns) + ", line_no bigint)")
        if rows:
            cur.executemany(f"insert into {table} values ({', '.join('?' * (len(columns) + 1))})", rows)


def _refresh_sql(temp: bool) -> str:
    sql = "\n".join((SQL_DIR / name).read_text(encoding="utf-8") for name in REFRESH_SCRIPTS)
    if temp:
        sql = sql.replace("create or replace table ", "create or replace temp table ")
        sql = sql.replace("create or replace macro ", "create or replace temp macro ")
    return sql


# An incremental refresh that would recompute more than this share of the reports (and
# more than FULL_MIN_CHANGED of them) rebuilds everything instead: the same work, fewer steps.
FULL_SHARE = 0.20
FULL_MIN_CHANGED = 2000
INCREMENTAL_SCRIPT = "_incremental.sql"
_CREATE_TABLE = re.compile(r"^\s*create or replace table (q_\w+) as\s+(.*)$", re.S)


def derive_fingerprint(data_dir: Path | str | None = None) -> str:
    """What the derived tables are computed by, reports aside: the refresh scripts,
    the stored queries' SQL and the mapping files. When it changes since the last
    refresh, refresh() rebuilds everything."""
    digest = hashlib.sha256()
    scripts = [SQL_DIR / name for name in [*REFRESH_SCRIPTS, INCREMENTAL_SCRIPT]]
    scripts += [SQL_DIR / f"{q.name}.sql" for q in stored_queries()]
    for path in _mapping_paths(data_dir) + scripts:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def _statements(sql: str) -> list[str]:
    """The statements of a script, comments left out."""
    return [s.strip() for s in re.split(r";\s*\n", _strip_comments(sql) + "\n") if s.strip()]


@functools.lru_cache(maxsize=8)
def _table_bodies(text: str) -> dict[str, str]:
    """table name -> the SELECT that builds it, from the refresh scripts."""
    bodies = {}
    for statement in _statements(text):
        if m := _CREATE_TABLE.match(statement):
            bodies[m.group(1)] = m.group(2)
    return bodies


@functools.lru_cache(maxsize=8)
def _blocks(text: str) -> dict[str, str]:
    """"-- name: X" block -> its SQL, from _incremental.sql."""
    blocks: dict[str, str] = {}
    for part in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, sql = part.partition("\n")
        blocks[name.strip()] = sql
    return blocks


def _incremental_sql() -> str:
    return (SQL_DIR / INCREMENTAL_SCRIPT).read_text(encoding="utf-8")


def refresh(con: duckdb.DuckDBPyConnection, data_dir: Path | str | None = None, *, full: bool = False) -> str:
    """Bring the derived q_* tables and macros in the database (a writable
    connection) up to date with the reports. Call after each load, and after
    editing data/*.csv (or let run() compute them on the fly until then).

    Incremental when it can: only the reports loaded or gone since the last
    refresh and what depends on them across reports (their units' identity, the
    unit's other years, the rankings and listings of the years touched) are
    computed again. A full rebuild when full=True, when the scripts, the stored
    queries or the mapping files changed (derive_fingerprint), when nothing was
    refreshed yet, or when more than FULL_SHARE and FULL_MIN_CHANGED of the
    reports changed. Returns "full", "incremental" or "current" (nothing to do)."""
    derive = derive_fingerprint(data_dir)
    meta = None if full else _meta(con)
    if meta is not None and meta[1] == derive:
        if meta[0] == fingerprint(con, data_dir):
            return "current"
        mode = _refresh_incremental(con, data_dir, derive)
        if mode is not None:
            return mode
    _refresh_full(con, data_dir, derive)
    return "full"


def _meta(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(fingerprint, derive fingerprint) stored by the last refresh, or None."""
    try:
        row = con.execute("select fingerprint, derive_fingerprint from q_meta").fetchone()
    except duckdb.Error:  # none yet, or one from before incremental refreshes
        return None
    return (row[0], row[1]) if row else None


def _write_meta(con: duckdb.DuckDBPyConnection, stamp: str, derive: str, mode: str) -> None:
    con.execute(
        "create or replace table q_meta as select ? as fingerprint, current_timestamp as refreshed_at, "
        "? as derive_fingerprint, ? as refresh_mode", [stamp, derive, mode])


def _begin(con: duckdb.DuckDBPyConnection) -> bool:
    """Start a transaction unless the caller is in one (one commit instead of one a
    statement: a hundred and more on a slow disk); whether it was started here."""
    # (a failed BEGIN would abort the caller's transaction: tell by the transaction id, which
    # two statements share only inside one)
    first = con.execute("select txid_current()").fetchone()[0]
    if con.execute("select txid_current()").fetchone()[0] == first:
        return False
    con.execute("begin transaction")
    return True


def _refresh_full(con: duckdb.DuckDBPyConnection, data_dir: Path | str | None, derive: str) -> None:
    stamp = fingerprint(con, data_dir)
    _register_mappings(con, data_dir)
    own = _begin(con)
    try:
        # in the caller's transaction, q_meta goes first and comes back last, so
        # a refresh that fails half-way leaves the tables marked stale and queries
        # compute live figures instead
        con.execute("drop table if exists q_meta")
        con.execute(_refresh_sql(temp=False))
        _store_results(con)
        con.execute(_blocks(_incremental_sql())["cleanup"])
        _write_meta(con, stamp, derive, "full")
        if own:
            con.execute("commit")
    except BaseException:
        if own:
            con.execute("rollback")
        raise
    finally:
        for table in MAPPING_FILES:
            con.unregister(table)


def _refresh_incremental(con: duckdb.DuckDBPyConnection, data_dir: Path | str | None, derive: str) -> str | None:
    """The incremental refresh (see _incremental.sql), in a transaction of its own when
    the caller is in none; None when a full rebuild is the better course."""
    blocks = _blocks(_incremental_sql())
    bodies = _table_bodies(_refresh_sql(temp=False))
    own = _begin(con)
    try:
        con.execute(blocks["changes"])
        loaded, gone, total = con.execute(blocks["counts"]).fetchone()
        changed = loaded + gone
        if changed > FULL_SHARE * max(total, 1) and changed > FULL_MIN_CHANGED:
            con.execute(blocks["cleanup"])
            if own:
                con.execute("commit")
            return None
        if not own:  # a failure half-way, committed by the caller, must not pass for current
            con.execute("drop table if exists q_meta")
        con.execute(blocks["new_names"])
        con.execute(f"insert into q_report_names\n{bodies['q_report_names']}")
        con.execute(blocks["seed_keys"])
        keys = con.execute(blocks["count_keys"]).fetchone()[0]
        while True:  # the keys linked to those so far, until there are no more
            con.execute(blocks["grow_keys"])
            keys, before = con.execute(blocks["count_keys"]).fetchone()[0], keys
            if keys == before:
                break
        con.execute(blocks["drop_gone_names"])
        con.execute(f"create or replace temp table inc_identity as\n{bodies['q_unit_identity']}")
        con.execute(blocks["identity"])
        con.execute(blocks["report_scope"])
        con.execute(f"insert into q_reports\n{bodies['q_reports']}")
        con.execute(blocks["after_reports"])
        for table in ["q_quantity_indicators", "q_cases", "q_consistency"]:
            con.execute(f"insert into {table}\n{bodies[table]}")
        con.execute(blocks["signal_scope"])
        for table in ["q_signals", "q_report_flags"]:
            con.execute(f"insert into {table}\n{bodies[table]}")
        report_years, signal_years, years = con.execute(blocks["changed_years"]).fetchone()
        _store_results(con, set(report_years), set(signal_years), years)
        con.execute(blocks["cleanup"])
        _write_meta(con, fingerprint(con, data_dir), derive, "incremental")
        if own:
            con.execute("commit")
    except BaseException:
        if own:
            con.execute("rollback")
        raise
    return "incremental"


def stored_queries() -> list[Query]:
    """The queries whose unfiltered rows refresh() stores (header "stored:")."""
    queries = (get(path.stem) for path in sorted(SQL_DIR.glob("*.sql")) if not path.stem.startswith("_"))
    return [query for query in queries if query.stored_plan()]


def _reads_flags(query: Query) -> bool:
    """Whether a stored query reads the signals or flags, which also change with the
    unit's report of the year before."""
    return re.search(r"\b(q_signals|q_report_flags|flagged_reports)\b", query.sql) is not None


_LAST_ORDER = re.compile(r"\border\s+by\s+(?:\w+\.)?fiscal_year\b(\s+desc\b)?", re.I)


def _years_ascending(query: Query) -> bool:
    """Whether a stored query lists its years earliest first (its last ORDER BY starts
    with fiscal_year, not desc): the view then unites the years in that order."""
    orders = list(re.finditer(r"\border\s+by\b", _strip_comments(query.sql), re.I))
    if not orders:
        return False
    m = _LAST_ORDER.match(_strip_comments(query.sql), orders[-1].start())
    return m is not None and not m.group(1)


def _year_table(name: str, year: int) -> str:
    return f"{STORED_PREFIX}{name}_y{int(year)}"


def _store_results(con: duckdb.DuckDBPyConnection, report_years: set[int] | None = None,
                   signal_years: set[int] | None = None, years: list[int] | None = None) -> None:
    """Store each stored query's unfiltered rows, one table per fiscal year
    (q_stored_NAME_y2024, in the query's own order) behind a view q_stored_NAME
    that puts the years together latest first, _row the row's place in its year.
    report_years None: every year; else only the years whose reports changed (and
    signal_years for the queries reading signals or flags), and the year after each
    for the "by year" queries, which compare with the year before."""
    if years is None:
        years = [row[0] for row in con.execute("select distinct fiscal_year from q_reports order by 1").fetchall()]
    existing = {row[0] for row in con.execute(
        "select table_name from duckdb_tables() where not temporary and starts_with(table_name, ?)",
        [STORED_PREFIX]).fetchall()}
    for query in stored_queries():
        scope = query.stored_plan()[0]
        if report_years is None:
            todo = set(years)
        else:
            todo = set(report_years) | (set(signal_years or ()) if _reads_flags(query) else set())
            if scope == "by year":
                todo |= {year + 1 for year in todo}
            todo &= set(years)
        # the values are bound; the table names come from the query's file name and an integer year
        if report_years is None:
            # every year: the query once, then its rows cut by year (a WHERE keeps their order)
            con.execute(f"create or replace temp table q_listing as\n{query.sql}", bind(query.name, {}))
            for year in sorted(todo):
                con.execute(f"create or replace table {_year_table(query.name, year)} as "
                            "select * from q_listing where fiscal_year = ?", [year])
            con.execute("drop table q_listing")
        else:
            for year in sorted(todo):
                con.execute(f"create or replace table {_year_table(query.name, year)} as\n{query.sql}",
                            bind(query.name, {"years": [year]}))
        prefix = f"{STORED_PREFIX}{query.name}_y"
        before = _view_years(existing, prefix)
        for year in before - set(years):
            con.execute(f"drop table {_year_table(query.name, year)}")
        view = f"{STORED_PREFIX}{query.name}"
        old_table = view in existing
        if old_table:  # a table of before the listings were stored by year
            con.execute(f"drop table {view}")
        if report_years is not None and before == set(years) and years and not old_table:
            continue  # the view already unites these years
        if years:
            parts = [_year_table(query.name, year) for year in sorted(years, reverse=not _years_ascending(query))]
        else:  # no reports: an empty listing of the right columns
            parts = [_year_table(query.name, 0)]
            con.execute(f"create or replace table {parts[0]} as\n{query.sql}", bind(query.name, {}))
        union = "\nunion all\n".join(f"select *, rowid as _row from {part}" for part in parts)
        con.execute(f"create or replace view {view} as\n{union}")


def _view_years(existing: set[str], prefix: str) -> set[int]:
    return {int(t[len(prefix):]) for t in existing if t.startswith(prefix) and t[len(prefix):].isdigit()}


def stored_sql(name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The SQL and bound values that read query `name`'s rows for these
    parameters from its stored table, or None when it must run live (not a
    stored query, or a parameter the stored rows cannot answer)."""
    query = get(name)
    plan = query.stored_plan()
    if plan is None:
        return None
    scope, row_filters = plan
    values, defaults = _values(query, params), _values(query, {})
    where = ["in_years(fiscal_year, $years, $year_from, $year_to)"]
    scoped = any(values.get(p) is not None for p in SCOPE_FILTERS)
    if scoped and scope != "by report":
        return None
    if scoped:
        where.append("report_id in (select report_id from scoped_reports(null, null, null, $units, $sectors, $data_kind))")
    for param, value in values.items():
        if param in YEAR_FILTERS or param in SCOPE_FILTERS or value == defaults[param]:
            continue
        if param not in row_filters:
            return None
        column, op = row_filters[param]
        where.append(f"list_contains(${param}, {column})" if op == "in" else f"{column} = ${param}")
    # a WHERE on the view (a UNION ALL of the years, latest first) keeps the stored order;
    # the semi-join does not, the year and _row (the place in its year) restore it
    sql = (f"select * exclude (_row) from {STORED_PREFIX}{name}\nwhere " + "\n    and ".join(where)
           + (f"\norder by fiscal_year {'asc' if _years_ascending(query) else 'desc'}, _row" if scoped else ""))
    used = set(_SQL_PARAM.findall(sql))
    return sql, {k: v for k, v in values.items() if k in used}


def _stored_fingerprint(cur: duckdb.DuckDBPyConnection) -> str | None:
    try:
        stored = cur.execute("select fingerprint from q_meta").fetchall()
    except duckdb.CatalogException:
        return None
    return stored[0][0] if stored else None


def is_stale(db: Any = None, data_dir: Path | str | None = None) -> bool:
    """True when the stored q_* tables do not match the reports, the mapping
    files and the derive scripts any more (or were never built): every run()
    then rebuilds them on its own cursor, which is slow on a large database.
    `python -m queries --refresh --db FILE` (or refresh(con)) puts it right.
    db as for run()."""
    with _cursor(db) as cur:
        stored = _stored_fingerprint(cur)
        return stored is None or stored != fingerprint(cur, data_dir)


def prepare(cur: duckdb.DuckDBPyConnection, data_dir: Path | str | None = None) -> bool:
    """Make the derived tables usable on this cursor: nothing to do when the
    stored ones are current; otherwise build them as temp objects. Returns
    True when the stored tables were current."""
    stored = _stored_fingerprint(cur)
    if stored is not None and stored == fingerprint(cur, data_dir):
        return True
    _register_mappings(cur, data_dir)
    cur.execute(_refresh_sql(temp=True))
    return False


# Frames a caller may hand to run() as tables (relations=): data kept outside the reports
# database, such as the bureau's current reviews. A query that reads one gets an empty
# frame of these columns when the caller gives none.
RELATIONS: dict[str, dict[str, str]] = {
    "review_current": {"unit_key": "string", "fiscal_year": "Int64", "review_score": "Float64",
                       "review_grade": "string", "reviewed_sha256": "string"},
}


def _relations(sql: str, given: dict[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame]:
    frames = dict(given or {})
    for name, columns in RELATIONS.items():
        if name not in frames and re.search(rf"\b{name}\b", sql):
            import pandas as pd
            frames[name] = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return frames


def run(name: str, db: Any = None, *, data_dir: Path | str | None = None, use_stored: bool = True,
        relations: dict[str, pd.DataFrame] | None = None, **params: Any) -> pd.DataFrame:
    """Run query `name` and return its rows.

    db: a path to a DuckDB file (opened read-only), an open duckdb connection
    (a cursor of it is used), or None for etl.config.DEFAULT_DB.
    data_dir: folder of the editable mappings (default data/).
    params: the query's parameters (see catalog()); None means "no filter",
    an empty list too; year=/unit=/sector= are accepted for a single value.
    use_stored: read a stored query's rows from its refresh-time table when
    the parameters allow (see STORED_PREFIX); False always runs the SQL live.
    relations: name -> DataFrame registered on the cursor for this query (see RELATIONS).
    """
    values = bind(name, params)
    sql = get(name).sql
    with _cursor(db) as cur:
        for table, frame in _relations(sql, relations).items():
            cur.register(table, frame)
        current = prepare(cur, data_dir)
        stored = stored_sql(name, params) if current and use_stored else None
        if stored is not None:
            sql, values = stored
        # through Arrow: several times faster than .df() for wide text results;
        # integer and boolean columns keep NULL as pandas' nullable types
        table = cur.sql(sql, params=values).to_arrow_table()
    import pandas as pd
    import pyarrow as pa

    # list columns straight to Python lists (not numpy arrays first: twice the time)
    lists = [i for i, column in enumerate(table.schema) if pa.types.is_list(column.type)]
    frame = table.drop_columns([table.schema.names[i] for i in lists]).to_pandas(types_mapper=_nullable_types().get)
    for i in lists:
        frame.insert(i, table.schema.names[i], pd.Series(table.column(i).to_pylist(), index=frame.index, dtype=object))
    return frame
