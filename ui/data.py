"""The dashboard's one door to the data.

Pages never open the database: they call `fetch(name, **filters)` (or `run`),
which runs the query layer's `queries.run` on a read-only connection held by
one `st.cache_resource` and caches the resulting DataFrame in `_ResultCache`
(one copy shared by every session, bounded in bytes and time), keyed by the
database file's stamp (so a load shows up at once), the query name and its
parameters. Errors become `DataError` with a
Chinese one-line message; the traceback goes to the server log only.

The database is the file named by the environment variable REPORTS_DB
(default data/reports.duckdb).
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import streamlit as st

import queries
from etl.config import configured_db
IDLE_CLOSE_S = 30.0  # seconds without queries before the file is let go
WATCH_S = 0.2  # how often an open connection looks for a loader's request (etl.db.load_flag)
LOAD_WAIT_S = 180.0  # how long a query waits for a load to finish before it says so
LOADING_TEXT = "正在导入新报告，请稍候…"
LOAD_HINT = "python -m etl load 报告文件夹"
RESULT_CACHE_MB = float(os.environ.get("DASHBOARD_CACHE_MB", "64"))  # results kept for every session
RESULT_TTL_S = 600.0
READ_MEMORY = os.environ.get("DASHBOARD_DB_MEMORY", "256MB")  # DuckDB's buffer pool for the dashboard
log = logging.getLogger("dashboard")


class DataError(Exception):
    """A query could not give its rows; the message is for the user (Chinese, one line)."""


class NoDatabase(Exception):
    """The database file does not exist (yet)."""


def db_path() -> Path:
    return configured_db()


def _stamp(path: Path) -> tuple | None:
    """What changes when the file is written: size and mtime of it and its WAL."""
    parts = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            s = p.stat()
            parts.append((s.st_mtime_ns, s.st_size))
        except OSError:
            parts.append(None)
    return None if parts[0] is None else tuple(parts)


def _locked(exc: BaseException) -> bool:
    """Whether opening failed because another process (a load) holds the file."""
    return any("lock" in str(e).lower() for e in (exc, exc.__cause__) if e is not None)


class _Database:
    """Read-only access to one database file, shared by every session.

    One read-only connection, opened on demand; each query runs on its own
    cursor of it (queries.run makes one). It is reopened when the file has
    changed, closed while this process writes (DuckDB allows one configuration
    per file and process), and closed after IDLE_CLOSE_S without queries.

    A load never waits for people browsing: DuckDB lets one process write only
    when no other holds the file, so a loader that finds the file held puts
    `etl.db.load_flag()` beside it and retries. A watcher thread sees the
    flag within WATCH_S and closes the connection as soon as the running
    queries end; new queries wait (busy() is true: ui.data.run shows a
    spinner, and serves the results cached before the load) until the flag
    is gone and the loader has let go, for up to LOAD_WAIT_S."""

    def __init__(self, path: Path):
        from etl.db import load_flag

        self.path = path
        self.flag = load_flag(path)
        self._con = None
        self._stamp: tuple | None = None
        self._active = 0
        self._last_used = 0.0
        self._locked_until = 0.0  # a read-only open failed on the loader's lock: busy till then
        self._watcher: threading.Thread | None = None
        self._cond = threading.Condition(threading.RLock())

    def busy(self) -> bool:
        """A load is waiting for the file or writing it."""
        return self.flag.exists() or time.monotonic() < self._locked_until

    def stamp(self) -> tuple | None:
        """The file's stamp for the result cache: while a load runs, the stamp of
        the data last read, so what was cached before the load keeps serving."""
        if self.busy() and self._stamp is not None:
            return self._stamp
        return _stamp(self.path)

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The shared read-only connection, held open while the block runs."""
        with self._cond:
            con = self._open()
            self._active += 1
        try:
            yield con
        finally:
            with self._cond:
                self._active -= 1
                self._last_used = time.monotonic()
                self._cond.notify_all()

    def _open(self):
        """The connection, opened once any load has finished (called holding the lock)."""
        from etl.db import open_db  # the ETL owns how the file is opened

        deadline = time.monotonic() + LOAD_WAIT_S
        while True:
            if self.flag.exists():
                self._close_when_unused()
            else:
                stamp = _stamp(self.path)
                if stamp is None:
                    self._close_when_unused()
                    raise NoDatabase(str(self.path))
                if self._con is not None and stamp == self._stamp:
                    return self._con
                self._close_when_unused()
                try:
                    self._con = open_db(self.path, read_only=True)
                    # DuckDB keeps what it read up to 80% of RAM by default; the dashboard's queries
                    # read derived tables and need far less.
                    self._con.execute("set memory_limit = $m", {"m": READ_MEMORY})
                except Exception as exc:  # noqa: BLE001 - the loader holds the file: wait for it
                    if not _locked(exc) or time.monotonic() > deadline:
                        raise
                    self._locked_until = time.monotonic() + 2 * WATCH_S
                else:
                    self._stamp = stamp
                    self._locked_until = 0.0
                    self._watch()
                    return self._con
            if time.monotonic() > deadline:
                raise DataError("正在导入新报告，请稍后刷新页面。")
            self._cond.wait(WATCH_S)  # lets running queries finish and end

    def _close_when_unused(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._active == 0, timeout=60)
            if self._con is not None:
                try:
                    self._con.close()
                finally:
                    self._con = None

    def _watch(self) -> None:
        """While the connection is open: let go when a loader asks, or when idle."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._watcher = threading.Thread(target=self._watch_loop, name="db-watch", daemon=True)
        self._watcher.start()

    def _watch_loop(self) -> None:
        while True:
            time.sleep(WATCH_S)
            with self._cond:
                if self._con is None:
                    return
                idle = self._active == 0 and time.monotonic() - self._last_used >= IDLE_CLOSE_S
                if self.flag.exists() or idle:
                    self._close_when_unused()
                    return

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """A read-write connection (creating the file and schema if needed);
        new readers wait until it is closed."""
        from etl.db import open_db

        with self._cond:
            self._close_when_unused()
            con = open_db(self.path)
            try:
                yield con
            finally:
                con.close()


@st.cache_resource(show_spinner=False)
def _database(path: str) -> _Database:
    return _Database(Path(path))


def database() -> _Database:
    return _database(str(db_path()))


def _declared(name: str) -> set[str]:
    return {p.name for p in queries.get(name).params}


def _clean_params(name: str, params: dict[str, Any]) -> tuple:
    """Only the parameters the query declares, empty selections dropped, as a
    hashable, order-independent cache key."""
    declared = _declared(name)
    items = []
    for key, value in params.items():
        if key not in declared or value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            value = tuple(value)
            if not value:
                continue
        items.append((key, value))
    return tuple(sorted(items))


class _ResultCache:
    """Query results shared by every session: one copy of each frame, handed out as a
    shallow copy (pandas copy-on-write: a page that adds a column changes only its own),
    dropped after `ttl` seconds, least recently used first when their size passes `budget`
    bytes, and at once when the database's stamp moves on. st.cache_data kept a pickled copy
    and gave each caller its own unpickled one, so five sessions at 100,000 reports held
    five copies of every listing (issue #14). Two sessions asking for the same missing result
    compute it once."""

    def __init__(self, budget: float, ttl: float):
        self.budget, self.ttl = budget, ttl
        self._frames: OrderedDict[tuple, tuple[pd.DataFrame, int, float]] = OrderedDict()
        self._pending: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()
        self.size = 0

    def get(self, key: tuple, compute) -> pd.DataFrame:
        frame = self._hit(key)
        if frame is None:
            with self._lock:
                pending = self._pending.setdefault(key, threading.Lock())
            with pending:
                frame = self._hit(key)
                if frame is None:
                    try:
                        frame = compute()
                        self._put(key, frame)
                    finally:
                        with self._lock:
                            self._pending.pop(key, None)
        return frame.copy(deep=False)

    def _hit(self, key: tuple) -> pd.DataFrame | None:
        with self._lock:
            entry = self._frames.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[2] > self.ttl:
                self._drop(key)
                return None
            self._frames.move_to_end(key)
            return entry[0]

    def _put(self, key: tuple, frame: pd.DataFrame) -> None:
        size = int(frame.memory_usage(index=True, deep=True).sum())
        with self._lock:
            path, stamp, name = key[:3]
            # The file has changed (or, for a query reading reviews, the review store has): those
            # results will not be asked for again. stamp[:2] is the report file's own part.
            for old in [k for k in self._frames if k[0] == path
                        and (k[1][:2] != stamp[:2] or (k[2] == name and k[1] != stamp))]:
                self._drop(old)
            if size > self.budget / 2:
                return  # one huge result would push out everything else
            self._frames[key] = (frame, size, time.monotonic())
            self.size += size
            while self.size > self.budget:
                self._drop(next(iter(self._frames)))

    def _drop(self, key: tuple) -> None:
        self.size -= self._frames.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self.size = 0


_results = _ResultCache(RESULT_CACHE_MB * 2**20, RESULT_TTL_S)


def _cached_run(path: str, stamp: tuple, name: str, params: tuple) -> pd.DataFrame:
    return _results.get((path, stamp, name, params), lambda: _query(path, name, params))


def _query(path: str, name: str, params: tuple) -> pd.DataFrame:
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
    relations = {"review_current": _current_reviews()} if _reads_reviews(name) else None
    with _database(path).reading() as con:
        return queries.run(name, con, relations=relations, **values)


def _title(name: str) -> str:
    try:
        return queries.get(name).title or name
    except KeyError:
        return name


def _friendly(name: str, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, NoDatabase):
        return f"还没有数据库。请先导入报告：在「导入报告」页上传，或运行 `{LOAD_HINT}`。"
    if _locked(exc) or "in use by another process" in text:
        return "数据库正被导入程序占用，请等导入完成后刷新页面。"
    if "does not exist" in text and ("Table" in text or "table" in text):
        return f"数据库中还没有报告表。请先导入报告：运行 `{LOAD_HINT}`。"
    ref = uuid.uuid4().hex[:8]
    log.exception("query %s failed [%s]", name, ref, exc_info=exc)
    return f"「{_title(name)}」暂时无法计算，请稍后刷新重试（错误编号 {ref}，管理员可在服务日志中查看）。"


def run(name: str, **params: Any) -> pd.DataFrame:
    """Rows of query `name` under `params` (filters the query does not take
    are ignored). Raises DataError with a message for the user."""
    return _run(name, **scoped(name, params))


def _run(name: str, **params: Any) -> pd.DataFrame:
    path = db_path()
    try:
        key = _clean_params(name, params)
        db = database()
        stamp = db.stamp()
        if stamp is None:
            raise NoDatabase(str(path))
        if _reads_reviews(name):
            stamp = stamp + (_stamp(_bureau_path()),)
        if not db.busy():
            return _cached_run(str(path), stamp, name, key)
        with st.spinner(LOADING_TEXT):  # served at once when cached before the load
            return _cached_run(str(path), stamp, name, key)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        raise DataError(_friendly(name, exc)) from exc


def fetch(name: str, **params: Any) -> pd.DataFrame | None:
    """Like run(), but shows the message on the page and returns None."""
    try:
        return run(name, **params)
    except DataError as exc:
        st.error(str(exc), icon=":material/error:")
        return None


def data_as_of() -> str | None:
    """"2026-12-07 10:32": when the data was last loaded (the latest successful load), for
    总览 and every download; None without a database or a successful load. Only the time,
    so it is given to every account (the query's counts are not)."""
    try:
        load = _run("load_status")
    except DataError:
        return None
    if load.empty or pd.isna(load.iloc[0]["last_success_at"]):
        return None
    return str(load.iloc[0]["last_success_at"])[:16]


def clear_cache() -> None:
    _results.clear()


@dataclass
class DbStatus:
    """What the database holds: kind is missing | empty | ok | error."""
    kind: str
    path: Path
    reports: int = 0
    real: int = 0
    demo: int = 0
    years: list[int] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def status() -> DbStatus:
    path = db_path()
    if _stamp(path) is None:
        return DbStatus("missing", path)
    try:
        years = run("years")
    except DataError as exc:
        cause = exc.__cause__
        if cause is not None and "does not exist" in str(cause):
            return DbStatus("empty", path)
        return DbStatus("error", path, message=str(exc))
    if years.empty:
        return DbStatus("empty", path)
    return DbStatus(
        "ok",
        path,
        reports=int(years["reports"].sum()),
        real=int(years["real_reports"].sum()),
        demo=int(years["demo_reports"].sum()),
        years=[int(y) for y in years["fiscal_year"]],
    )


REFRESH_HINT = "python -m queries --refresh --db {path}"


def derived_stale() -> bool | None:
    """Whether the query layer's precomputed q_* tables are out of date (a
    load without refresh, an edited data/*.csv or SQL script): every query
    then rebuilds them, slowly. None when it cannot be told (no database)."""
    path = db_path()
    if _stamp(path) is None:
        return None
    try:
        with database().reading() as con:
            return queries.is_stale(con)
    except Exception:  # noqa: BLE001 - an empty or locked file: nothing to advise
        log.debug("staleness check failed", exc_info=True)
        return None


# --- who may see what (issue #13): the data layer's own check, whatever the page or URL ---

# The queries a 单位 account may run: those of 单位详情 and the sidebar, each with the
# unit filter forced to its own unit. Anything else is refused.
UNIT_QUERIES = frozenset({
    "units", "years", "sectors", "unit_history", "report_details", "budget_execution", "cost_per_case",
    "unit_money", "spending_structure", "unit_indicators", "unit_goals", "unit_narratives",
    "consistency_checks", "credibility_signals", "unit_documents", "document_content", "review_compare",
})
FORBIDDEN = "无权查看：单位账号只能查看本单位的数据。"


def _unit_id(user) -> str:
    """The query layer's unit_id of a 单位 account's unit (as written in the accounts file:
    unit_key, budget code or name); the written value itself when no report matches."""
    found = _run("units", units=[user.unit_key])
    return str(found.iloc[0]["unit_id"]) if len(found) == 1 else user.unit_key


def scoped(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters query `name` may run with for the current user: unchanged for
    领导/绩效科; for a 单位 account only UNIT_QUERIES, with units forced to its unit
    (and an original file only when it is one of its unit's); DataError otherwise."""
    from ui import auth

    user = auth.current_user()
    if user is None:
        raise DataError("请先登录。")
    if not user.is_unit:
        return params
    if name not in UNIT_QUERIES:
        raise DataError(FORBIDDEN)
    own = _unit_id(user)
    forced = {k: v for k, v in params.items() if k not in ("unit", "units")}
    forced["units"] = [own]
    if name == "document_content":
        mine = _run("unit_documents", units=[own])
        if params.get("sha256") not in set(mine["sha256"]):
            raise DataError(FORBIDDEN)
    return forced


def _bureau_path() -> Path:
    from bureau import store

    return store.db_path()


def _reads_reviews(name: str) -> bool:
    try:
        return "review_current" in queries.get(name).sql
    except KeyError:
        return False


def _current_reviews() -> pd.DataFrame:
    from bureau import store

    return store.current_reviews()


def document_loader(sha256: str):
    """A no-argument function returning the original file stored under
    `sha256` (b"" when the database has no copy), for a deferred download
    button: it runs outside the page script, so it reads through the
    connection directly rather than the result cache."""
    db = database()
    scoped("document_content", {"sha256": sha256})  # a 单位 account: only its own unit's files

    def load() -> bytes:
        with db.reading() as con:
            rows = queries.run("document_content", con, sha256=sha256)
        if rows.empty or rows.iloc[0]["content"] is None:
            return b""
        return bytes(rows.iloc[0]["content"])

    return load
