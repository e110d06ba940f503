"""Query-layer speed on scaled databases, beside the same figures in pandas.

    .venv/bin/python benchmarks/query_bench.py [--sizes 10000 100000] [--runs 15] [--keep DIR]

Builds synthetic DuckDB databases of N reports (records written straight into
the schema as bulk DataFrame inserts, no documents; 10 fiscal years, N/10 units,
~15 indicators, 10 narrative sections, money tables with org rows, cases for a
third of the units), then runs every query of the catalog with no filter
(the whole database: the worst case) and with one year selected (what a page
usually asks) and, for the stored listings (queries.stored_queries()), with
one sector selected, and prints median and p95 wall time per query; for the
stored listings also the time of the same call running the SQL live
(use_stored=False), i.e. without the rows refresh stored. For the main
figures the same result is computed with pandas on DataFrames already in memory
(the tables loaded once, outside the timing), its time printed beside, with the
ratio pandas/DuckDB, and the two results compared. Target: every query ≤ 100 ms
median at 100,000 reports.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from tests.dbfactory import create_schema, write_frames  # noqa: E402

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


# ---- the same figures in pandas, on the frames in memory -------------------

def _summary_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["org"] == "汇总"].set_index("report_id")


def pd_budget_execution(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    rep = f["reports"] if year is None else f["reports"][f["reports"]["fiscal_year"] == year]
    ind = f["indicators"]
    stated = ind[(ind["actual_unit"] == "%") & ind["actual_value"].notna()
                 & ind["actual_text"].fillna("").str.contains("预算")]
    stated = stated.sort_values("row_no").groupby("report_id")["actual_value"].first()
    inc = _summary_rows(f["income"])["total"]
    exp = _summary_rows(f["expenditure"])["total"]
    out = pd.DataFrame({"report_id": rep["report_id"].to_numpy()}).set_index("report_id")
    out["stated_rate"] = stated
    out["rate_vs_income"] = (exp / inc.replace(0, np.nan) * 100).round(2)
    out["execution_rate"] = out["stated_rate"].fillna(out["rate_vs_income"])
    return out.reset_index()


def pd_cost_per_case(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    c = f["cases"]
    totals = c[c["channel"] == "total"].groupby(["report_id", "category"])["count"].sum()
    parts = c[c["channel"] != "total"].groupby(["report_id", "category"])["count"].sum()
    handled = totals.combine_first(parts).groupby("report_id").sum()
    exp = _summary_rows(f["expenditure"])["total"]
    rep = f["reports"].set_index("report_id")
    df = pd.DataFrame({"handled": handled}).join(exp.rename("exp")).join(rep[["fiscal_year"]])
    df = df[(df["handled"] > 0) & df["exp"].notna()]
    df["cost_per_case"] = (df["exp"] * 10000 / df["handled"]).round(2)
    return df if year is None else df[df["fiscal_year"] == year]


def pd_complaints_by_channel(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    c = f["cases"].merge(f["reports"][["report_id", "fiscal_year"]], on="report_id")
    ch = c[c["channel"] != "total"].groupby(["fiscal_year", "channel"])["count"].sum()
    tot = c[c["channel"] == "total"].set_index(["report_id", "category"])["count"]
    rest = (tot - c[c["channel"] != "total"].groupby(["report_id", "category"])["count"].sum()).clip(lower=0)
    rest = rest.reset_index().merge(f["reports"][["report_id", "fiscal_year"]], on="report_id")
    rest = rest[rest["count"] > 0].groupby("fiscal_year")["count"].sum()
    ch = pd.concat([ch, pd.concat({"unattributed": rest}, names=["channel"]).swaplevel()]).rename("cases")
    out = ch.reset_index()
    out["share_pct"] = (out["cases"] / out.groupby("fiscal_year")["cases"].transform("sum") * 100).round(2)
    prev = out.assign(fiscal_year=out["fiscal_year"] + 1)[["fiscal_year", "channel", "cases"]]
    out = out.merge(prev, on=["fiscal_year", "channel"], how="left", suffixes=("", "_prev"))
    return out if year is None else out[out["fiscal_year"] == year]


def pd_score_percentiles(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    rep = f["reports"] if year is None else f["reports"][f["reports"]["fiscal_year"] == year]
    g = rep.groupby("fiscal_year")["self_score"]
    return g.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()


def pd_score_rank(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    rep = f["reports"].dropna(subset=["self_score"])
    per = rep.groupby(["fiscal_year", "unit_key"])["self_score"].mean().reset_index()
    per["rank"] = per.groupby("fiscal_year")["self_score"].rank(method="min", ascending=False)
    prev = per.assign(fiscal_year=per["fiscal_year"] + 1)
    out = per.merge(prev, on=["fiscal_year", "unit_key"], how="left", suffixes=("", "_prev"))
    return out if year is None else out[out["fiscal_year"] == year]


def pd_consistency_basic(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    """One of the rules (人员+公用 vs 基本) as the pandas comparison for consistency_checks."""
    e = f["expenditure"]
    parts = e["personnel"].fillna(0) + e["public"].fillna(0)
    bad = e[e["basic"].notna() & (e["personnel"].notna() | e["public"].notna()) & ((parts - e["basic"]).abs() > 0.01 + 1e-9)]
    out = bad.merge(f["reports"][["report_id", "fiscal_year"]], on="report_id")
    return out if year is None else out[out["fiscal_year"] == year]


def pd_overview(f: dict[str, pd.DataFrame], year: int | None) -> pd.DataFrame:
    ex = pd_budget_execution(f, None).merge(f["reports"][["report_id", "fiscal_year", "self_score", "unit_key"]])
    exp = _summary_rows(f["expenditure"])["total"].rename("exp")
    ex = ex.join(exp, on="report_id")
    out = ex.groupby("fiscal_year").agg(units=("unit_key", "nunique"), exp=("exp", "sum"),
                                        rate=("execution_rate", "median"), score=("self_score", "median"))
    return out if year is None else out.loc[[year]]


def pd_unit_money(f: dict[str, pd.DataFrame], unit_key: str) -> pd.DataFrame:
    ids = f["reports"].loc[f["reports"]["unit_key"] == unit_key, "report_id"]
    parts = []
    for table in ["income", "expenditure", "three_public", "fixed_assets"]:
        t = f[table][f[table]["report_id"].isin(ids)]
        parts.append(t.melt(id_vars=["report_id", "row_no", "org"], var_name="item").assign(table=table))
    return pd.concat(parts)


PANDAS = {
    "budget_execution": pd_budget_execution,
    "cost_per_case": pd_cost_per_case,
    "complaints_by_channel": pd_complaints_by_channel,
    "score_percentiles": pd_score_percentiles,
    "score_rank": pd_score_rank,
    "consistency_checks": pd_consistency_basic,
    "overview_by_year": pd_overview,
}


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


def bench(path: Path, frames: dict[str, pd.DataFrame], runs: int) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    year = YEARS[-1]
    one_unit = frames["reports"]["unit_key"].iloc[0]
    stored = {query.name for query in queries.stored_queries()}
    rows = []
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
            med, p95 = timed(lambda: queries.run(name, con, **params), runs)
            pd_med = ratio = None
            fn = PANDAS.get(name)
            if name == "unit_money":
                fn = lambda fr, _y: pd_unit_money(fr, one_unit)  # noqa: E731
            if fn is not None and "sectors" not in params:  # the pandas versions filter by year only
                y = params.get("years", [None])[0]
                pd_med, _ = timed(lambda: fn(frames, y), max(3, runs // 3))
                ratio = pd_med / med
            live = None
            if name in stored and queries.stored_sql(name, params) is not None:
                live, _ = timed(lambda: queries.run(name, con, use_stored=False, **params), max(3, runs // 3))
            rows.append((name, label, n_rows, med, p95, live, pd_med, ratio))
    con.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="query_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    worst = {}
    for n in args.sizes:
        path = folder / f"bench_{n}.duckdb"
        t0 = time.perf_counter()
        frames = build(path, n)
        refresh_s = frames.pop("_refresh_s")
        print(f"\n== {n:,} reports: built {path.name} in {time.perf_counter() - t0:.1f} s, "
              f"queries.refresh {refresh_s:.1f} s "
              f"({len(frames['indicators']):,} indicators, {len(frames['narratives']):,} narrative sections)")
        print(f"load average before timing: {os.getloadavg()[0]:.1f}")
        print(f"{'query':<24} {'scope':<7} {'rows':>7} {'median ms':>10} {'p95 ms':>8} {'live ms':>8} "
              f"{'pandas ms':>10} {'pandas/duckdb':>14}")
        for name, label, n_rows, med, p95, live, pd_med, ratio in bench(path, frames, args.runs):
            live_text = f"{live:8.1f}" if live is not None else f"{'—':>8}"
            pd_text = f"{pd_med:10.1f}" if pd_med is not None else f"{'—':>10}"
            ratio_text = f"{ratio:13.2f}x" if ratio is not None else f"{'—':>14}"
            flag = "  > 100 ms" if med > 100 else ""
            print(f"{name:<24} {label:<7} {n_rows:>7} {med:10.1f} {p95:8.1f} {live_text} {pd_text} {ratio_text}{flag}")
            worst[n] = max(worst.get(n, 0), med)
        if not args.keep:
            path.unlink(missing_ok=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (2 cores, shared with other work)")
    print("slowest median per size: " + ", ".join(f"{n:,}: {ms:.1f} ms" for n, ms in worst.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
