"""A small, hand-made report database for the dashboard's tests.

Four units of 岳阳市云溪区 (stated execution rates in brackets), built from the seed's record (tests/dbfactory.py):
  A 云溪区劳动和社会保障监察大队 (125002, 社会保障和就业): 2021 [92.5%] and
    2022 [88.97%], real; 2022 is the seed itself (支出 85.53 万元, 924 件投诉,
    得分 90), 2021 has 800 complaints and 80 万元.
  B 云溪区教育局 (125010, 教育): 2021 [97%] and 2022 [98%], real, no complaints.
  C 云溪区城市管理局 (125020, 城乡社区): 2022 only [75%], DEMO data (source.demo).
  D 云溪区卫生健康局 (125030, 卫生健康): 2022 only [60%], real; its income parts
    (80 + 10) do not add up to its income total (100): a consistency finding; its
    indicators carry 目标值, 分值 and 得分 (D_TARGETS).
So 2022 has 4 reports (3 real, 1 demo) and 2021 has 2; a filter on 教育 keeps
B's two reports; a filter on 演示 keeps C's one. The seed's original text is
stored as A 2022's document; D 2022 carries one reading warning; the load log
has one failed file (坏文件.pdf).
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import queries
from tests.dbfactory import SEED_RECORD, build_db, create_schema, insert_record, log_failure, seed_record, variant

REGION = "岳阳市云溪区"
UNIT_A = f"{REGION}|125002"
UNIT_B = f"{REGION}|125010"
UNIT_C = f"{REGION}|125020"
UNIT_D = f"{REGION}|125030"
NAMES = {
    UNIT_A: "云溪区劳动和社会保障监察大队",
    UNIT_B: "云溪区教育局",
    UNIT_C: "云溪区城市管理局",
    UNIT_D: "云溪区卫生健康局",
}
# the unit pickers' labels: 单位名称（预算编码）, so a code typed in the list finds the unit (ui.filters.unit_names)
LABELS = {unit: f"{name}（{unit.rsplit('|', 1)[1]}）" for unit, name in NAMES.items()}
LABELS[UNIT_C] += "（演示）"


def _money(total: float, personnel: float, public: float, project: float) -> dict:
    basic = round(personnel + public, 2)
    return {
        "income": [{"org": "汇总", "total": total, "carryover": None, "fiscal_appropriation": total,
                    "fund_appropriation": None, "special_account_income": None, "other_income": None}],
        "expenditure": [{"org": "汇总", "total": total, "basic": basic, "personnel": personnel, "public": public,
                         "project": project, "surplus_year": None, "surplus_cumulative": None}],
        "three_public": [],
        "fixed_assets": [],
    }


def _unit(base: dict, code: str, name: str, year: int, score: float, grade: str, money: dict,
          rate: float, cases: list | None = None, demo: bool = False, file_name: str | None = None) -> dict:
    """A copy of `base` for another unit/year; `rate` is the stated execution
    rate (the 成本指标 "完成预算的X%")."""
    src = dict(base["source"])
    src.update(sha256=None, demo=demo, file_name=file_name or f"{name}-{year}.txt")
    indicators = [dict(i) for i in base["indicators"]]
    for ind in indicators:
        if ind["level2"] == "成本指标":
            ind.update(actual_text=f"完成预算的{rate}%", actual_value=rate)
    return variant(base, report__budget_code=code, report__unit_name=name, report__fiscal_year=year,
                   report__self_score=score, report__grade=grade, report__report_date=f"{year + 1}-07-01",
                   source=src, cases=cases if cases is not None else [], indicators=indicators, **money)


# D 2022's targets: 100% >= 95% and 按时完成 as written are 达成, 38670人 < 40000人 未达成, the rest
# (text targets "有效提升", 中秋节前完成 against 按时完成) 无法判断
D_TARGETS = {"资金发放到位率": "≥95%", "享受保险基金补助人数": "≥40000人", "资金发放及时率": "按时完成",
             "对全区21起欠薪线索交办，并跟踪督促，限期办结": "按时完成"}
D_ATTAINMENT = {"达成": 2, "未达成": 1}


def sample_records() -> list[dict]:
    seed = seed_record()
    seed["source"]["demo"] = False
    a2021_cases = [
        {"category": "欠薪投诉", "channel": "total", "channel_label": "欠薪投诉", "count": 800,
         "amount_wan": 3000, "approx": False},
        {"category": "欠薪投诉", "channel": "national_platform", "channel_label": "国家欠薪平台", "count": 100,
         "amount_wan": None, "approx": False},
        {"category": "欠薪投诉", "channel": "hotline_12345", "channel_label": "12345投诉", "count": 400,
         "amount_wan": None, "approx": False},
        {"category": "欠薪投诉", "channel": "walk_in", "channel_label": "现场投诉", "count": 300,
         "amount_wan": None, "approx": False},
    ]
    a2021 = _unit(seed, "125002", NAMES[UNIT_A], 2021, 88, "良", _money(80.0, 73.0, 6.7, 0.3), 92.5,
                  a2021_cases)
    b2021 = _unit(seed, "125010", NAMES[UNIT_B], 2021, 95, "优", _money(1200.0, 800.0, 150.0, 250.0), 97.0)
    b2022 = _unit(seed, "125010", NAMES[UNIT_B], 2022, 96, "优", _money(1300.0, 850.0, 150.0, 300.0), 98.0)
    c2022 = _unit(seed, "125020", NAMES[UNIT_C], 2022, 85, "良", _money(500.0, 300.0, 50.0, 150.0), 75.0, demo=True,
                  file_name="【演示】城市管理局-2022.txt")
    d_money = _money(100.0, 60.0, 10.0, 30.0)
    d_money["income"][0].update(fiscal_appropriation=80.0, other_income=10.0)  # 90 != 100
    d2022 = _unit(seed, "125030", NAMES[UNIT_D], 2022, 78, "中", d_money, 60.0)
    d2022["source"]["warnings"] = ["支出表：第3行“二级机构2”无法读取，已跳过"]
    for ind in d2022["indicators"]:  # the richer layout: 年度指标值, 分值, 得分 (单位详情's 达成 column)
        ind.update(weight=5.0, score=5.0, target_text=D_TARGETS.get(ind["name"], "有效提升"))
        if ind["name"] == "享受保险基金补助人数":
            ind["score"] = 4.0
    return [a2021, seed, b2021, b2022, c2022, d2022]


SEED_TEXT = SEED_RECORD.with_suffix(".txt")  # data/seed: the report beside its record
FAILED_FILE = "坏文件.pdf"
FAILED_REASON = "not a readable report: no 部门（单位）名称 found"


def build_sample_db(path: Path | str) -> Path:
    path = Path(path)
    con = duckdb.connect(str(path))
    try:
        create_schema(con)
        for record in sample_records():
            is_seed = record["report"]["fiscal_year"] == 2022 and record["report"]["budget_code"] == "125002"
            insert_record(con, record, file_bytes=SEED_TEXT.read_bytes() if is_seed else None)
        log_failure(con, FAILED_FILE, FAILED_REASON)
        queries.refresh(con)  # the derived tables, as `etl load` leaves them after a load
    finally:
        con.close()
    return path


def build_empty_db(path: Path | str) -> Path:
    """The schema and no reports (what `etl load` leaves after a run that loaded nothing)."""
    return build_db(path, [])
