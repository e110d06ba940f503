"""Query-layer speed on scaled databases, beside the same figures in pandas.

    .venv/bin/python benchmarks/query_bench.py [--sizes 10000 100000] [--runs 15] [--keep DIR]
    .venv/bin/python benchmarks/query_bench.py --check data/reports.duckdb   # twins only, no timing

Builds synthetic DuckDB databases of N reports (records written straight into
the schema as bulk DataFrame inserts, no documents; 10 fiscal years, N/10 units,
~15 indicators, 10 narrative sections, money tables with org rows, cases for a
third of the units), then runs every query of the catalog with no filter
(the whole database: the worst case) and with one year selected (what a page
usually asks) and, for the stored listings (queries.stored_queries()), with
one sector selected, and prints median and p95 wall time per query; for the
stored listings also the time of the same call running the SQL live
(use_stored=False), i.e. without the rows refresh stored. Target: every query
≤ 100 ms median at 100,000 reports.

The pandas twins. Each of the 23 analytic queries (PANDAS: sectors, units,
years, overview_by_year, trends_by_sector, budget_execution,
spending_structure, staff_control, three_public_change, cost_per_case,
cost_per_output, complaints_by_category, complaints_by_channel,
complaints_by_unit, grade_counts, implied_grade, score_distribution,
score_percentiles, score_rank, score_vs_execution, consistency_checks,
consistency_summary, credibility_signals) has a function pd_<query>(d, year)
computing the same result with pandas, step by step after the query's SQL
and header, for one year or all (year=None): the "全部" and "YYYY年" lines;
the "一个行业" lines have no pandas figure. `d` is pd_refresh(frames), the
twin of queries.refresh (_derive.sql and _findings.sql) computed in full from
the frames the database was built from and the same mapping files (read with
queries.read_mapping): unit identity with aliases, codes and names
(q_unit_identity), sectors and case units by the rules of unit_sectors.csv
and case_units.csv, the wide per-report row with the 汇总 rows, stated and
computed execution rates and the grades under grade_rules.csv (q_reports),
q_cases, q_quantity_indicators, the eleven consistency rules
(q_consistency), the five credibility signals (q_signals), q_report_flags.
Nothing is read back from the database. Like queries.refresh, pd_refresh runs
once, outside the timing (its time is printed beside the refresh's), and a
twin's time ("pandas ms", median of max(3, runs // 3) runs) covers
everything after it, as a query's covers everything after the refresh.
DuckDB's arithmetic is reproduced where it moves a rounded figure: round() is
exact decimal rounding, half away from zero (numpy rounds x * 100 half to
even); median and quantile_cont are lo * (1 - d) + hi * d with one rounding
(a fused multiply-add); avg adds the values one after the other in row order
(pandas compensates); sums of blanks are NULL; arg_max(…, (fiscal_year, tie)) picks the latest
year's value, ties broken as the SQL does.

Each twin's result is compared with queries.run(...)'s for the same scope
(stored listings answer from their stored rows): the same rows, by the key
columns in KEYS, and the same value in every column of the query: numbers
within 0.005, NULL == NaN, lists as multisets, strings and booleans equal.
Column "same" says 是, or 否 with the number of rows missing on one side or
differing (then the first differences are printed under the line; 否 列 when
the columns differ or the twin failed); a summary line closes the run. Row
order is not compared; the twins sort like the SQL so that their time
includes it.

No twin (11 queries), as they compute no figure: report_details,
unit_documents, unit_goals, unit_history, unit_indicators, unit_money and
unit_narratives return one unit's stored rows as written (cover fields,
files, goals, indicators, money cells, texts) through the same scoped_reports
every twin reproduces; document_content returns one file's bytes;
load_failures and load_status read the load log; report_warnings lists the
loader's warnings as stored.

--check DB runs only the comparison, on an existing database (its tables read
as frames; all years and each year): the demo district exercises what the
synthetic data does not (aliases, merged units with two reports a year, org
rows that do not add up, declared grades written 优秀/良好/三级).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache, partial, reduce
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from tests.dbfactory import MONEY_COLUMNS, create_schema, write_frames  # noqa: E402

YEARS = list(range(2016, 2026))
SECTOR_WORDS = ["教育局", "卫生健康局", "民政局", "人力资源和社会保障局", "公安分局", "城市管理局", "农业农村局",
                "自然资源局", "水利局", "交通运输局", "文化旅游广电体育局", "市场监督管理局", "生态环境分局",
                "财政局", "街道办事处", "镇人民政府", "劳动保障监察大队", "疾病预防控制中心", "中学", "档案馆"]
CHANNELS = ["national_platform", "leader_mailbox", "hotline_12345", "walk_in", "online"]
SECTIONS = ["overview", "basic_expenditure", "project_expenditure", "government_fund", "state_capital",
            "social_insurance_fund", "performance", "problems", "improvements", "other"]
INDICATORS = [  # (level1, level2, name, unit)
    ("产出目标", "数量指标", "办理投诉件数", "件"), ("产出目标", "数量指标", "服务人数", "人"),
    ("产出目标", "数量指标", "检查企业数", "家"), ("产出目标", "数量指标", "开展活动次数", "次"),
    ("产出目标", "质量指标", "资金发放到位率", "%"), ("产出目标", "质量指标", "办结率", "%"),
    ("产出目标", "质量指标", "合格率", "%"), ("产出目标", "时效指标", "按时完成率", "%"),
    ("产出目标", "时效指标", "资金发放及时率", None), ("产出目标", "成本指标", "总成本控制，不超过年初预算投入", "%"),
    ("效益目标", "社会效益", "群众知晓率", "%"), ("效益目标", "经济效益", "征缴收入", "万元"),
    ("效益目标", "可持续影响", "长效机制", None), ("满意度", "服务对象满意度", "群众满意度", "%"),
    ("产出目标", "数量指标", "受理户数", "户"),
]


def synthetic_frames(n_reports: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """DataFrames for every table of etl/schema.sql holding n_reports reports."""
    rng = np.random.default_rng(seed)
    n_units = max(1, n_reports // len(YEARS))
    rid = np.arange(1, n_reports + 1)
    unit = (rid - 1) % n_units
    year = np.array(YEARS)[(rid - 1) // n_units % len(YEARS)]
    has_code = unit % 5 != 0
    code = np.char.add("C", unit.astype(str))
    names = np.array([f"第{u}{SECTOR_WORDS[u % len(SECTOR_WORDS)]}" for u in range(n_units)])
    unit_name = names[unit]
    region = "演示市演示区"
    unit_key = np.where(has_code, np.char.add(region + "|", code), np.char.add(region + "|", unit_name))
    quota = rng.integers(5, 200, n_reports)
    actual = quota + rng.integers(-5, 6, n_reports)
    score = np.round(rng.normal(91, 4, n_reports).clip(55, 100), 1)
    score_blank = rng.random(n_reports) < 0.03
    grade = np.where(score >= 90, "优", np.where(score >= 80, "良", "中"))
    grade = np.where(rng.random(n_reports) < 0.05, "良", grade)  # some mismatches
    reports = pd.DataFrame({
        "report_id": rid, "unit_key": unit_key, "region": region, "fiscal_year": year, "unit_name": unit_name,
        "budget_code": np.where(has_code, code, None), "staff_quota": quota, "staff_actual": actual,
        "self_score": np.where(score_blank, np.nan, score), "grade": grade, "is_demo": True,
        "file_name": np.char.add(unit_key.astype(str), ".docx"), "sha256": np.char.add("sha", rid.astype(str)),
        "format": "docx", "money_unit": "万元", "template": "yueyang-yunxi-2022",
        "warnings": [[] if r % 50 else ["indicators: 一行未能读出"] for r in rid],
        "record_json": "{}",
    })

    total = np.round(rng.lognormal(6, 1, n_reports), 2)
    project = np.round(total * rng.uniform(0, 0.5, n_reports), 2)
    basic = np.round(total - project, 2)
    personnel = np.round(basic * rng.uniform(0.6, 0.95, n_reports), 2)
    public = np.round(basic - personnel, 2)
    broken = rng.random(n_reports) < 0.02
    public = np.where(broken, public + 1, public)  # personnel + public <> basic
    income_total = np.round(total * rng.uniform(1.0, 1.15, n_reports), 2)

    def two_rows(frame: pd.DataFrame) -> pd.DataFrame:
        summary = frame.assign(row_no=1, org="汇总")
        office = frame.assign(row_no=2, org="局机关")
        return pd.concat([summary, office], ignore_index=True)

    income = two_rows(pd.DataFrame({"report_id": rid, "total": income_total, "fiscal_appropriation": income_total}))
    expenditure = two_rows(pd.DataFrame({"report_id": rid, "total": total, "basic": basic, "personnel": personnel,
                                         "public": public, "project": project}))
    tp_total = np.round(rng.uniform(0, 30, n_reports), 2)
    reception = np.round(tp_total * 0.4, 2)
    three_public = two_rows(pd.DataFrame({"report_id": rid, "total": tp_total, "reception": reception,
                                          "vehicle_operation": np.round(tp_total - reception, 2)}))
    fa = np.round(rng.uniform(1, 500, n_reports), 2)
    fixed_assets = two_rows(pd.DataFrame({"report_id": rid, "total": fa, "in_use": fa}))

    goals = pd.DataFrame({
        "report_id": np.repeat(rid, 5), "seq": np.tile(np.arange(1, 6), n_reports),
        "row_no": np.tile(np.arange(1, 6), n_reports), "text": "完成年度目标任务，提升服务质量。",
    })

    k = len(INDICATORS)
    ind_rid = np.repeat(rid, k)
    spec = pd.DataFrame(INDICATORS * n_reports, columns=["level1", "level2", "name", "actual_unit"])
    value = np.where(spec["actual_unit"].eq("%"), np.round(rng.uniform(80, 100, n_reports * k), 2),
                     rng.integers(1, 5000, n_reports * k).astype(float))
    value = np.where(spec["level2"].eq("质量指标") & (rng.random(n_reports * k) < 0.6), 100.0, value)
    value = np.where(spec["actual_unit"].isna(), np.nan, value)
    blank = rng.random(n_reports * k) < 0.01
    actual_text = np.where(spec["actual_unit"].isna(), "按时完成",
                           pd.Series(value).map("{:g}".format).to_numpy() + spec["actual_unit"].fillna("").to_numpy())
    actual_text = np.where(spec["name"].str.startswith("总成本"),
                           np.char.add("完成预算的", pd.Series(value).map("{:g}%".format).to_numpy().astype(str)),
                           actual_text)
    indicators = spec.assign(
        report_id=ind_rid, row_no=np.tile(np.arange(1, k + 1), n_reports), seq=1,
        actual_value=np.where(blank, np.nan, value), actual_text=np.where(blank, None, actual_text),
    )

    case_rid = rid[unit % 3 == 0]
    m = len(case_rid)
    counts = rng.integers(1, 300, (m, len(CHANNELS)))
    cases_total = pd.DataFrame({"report_id": case_rid, "row_no": 1, "category": "投诉举报", "channel": "total",
                                "channel_label": "投诉举报", "count": counts.sum(1) + rng.integers(0, 3, m),
                                "amount_wan": np.round(rng.uniform(10, 5000, m), 0), "approx": True})
    parts = [pd.DataFrame({"report_id": case_rid, "row_no": i + 2, "category": "投诉举报", "channel": ch,
                           "channel_label": ch, "count": counts[:, i], "amount_wan": np.nan, "approx": False})
             for i, ch in enumerate(CHANNELS)]
    cases = pd.concat([cases_total, *parts], ignore_index=True)

    # texts repeat across years for some units (the "same text as last year" signal)
    stable = unit % 4 == 0
    base_text = np.char.add(np.char.add(unit_name.astype(str), "本年度认真履行职责，加强预算管理，规范资金使用，各项工作有序推进。"),
                            np.where(stable, "", year.astype(str)))
    narratives = pd.DataFrame({
        "report_id": np.repeat(rid, len(SECTIONS)), "section": np.tile(SECTIONS, n_reports),
        "text": np.repeat(base_text, len(SECTIONS)),
    })
    narratives.loc[narratives["section"].eq("problems") & (narratives["report_id"] % 7 == 0), "text"] = "无"

    load_log = pd.DataFrame({"log_id": rid, "file_name": reports["file_name"], "sha256": reports["sha256"],
                             "status": "loaded", "report_id": rid, "unit_key": unit_key, "fiscal_year": year})
    failed = pd.DataFrame({"log_id": n_reports + np.arange(1, 101), "file_name": [f"bad{i}.pdf" for i in range(100)],
                           "status": "failed", "reason": "不是自评报告：未找到“部门（单位）名称”"})
    units = reports.groupby("unit_key").agg(region=("region", "first"), unit_name=("unit_name", "last"),
                                            budget_code=("budget_code", "last"), first_year=("fiscal_year", "min"),
                                            last_year=("fiscal_year", "max")).reset_index()
    return {"units": units, "reports": reports, "income": income, "expenditure": expenditure,
            "three_public": three_public, "fixed_assets": fixed_assets, "goals": goals, "indicators": indicators,
            "cases": cases, "narratives": narratives, "load_log": pd.concat([load_log, failed], ignore_index=True)}


def build(path: Path, n_reports: int) -> dict[str, pd.DataFrame]:
    frames = synthetic_frames(n_reports)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    create_schema(con)
    write_frames(con, frames)
    t0 = time.perf_counter()
    queries.refresh(con)  # what the ETL does after a load
    con.execute("checkpoint")
    con.close()
    frames["_refresh_s"] = time.perf_counter() - t0
    return frames



# ---- SQL semantics in pandas ------------------------------------------------

SUMMARY = "汇总"
NULL_REGION = "\x00"  # region key standing for NULL, so that NULL matches NULL as `is not distinct from`
MONEY = MONEY_COLUMNS  # table -> money columns, "total" first
SCHEMA = {  # the columns the derivation reads, with their dtypes (missing ones are added blank)
    "reports": {"report_id": "int64", "unit_key": "str", "region": "str", "fiscal_year": "int64", "unit_name": "str",
                "budget_code": "str", "staff_quota": "Int64", "staff_actual": "Int64", "self_score": "float64",
                "grade": "str", "is_demo": "bool"},
    **{table: {"report_id": "int64", "row_no": "int64", "org": "str", **{c: "float64" for c in cols}}
       for table, cols in MONEY.items()},
    "indicators": {"report_id": "int64", "row_no": "int64", "level1": "str", "level2": "str", "name": "str",
                   "actual_text": "str", "actual_value": "float64", "actual_unit": "str"},
    "cases": {"report_id": "int64", "row_no": "int64", "category": "str", "channel": "str", "channel_label": "str",
              "count": "float64", "amount_wan": "float64", "approx": "bool"},
    "narratives": {"report_id": "int64", "section": "str", "text": "str"},
}


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = 134217729.0 * a  # Veltkamp: a = hi + lo exactly, each with 26 significant bits
    hi = c - (c - a)
    return hi, a - hi


def sql_round(x, digits: int = 2):
    """DuckDB's round(double, digits): the exact binary value rounded to
    `digits` decimals, half away from zero (round(171.045, 2) = 171.04, as
    171.045 is 171.04499… in binary; numpy gives 171.05, or rounds ties to even)."""
    index = x.index if isinstance(x, pd.Series) else None
    v = (x.astype("float64").to_numpy() if index is not None else np.asarray(x, dtype="float64"))
    m = 10.0 ** digits
    p = v * m
    (ah, al), (bh, bl) = _split(v), _split(np.float64(m))
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # v * m == p + err exactly (Dekker)
    a = np.abs(p)
    whole = np.floor(a)
    frac = a - whole
    up = (frac > 0.5) | ((frac == 0.5) & (err * np.sign(p) >= 0))
    out = np.copysign(whole + up, p) / m
    return pd.Series(out, index=index) if index is not None else out


def nullif0(s: pd.Series) -> pd.Series:
    return s.where(s != 0)


def pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    """round(part / nullif(whole, 0) * 100, 2)"""
    return sql_round(part / nullif0(whole) * 100)


def coalesce_sum(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    """coalesce(a, 0) + coalesce(b, 0) + …, added left to right like the SQL."""
    return reduce(lambda acc, c: acc + frame[c].fillna(0), cols[1:], frame[cols[0]].fillna(0))


def fmt2(s: pd.Series) -> pd.Series:
    """fmt2(x): printf('%.2f', x), '空白' when NULL."""
    return s.map(lambda v: "空白" if pd.isna(v) else f"{v:.2f}").astype("object")


def fmt_g(s: pd.Series) -> pd.Series:
    """printf('%g', x)"""
    return s.map(lambda v: f"{v:g}").astype("object")


def strip(s: pd.Series) -> pd.Series:
    """DuckDB trim(): spaces only."""
    return s.str.strip(" ")


def blank_to_null(s: pd.Series) -> pd.Series:
    return s.where(s.fillna("").ne(""))


def contains(s: pd.Series, text: str) -> pd.Series:
    """s LIKE '%text%' as a filter: NULL counts as false."""
    return s.str.contains(text, regex=False).fillna(False).astype(bool)


def first_by(frame: pd.DataFrame, keys: list[str], order: list[str]) -> pd.DataFrame:
    """arg_min(…, order) per group: the first row of each group by `order`."""
    return frame.sort_values([*keys, *order], kind="stable").drop_duplicates(keys)


def latest(frame: pd.DataFrame, keys: list[str], col: str, tie: str | None = None) -> pd.Series:
    """arg_max(col, (fiscal_year, tie)) filter (where col is not null) per group:
    two reports of one unit identity in its latest year are told apart by `tie`
    (report_id in units.sql), or by the value itself (_derive.sql)."""
    tie = tie or col
    v = frame.loc[frame[col].notna(), list(dict.fromkeys([*keys, "fiscal_year", tie, col]))]
    return v.sort_values(["fiscal_year", tie], ascending=False, kind="stable").groupby(keys, sort=False)[col].first()


def _per_group(frame: pd.DataFrame, keys: list[str], col: str, one, many, distinct: bool) -> pd.Series:
    """one(value) for one-row groups, many(values) for the others, over the
    non-NULL values sorted (most groups have one row: no Python call per group)."""
    v = frame.loc[frame[col].notna(), [*keys, col]]
    if distinct:
        v = v.drop_duplicates()
    v = v.sort_values([*keys, col], kind="stable")
    several = v.duplicated(keys, keep=False)
    single = v[~several].set_index(keys)[col]
    single = pd.Series([one(x) for x in single.tolist()], index=single.index, dtype="object")
    grouped = v[several].groupby(keys, sort=False)[col].agg(many)
    return pd.concat([single, grouped]) if len(grouped) else single


def string_agg(frame: pd.DataFrame, keys: list[str], col: str, sep: str, distinct: bool = False) -> pd.Series:
    """string_agg(col, sep order by col) per group, NULLs skipped."""
    return _per_group(frame, keys, col, lambda x: x, sep.join, distinct)


def list_agg(frame: pd.DataFrame, keys: list[str], col: str, distinct: bool = True) -> pd.Series:
    """list(distinct col order by col) per group as Python lists, NULLs skipped."""
    return _per_group(frame, keys, col, lambda x: [x], list, distinct)


def fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once, as a fused multiply-add (Dekker's product, Knuth's sum)."""
    p = a * b
    (ah, al), (bh, bl) = _split(a), _split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a * b == p + err
    s = p + c
    bp = s - p
    return s + (((p - (s - bp)) + (c - bp)) + err)  # p + c == s + (…) exactly


def quantile_cont(frame: pd.DataFrame, keys: list[str], col: str, qs: list[float]) -> pd.DataFrame:
    """DuckDB's quantile_cont (and median) per group over the non-NULL values:
    at rn = (n - 1) * q, d = rn - floor(rn), lo * (1 - d) + hi * d, which
    DuckDB's build computes as fma(lo, 1 - d, hi * d) (checked against it bit
    for bit; lo + (hi - lo) * d or numpy's quantile differ in the last bit,
    enough to round 88.775 the other way). One column per q."""
    v = frame.loc[frame[col].notna(), [*keys, col]].sort_values([*keys, col], kind="stable")
    n = v.groupby(keys, sort=False)[col].size()
    counts = n.to_numpy()
    start = np.cumsum(counts) - counts
    x = v[col].to_numpy(dtype="float64")
    out = {}
    for q in qs:
        rn = (counts - 1).astype("float64") * q
        lo_i, hi_i = np.floor(rn).astype(np.int64), np.ceil(rn).astype(np.int64)
        lo, hi, d = x[start + lo_i], x[start + hi_i], rn - lo_i
        out[q] = np.where(lo_i == hi_i, lo, fma(lo, 1.0 - d, hi * d))
    return pd.DataFrame(out, index=n.index)


def sql_avg(frame: pd.DataFrame, keys: list[str], col: str) -> pd.Series:
    """avg(col) per group as DuckDB computes it on one thread: the values
    added one after the other in row order, divided by their count (pandas'
    mean compensates the sum, which can move a mean such as 90.525 across
    a rounding boundary)."""
    v = frame.loc[frame[col].notna(), [*keys, col]]
    g = v.groupby(keys, sort=False)
    n = g.size()
    codes = g.ngroup().to_numpy()
    x = v[col].to_numpy(dtype="float64")[np.argsort(codes, kind="stable")]  # by group, row order kept
    counts = n.to_numpy()
    start = np.cumsum(counts) - counts
    sums = x[start]
    for i in np.flatnonzero(counts > 1):
        sums[i] = np.cumsum(x[start[i]:start[i] + counts[i]])[-1]
    return pd.Series(sums / counts, index=n.index)


# ---- the refresh in pandas: _derive.sql and _findings.sql --------------------

def schema_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables the derivation reads, with every column it reads (absent
    ones blank, as in the database) and the database's types."""
    out = {}
    for table, columns in SCHEMA.items():
        frame = frames[table]
        cols = {}
        for col, dtype in columns.items():
            values = frame[col] if col in frame else pd.Series(pd.NA if dtype == "Int64" else None,
                                                              index=frame.index, dtype="object")
            cols[col] = values.astype(dtype) if dtype != "str" else values.astype("str").where(values.notna())
        out[table] = pd.DataFrame(cols, index=frame.index).reset_index(drop=True)
    return out


def clean_name(s: pd.Series) -> pd.Series:
    return (s.str.replace(r"[\t\n\v\f\r \u3000]+", "", regex=True)
            .str.replace("（", "(", regex=False).str.replace("）", ")", regex=False))


def county_of(region: str | None) -> str:
    match = re.search(r"[^省市州盟]+\Z", region or "")
    return match.group(0) if match else ""


def name_norm(names: pd.Series, region: str | None) -> pd.Series:
    """name_norm(name, region) for one region: no blanks, half-width brackets,
    no leading region (or county) name."""
    clean = clean_name(names)
    out, done = clean, pd.Series(False, index=clean.index)
    for prefix in (region or "", county_of(region)):
        if prefix:
            hit = ~done & clean.str.startswith(prefix).fillna(False).astype(bool) & (clean.str.len() > len(prefix))
            out = out.mask(hit, clean.str.slice(len(prefix)))
            done = done | hit
    return out


def region_of(key: str) -> str | None:
    return None if key == NULL_REGION else key


def name_norm_by_region(names: pd.Series, region_keys: pd.Series) -> pd.Series:
    parts = [name_norm(names[region_keys == k], region_of(k)) for k in region_keys.unique()]
    return pd.concat(parts).reindex(names.index) if parts else names


def pd_alias_targets(names: pd.DataFrame, cfg_aliases: pd.DataFrame) -> pd.Series:
    """alias_hits: per unit_key, the canonical of the first alias line (file
    order) naming one of its codes or normalised names."""
    a = cfg_aliases.assign(region=blank_to_null(strip(cfg_aliases["region"])), alias=strip(cfg_aliases["alias"]),
                           canonical=strip(cfg_aliases["canonical"]))
    a = a[a["alias"].fillna("").ne("") & a["canonical"].fillna("").ne("")]
    hits = []
    for line in a.itertuples():
        alias = pd.Series([line.alias])
        norm = {k: name_norm(alias, region_of(k)).iat[0] for k in names["rk"].unique()}
        region_ok = names["rk"].eq(line.region) if pd.notna(line.region) else True
        named = names["budget_code"].eq(line.alias).fillna(False) | names["name_norm"].eq(names["rk"].map(norm))
        hits.append(names.loc[region_ok & named, ["unit_key"]].assign(canonical=line.canonical, line_no=line.line_no))
    if not hits:
        return pd.Series(dtype="object")
    return first_by(pd.concat(hits), ["unit_key"], ["line_no"]).set_index("unit_key")["canonical"]


def pd_first_rule(facts: pd.DataFrame, codes: pd.DataFrame, names: pd.DataFrame, rules: pd.DataFrame,
                  kind_order: dict[str, int], sector: pd.Series | None = None) -> pd.Series:
    """Per unit_id, the `out` of the first matching rule by (kind order, line):
    code in the unit's codes, name among its normalised names, keyword in its
    latest name, sector (case units) equal to its sector."""
    rules = rules.assign(rank=rules["kind"].map(kind_order).fillna(len(kind_order))).sort_values(
        ["rank", "line_no"], kind="stable")
    result = pd.Series(None, index=facts.index, dtype="object")
    for rule in rules.itertuples():
        open_ = result.isna()
        if rule.kind == "code":
            hit = facts.index.isin(codes.loc[codes["budget_code"] == rule.value, "unit_id"])
        elif rule.kind == "name":
            wanted = clean_name(pd.Series([rule.value])).iat[0]
            hit = facts.index.isin(names.loc[names["name_norm"] == wanted, "unit_id"])
        elif rule.kind == "keyword":
            hit = contains(facts["unit_name"], rule.value).to_numpy()
        elif rule.kind == "sector" and sector is not None:
            hit = (sector == rule.value).to_numpy()
        else:
            continue
        result[open_.to_numpy() & hit] = rule.out
    return result


def _rules(cfg: pd.DataFrame, out_col: str) -> pd.DataFrame:
    rules = pd.DataFrame({"kind": strip(cfg["kind"]), "value": strip(cfg["value"]), "out": strip(cfg[out_col]),
                          "line_no": cfg["line_no"]})
    return rules[rules["value"].fillna("").ne("") & rules["out"].fillna("").ne("")]


def pd_unit_identity(reports: pd.DataFrame, cfg: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """q_unit_identity: unit_key -> unit_id (aliases, then code, then a coded
    unit of the same normalised name, then the name), the unit's latest name
    and code, its sector and whether it is a case unit."""
    names = pd.DataFrame({
        "unit_key": reports["unit_key"], "rk": reports["region"].fillna(NULL_REGION), "region": reports["region"],
        "budget_code": blank_to_null(strip(reports["budget_code"])), "unit_name": reports["unit_name"],
        "fiscal_year": reports["fiscal_year"]})
    names["name_norm"] = name_norm_by_region(names["unit_name"], names["rk"])
    names = names.drop_duplicates()
    coded = names[names["budget_code"].notna()]

    keys = names.groupby("unit_key").agg(rk=("rk", "first"), region=("region", "first"))
    keys["name_norm"] = latest(names, ["unit_key"], "name_norm")
    keys["budget_code"] = latest(names, ["unit_key"], "budget_code")
    keys["canonical"] = pd_alias_targets(names, cfg["cfg_unit_aliases"])
    known = set(zip(coded["rk"], coded["budget_code"]))
    by_name = coded.groupby(["rk", "name_norm"])["budget_code"].agg(["nunique", "min"])
    code_by_name = by_name.loc[by_name["nunique"] == 1, "min"].to_dict()
    # code_by_county: the same name in one county whose region is spelled otherwise (云溪区 / 岳阳市云溪区)
    counties = coded.assign(county=coded["region"].map(county_of))
    counties = counties[counties["county"] != ""]
    by_county = counties.groupby(["county", "name_norm"]).agg(regions=("region", "nunique"), region=("region", "min"),
                                                             codes=("budget_code", "nunique"), code=("budget_code", "min"))
    by_county = by_county[(by_county["regions"] == 1) & (by_county["codes"] == 1)]
    code_by_county = dict(zip(by_county.index, zip(by_county["region"], by_county["code"])))

    no_alias = keys["canonical"].isna()
    canonical_is_code = pd.Series([(k, c) in known for k, c in zip(keys["rk"], keys["canonical"])], index=keys.index)
    target_code = keys["budget_code"].where(no_alias, keys["canonical"].where(canonical_is_code))
    target_norm = keys["name_norm"].where(
        no_alias, name_norm_by_region(keys["canonical"].fillna(""), keys["rk"]))
    same_name = pd.Series([code_by_name.get(kn) for kn in zip(keys["rk"], target_norm)], index=keys.index,
                          dtype="object")
    by_county_hit = [code_by_county.get((county_of(region_of(rk)), tn)) if pd.isna(sn) and pd.isna(tc) else None
                     for rk, tn, sn, tc in zip(keys["rk"], target_norm, same_name, target_code)]
    id_rk = pd.Series([hit[0] if hit else rk for rk, hit in zip(keys["rk"], by_county_hit)], index=keys.index)
    same_name = same_name.fillna(pd.Series([hit[1] if hit else None for hit in by_county_hit], index=keys.index,
                                           dtype="object"))
    id_region = id_rk.map(region_of)
    unit_id = id_region.fillna("") + "|" + target_code.fillna(same_name).fillna(target_norm)
    # a key without code that joined a code by name follows that code's own alias
    coded_keys = keys[keys["budget_code"].notna()]
    code_unit = (pd.DataFrame({"rk": coded_keys["rk"], "code": coded_keys["budget_code"],
                               "unit_id": unit_id[coded_keys.index]})
                 .groupby(["rk", "code"])["unit_id"].min().to_dict())
    follows = [code_unit.get((rk, code)) if tc is None or pd.isna(tc) else None
               for rk, code, tc in zip(id_rk, same_name, target_code)]
    unit_id = pd.Series(follows, index=keys.index, dtype="object").fillna(unit_id)

    names["unit_id"] = names["unit_key"].map(unit_id)
    # the current name: of the latest normalised name, as the coded reports write it
    latest_norm = names["unit_id"].map(latest(names, ["unit_id"], "name_norm"))
    ranked = names.assign(is_latest=names["name_norm"].eq(latest_norm), coded=names["budget_code"].notna())
    ranked = ranked.sort_values(["is_latest", "coded", "fiscal_year", "unit_name"], ascending=False, kind="stable")
    facts = ranked.groupby("unit_id", sort=False)["unit_name"].first().to_frame()
    facts["budget_code"] = latest(names, ["unit_id"], "budget_code")
    codes = names.loc[names["budget_code"].notna(), ["unit_id", "budget_code"]].drop_duplicates()
    norms = names[["unit_id", "name_norm"]].drop_duplicates()
    sector = pd_first_rule(facts, codes, norms, _rules(cfg["cfg_unit_sectors"], "sector"),
                           {"code": 0, "name": 1, "keyword": 2}).fillna("其他")
    case_rules = _rules(cfg["cfg_case_units"], "case_unit")
    case_rules["out"] = case_rules["out"].isin(["是", "yes", "true", "1"])
    case_unit = pd_first_rule(facts, codes, norms, case_rules, {"code": 0, "name": 1, "keyword": 2, "sector": 3},
                              sector=sector).fillna(False).astype(bool)

    out = pd.DataFrame({"unit_key": keys.index, "unit_id": unit_id.to_numpy(), "region": keys["region"].to_numpy()})
    return out.assign(unit_name=out["unit_id"].map(facts["unit_name"]),
                      budget_code=out["unit_id"].map(facts["budget_code"]),
                      sector=out["unit_id"].map(sector), case_unit=out["unit_id"].map(case_unit))


def _int_or_null(s: pd.Series) -> pd.Series:
    text = s.fillna("").str.strip()
    return pd.to_numeric(text.where(text.str.fullmatch(r"[+-]?\d+")), errors="coerce").astype("float64")


def pd_grade_rules(cfg: pd.DataFrame) -> pd.DataFrame:
    r = cfg[strip(cfg["grade"]).fillna("").ne("")]
    return pd.DataFrame({
        "rule_set": strip(r["rule_set"]), "region": blank_to_null(strip(r["region"])),
        "year_from": _int_or_null(r["year_from"]), "year_to": _int_or_null(r["year_to"]), "grade": strip(r["grade"]),
        "min_score": pd.to_numeric(r["min_score"].str.strip(), errors="coerce").astype("float64"),
        "max_score": pd.to_numeric(r["max_score"].str.strip(), errors="coerce").astype("float64"),
        "aliases": r["aliases"].fillna("").str.split("|").map(lambda xs: [x.strip(" ") for x in xs]),
        "line_no": r["line_no"]})


def _applies(f: pd.DataFrame) -> pd.Series:
    """A band row applies to (rk, fiscal_year): its region (or any), its years."""
    return ((f["region"].isna() | f["region"].eq(f["rk"]))
            & (f["year_from"].isna() | (f["fiscal_year"] >= f["year_from"]))
            & (f["year_to"].isna() | (f["fiscal_year"] <= f["year_to"])))


def pd_graded(reports: pd.DataFrame, rules: pd.DataFrame, rule_set: str | None = None) -> pd.DataFrame:
    """graded_reports(rule_set) by report_id: the rule set chosen per (region,
    year) as grade_bands does, the implied grade (first band by line with
    min ≤ score < max), the band whose aliases list the declared grade."""
    rep = reports.assign(rk=reports["region"].fillna(NULL_REGION))
    keys = rep[["rk", "fiscal_year"]].drop_duplicates()
    cand = keys.merge(rules, how="cross")
    cand = cand[_applies(cand) & (True if rule_set is None else cand["rule_set"].eq(rule_set))]
    cand = cand.assign(exact=cand["region"].notna()).groupby(["rk", "fiscal_year", "rule_set"]).agg(
        first_line=("line_no", "min"), exact=("exact", "any"), year_from=("year_from", "max")).reset_index()
    chosen = cand.sort_values(["exact", "year_from", "first_line"], ascending=[False, False, True],
                              na_position="last", kind="stable").drop_duplicates(["rk", "fiscal_year"])
    bands = chosen[["rk", "fiscal_year", "rule_set"]].merge(rules, on="rule_set")
    bands = bands[_applies(bands)].rename(columns={"grade": "band"})

    j = rep[["report_id", "rk", "fiscal_year", "self_score"]].merge(bands, on=["rk", "fiscal_year"])
    j = j[(j["self_score"] >= j["min_score"].fillna(-np.inf)) & (j["self_score"] < j["max_score"].fillna(np.inf))]
    implied = first_by(j, ["report_id"], ["line_no"]).set_index("report_id")["band"]
    written = rep[["report_id", "rk", "fiscal_year"]].assign(alias=strip(rep["grade"])).dropna(subset=["alias"])
    j = written.merge(bands.explode("aliases").rename(columns={"aliases": "alias"}), on=["rk", "fiscal_year", "alias"])
    declared = first_by(j, ["report_id"], ["line_no"]).set_index("report_id")["band"]

    out = rep[["report_id", "rk", "fiscal_year"]].merge(chosen[["rk", "fiscal_year", "rule_set"]], how="left")
    out = out.set_index("report_id")[["rule_set"]]
    out["implied_grade"], out["declared_band"] = implied, declared
    out["comparable"] = out["implied_grade"].notna() & out["declared_band"].notna()
    out["matches"] = (out["implied_grade"] == out["declared_band"]).astype("boolean").where(out["comparable"])
    return out


def unit_row(table: pd.DataFrame) -> pd.DataFrame:
    """The unit-as-a-whole row of a money table: the first 汇总 row, or the only row."""
    t = table.assign(_other=table["org"].ne(SUMMARY))
    first = first_by(t, ["report_id"], ["_other", "row_no"])
    rows = first["report_id"].map(table["report_id"].value_counts())
    return first[first["org"].eq(SUMMARY) | rows.eq(1)].drop(columns="_other").set_index("report_id")


BUDGET_NAME = r"预算(?:数|金额|总额|资金)|(?:年初|全年|调整后)预算"
NOT_BUDGET_NAME = r"率|执行数|支出数|决算"


def pd_reports_table(f: dict[str, pd.DataFrame], identity: pd.DataFrame, graded: pd.DataFrame) -> pd.DataFrame:
    """q_reports: one wide row per report."""
    r = f["reports"]
    q = r[["report_id", "fiscal_year", "unit_key", "unit_name", "region", "budget_code", "is_demo", "staff_quota",
           "staff_actual", "self_score", "grade"]].rename(columns={"unit_name": "reported_name"})
    ident = identity[["unit_key", "unit_id", "unit_name", "budget_code", "sector", "case_unit"]]
    q = q.merge(ident.rename(columns={"budget_code": "unit_budget_code"}), on="unit_key").set_index("report_id")
    for table, cols in MONEY.items():  # fixed_assets: only its total
        cols = cols if table != "fixed_assets" else ["total"]
        q = q.join(unit_row(f[table])[cols].rename(columns={"total": f"{table}_total"}))
    ind = f["indicators"]
    speaks = (contains(ind["actual_text"], "预算") | contains(ind["name"], "预算执行率")
              | contains(ind["name"], "预算完成率"))
    stated = ind[ind["actual_unit"].eq("%") & ind["actual_value"].notna() & speaks]
    stated = first_by(stated, ["report_id"], ["row_no"]).set_index("report_id")
    q["stated_rate"], q["stated_indicator"] = stated["actual_value"], stated["name"]
    budget = ind[ind["actual_unit"].eq("万元") & (ind["actual_value"] > 0)
                 & ind["name"].str.contains(BUDGET_NAME).fillna(False).astype(bool)
                 & ~ind["name"].str.contains(NOT_BUDGET_NAME).fillna(False).astype(bool)]
    q["budget_wan"] = first_by(budget, ["report_id"], ["row_no"]).set_index("report_id")["actual_value"]
    stated = q["expenditure_total"].notna()
    q["expenditure_total"] = q["expenditure_total"].fillna(q["basic"] + q["project"])
    q["expenditure_basis"] = np.where(stated, "报告所填", np.where(q["expenditure_total"].notna(), "基本支出+项目支出", None))
    q["rate_vs_budget"] = pct(q["expenditure_total"], q["budget_wan"])
    q["rate_vs_income"] = pct(q["expenditure_total"], q["income_total"])
    q = q.join(graded[["rule_set", "implied_grade", "declared_band", "comparable", "matches"]].rename(
        columns={"comparable": "grade_comparable", "matches": "grade_matches"}))
    q["name_order"] = q["unit_name"].rank(method="dense").astype("int64")
    q["execution_rate"] = q["stated_rate"].fillna(q["rate_vs_budget"]).fillna(q["rate_vs_income"])
    q["execution_basis"] = np.select(
        [q["stated_rate"].notna(), q["rate_vs_budget"].notna(), q["rate_vs_income"].notna()],
        ["报告所述", "支出÷预算", "支出÷收入"], default=None)
    return q.reset_index().sort_values("report_id")


def pd_quantity_indicators(ind: pd.DataFrame, q_reports: pd.DataFrame) -> pd.DataFrame:
    """q_quantity_indicators: quantity indicators (level2 blank or 数量…) with a unit, in cost_per_output's order."""
    i = ind[ind["actual_unit"].notna() & (ind["level2"].isna() | contains(ind["level2"], "数量"))]
    i = i.merge(q_reports[["report_id", "fiscal_year", "unit_name"]], on="report_id")
    i = i.sort_values(["fiscal_year", "unit_name", "row_no", "report_id"], ascending=[False, True, True, True],
                      kind="stable")
    i = i.assign(sort_key=np.arange(1, len(i) + 1))
    return i.rename(columns={"name": "indicator", "actual_value": "quantity", "actual_unit": "output_unit"})[
        ["report_id", "row_no", "indicator", "level2", "actual_text", "quantity", "output_unit", "sort_key"]]


def pd_cases_table(cases: pd.DataFrame) -> pd.DataFrame:
    """q_cases: per report, category and channel, with the remainder of a stated
    total as channel 'unattributed' and the category's count handled."""
    keys = ["report_id", "category", "channel"]
    c = cases.assign(approx=cases["approx"] & cases["amount_wan"].notna())
    g = c.groupby(keys, sort=False)
    per = pd.DataFrame({"cases": g["count"].sum(min_count=1), "amount_wan": g["amount_wan"].sum(min_count=1),
                        "approx": g["approx"].any()})
    per["channel_label"] = string_agg(c, keys, "channel_label", "、", distinct=True)
    per = per.reset_index()
    total = per["channel"].eq("total")
    cat = pd.DataFrame({
        "stated_total": per["cases"].where(total).groupby([per["report_id"], per["category"]]).max(),
        "channel_sum": per["cases"].where(~total).groupby([per["report_id"], per["category"]]).sum(min_count=1)})
    rest = cat["stated_total"] - cat["channel_sum"].fillna(0)
    unattributed = rest[rest > 0].rename("cases").reset_index().assign(
        channel="unattributed", channel_label=None, amount_wan=np.nan, approx=False)
    out = pd.concat([per, unattributed], ignore_index=True)
    category_cases = cat["stated_total"].fillna(cat["channel_sum"]).rename("category_cases")
    out = out.join(category_cases, on=["report_id", "category"])
    return out.sort_values(keys, kind="stable")[
        ["report_id", "category", "channel", "channel_label", "cases", "amount_wan", "approx", "category_cases"]]


def over_tolerance(diff: pd.Series) -> pd.Series:
    return diff.abs() > 0.01 + 1e-9


def finding(rows: pd.DataFrame, rule: str, rule_name: str, severity: str, org, figures: pd.Series,
            expected, actual) -> pd.DataFrame:
    """Rows of q_consistency for one rule."""
    n = len(rows)

    def values(v):
        return v.to_numpy(dtype="float64") if isinstance(v, pd.Series) else np.full(n, np.nan if v is None else v)

    return pd.DataFrame({
        "report_id": rows["report_id"].to_numpy(), "rule": rule, "rule_name": rule_name, "severity": severity,
        "org": org.to_numpy() if isinstance(org, pd.Series) else [org] * n, "figures": figures.to_numpy(),
        "expected": values(expected), "actual": values(actual)})


def _parts_rule(t: pd.DataFrame, parts: list[str]) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(sum of the filled parts, number filled, failed) for a 'total = Σ parts' rule, per org row."""
    parts_sum, filled = coalesce_sum(t, parts), t[parts].notna().sum(axis=1)
    return parts_sum, filled, t["total"].notna() & (filled > 0) & over_tolerance(parts_sum - t["total"])


INCOME_PARTS = ["carryover", "fiscal_appropriation", "fund_appropriation", "special_account_income", "other_income"]
THREE_PUBLIC_PARTS = ["reception", "vehicle_operation", "vehicle_purchase", "overseas"]
MONEY_TABLE_NAMES = {"income": "收入", "expenditure": "支出", "three_public": "“三公”经费", "fixed_assets": "固定资产"}
MONEY_LABELS = {
    "total": "合计", "carryover": "上年结转", "fiscal_appropriation": "公共财政拨款", "fund_appropriation": "政府基金拨款",
    "special_account_income": "纳入专户管理的非税收入拨款", "other_income": "其他收入", "basic": "基本支出",
    "personnel": "人员支出", "public": "公用支出", "project": "项目支出", "surplus_year": "当年结余",
    "surplus_cumulative": "累计结余", "reception": "公务接待费", "vehicle_operation": "公务用车运维费",
    "vehicle_purchase": "公务用车购置费", "overseas": "因公出国费", "in_use": "在用", "leased": "出租", "other": "其他"}


def pd_money_checks(f: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    """The sum rules of q_consistency, per org row of the money tables."""
    out = []
    # the two "filled parts against the total" rules: (table, parts, rule, name, total label, parts label)
    for table, parts, rule, name, whole, listed in [
            ("income", INCOME_PARTS, "income_parts", "收入分项之和与收入合计不符", "收入合计",
             "上年结转+公共财政拨款+政府基金拨款+专户非税收入+其他收入"),
            ("three_public", THREE_PUBLIC_PARTS, "three_public_parts", "“三公”分项之和与合计不符", "“三公”经费合计",
             "公务接待+公务用车运维+公务用车购置+因公出国")]:
        t = f[table]
        s, n, bad = _parts_rule(t, parts)
        rows = t[bad]
        out.append(finding(rows, rule, name, "不符", rows["org"],
                           whole + " " + fmt2(rows["total"]) + "；" + listed + "（已填" + n[bad].astype(str) + "项）之和 "
                           + fmt2(s[bad]), rows["total"], s[bad]))
    e = f["expenditure"]
    for rule, name, whole, parts in [("expenditure_parts", "基本支出+项目支出与支出合计不符", "total", ["basic", "project"]),
                                     ("basic_parts", "人员支出+公用支出与基本支出不符", "basic", ["personnel", "public"])]:
        actual = coalesce_sum(e, parts)
        bad = e[whole].notna() & e[parts].notna().any(axis=1) & over_tolerance(actual - e[whole])
        rows = e[bad]
        label = {"total": "支出合计", "basic": "基本支出", "project": "项目支出", "personnel": "人员支出", "public": "公用支出"}
        figures = (label[whole] + " " + fmt2(rows[whole]) + "；" + label[parts[0]] + " " + fmt2(rows[parts[0]])
                   + " + " + label[parts[1]] + " " + fmt2(rows[parts[1]]))
        out.append(finding(rows, rule, name, "不符", rows["org"], figures, rows[whole], actual[bad]))
    t = f["fixed_assets"]
    parts = ["in_use", "leased", "other"]
    actual = coalesce_sum(t, parts)
    bad = t["total"].notna() & t[parts].notna().any(axis=1) & over_tolerance(actual - t["total"])
    rows = t[bad]
    out.append(finding(rows, "fixed_assets_parts", "固定资产分项之和与合计不符", "不符", rows["org"],
                       "固定资产合计 " + fmt2(rows["total"]) + "；在用 " + fmt2(rows["in_use"]) + " + 出租 "
                       + fmt2(rows["leased"]) + " + 其他 " + fmt2(rows["other"]), rows["total"], actual[bad]))
    return out


def pd_org_row_checks(f: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    """org_rows_vs_summary: per table and column, the org rows' sum against the 汇总 row."""
    out = []
    for table, cols in MONEY.items():
        t = f[table]
        is_summary = t["org"].eq(SUMMARY)
        summary = t[is_summary].groupby("report_id")[cols].first()  # any_value: the first non-NULL
        orgs = t[~is_summary].groupby("report_id")[cols]
        org_sum, org_rows = orgs.sum(min_count=1).reindex(summary.index), orgs.count().reindex(summary.index)
        for col in cols:
            s, o, n = summary[col], org_sum[col], org_rows[col]
            bad = s.notna() & (n > 0) & over_tolerance(o - s)
            if bad.any():
                rows = pd.DataFrame({"report_id": s.index[bad]})
                figures = (MONEY_TABLE_NAMES[table] + "表“" + MONEY_LABELS[col] + "”：汇总行 " + fmt2(s[bad])
                           + "；各机构行（已填" + n[bad].astype(int).astype(str) + "行）之和 " + fmt2(o[bad]))
                out.append(finding(rows, "org_rows_vs_summary", "各机构行之和与汇总行不符", "不符", SUMMARY,
                                   figures, s[bad], o[bad]))
    return out


def pd_report_checks(f: dict[str, pd.DataFrame], q: pd.DataFrame) -> list[pd.DataFrame]:
    """The per-report rules of q_consistency: staff, stated rate, score range, grade, blank results."""
    r = f["reports"]
    over = r[(r["staff_actual"] > r["staff_quota"]).fillna(False).astype(bool)]
    out = [finding(over, "staff_over_quota", "实有人数超过编制", "提示", None,
                   "人员编制 " + over["staff_quota"].astype(str) + " 人；实有人数 " + over["staff_actual"].astype(str) + " 人",
                   over["staff_quota"].astype("float64"), over["staff_actual"].astype("float64"))]
    computed = q["rate_vs_budget"].fillna(q["rate_vs_income"])
    bad = q["stated_rate"].notna() & computed.notna() & ((computed - q["stated_rate"]).abs() > 1.0 + 1e-9)
    rows = q[bad]
    basis = pd.Series(np.where(rows["rate_vs_budget"].notna(), "支出÷预算 ", "支出÷收入 "), index=rows.index)
    out.append(finding(rows, "stated_vs_computed_rate", "所述预算执行率与按收支表测算不符", "提示", SUMMARY,
                       "报告所述 " + fmt2(rows["stated_rate"]) + "%；" + basis + fmt2(computed[bad]) + "%（相差超过1个百分点）",
                       rows["stated_rate"], computed[bad]))
    rows = r[(r["self_score"] < 0) | (r["self_score"] > 100)]
    out.append(finding(rows, "score_out_of_range", "自评得分超出0–100", "不符", None, "自评得分 " + fmt_g(rows["self_score"]),
                       pd.Series(np.where(rows["self_score"] > 100, 100.0, 0.0)), rows["self_score"]))
    rows = q[q["grade_comparable"] & q["grade_matches"].eq(False).fillna(False).astype(bool)]
    out.append(finding(rows, "grade_mismatch", "申报等次与得分对应等次不符", "不符", None,
                       "自评得分 " + fmt_g(rows["self_score"]) + "，按" + rows["rule_set"] + "应为“" + rows["implied_grade"]
                       + "”；报告等次“" + rows["grade"] + "”", None, None))
    ind = f["indicators"]
    blank = ind[ind["actual_text"].isna() | strip(ind["actual_text"]).eq("")].sort_values(["report_id", "row_no"])
    per = blank.groupby("report_id").agg(n=("name", "size"), names=("name", "；".join)).reset_index()
    out.append(finding(per, "blank_indicator_results", "绩效指标完成值空白", "提示", None,
                       per["n"].astype(str) + " 个指标未填完成值：" + per["names"], None, per["n"]))
    return out


def pd_consistency_table(f: dict[str, pd.DataFrame], q: pd.DataFrame) -> pd.DataFrame:
    """q_consistency: one row per failed check."""
    out = pd.concat(pd_money_checks(f) + pd_org_row_checks(f) + pd_report_checks(f, q), ignore_index=True)
    return out.assign(difference=sql_round(out["actual"] - out["expected"]))


SIGNAL_SECTIONS = {
    "overview": "部门（单位）概况", "basic_expenditure": "基本支出", "project_expenditure": "项目支出",
    "government_fund": "政府性基金预算支出", "state_capital": "国有资本经营预算支出",
    "social_insurance_fund": "社会保险基金预算支出", "performance": "部门整体支出绩效情况", "problems": "存在的问题",
    "improvements": "改进措施", "other": "其他需要说明的情况"}
NO_PROBLEM_TEXT = r"(无|暂无|没有|无问题|暂无问题|没有问题|不存在问题|未发现问题)?"


def signal(report_id, code: str, name: str, detail, value) -> pd.DataFrame:
    return pd.DataFrame({"report_id": np.asarray(report_id), "signal": code, "signal_name": name,
                         "detail": np.asarray(detail, dtype=object),
                         "value": np.asarray(value, dtype="float64") if value is not None else np.nan})


def pd_signals_table(f: dict[str, pd.DataFrame], q: pd.DataFrame) -> pd.DataFrame:
    """q_signals: the five credibility signals."""
    out = []
    h = q[(q["self_score"] >= 95) & (q["execution_rate"] < 80)]
    out.append(signal(h["report_id"], "high_score_low_execution", "高分低执行",
                      "自评得分 " + fmt_g(h["self_score"]) + "，预算执行率 " + fmt2(h["execution_rate"]) + "%（"
                      + h["execution_basis"] + "）", h["execution_rate"]))
    ind = f["indicators"]
    quality = ind[contains(ind["level2"], "质量")]
    valued = quality["actual_value"].notna().groupby(quality["report_id"]).sum()
    at_100 = (quality["actual_value"].eq(100) & quality["actual_unit"].eq("%")).groupby(quality["report_id"]).sum()
    v = valued[(valued >= 2) & (at_100 == valued)]
    out.append(signal(v.index, "all_quality_100", "质量指标全部100%", v.astype(str) + " 个质量指标完成值均为100%", v))
    sat = ind[(contains(ind["name"], "满意") | contains(ind["level2"], "满意") | contains(ind["level1"], "满意"))
              & ind["actual_unit"].eq("%") & (ind["actual_value"] >= 99)].sort_values(["report_id", "row_no"])
    sat = sat.assign(detail=sat["name"] + " " + sat["actual_text"])
    per = sat.groupby("report_id").agg(value=("actual_value", "max"))
    per["detail"] = sat.dropna(subset=["detail"]).groupby("report_id")["detail"].agg("；".join)
    out.append(signal(per.index, "satisfaction_99", "满意度≥99%", per["detail"], per["value"]))
    n = f["narratives"]
    problems = f["reports"][["report_id"]].merge(n.loc[n["section"].eq("problems"), ["report_id", "text"]], how="left")
    stripped = problems["text"].str.replace(r"[\t\n\v\f\r \u3000。.、，,；;！!]", "", regex=True)
    none = problems[problems["text"].isna() | stripped.str.fullmatch(NO_PROBLEM_TEXT).fillna(False).astype(bool)]
    out.append(signal(none["report_id"], "no_problems", "未列出问题",
                      ("“存在的问题”一节为：" + none["text"]).fillna("“存在的问题”一节空白"), None))
    texts = n[n["text"].str.len() >= 30].merge(q[["report_id", "unit_id", "fiscal_year"]], on="report_id")
    texts = texts.assign(text_hash=pd.factorize(texts["text"])[0])[["report_id", "unit_id", "fiscal_year", "section",
                                                                     "text_hash"]]
    prev = texts.drop(columns="report_id").assign(fiscal_year=texts["fiscal_year"] + 1)
    same = texts.merge(prev, on=["unit_id", "fiscal_year", "section", "text_hash"])
    same = same.assign(section_name=same["section"].map(SIGNAL_SECTIONS)).dropna(subset=["section_name"])
    per = same.sort_values(["report_id", "section_name"]).groupby("report_id").agg(
        value=("section_name", "size"), names=("section_name", "、".join))
    out.append(signal(per.index, "same_text_as_last_year", "与上年报告文字雷同", "与上年相同的章节：" + per["names"],
                      per["value"]))
    return pd.concat(out, ignore_index=True)


def pd_report_flags(q: pd.DataFrame, consistency: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """q_report_flags: per report, findings and signals counted, signal names."""
    c = consistency.assign(m=consistency["severity"].eq("不符"), n=consistency["severity"].eq("提示"))
    c = c.groupby("report_id").agg(mismatches=("m", "sum"), notices=("n", "sum"))
    s = signals.sort_values(["report_id", "signal_name"], kind="stable").assign(
        h=signals["signal"].eq("high_score_low_execution"))
    s = s.groupby("report_id").agg(signals=("signal", "size"), signal_names=("signal_name", "、".join),
                                   high_score_low_execution=("h", "any"))
    out = q[["report_id"]].join(c, on="report_id").join(s, on="report_id")
    return out.fillna({"mismatches": 0, "notices": 0, "signals": 0, "signal_names": "",
                       "high_score_low_execution": False}).astype(
        {"mismatches": "int64", "notices": "int64", "signals": "int64", "high_score_low_execution": "bool"})


def pd_refresh(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The twin of queries.refresh: the q_* tables as DataFrames, computed from
    the schema's tables and the mapping files (read as refresh reads them)."""
    f = schema_frames(frames)
    cfg = {table: queries.read_mapping(table) for table in queries.MAPPING_FILES}
    identity = pd_unit_identity(f["reports"], cfg)
    rules = pd_grade_rules(cfg["cfg_grade_rules"])
    q = pd_reports_table(f, identity, pd_graded(f["reports"], rules))
    consistency = pd_consistency_table(f, q)
    signals = pd_signals_table(f, q)
    return {**f, "q_grade_rules": rules, "q_unit_identity": identity, "q_reports": q,
            "q_quantity_indicators": pd_quantity_indicators(f["indicators"], q),
            "q_cases": pd_cases_table(f["cases"]), "q_consistency": consistency, "q_signals": signals,
            "q_report_flags": pd_report_flags(q, consistency, signals)}


# ---- the queries in pandas, from pd_refresh's frames -------------------------
# d: pd_refresh(...); year: the one year selected, or None for all. Each
# function follows queries/<name>.sql; the helpers mirror its macros.

@cache
def columns_of(name: str) -> list[str]:
    return [col for col, _, _ in queries.get(name).columns]


def output(frame: pd.DataFrame, name: str, by: list[str], ascending: list[bool]) -> pd.DataFrame:
    """The query's columns, in its ORDER BY (NULLs last)."""
    return frame.sort_values(by, ascending=ascending, na_position="last", kind="stable")[columns_of(name)]


def scoped(d: dict, year: int | None, prior: bool = False) -> pd.DataFrame:
    """scoped_reports with the year filter; prior=True also keeps the year before (in_years_or_prior)."""
    r = d["q_reports"]
    if year is None:
        return r
    return r[r["fiscal_year"].isin([year - 1, year] if prior else [year])]


def flagged(d: dict, year: int | None) -> pd.DataFrame:
    """flagged_reports: the reports in scope and of the year before, with their finding and signal counts."""
    return scoped(d, year, prior=True).merge(d["q_report_flags"][["report_id", "mismatches", "notices", "signals"]],
                                             on="report_id")


def in_year(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    return frame if year is None else frame[frame["fiscal_year"] == year]


def with_prev(cur: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    """left join the same keys' row of fiscal_year - 1: its `cols` as prev_<col>."""
    prev = cur[["fiscal_year", *keys, *cols]].assign(fiscal_year=cur["fiscal_year"] + 1)
    return cur.merge(prev.rename(columns={c: f"prev_{c}" for c in cols}), on=["fiscal_year", *keys], how="left")


def medians(frame: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    """round(median(col), 2) per group, for each col."""
    return pd.DataFrame({f"median_{c}": sql_round(quantile_cont(frame, keys, c, [0.5])[0.5]) for c in cols})


def per_year_figures(r: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """What overview_by_year and trends_by_sector add up per group: units,
    reports, spending, median rate and score, findings and signals."""
    g = r.groupby(keys)
    out = pd.DataFrame({"units_reporting": g["unit_id"].nunique(), "reports": g.size(),
                        "expenditure_total": g["expenditure_total"].sum(min_count=1),
                        "reports_without_expenditure": g["expenditure_total"].apply(lambda v: int(v.isna().sum())),
                        "mismatches": g["mismatches"].sum(), "notices": g["notices"].sum(),
                        "signals": g["signals"].sum(), "is_demo": g["is_demo"].any()})
    out = out.join(medians(r, keys, ["execution_rate", "self_score"]))
    return out.reset_index()


def pd_sectors(d: dict, year: int | None) -> pd.DataFrame:
    g = scoped(d, year).groupby("sector")
    out = pd.DataFrame({"units": g["unit_id"].nunique(), "reports": g.size(), "is_demo": g["is_demo"].any()})
    return output(out.reset_index(), "sectors", ["units", "sector"], [False, True])


def pd_units(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year)
    g = r.groupby("unit_id")
    out = g.agg(unit_name=("unit_name", "first"), sector=("sector", "first"),
                first_year=("fiscal_year", "min"), last_year=("fiscal_year", "max"), reports=("report_id", "size"),
                is_demo=("is_demo", "any"))
    out["budget_code"] = latest(r, ["unit_id"], "budget_code", tie="report_id")
    # the region as the coded reports spell it: arg_max(region, (budget_code is not null, fiscal_year, report_id))
    ranked = r.assign(coded=r["budget_code"].notna()).sort_values(["coded", "fiscal_year", "report_id"],
                                                                   ascending=False, kind="stable")
    out["region"] = ranked.groupby("unit_id")["region"].first()
    out["names_used"] = list_agg(r[r["reported_name"] != r["unit_name"]], ["unit_id"], "reported_name")
    return output(out.reset_index(), "units", ["sector", "unit_name"], [True, True])


def pd_years(d: dict, year: int | None) -> pd.DataFrame:
    r = d["q_reports"]  # the query takes no year filter
    g = r.groupby("fiscal_year")
    out = pd.DataFrame({"reports": g.size(), "real_reports": (~r["is_demo"]).groupby(r["fiscal_year"]).sum(),
                        "demo_reports": g["is_demo"].sum(), "is_demo": g["is_demo"].any()})
    return output(out.reset_index(), "years", ["fiscal_year"], [True])


def pd_overview_by_year(d: dict, year: int | None) -> pd.DataFrame:
    cur = per_year_figures(flagged(d, year), ["fiscal_year"])
    cur["expenditure_total"] = sql_round(cur["expenditure_total"])
    cur["flags"] = cur["mismatches"] + cur["notices"] + cur["signals"]
    out = with_prev(cur, [], ["units_reporting", "expenditure_total", "median_execution_rate", "median_self_score",
                              "flags"])
    out["units_change"] = out["units_reporting"] - out["prev_units_reporting"]
    out["expenditure_change_pct"] = pct(out["expenditure_total"] - out["prev_expenditure_total"],
                                        out["prev_expenditure_total"])
    out["execution_rate_change"] = sql_round(out["median_execution_rate"] - out["prev_median_execution_rate"])
    out["self_score_change"] = sql_round(out["median_self_score"] - out["prev_median_self_score"])
    out["flags_change"] = out["flags"] - out["prev_flags"]
    return output(in_year(out, year), "overview_by_year", ["fiscal_year"], [True])


def pd_trends_by_sector(d: dict, year: int | None) -> pd.DataFrame:
    r = flagged(d, year)
    cur = per_year_figures(r, ["fiscal_year", "sector"])
    year_total = r.groupby("fiscal_year")["expenditure_total"].sum(min_count=1)
    cur["expenditure_share_pct"] = pct(cur["expenditure_total"], cur["fiscal_year"].map(year_total))
    cur["flags"] = cur["mismatches"] + cur["notices"] + cur["signals"]
    out = with_prev(cur, ["sector"], ["expenditure_total"])
    out["expenditure_change_pct"] = pct(out["expenditure_total"] - out["prev_expenditure_total"],
                                        out["prev_expenditure_total"])
    out["expenditure_total"] = sql_round(out["expenditure_total"])
    out["prev_expenditure_total"] = sql_round(out["prev_expenditure_total"])
    return output(in_year(out, year), "trends_by_sector", ["fiscal_year", "expenditure_total", "sector"],
                  [True, False, True])


def computed_rate(r: pd.DataFrame) -> pd.Series:
    """coalesce(rate_vs_budget, rate_vs_income)"""
    return r["rate_vs_budget"].fillna(r["rate_vs_income"])


def pd_budget_execution(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year)
    out = r.assign(stated_minus_computed=sql_round(r["stated_rate"] - computed_rate(r)))
    return output(out, "budget_execution", ["fiscal_year", "execution_rate", "unit_name", "report_id"],
                  [False, True, True, True])


def pd_spending_structure(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year)
    out = r.assign(**{f"{c}_share": pct(r[c], r["expenditure_total"]) for c in ["personnel", "public", "project",
                                                                                 "basic"]})
    return output(out, "spending_structure", ["fiscal_year", "unit_name", "report_id"], [False, True, True])


def pd_staff_control(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year)
    out = r.assign(control_rate=pct(r["staff_actual"].astype("float64"), r["staff_quota"].astype("float64")),
                   excess=r["staff_actual"] - r["staff_quota"], over_quota=r["staff_actual"] > r["staff_quota"])
    return output(out, "staff_control", ["fiscal_year", "control_rate", "unit_name", "report_id"],
                  [False, False, True, True])


THREE_PUBLIC = ["three_public_total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"]


def pd_three_public_change(d: dict, year: int | None) -> pd.DataFrame:
    g = scoped(d, year, prior=True).groupby(["fiscal_year", "unit_id"])
    cur = g[THREE_PUBLIC].sum(min_count=1).join(g[["unit_name", "sector"]].first()).assign(
        is_demo=g["is_demo"].any()).reset_index()
    out = with_prev(cur, ["unit_id"], ["three_public_total"])
    change = out["three_public_total"] - out["prev_three_public_total"]
    out = out.assign(change=sql_round(change), change_pct=pct(change, out["prev_three_public_total"]),
                     **{c: sql_round(out[c]) for c in [*THREE_PUBLIC, "prev_three_public_total"]})
    return output(in_year(out, year), "three_public_change",
                  ["fiscal_year", "three_public_total", "unit_name", "unit_id"], [False, False, True, True])


def pd_cost_per_case(d: dict, year: int | None) -> pd.DataFrame:
    c = d["q_cases"]
    c = c.loc[c["category_cases"].notna(), ["report_id", "category", "category_cases"]].drop_duplicates()
    r = scoped(d, year, prior=True)[["report_id", "fiscal_year", "unit_id", "unit_name", "sector", "case_unit",
                                     "expenditure_total", "is_demo"]]
    handled = c.groupby("report_id")["category_cases"].sum().rename("handled")
    r = r.join(handled, on="report_id", how="inner")
    keys = ["fiscal_year", "unit_id"]
    g = r.groupby(keys)
    cur = pd.DataFrame({"unit_name": g["unit_name"].first(), "sector": g["sector"].first(),
                        "case_unit": g["case_unit"].any(), "expenditure_total": g["expenditure_total"].sum(min_count=1),
                        "cases_handled": g["handled"].sum(), "is_demo": g["is_demo"].any()})
    cur["categories"] = list_agg(r[[*keys, "report_id"]].merge(c[["report_id", "category"]]), keys, "category")
    cur = cur[cur["expenditure_total"].notna() & (cur["cases_handled"] > 0)].reset_index()
    cur["cost_per_case"] = cur["expenditure_total"] * 10000 / nullif0(cur["cases_handled"])
    out = with_prev(cur, ["unit_id"], ["cost_per_case"])
    change = (out["cost_per_case"] - out["prev_cost_per_case"]) / out["prev_cost_per_case"]  # no nullif in the SQL
    out = out.assign(change_pct=sql_round(change * 100),
                     expenditure_yuan=sql_round(out["expenditure_total"] * 10000),
                     expenditure_total=sql_round(out["expenditure_total"]),
                     cost_per_case=sql_round(out["cost_per_case"]),
                     prev_cost_per_case=sql_round(out["prev_cost_per_case"]))
    return output(in_year(out, year), "cost_per_case", ["fiscal_year", "cost_per_case", "unit_name", "unit_id"],
                  [False, False, True, True])


OUTPUT_UNITS = ["件", "起", "人", "家", "次", "户"]


def pd_cost_per_output(d: dict, year: int | None) -> pd.DataFrame:
    i = d["q_quantity_indicators"]
    i = i[i["output_unit"].isin(OUTPUT_UNITS)]
    r = scoped(d, year)[["report_id", "fiscal_year", "unit_id", "unit_name", "sector", "expenditure_total", "is_demo"]]
    out = i.merge(r, on="report_id")
    yuan = out["expenditure_total"] * 10000
    out = out.assign(expenditure_yuan=sql_round(yuan), cost_per_output=sql_round(yuan / nullif0(out["quantity"])),
                     cost_label="元/" + out["output_unit"])
    return output(out, "cost_per_output", ["sort_key"], [True])


def case_rows(d: dict, year: int | None, cols: list[str]) -> pd.DataFrame:
    """q_cases joined with the reports in scope and of the year before."""
    return d["q_cases"].merge(scoped(d, year, prior=True)[["report_id", *cols]], on="report_id")


def pd_complaints_by_category(d: dict, year: int | None) -> pd.DataFrame:
    c = case_rows(d, year, ["fiscal_year", "unit_id", "is_demo"])
    total = c["channel"].eq("total")
    c = c.assign(amount_total=c["amount_wan"].where(total), amount_parts=c["amount_wan"].where(~total))
    g = c.groupby(["report_id", "category"], sort=False)
    per = g[["fiscal_year", "unit_id", "is_demo", "category_cases"]].first()
    per["amount_wan"] = g["amount_total"].sum(min_count=1).fillna(g["amount_parts"].sum(min_count=1))
    per["amount_approx"] = g["approx"].any()
    g = per.reset_index().groupby(["fiscal_year", "category"])
    cur = pd.DataFrame({"cases": g["category_cases"].sum(min_count=1), "amount_wan": g["amount_wan"].sum(min_count=1),
                        "amount_approx": g["amount_approx"].any(), "units": g["unit_id"].nunique(),
                        "is_demo": g["is_demo"].any()}).reset_index()
    out = with_prev(cur, ["category"], ["cases"])
    out = out.assign(amount_wan=sql_round(out["amount_wan"]), change=out["cases"] - out["prev_cases"],
                     change_pct=pct(out["cases"] - out["prev_cases"], out["prev_cases"]))
    return output(in_year(out, year), "complaints_by_category", ["fiscal_year", "cases", "category"],
                  [False, False, True])


CHANNEL_NAMES = {"total": "合计", "national_platform": "国家平台", "leader_mailbox": "领导信箱",
                 "hotline_12345": "12345热线", "walk_in": "现场/来访", "letters_visits": "信访", "online": "网上平台",
                 "referral": "交办转办", "other": "其他渠道", "unattributed": "未分渠道"}


def channel_name(channel: pd.Series) -> pd.Series:
    return channel.map(CHANNEL_NAMES).fillna(channel)


def pd_complaints_by_channel(d: dict, year: int | None) -> pd.DataFrame:
    c = case_rows(d, year, ["fiscal_year", "unit_id", "is_demo"])
    c = c[c["channel"].ne("total") & c["cases"].notna()]
    g = c.groupby(["fiscal_year", "channel"])
    cur = pd.DataFrame({"cases": g["cases"].sum(), "is_demo": g["is_demo"].any(),
                        "units": c[c["cases"] > 0].groupby(["fiscal_year", "channel"])["unit_id"].nunique()})
    cur = cur.fillna({"units": 0}).reset_index()
    cur["share_pct"] = sql_round(cur["cases"] / cur.groupby("fiscal_year")["cases"].transform("sum") * 100)
    out = with_prev(cur, ["channel"], ["cases"])
    out = out.assign(channel_name=channel_name(out["channel"]), change=out["cases"] - out["prev_cases"],
                     change_pct=pct(out["cases"] - out["prev_cases"], out["prev_cases"]))
    return output(in_year(out, year), "complaints_by_channel", ["fiscal_year", "cases", "channel"],
                  [False, False, True])


def pd_complaints_by_unit(d: dict, year: int | None) -> pd.DataFrame:
    c = case_rows(d, year, ["fiscal_year", "unit_id", "unit_name", "name_order", "sector", "is_demo"])
    unit_year, keys = ["fiscal_year", "unit_id"], ["fiscal_year", "unit_id", "category", "channel"]
    reports = scoped(d, year, prior=True).groupby(unit_year).size()
    several = pd.MultiIndex.from_frame(c[unit_year]).isin(reports.index[reports.to_numpy() > 1])
    one, many = c[~several], c[several]  # a unit-year of one report needs no adding up
    g = many.groupby(keys)
    merged = g[["unit_name", "name_order", "sector"]].first().assign(
        cases=g["cases"].sum(min_count=1), amount_wan=g["amount_wan"].sum(min_count=1), approx=g["approx"].any(),
        is_demo=g["is_demo"].any(), channel_label=string_agg(many, keys, "channel_label", "、", distinct=True))
    totals = many[[*unit_year, "report_id", "category", "category_cases"]].drop_duplicates()
    totals = totals.groupby([*unit_year, "category"])["category_cases"].sum(min_count=1)
    merged = merged.reset_index().join(totals, on=[*unit_year, "category"])
    cur = pd.concat([one, merged], ignore_index=True) if len(merged) else one
    cur = cur.assign(share_pct=pct(cur["cases"], cur["category_cases"]))
    out = with_prev(cur, ["unit_id", "category", "channel"], ["cases"])
    out = out.assign(amount_wan=sql_round(out["amount_wan"]), change=out["cases"] - out["prev_cases"],
                     channel_name=channel_name(out["channel"]), not_total=out["channel"].ne("total"))
    out = in_year(out, year).sort_values(
        ["fiscal_year", "name_order", "category", "not_total", "cases", "unit_id", "channel"],
        ascending=[False, True, True, True, False, True, True], na_position="last", kind="stable")
    return out[columns_of("complaints_by_unit")]


GRADE_KIND_NAMES = {"declared": "申报等次", "implied": "得分对应等次"}


def pd_grade_counts(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year)
    declared = r["declared_band"].fillna(blank_to_null(strip(r["grade"])))
    both = pd.concat([
        pd.DataFrame({"fiscal_year": r["fiscal_year"], "grade_kind": "declared", "grade": declared,
                      "is_demo": r["is_demo"]}),
        pd.DataFrame({"fiscal_year": r["fiscal_year"], "grade_kind": "implied", "grade": r["implied_grade"],
                      "is_demo": r["is_demo"]})], ignore_index=True)
    g = both.groupby(["fiscal_year", "grade_kind", "grade"], dropna=False)
    out = pd.DataFrame({"reports": g.size(), "is_demo": g["is_demo"].any()}).reset_index()
    out["share_pct"] = sql_round(out["reports"] / out.groupby(["fiscal_year", "grade_kind"])["reports"].transform("sum")
                                 * 100)
    out["grade_kind_name"] = out["grade_kind"].map(GRADE_KIND_NAMES)
    return output(out, "grade_counts", ["fiscal_year", "grade_kind", "reports", "grade"], [False, True, False, True])


def pd_implied_grade(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year).rename(columns={"grade_comparable": "comparable", "grade_matches": "matches"})
    return output(r, "implied_grade", ["fiscal_year", "self_score", "unit_name", "report_id"],
                  [False, False, True, True])


ALL_SECTORS = "（全部）"


def both_scopes(r: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Each report once under its sector and once under （全部）."""
    r = r[["fiscal_year", "sector", *cols]]
    return pd.concat([r, r.assign(sector=ALL_SECTORS)], ignore_index=True)


def bin_labels(bin_width: float) -> pd.DataFrame:
    """score_distribution's bins: index, label, low, high."""
    top = math.ceil(40 / bin_width) - 1
    rows = [(-1, "<60", None, 60.0)]
    for b in range(top + 1):
        low, high = 60 + b * bin_width, min(60 + (b + 1) * bin_width, 100)
        rows.append((b, f"{low:g}–{high:g}", low, high))
    rows.append((1000, ">100", 100.0, None))
    return pd.DataFrame(rows, columns=["bin_index", "bin_label", "bin_low", "bin_high"])


def pd_score_distribution(d: dict, year: int | None, bin_width: float = 5.0) -> pd.DataFrame:
    r = scoped(d, year)
    r = r[r["self_score"].notna()]
    s = r["self_score"].to_numpy()
    top = math.ceil(40 / bin_width) - 1
    index = np.where(s < 60, -1, np.where(s > 100, 1000, np.minimum(np.floor((s - 60) / bin_width), top)))
    both = both_scopes(r.assign(bin_index=index.astype("int64")), ["is_demo", "bin_index"])
    g = both.groupby(["fiscal_year", "sector"])
    groups = pd.DataFrame({"scored": g.size(), "is_demo": g["is_demo"].any()}).reset_index()
    counts = both.groupby(["fiscal_year", "sector", "bin_index"]).size().rename("reports").reset_index()
    out = groups.merge(bin_labels(bin_width), how="cross").merge(counts, how="left")
    out = out[out["bin_index"].ne(1000) | out["reports"].notna()]
    out = out.assign(reports=out["reports"].fillna(0).astype("int64"))
    out["share_pct"] = sql_round(out["reports"] / out["scored"] * 100)
    out = out.assign(all_first=out["sector"].ne(ALL_SECTORS))
    return output(out, "score_distribution", ["fiscal_year", "all_first", "sector", "bin_index"],
                  [False, True, True, True])


def pd_score_percentiles(d: dict, year: int | None) -> pd.DataFrame:
    both = both_scopes(scoped(d, year), ["self_score", "is_demo"])
    keys = ["fiscal_year", "sector"]
    g = both.groupby(keys)
    scored = g["self_score"].count()
    out = pd.DataFrame({"reports_scored": scored, "reports_unscored": g.size() - scored,
                        "min_score": g["self_score"].min(), "max_score": g["self_score"].max(),
                        "mean_score": sql_round(sql_avg(both, keys, "self_score")), "is_demo": g["is_demo"].any()})
    q = quantile_cont(both, keys, "self_score", [0.10, 0.25, 0.50, 0.75, 0.90])
    for name, p in [("p10", 0.10), ("p25", 0.25), ("median", 0.50), ("p75", 0.75), ("p90", 0.90)]:
        out[name] = sql_round(q[p])
    out = out.reset_index()
    out = out.assign(all_first=out["sector"].ne(ALL_SECTORS))
    return output(out, "score_percentiles", ["fiscal_year", "all_first", "sector"], [False, True, True])


def pd_score_rank(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year, prior=True)
    r = r[r["self_score"].notna()]
    g = r.groupby(["fiscal_year", "unit_id"])
    cur = g[["unit_name", "sector"]].first().assign(self_score=sql_avg(r, ["fiscal_year", "unit_id"], "self_score"),
                                                    is_demo=g["is_demo"].any())
    cur = cur.reset_index()
    by_year = cur.groupby("fiscal_year")["self_score"]
    cur["rank"] = by_year.rank(method="min", ascending=False).astype("int64")
    cur["units_ranked"] = by_year.transform("size")
    n = cur["units_ranked"]
    cur["percentile"] = sql_round(((n - cur["rank"]) / (n - 1) * 100).where(n > 1))
    out = with_prev(cur, ["unit_id"], ["self_score", "rank"])
    out = out.assign(score_change=sql_round(out["self_score"] - out["prev_self_score"]),
                     rank_change=out["prev_rank"] - out["rank"], self_score=sql_round(out["self_score"]),
                     prev_self_score=sql_round(out["prev_self_score"]))
    return output(in_year(out, year), "score_rank", ["fiscal_year", "rank", "unit_name", "unit_id"],
                  [False, True, True, True])


def pd_score_vs_execution(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year).merge(d["q_report_flags"], on="report_id")
    rate = computed_rate(r)
    r = r.assign(computed_rate=rate, stated_minus_computed=sql_round(r["stated_rate"] - rate),
                 computed_basis=np.select([r["rate_vs_budget"].notna(), r["rate_vs_income"].notna()],
                                          ["支出÷预算", "支出÷收入"], default=None),
                 has_signal=r["signals"] > 0)
    return output(r, "score_vs_execution", ["fiscal_year", "self_score", "unit_name", "report_id"],
                  [False, False, True, True])


REPORT_COLUMNS = ["report_id", "fiscal_year", "unit_id", "unit_name", "sector", "is_demo"]


def pd_consistency_checks(d: dict, year: int | None) -> pd.DataFrame:
    f = d["q_consistency"].merge(scoped(d, year)[REPORT_COLUMNS], on="report_id")
    f = f.assign(expected=sql_round(f["expected"]), actual=sql_round(f["actual"]))
    return output(f, "consistency_checks", ["fiscal_year", "severity", "unit_name", "rule", "org", "report_id",
                                            "figures"], [False, False, True, True, True, True, True])


def pd_consistency_summary(d: dict, year: int | None) -> pd.DataFrame:
    r = scoped(d, year)
    totals = r.groupby("fiscal_year").agg(reports_total=("report_id", "size"), is_demo=("is_demo", "any"))
    f = d["q_consistency"].merge(r[["report_id", "fiscal_year"]], on="report_id")
    g = f.groupby(["fiscal_year", "rule"])
    out = pd.DataFrame({"rule_name": g["rule_name"].first(), "severity": g["severity"].first(),
                        "reports_flagged": g["report_id"].nunique(), "findings": g.size()}).reset_index()
    out = out.join(totals, on="fiscal_year")
    out["flagged_pct"] = sql_round(out["reports_flagged"] / out["reports_total"] * 100)
    return output(out, "consistency_summary", ["fiscal_year", "severity", "reports_flagged", "rule"],
                  [False, False, False, True])


def pd_credibility_signals(d: dict, year: int | None) -> pd.DataFrame:
    f = d["q_signals"].merge(scoped(d, year)[[*REPORT_COLUMNS, "self_score"]], on="report_id")
    return output(f, "credibility_signals", ["fiscal_year", "unit_name", "signal", "report_id"],
                  [False, True, True, True])


PANDAS = {  # query -> its twin
    "sectors": pd_sectors, "units": pd_units, "years": pd_years, "overview_by_year": pd_overview_by_year,
    "trends_by_sector": pd_trends_by_sector, "budget_execution": pd_budget_execution,
    "spending_structure": pd_spending_structure, "staff_control": pd_staff_control,
    "three_public_change": pd_three_public_change, "cost_per_case": pd_cost_per_case,
    "cost_per_output": pd_cost_per_output, "complaints_by_category": pd_complaints_by_category,
    "complaints_by_channel": pd_complaints_by_channel, "complaints_by_unit": pd_complaints_by_unit,
    "grade_counts": pd_grade_counts, "implied_grade": pd_implied_grade, "score_distribution": pd_score_distribution,
    "score_percentiles": pd_score_percentiles, "score_rank": pd_score_rank,
    "score_vs_execution": pd_score_vs_execution, "consistency_checks": pd_consistency_checks,
    "consistency_summary": pd_consistency_summary, "credibility_signals": pd_credibility_signals,
}

# why a query has no twin (see the docstring)
NO_TWIN = {
    **dict.fromkeys(["report_details", "unit_documents", "unit_goals", "unit_history", "unit_indicators", "unit_money",
                     "unit_narratives"], "one unit's stored rows as written"),
    "document_content": "one file's bytes", "load_failures": "the load log", "load_status": "the load log",
    "report_warnings": "the loader's warnings as stored",
}

# the columns that identify a row of each query, for the comparison
KEYS = {
    "sectors": ["sector"], "units": ["unit_id"], "years": ["fiscal_year"], "overview_by_year": ["fiscal_year"],
    "trends_by_sector": ["fiscal_year", "sector"],
    **{name: ["report_id"] for name in ["budget_execution", "spending_structure", "staff_control", "implied_grade",
                                        "score_vs_execution"]},
    **{name: ["fiscal_year", "unit_id"] for name in ["three_public_change", "cost_per_case", "score_rank"]},
    "cost_per_output": ["report_id", "indicator", "actual_text"],
    "complaints_by_category": ["fiscal_year", "category"], "complaints_by_channel": ["fiscal_year", "channel"],
    "complaints_by_unit": ["fiscal_year", "unit_id", "category", "channel"],
    "grade_counts": ["fiscal_year", "grade_kind", "grade"],
    "score_distribution": ["fiscal_year", "sector", "bin_label"],
    "score_percentiles": ["fiscal_year", "sector"], "consistency_checks": ["report_id", "rule", "org", "figures"],
    "consistency_summary": ["fiscal_year", "rule"], "credibility_signals": ["report_id", "signal"],
}


# ---- comparing a twin's result with the query's ------------------------------

TOLERANCE = 0.005


@dataclass
class Comparison:
    rows: int = 0  # rows missing on either side or with a differing value
    columns_ok: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return self.rows == 0 and self.columns_ok

    def label(self) -> str:
        if self.same:
            return "是"
        return f"否 {self.rows}" if self.columns_ok else "否 列"


def _plain(value):
    """A cell as a comparable Python value: NULL/NaN/NA -> None, lists -> sorted tuples."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(sorted(_plain(v) for v in value))
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _keyed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The frame indexed by its key tuples (a repeated key gets its occurrence number)."""
    index = list(zip(*[[_plain(v) for v in frame[k].tolist()] for k in keys]))
    out = frame.set_axis(pd.Index(index, tupleize_cols=False, dtype="object"))
    if out.index.has_duplicates:
        order = frame.astype(str).apply(tuple, axis=1).argsort(kind="stable")
        out = out.iloc[order]
        seq = out.groupby(level=0, sort=False).cumcount().tolist()
        out = out.set_axis(pd.Index([(*k, n) for k, n in zip(out.index, seq)], tupleize_cols=False, dtype="object"))
    return out


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    numeric = [pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) for s in (a, b)]
    if any(numeric):
        try:
            x, y = (pd.to_numeric(s.astype("object"), errors="raise").astype("float64") for s in (a, b))
        except (TypeError, ValueError):
            pass
        else:
            nx, ny = x.isna(), y.isna()
            return (nx != ny) | (~nx & ~ny & ((x - y).abs() > TOLERANCE))
    return pd.Series([_plain(u) != _plain(v) for u, v in zip(a.tolist(), b.tolist())], index=a.index)


def compare(sql: pd.DataFrame, twin: pd.DataFrame, keys: list[str]) -> Comparison:
    """Same rows (keys) and the same values in every column of the query."""
    result = Comparison()
    missing = [c for c in sql.columns if c not in twin.columns]
    extra = [c for c in twin.columns if c not in sql.columns]
    if missing or extra:
        result.columns_ok = False
        result.notes.append(f"columns missing from the twin: {missing}, extra: {extra}")
    a, b = _keyed(sql, keys), _keyed(twin, keys)
    only_sql, only_pd = a.index.difference(b.index), b.index.difference(a.index)
    for side, only in (("SQL", only_sql), ("pandas", only_pd)):
        if len(only):
            result.notes.append(f"{len(only)} rows only in {side}, e.g. {keys} = {list(only[:3])}")
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    bad = pd.Series(False, index=common)
    for col in [c for c in sql.columns if c in twin.columns and c not in keys]:
        diff = _differs(a[col], b[col])
        if diff.any():
            k = diff[diff].index[0]
            result.notes.append(f"{col}: {int(diff.sum())} rows, e.g. {keys} = {k}: "
                                f"SQL {_plain(a.at[k, col])!r}, pandas {_plain(b.at[k, col])!r}")
            bad |= diff
    result.rows = len(only_sql) + len(only_pd) + int(bad.sum())
    return result


def check(name: str, con, d: dict, year: int | None) -> Comparison:
    """queries.run(name) against its twin for one year (or all)."""
    params = {} if year is None else {"years": [year]}
    try:
        return compare(queries.run(name, con, **params), PANDAS[name](d, year), KEYS[name])
    except Exception as exc:  # noqa: BLE001 - a twin that fails is a difference to report, not the end of the run
        return Comparison(rows=-1, columns_ok=False, notes=[f"{type(exc).__name__}: {exc}"])


# ---- the run -----------------------------------------------------------------

def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


@dataclass
class Line:
    name: str
    scope: str
    rows: int
    median: float
    p95: float
    live: float | None = None
    pandas: float | None = None
    comparison: Comparison | None = None


def bench(path: Path, d: dict, runs: int) -> list[Line]:
    con = duckdb.connect(str(path), read_only=True)
    year = YEARS[-1]
    one_unit = d["reports"]["unit_key"].iloc[0]
    stored = {query.name for query in queries.stored_queries()}
    lines = []
    for entry in queries.catalog():
        name = entry["name"]
        declared = {p["name"] for p in entry["params"]}
        cases = [("全部", {})]
        if "years" in declared:
            cases.append((f"{year}年", {"years": [year]}))
        if name in stored:
            cases.append(("一个行业", {"sectors": ["社会保障和就业"]}))  # 15% of the reports
        if name.startswith("unit_") or name in ("report_details",):
            cases = [("一个单位", {"units": [one_unit]})]
        if name == "document_content":
            cases = [("一个文件", {"sha256": "sha1"})]
        for label, params in cases:
            n_rows = len(queries.run(name, con, **params))
            med, p95 = timed(partial(queries.run, name, con, **params), runs)
            line = Line(name, label, n_rows, med, p95)
            twin = PANDAS.get(name)
            if twin is not None and set(params) <= {"years"}:  # the twins take one year or all
                y = params.get("years", [None])[0]
                line.pandas, _ = timed(partial(twin, d, y), max(3, runs // 3))
                line.comparison = check(name, con, d, y)
            if name in stored and queries.stored_sql(name, params) is not None:
                line.live, _ = timed(partial(queries.run, name, con, use_stored=False, **params), max(3, runs // 3))
            lines.append(line)
    con.close()
    return lines


def print_lines(lines: list[Line]) -> None:
    print(f"{'query':<24} {'scope':<6} {'rows':>7} {'median ms':>10} {'p95 ms':>8} {'live ms':>8} "
          f"{'pandas ms':>10} {'pandas/duckdb':>14}  same")
    for x in lines:
        live = f"{x.live:8.1f}" if x.live is not None else f"{'—':>8}"
        pandas_ms = f"{x.pandas:10.1f}" if x.pandas is not None else f"{'—':>10}"
        ratio = f"{x.pandas / x.median:13.2f}x" if x.pandas is not None else f"{'—':>14}"
        same = x.comparison.label() if x.comparison else "—"
        flag = "  > 100 ms" if x.median > 100 else ""
        print(f"{x.name:<24} {x.scope:<6} {x.rows:>7} {x.median:10.1f} {x.p95:8.1f} {live} {pandas_ms} {ratio}  "
              f"{same}{flag}")
        if x.comparison and not x.comparison.same:
            for note in x.comparison.notes[:4]:
                print(f"{'':>8}{note}")


def summary(lines: list[Line]) -> str:
    compared = [x for x in lines if x.comparison]
    differ = [f"{x.name} ({x.scope}: {x.comparison.label()})" for x in compared if not x.comparison.same]
    text = f"pandas twins: {len(compared) - len(differ)} of {len(compared)} query × scope results the same"
    return text + ("; differing: " + ", ".join(differ) if differ else "")


def read_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The schema's tables that pd_refresh reads, as frames (schema_frames sets the types)."""
    return {table: con.sql(f"select * from {table}").to_arrow_table().to_pandas() for table in SCHEMA}


def check_db(path: Path) -> int:
    """--check: every twin against its query on an existing database, for all years and each year."""
    con = duckdb.connect(str(path), read_only=True)
    t0 = time.perf_counter()
    d = pd_refresh(read_frames(con))
    print(f"{path}: {len(d['reports'])} reports; pd_refresh {time.perf_counter() - t0:.1f} s"
          f"{'' if not queries.is_stale(con) else ' (q_* tables stale: the queries compute them live)'}")
    years = sorted(d["reports"]["fiscal_year"].unique().tolist())
    differing = 0
    for name in PANDAS:
        takes_years = any(p["name"] == "years" for p in queries.get(name).as_dict()["params"])
        results = [(y, check(name, con, d, y)) for y in ([None, *years] if takes_years else [None])]
        bad = [(y, c) for y, c in results if not c.same]
        differing += len(bad)
        print(f"{name:<24} {len(results) - len(bad)}/{len(results)} the same")
        for y, c in bad:
            print(f"{'':>4}{'all years' if y is None else y}: {c.label()}")
            for note in c.notes[:4]:
                print(f"{'':>8}{note}")
    con.close()
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    parser.add_argument("--check", type=Path, metavar="DB", help="only compare the twins on this database")
    args = parser.parse_args()
    if args.check:
        return check_db(args.check)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="query_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    worst, summaries = {}, []
    for n in args.sizes:
        path = folder / f"bench_{n}.duckdb"
        t0 = time.perf_counter()
        frames = build(path, n)
        refresh_s = frames.pop("_refresh_s")
        built_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        d = pd_refresh(frames)
        pd_refresh_s = time.perf_counter() - t0
        print(f"\n== {n:,} reports: built {path.name} in {built_s:.1f} s, queries.refresh {refresh_s:.1f} s, "
              f"its pandas twin pd_refresh {pd_refresh_s:.1f} s "
              f"({len(frames['indicators']):,} indicators, {len(frames['narratives']):,} narrative sections)")
        print(f"load average before timing: {os.getloadavg()[0]:.1f}")
        lines = bench(path, d, args.runs)
        print_lines(lines)
        worst[n] = max(x.median for x in lines)
        summaries.append(f"{n:,} reports: {summary(lines)}")
        if not args.keep:
            path.unlink(missing_ok=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (2 cores, shared with other work)")
    print("slowest median per size: " + ", ".join(f"{n:,}: {ms:.1f} ms" for n, ms in worst.items()))
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
