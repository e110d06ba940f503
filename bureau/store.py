"""The bureau's own database: reviews (with their history and per-finding
verdicts), samples, and the audit events.

The file is $BUREAU_DB if set, else `<reports db dir>/<reports db stem>-bureau.duckdb`
(so a test with its own REPORTS_DB gets its own bureau db). It lives apart from the
reports database: reloading or re-extracting reports never touches a review; the
dashboard holds the reports file read-only while it writes this one.

Every access opens a short-lived connection (open, one transaction, close) under a
process-wide lock. A file held by another process (the CLI, a second dashboard) is
retried for BUSY_WAIT_S seconds, then BureauBusy (a one-line Chinese message).
A save is one transaction: a kill -9 during it leaves the old state or the new one.

Nothing is updated in place: every review save is a new row with version = previous
+ 1; the latest version is the current review (current_reviews). save_review()
takes the version the reviewer saw and refuses (ReviewConflict) when someone saved
meanwhile.
"""
from __future__ import annotations

import json
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from etl.config import configured_db

BUREAU_ENV = "BUREAU_DB"
BUSY_WAIT_S = float(os.environ.get("BUREAU_BUSY_WAIT_S", "5"))
ACTIONS = ("导入", "复核", "抽查", "通报", "简报", "登录", "退出")
VERDICTS = ("已核实", "单位已说明", "误报")
_LOCK = threading.RLock()

SCHEMA = """
create sequence if not exists review_seq;
create table if not exists reviews (
    review_id        bigint primary key default nextval('review_seq'),
    unit_key         varchar not null,
    fiscal_year      integer not null,
    version          integer not null,
    reviewed_sha256  varchar,
    review_score     double,
    review_grade     varchar,
    review_comment   varchar,
    reviewer         varchar not null,
    reviewer_display varchar,
    reviewed_at      timestamp not null,
    n_verdicts       integer not null default 0,
    unique (unit_key, fiscal_year, version)
);
create table if not exists finding_verdicts (
    review_id   bigint not null,
    finding_key varchar not null,
    kind        varchar,
    finding     varchar,
    verdict     varchar not null,
    note        varchar,
    primary key (review_id, finding_key)
);
create sequence if not exists sample_seq;
create table if not exists samples (
    sample_id   bigint primary key default nextval('sample_seq'),
    fiscal_year integer not null,
    rule        varchar not null,
    method      varchar not null,
    size        integer not null,
    seed        bigint not null,
    stratified  boolean not null default false,
    reports_sha varchar,
    drawn_by    varchar not null,
    drawn_at    timestamp not null,
    n_members   integer not null
);
create table if not exists sample_members (
    sample_id  bigint not null,
    position   integer not null,
    unit_key   varchar not null,
    unit_name  varchar,
    sector     varchar,
    weight     double,
    reason     varchar,
    primary key (sample_id, position)
);
create table if not exists revoked_sessions (
    nonce      varchar primary key,
    revoked_at timestamp not null,
    expires_at timestamp not null
);
create sequence if not exists event_seq;
create table if not exists events (
    event_id bigint primary key default nextval('event_seq'),
    event_at timestamp not null,
    actor    varchar not null,
    action   varchar not null,
    target   varchar,
    detail   varchar
);
"""

REVIEW_COLUMNS = ["unit_key", "fiscal_year", "review_score", "review_grade", "review_comment",
                  "reviewer", "reviewed_at", "reviewed_sha256"]
SAMPLE_COLUMNS = ["sample_id", "fiscal_year", "rule", "seed", "drawn_by", "drawn_at",
                  "unit_key", "unit_name", "reason"]


class BureauError(Exception):
    """A bureau operation failed; the message is for the user (Chinese, one line)."""


class BureauBusy(BureauError):
    """The bureau database is held by another program."""


class ReviewConflict(BureauError):
    """Someone saved a review of the same report after the version the reviewer saw."""


def db_path() -> Path:
    raw = os.environ.get(BUREAU_ENV, "").strip()
    if raw:
        return Path(raw).expanduser().resolve()
    reports = configured_db()
    return reports.with_name(f"{reports.stem}-bureau.duckdb")


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return duckdb.connect(str(path))
        except duckdb.Error as exc:
            text = str(exc).lower()
            if "lock" not in text and "in use" not in text:
                raise BureauError(f"无法打开复核数据库 {path.name}（{str(exc).splitlines()[0]}）") from exc
            if time.monotonic() >= deadline:
                raise BureauBusy(f"复核数据库 {path.name} 正被另一个程序使用，已等待 {BUSY_WAIT_S:g} 秒，请稍后重试。") from exc
            time.sleep(0.2)


_ready: set[str] = set()


@contextmanager
def connect() -> Iterator[duckdb.DuckDBPyConnection]:
    """One short-lived connection inside one transaction (committed on success,
    rolled back on any error), under the process-wide lock."""
    path = db_path()
    with _LOCK:
        con = _connect(path)
        try:
            if str(path) not in _ready or not _has_schema(con):
                con.execute(SCHEMA)
                _ready.add(str(path))
            con.execute("begin transaction")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
        finally:
            con.close()


def _has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = 'events'").fetchone()[0])


def _now() -> datetime:
    return datetime.now().replace(microsecond=(datetime.now().microsecond // 1000) * 1000)


# --- audit ------------------------------------------------------------------------------------

def record_event(actor: str, action: str, target: str, detail: str = "", con=None) -> None:
    """Write one audit event (who, what, on what, when)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {ACTIONS}")
    sql = "insert into events (event_at, actor, action, target, detail) values (?, ?, ?, ?, ?)"
    values = [_now(), actor or "?", action, target or "", detail or ""]
    if con is not None:
        con.execute(sql, values)
        return
    with connect() as c:
        c.execute(sql, values)


def events(limit: int = 500) -> pd.DataFrame:
    with connect() as con:
        return con.execute(
            "select event_at, actor, action, target, detail from events order by event_id desc limit ?", [limit]
        ).df()


# --- sign-in sessions (bureau/sessions.py): a token dropped at sign-out stays refused ---------------

def revoke_session(nonce: str, expires_at: datetime) -> None:
    with connect() as con:
        con.execute("delete from revoked_sessions where expires_at < ?", [_now()])  # past their expiry anyway
        con.execute("insert or ignore into revoked_sessions values (?, ?, ?)", [nonce, _now(), expires_at])


def session_revoked(nonce: str) -> bool:
    with connect() as con:
        return con.execute("select count(*) from revoked_sessions where nonce = ?", [nonce]).fetchone()[0] > 0


# --- reviews ----------------------------------------------------------------------------------

def validate_score(raw) -> float | None:
    """A 复核得分 as a float in 0–100 (None when blank); BureauError with a Chinese message otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise BureauError(f"复核得分“{raw}”不是数字，请填写 0–100 之间的分数。") from None
    if value != value or not 0 <= value <= 100:
        raise BureauError(f"复核得分 {raw} 超出范围：请填写 0–100 之间的分数。")
    return round(value, 2)


def current_reviews(year: int | None = None) -> pd.DataFrame:
    """The latest review of each (unit_key, fiscal_year); see the contract."""
    with connect() as con:
        frame = con.execute(
            f"""select {', '.join(REVIEW_COLUMNS)}, version, reviewer_display, review_id
                from reviews where ? is null or fiscal_year = ?
                qualify row_number() over (partition by unit_key, fiscal_year order by version desc) = 1
                order by fiscal_year desc, unit_key""",
            [year, year],
        ).df()
    frame["review_score"] = frame["review_score"].astype("Float64")
    frame["fiscal_year"] = frame["fiscal_year"].astype("Int64")
    return frame


def review_history(unit_key: str, fiscal_year: int) -> pd.DataFrame:
    """Every saved review of one report, newest first, with its verdicts as a list of dicts."""
    with connect() as con:
        frame = con.execute(
            """select r.*, coalesce(list(struct_pack(finding_key := v.finding_key, kind := v.kind,
                          finding := v.finding, verdict := v.verdict, note := v.note)
                          order by v.finding_key) filter (where v.finding_key is not null), []) as verdicts
               from reviews as r left join finding_verdicts as v on v.review_id = r.review_id
               where r.unit_key = ? and r.fiscal_year = ?
               group by all order by r.version desc""",
            [unit_key, int(fiscal_year)],
        ).df()
    return frame


def save_review(unit_key: str, fiscal_year: int, *, seen_version: int, reviewer: str, reviewer_display: str = "",
                score=None, grade: str | None = None, comment: str | None = None, sha256: str | None = None,
                verdicts: list[dict] | None = None) -> int:
    """Save a new version of the review of one report, with its verdicts, in one
    transaction, and record the event. `seen_version`: the version shown to the
    reviewer (0 when there was none). Returns the new version.
    Raises ReviewConflict when a later version exists, BureauError on bad input."""
    value = validate_score(score)
    rows = []
    for item in verdicts or []:
        verdict = item.get("verdict")
        if not verdict:
            continue
        if verdict not in VERDICTS:
            raise BureauError(f"核实结论“{verdict}”无效：应为 {'、'.join(VERDICTS)} 之一。")
        rows.append(item)
    with connect() as con:
        last = con.execute(
            """select version, coalesce(reviewer_display, reviewer), reviewed_at from reviews
               where unit_key = ? and fiscal_year = ? order by version desc limit 1""",
            [unit_key, int(fiscal_year)],
        ).fetchone()
        current = last[0] if last else 0
        if current != int(seen_version):
            who, when = last[1], last[2]
            raise ReviewConflict(f"该报告已被{who}于{when:%Y-%m-%d %H:%M:%S}更新复核，请刷新后再保存。")
        version = current + 1
        try:
            review_id = con.execute(
                """insert into reviews (unit_key, fiscal_year, version, reviewed_sha256, review_score, review_grade,
                       review_comment, reviewer, reviewer_display, reviewed_at, n_verdicts)
                   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning review_id""",
                [unit_key, int(fiscal_year), version, sha256, value, grade or None, comment or None, reviewer,
                 reviewer_display or reviewer, _now(), len(rows)],
            ).fetchone()[0]
        except duckdb.ConstraintException as exc:  # another process got the same version first
            raise ReviewConflict("该报告刚被他人更新复核，请刷新后再保存。") from exc
        if rows:
            con.executemany(
                "insert into finding_verdicts values (?, ?, ?, ?, ?, ?)",
                [[review_id, r["finding_key"], r.get("kind"), r.get("finding"), r["verdict"], r.get("note") or None]
                 for r in rows],
            )
        detail = f"第{version}版" + (f"，复核得分 {value:g}" if value is not None else "") + (f"，{grade}" if grade else "")
        record_event(reviewer, "复核", f"{unit_key} {fiscal_year}年", detail, con=con)
    return version


def review_status(reports: pd.DataFrame, reviews: pd.DataFrame) -> pd.Series:
    """未复核 / 已复核 / 报告已更新需重新复核 for each report row (unit_key, fiscal_year, sha256)."""
    merged = reports[["unit_key", "fiscal_year", "sha256"]].merge(
        reviews[["unit_key", "fiscal_year", "reviewed_sha256"]], how="left", on=["unit_key", "fiscal_year"])
    status = pd.Series("未复核", index=reports.index, dtype=object)
    reviewed = merged["reviewed_sha256"].notna().to_numpy()
    same = (merged["reviewed_sha256"] == merged["sha256"]).fillna(False).to_numpy(dtype=bool)
    status[reviewed & same] = "已复核"
    status[reviewed & ~same] = "报告已更新需重新复核"
    return status


# --- samples ----------------------------------------------------------------------------------

def save_sample(*, fiscal_year: int, rule: str, method: str, seed: int, stratified: bool, drawn_by: str,
                members: pd.DataFrame, reports_sha: str = "") -> int:
    """Save a drawn sample (members: unit_key, unit_name, sector, weight, reason) and its event."""
    with connect() as con:
        sample_id = con.execute(
            """insert into samples (fiscal_year, rule, method, size, seed, stratified, reports_sha, drawn_by,
                   drawn_at, n_members) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning sample_id""",
            [int(fiscal_year), rule, method, len(members), int(seed), bool(stratified), reports_sha, drawn_by,
             _now(), len(members)],
        ).fetchone()[0]
        con.executemany(
            "insert into sample_members values (?, ?, ?, ?, ?, ?, ?)",
            [[sample_id, i + 1, r.unit_key, r.unit_name, getattr(r, "sector", None),
              None if pd.isna(getattr(r, "weight", None)) else float(r.weight), getattr(r, "reason", None)]
             for i, r in enumerate(members.itertuples(index=False))],
        )
        record_event(drawn_by, "抽查", f"{fiscal_year}年", f"样本 {sample_id}：{rule}", con=con)
    return int(sample_id)


def samples(year: int | None = None) -> pd.DataFrame:
    with connect() as con:
        return con.execute(
            """select sample_id, fiscal_year, rule, method, seed, stratified, drawn_by, drawn_at, n_members
               from samples where ? is null or fiscal_year = ? order by drawn_at desc, sample_id desc""",
            [year, year],
        ).df()


def sample_members(year: int | None = None, sample_id: int | None = None) -> pd.DataFrame:
    """Members of the samples (latest sample per year first); see the contract."""
    with connect() as con:
        return con.execute(
            """select s.sample_id, s.fiscal_year, s.rule, s.seed, s.drawn_by, s.drawn_at,
                      m.unit_key, m.unit_name, m.reason, m.sector, m.weight
               from samples as s join sample_members as m on m.sample_id = s.sample_id
               where (? is null or s.fiscal_year = ?) and (? is null or s.sample_id = ?)
               order by s.fiscal_year desc, s.drawn_at desc, s.sample_id desc, m.position""",
            [year, year, sample_id, sample_id],
        ).df()


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
