"""Every analytic query's figures on one tiny database, worked out by hand.

What benchmarks/query_bench.py's pandas twins used to guarantee (each of the
23 analytic queries equal to a re-derivation), as hand-computed values: two
units of 岳阳市云溪区 over two years, four reports built from the seed's
record (tests/dbfactory.py), each with one 汇总 row of income and spending
and a stated execution rate in its 成本指标 ("完成预算的X%"):

                 人员 公用 项目 = 支出 / 收入   所述率  得分 等次  编制/实有  三公(接待)  欠薪投诉 (合计; 12345, 现场)
    2021 A 监察大队  60   10   10   80 / 100    80%    88  良     6 / 6    10 (4)     320; 240, 50  (金额 1000)
    2022 A           70   10   20  100 / 125    85%    92  优     6 / 8    12 (5)     500; 350, 100 (金额 1200)
    2021 B 教育局   300   50   50  400 / 500    78%    96  优    20 / 18    —          —
    2022 B          300  100  100  500 / 500   100%    96  良    20 / 20    —          —

A is 社会保障和就业, B 教育 (data/unit_sectors.csv). Every report keeps the
seed's five 100% quality indicators (all_quality_100), its five quantity
indicators (38670人, 924起, 69家, 79件, 21起), its 95% satisfaction and its
ten narrative sections, the same every year (same_text_as_last_year in 2022).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

import queries
from tests.dbfactory import build_db, seed_record, variant

SEED = seed_record()
A, B = ("云溪区劳动和社会保障监察大队", "125002"), ("云溪区教育局", "125010")
A_ID, B_ID = "岳阳市云溪区|125002", "岳阳市云溪区|125010"


def report(name: str, code: str, year: int, money: tuple, rate: float, score: float, grade: str,
           staff: tuple[int, int], three_public: tuple[float, float] | None = None, cases: list = ()) -> dict:
    personnel, public, project, income = money
    quota, actual = staff
    r = variant(SEED, report__unit_name=name, report__budget_code=code, report__fiscal_year=year,
                report__self_score=score, report__grade=grade, report__staff_quota=quota, report__staff_actual=actual)
    r["income"] = [{"org": "汇总", "total": income, "fiscal_appropriation": income}]
    r["expenditure"] = [{"org": "汇总", "total": personnel + public + project, "basic": personnel + public,
                         "personnel": personnel, "public": public, "project": project}]
    r["three_public"] = [] if three_public is None else [
        {"org": "汇总", "total": three_public[0], "reception": three_public[1],
         "vehicle_operation": three_public[0] - three_public[1]}]
    r["cases"] = [{"category": "欠薪投诉", "channel": channel, "channel_label": channel, "count": count,
                   "amount_wan": amount, "approx": False} for channel, count, amount in cases]
    r["indicators"] = [dict(i) for i in SEED["indicators"]]
    for indicator in r["indicators"]:
        if indicator["level2"] == "成本指标":
            indicator.update(actual_text=f"完成预算的{rate}%", actual_value=rate)
    return r


RECORDS = [
    report(*A, 2021, (60, 10, 10, 100), 80, 88, "良", (6, 6), (10, 4),
           [("total", 320, 1000), ("hotline_12345", 240, None), ("walk_in", 50, None)]),
    report(*A, 2022, (70, 10, 20, 125), 85, 92, "优", (6, 8), (12, 5),
           [("total", 500, 1200), ("hotline_12345", 350, None), ("walk_in", 100, None)]),
    report(*B, 2021, (300, 50, 50, 500), 78, 96, "优", (20, 18)),
    report(*B, 2022, (300, 100, 100, 500), 100, 96, "良", (20, 20)),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("values") / "values.duckdb", RECORDS)


def rows(frame: pd.DataFrame, keys: list[str], cols: list[str]) -> dict:
    """{key tuple: value tuple} of `frame`, NaN/NA as None."""
    def plain(v):
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
    return {tuple(plain(r[k]) for k in keys) if len(keys) > 1 else plain(r[keys[0]]):
            tuple(plain(r[c]) for c in cols) for _, r in frame.iterrows()}


# ---- listings: sectors, units, years -------------------------------------------

def test_sectors(db):
    assert rows(queries.run("sectors", db), ["sector"], ["units", "reports", "is_demo"]) == {
        "教育": (1, 2, False), "社会保障和就业": (1, 2, False)}


def test_units(db):
    frame = queries.run("units", db)
    assert list(frame["unit_id"]) == [B_ID, A_ID]  # by sector: 教育 before 社会保障和就业
    assert rows(frame, ["unit_id"], ["unit_name", "budget_code", "sector", "first_year", "last_year", "reports"]) == {
        A_ID: ("云溪区劳动和社会保障监察大队", "125002", "社会保障和就业", 2021, 2022, 2),
        B_ID: ("云溪区教育局", "125010", "教育", 2021, 2022, 2)}


def test_years(db):
    assert rows(queries.run("years", db), ["fiscal_year"], ["reports", "real_reports", "demo_reports"]) == {
        2021: (2, 2, 0), 2022: (2, 2, 0)}


# ---- the year and the sectors ----------------------------------------------------

def test_overview_by_year(db):
    frame = queries.run("overview_by_year", db)
    cols = ["units_reporting", "expenditure_total", "median_execution_rate", "median_self_score",
            "mismatches", "notices", "signals"]
    assert rows(frame, ["fiscal_year"], cols) == {
        # 80 + 400; median of the stated 80 and 78; of 88 and 96; B's 78 vs 80 (提示);
        # all_quality_100 twice and B's 高分低执行 (96 ≥ 95 with 78% < 80%)
        2021: (2, 480, 79, 92, 0, 1, 3),
        # 100 + 500; (85 + 100) / 2; (92 + 96) / 2; B's 良 for 96 (不符); A's staff and 85 vs 80;
        # all_quality_100 and same_text_as_last_year twice each
        2022: (2, 600, 92.5, 94, 1, 2, 4)}
    y2022 = frame[frame["fiscal_year"] == 2022].iloc[0]
    assert (y2022["prev_expenditure_total"], y2022["expenditure_change_pct"]) == (480, 25.0)  # 120 / 480
    assert (y2022["execution_rate_change"], y2022["self_score_change"]) == (13.5, 2)          # 92.5 − 79, 94 − 92


def test_trends_by_sector(db):
    frame = queries.run("trends_by_sector", db)
    assert rows(frame, ["fiscal_year", "sector"], ["expenditure_total", "expenditure_share_pct",
                                                    "expenditure_change_pct", "flags"]) == {
        (2021, "教育"): (400, 83.33, None, 3),              # 400 / 480; 提示 + 2 signals
        (2021, "社会保障和就业"): (80, 16.67, None, 1),
        (2022, "教育"): (500, 83.33, 25.0, 3),              # 500 / 600; (500 − 400) / 400
        (2022, "社会保障和就业"): (100, 16.67, 25.0, 4)}    # 2 提示 + 2 signals


# ---- money ----------------------------------------------------------------------------

def test_budget_execution(db):
    frame = queries.run("budget_execution", db)
    assert rows(frame, ["report_id"], ["stated_rate", "rate_vs_income", "execution_rate", "execution_basis",
                                       "stated_minus_computed"]) == {
        1: (80, 80.0, 80, "报告所述", 0.0),     # 80 / 100
        2: (85, 80.0, 85, "报告所述", 5.0),     # 100 / 125
        3: (78, 80.0, 78, "报告所述", -2.0),    # 400 / 500
        4: (100, 100.0, 100, "报告所述", 0.0)}
    assert list(frame["report_id"]) == [2, 4, 3, 1]  # latest year first, lowest rate first


def test_spending_structure(db):
    frame = queries.run("spending_structure", db)
    assert rows(frame, ["report_id"], ["personnel_share", "public_share", "project_share", "basic_share"]) == {
        1: (75.0, 12.5, 12.5, 87.5),   # 60, 10, 10, 70 of 80
        2: (70.0, 10.0, 20.0, 80.0),   # of 100
        3: (75.0, 12.5, 12.5, 87.5),   # 300, 50, 50, 350 of 400
        4: (60.0, 20.0, 20.0, 80.0)}   # 300, 100, 100, 400 of 500


def test_staff_control(db):
    frame = queries.run("staff_control", db)
    assert rows(frame, ["report_id"], ["control_rate", "excess", "over_quota"]) == {
        1: (100.0, 0, False), 2: (133.33, 2, True),    # 8 / 6
        3: (90.0, -2, False), 4: (100.0, 0, False)}    # 18 / 20


def test_three_public_change(db):
    frame = queries.run("three_public_change", db)
    assert rows(frame, ["fiscal_year", "unit_id"], ["three_public_total", "reception", "vehicle_operation",
                                                     "prev_three_public_total", "change", "change_pct"]) == {
        (2021, A_ID): (10, 4, 6, None, None, None),
        (2022, A_ID): (12, 5, 7, 10, 2, 20.0),          # (12 − 10) / 10
        (2021, B_ID): (None, None, None, None, None, None),  # no 三公 table: blank, not 0
        (2022, B_ID): (None, None, None, None, None, None)}


def test_cost_per_case(db):
    frame = queries.run("cost_per_case", db)
    assert rows(frame, ["fiscal_year", "unit_id"], ["expenditure_yuan", "cases_handled", "cost_per_case",
                                                     "prev_cost_per_case", "change_pct"]) == {
        (2021, A_ID): (800000, 320, 2500.0, None, None),   # 80 万元 / 320
        (2022, A_ID): (1000000, 500, 2000.0, 2500.0, -20.0)}  # B has no cases: no row


def test_cost_per_output(db):
    frame = queries.run("cost_per_output", db)
    assert len(frame) == 20  # five quantity indicators in each of the four reports
    a22 = frame[frame["report_id"] == 2]
    assert dict(zip(a22["actual_text"], a22["cost_per_output"])) == {
        "38670人": 25.86, "924起": 1082.25, "69家": 14492.75, "79件": 12658.23, "21起": 47619.05}  # 1,000,000 / n
    b21 = frame[frame["report_id"] == 3].set_index("actual_text")
    assert (b21.at["924起", "cost_per_output"], b21.at["924起", "cost_label"]) == (4329.0, "元/起")  # 4,000,000 / 924


# ---- complaints -------------------------------------------------------------------------

def test_complaints_by_category(db):
    frame = queries.run("complaints_by_category", db)
    assert rows(frame, ["fiscal_year", "category"], ["cases", "amount_wan", "units", "prev_cases", "change",
                                                      "change_pct"]) == {
        (2021, "欠薪投诉"): (320, 1000, 1, None, None, None),
        (2022, "欠薪投诉"): (500, 1200, 1, 320, 180, 56.25)}   # 180 / 320


def test_complaints_by_channel(db):
    frame = queries.run("complaints_by_channel", db)
    assert rows(frame, ["fiscal_year", "channel"], ["cases", "share_pct", "prev_cases", "change", "change_pct"]) == {
        # 320 stated, 290 by channel: 30 unattributed; shares of 320 (15.625 and 9.375 round up)
        (2021, "hotline_12345"): (240, 75.0, None, None, None),
        (2021, "walk_in"): (50, 15.63, None, None, None),
        (2021, "unattributed"): (30, 9.38, None, None, None),
        # 500 stated, 450 by channel
        (2022, "hotline_12345"): (350, 70.0, 240, 110, 45.83),   # 110 / 240
        (2022, "walk_in"): (100, 20.0, 50, 50, 100.0),
        (2022, "unattributed"): (50, 10.0, 30, 20, 66.67)}
    assert set(frame["channel_name"]) == {"12345热线", "现场/来访", "未分渠道"}


def test_complaints_by_unit(db):
    frame = queries.run("complaints_by_unit", db, year=2022)
    assert rows(frame, ["channel"], ["unit_id", "cases", "share_pct", "prev_cases", "change", "amount_wan"]) == {
        "total": (A_ID, 500, 100.0, 320, 180, 1200),
        "hotline_12345": (A_ID, 350, 70.0, 240, 110, None),
        "walk_in": (A_ID, 100, 20.0, 50, 50, None),
        "unattributed": (A_ID, 50, 10.0, 30, 20, None)}


# ---- scores and grades --------------------------------------------------------------------

def test_grade_counts(db):
    frame = queries.run("grade_counts", db)
    assert rows(frame, ["fiscal_year", "grade_kind", "grade"], ["reports", "share_pct"]) == {
        (2021, "declared", "优"): (1, 50.0), (2021, "declared", "良"): (1, 50.0),
        (2021, "implied", "优"): (1, 50.0), (2021, "implied", "良"): (1, 50.0),     # 96 优, 88 良
        (2022, "declared", "优"): (1, 50.0), (2022, "declared", "良"): (1, 50.0),
        (2022, "implied", "优"): (2, 100.0)}                                         # 92 and 96


def test_implied_grade(db):
    frame = queries.run("implied_grade", db)
    assert rows(frame, ["report_id"], ["implied_grade", "declared_band", "comparable", "matches"]) == {
        1: ("良", "良", True, True), 2: ("优", "优", True, True),
        3: ("优", "优", True, True), 4: ("优", "良", True, False)}   # 96 ≥ 90 is 优, B says 良
    assert set(frame["rule_set"]) == {"财预〔2020〕10号"}


def test_score_distribution(db):
    frame = queries.run("score_distribution", db, year=2022)
    whole = frame[frame["sector"] == "（全部）"].set_index("bin_label")
    assert len(whole) == 9  # <60, then bins of 5 up to 100
    assert whole["reports"].sum() == 2
    assert (whole.at["90–95", "reports"], whole.at["95–100", "reports"]) == (1, 1)   # 92, 96
    assert (whole.at["90–95", "share_pct"], whole.at["85–90", "share_pct"]) == (50.0, 0.0)
    edu = frame[frame["sector"] == "教育"].set_index("bin_label")
    assert edu.at["95–100", "share_pct"] == 100.0


def test_score_percentiles(db):
    frame = queries.run("score_percentiles", db)
    cols = ["reports_scored", "min_score", "p10", "p25", "median", "p75", "p90", "max_score", "mean_score"]
    got = rows(frame, ["fiscal_year", "sector"], cols)
    # two scores lo, hi: p = lo + q (hi − lo)
    assert got[(2021, "（全部）")] == (2, 88, 88.8, 90, 92, 94, 95.2, 96, 92)
    assert got[(2022, "（全部）")] == (2, 92, 92.4, 93, 94, 95, 95.6, 96, 94)
    assert got[(2021, "社会保障和就业")] == (1, 88, 88, 88, 88, 88, 88, 88, 88)


def test_score_rank(db):
    frame = queries.run("score_rank", db)
    assert rows(frame, ["fiscal_year", "unit_id"], ["rank", "units_ranked", "percentile", "score_change",
                                                     "prev_rank", "rank_change"]) == {
        (2021, B_ID): (1, 2, 100.0, None, None, None), (2021, A_ID): (2, 2, 0.0, None, None, None),
        (2022, B_ID): (1, 2, 100.0, 0, 1, 0),          # 96 both years
        (2022, A_ID): (2, 2, 0.0, 4, 2, 0)}            # 88 → 92, still second


def test_score_vs_execution(db):
    frame = queries.run("score_vs_execution", db)
    assert rows(frame, ["report_id"], ["self_score", "stated_rate", "computed_rate", "execution_rate",
                                       "signals", "high_score_low_execution"]) == {
        1: (88, 80, 80.0, 80, 1, False), 2: (92, 85, 80.0, 85, 2, False),
        3: (96, 78, 80.0, 78, 2, True),    # 96 ≥ 95 and 78% < 80%
        4: (96, 100, 100.0, 100, 2, False)}
    b21 = frame[frame["report_id"] == 3].iloc[0]
    assert b21["signal_names"] == "质量指标全部100%、高分低执行"


# ---- consistency and credibility ------------------------------------------------------------

def test_consistency_checks(db):
    frame = queries.run("consistency_checks", db)
    got = {(r.report_id, r.rule): (r.severity, None if pd.isna(r.expected) else r.expected,
                                   None if pd.isna(r.actual) else r.actual,
                                   None if pd.isna(r.difference) else r.difference) for r in frame.itertuples()}
    assert got == {
        (2, "staff_over_quota"): ("提示", 6, 8, 2),
        (2, "stated_vs_computed_rate"): ("提示", 85, 80, -5),   # off by more than 1 point
        (3, "stated_vs_computed_rate"): ("提示", 78, 80, 2),
        (4, "grade_mismatch"): ("不符", None, None, None)}       # 96 is 优, the report says 良
    assert "85.00%" in frame[(frame["report_id"] == 2) & (frame["rule"] == "stated_vs_computed_rate")].iloc[0]["figures"]


def test_consistency_summary(db):
    frame = queries.run("consistency_summary", db)
    assert rows(frame, ["fiscal_year", "rule"], ["reports_flagged", "findings", "reports_total", "flagged_pct"]) == {
        (2021, "stated_vs_computed_rate"): (1, 1, 2, 50.0),
        (2022, "stated_vs_computed_rate"): (1, 1, 2, 50.0),
        (2022, "staff_over_quota"): (1, 1, 2, 50.0),
        (2022, "grade_mismatch"): (1, 1, 2, 50.0)}


def test_credibility_signals(db):
    frame = queries.run("credibility_signals", db)
    assert sorted(zip(frame["report_id"], frame["signal"])) == [
        (1, "all_quality_100"),
        (2, "all_quality_100"), (2, "same_text_as_last_year"),
        (3, "all_quality_100"), (3, "high_score_low_execution"),
        (4, "all_quality_100"), (4, "same_text_as_last_year")]
    value = {(r.report_id, r.signal): r.value for r in frame.itertuples()}
    assert value[(1, "all_quality_100")] == 5        # the seed's five quality indicators
    assert value[(3, "high_score_low_execution")] == 78
    # all ten sections repeat 2021's, but only texts of 30+ characters count: not 政府性基金 (20),
    # 国有资本 and 社会保险基金 (21) nor 其他 ("无"); 概况, 基本支出, 项目支出 (59), 绩效, 问题, 改进 do
    assert value[(2, "same_text_as_last_year")] == 6
    detail = frame[(frame["report_id"] == 2) & (frame["signal"] == "same_text_as_last_year")].iloc[0]["detail"]
    assert "项目支出" in detail and "政府性基金" not in detail


# ---- filters keep the comparison with the year before -------------------------------------------

def test_a_year_filter_keeps_the_previous_year(db):
    assert rows(queries.run("complaints_by_channel", db, year=2022), ["channel"], ["prev_cases"]) == {
        "hotline_12345": (240,), "walk_in": (50,), "unattributed": (30,)}
    tp = queries.run("three_public_change", db, year=2022, sectors=["社会保障和就业"])
    assert rows(tp, ["unit_id"], ["change_pct"]) == {A_ID: (20.0,)}
    assert list(queries.run("budget_execution", db, sectors=["教育"])["report_id"]) == [4, 3]
