"""Opening the report database: one function for the loader, the upload page and the dashboard.

Opened for writing, the file (and its folder) is created and the schema of etl/schema.sql
applied, which also brings an older database up to date (its `alter table ... add column if
not exists` lines). Opened read-only, the file is taken as it is.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from etl.config import DEFAULT_DB, SCHEMA_SQL


class LoadError(Exception):
    """The load cannot run at all (database unusable, derived tables not rebuilt); one-line reason."""


def open_db(path: str | os.PathLike = DEFAULT_DB, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and for writing, create and migrate) the report database with its schema."""
    path = Path(path)
    try:
        if read_only:
            return duckdb.connect(str(path), read_only=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        con = _connect_for_writing(path)
    except duckdb.Error as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        if "lock" in first.lower():
            raise LoadError(f"无法打开数据库 {path}：正被另一个程序使用，"
                            f"请关闭看板或另一个导入任务后重试") from e
        raise LoadError(f"无法打开数据库 {path}（{first}）") from e
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    return con


def load_flag(path: Path) -> Path:
    """The file a writer puts beside the database while it waits for readers to let go."""
    return path.with_name(path.name + ".load-pending")


def _connect_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection; while another process holds the file (the
    dashboard reading it), ask it to let go with load_flag() and retry for up
    to $ETL_DB_WAIT_S seconds (default 120). The dashboard closes its
    connection as soon as its running queries end (ui/data.py)."""
    deadline = time.monotonic() + float(os.environ.get("ETL_DB_WAIT_S", "120"))
    flag = load_flag(path)
    try:
        while True:
            try:
                return duckdb.connect(str(path))
            except duckdb.Error as e:
                if "lock" not in str(e).lower() or time.monotonic() > deadline:
                    raise
                flag.touch()
                time.sleep(0.2)
    finally:
        flag.unlink(missing_ok=True)
