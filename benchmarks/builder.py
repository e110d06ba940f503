"""The benchmarks' scaled databases: N synthetic reports written straight into
the schema of etl/schema.sql as bulk DataFrame inserts (no documents, no ETL),
then queries.refresh as the ETL does after a load.

    from builder import build            # benchmarks/ on sys.path
    frames = build(Path("bench.duckdb"), 100_000)

10 fiscal years, N/10 units (every fifth without a budget code), ~15
indicators and 10 narrative sections per report, money tables with a 汇总 row
and one org row, complaint cases for a third of the units, 2% of the reports
whose 人员+公用 do not add up to 基本支出, 5% whose declared grade does not
match the score, and 100 failed loads in the load log. Used by
query_bench.py and page_bench.py.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa  # installed with streamlit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from etl.config import SCHEMA_SQL  # noqa: E402

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
    """A fresh database of n_reports synthetic reports at `path`, refreshed; returns
    its frames, with the refresh's time in seconds under "_refresh_s"."""
    frames = synthetic_frames(n_reports)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    write_frames(con, frames)
    advance_sequences(con)
    t0 = time.perf_counter()
    queries.refresh(con)  # what the ETL does after a load
    con.execute("checkpoint")
    con.close()
    frames["_refresh_s"] = time.perf_counter() - t0
    return frames


def write_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Bulk-append DataFrames to the tables of the same name (columns by name)."""
    for table, frame in frames.items():
        # through Arrow, which types a column from all its values (DuckDB's own
        # pandas scan samples rows, and a sample of blanks or empty lists types it NULL)
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        con.register("_frame", arrow)
        cols = ", ".join(frame.columns)
        con.execute(f"insert into {table} ({cols}) select {cols} from _frame")
        con.unregister("_frame")


def advance_sequences(con: duckdb.DuckDBPyConnection) -> None:
    """Move the id sequences past the ids written in bulk, so the loader can add
    reports to a built database (DuckDB cannot restart a sequence in use)."""
    for table, column, seq in (("reports", "report_id", "report_id_seq"), ("load_log", "log_id", "load_log_id_seq")):
        top = con.execute(f"select coalesce(max({column}), 0) from {table}").fetchone()[0]
        con.execute(f"select max(nextval('{seq}')) from range(?)", [int(top)])
