"""The figures of the query layer on tiny databases, expected values worked out by hand.

Each database is built in tmp_path from the seed's hand-written record
(../shared/spec/examples/) and small variants of it, straight into the schema
(tests/dbfactory.py), without the ETL.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

import queries
from tests.dbfactory import build_db, seed_record, variant

SEED = seed_record()


def one(frame: pd.DataFrame, **where) -> pd.Series:
    """The single row of `frame` matching column == value for each keyword."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row for {where}, got {len(rows)}"
    return rows.iloc[0]


def is_null(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def consistent_seed(**changes) -> dict:
    """The seed with the two things that make it (rightly) flagged put right:
    staff within quota, and an income whose ratio to spending is the stated
    88.97% (85.53 / 96.13 = 0.889732...)."""
    record = variant(SEED, report__staff_actual=6, **changes)
    for row in record["income"]:
        row["total"] = 96.13
        row["fiscal_appropriation"] = 96.13
    return record


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("seed") / "seed.duckdb", [SEED])


# ---- 2. cost per case and per unit of output -------------------------------

def test_seed_cost_per_case_is_925_65_yuan(seed_db):
    # 支出合计 85.53 万元 = 855,300 元; 924 欠薪投诉 handled; 855300 / 924 = 925.649...
    row = one(queries.run("cost_per_case", seed_db), fiscal_year=2022)
    assert row["expenditure_yuan"] == 855300
    assert row["cases_handled"] == 924
    assert row["cost_per_case"] == 925.65
    assert row["categories"] == ["欠薪投诉"]
    assert is_null(row["prev_cost_per_case"])  # no 2021 report


def test_cost_per_output_uses_quantity_indicators_only(seed_db):
    frame = queries.run("cost_per_output", seed_db)
    # the seed's 数量指标: 38670人, 924起, 69家, 79件, 21起; the % and 万元 indicators are not outputs
    assert list(frame["quantity"]) == [38670, 924, 69, 79, 21]
    assert one(frame, output_unit="人")["cost_per_output"] == 22.12      # 855300 / 38670 = 22.118
    assert one(frame, output_unit="家")["cost_per_output"] == 12395.65   # 855300 / 69 = 12395.652
    assert one(frame, output_unit="件")["cost_per_output"] == 10826.58   # 855300 / 79 = 10826.582
    assert one(frame, quantity=21)["cost_per_output"] == 40728.57         # 855300 / 21 = 40728.571
    assert one(frame, output_unit="人")["cost_label"] == "元/人"


# ---- 1. budget execution ----------------------------------------------------

def test_seed_budget_execution_and_structure(seed_db):
    row = one(queries.run("budget_execution", seed_db), fiscal_year=2022)
    assert row["stated_rate"] == 88.97                  # 成本指标 "完成预算的88.97%"
    assert row["rate_vs_income"] == 100.0               # 85.53 / 85.53
    assert is_null(row["budget_wan"]) and is_null(row["rate_vs_budget"])
    assert row["execution_rate"] == 88.97 and row["execution_basis"] == "报告所述"
    assert row["stated_minus_computed"] == -11.03
    s = one(queries.run("spending_structure", seed_db), fiscal_year=2022)
    assert s["personnel_share"] == 92.17                # 78.83 / 85.53 = 0.92166
    assert s["public_share"] == 7.48                    # 6.40 / 85.53 = 0.07483
    assert s["project_share"] == 0.35                   # 0.30 / 85.53 = 0.00351
    staff = one(queries.run("staff_control", seed_db), fiscal_year=2022)
    assert staff["control_rate"] == 116.67 and staff["excess"] == 1  # 7 / 6


def test_budget_figure_from_an_indicator_gives_rate_vs_budget(tmp_path):
    indicator = {"level1": "产出目标", "level2": "成本指标", "seq": 2, "name": "年初预算数",
                 "actual_text": "100万元", "actual_value": 100, "actual_unit": "万元"}
    db = build_db(tmp_path / "b.duckdb", [variant(SEED, indicators=SEED["indicators"] + [indicator])])
    row = queries.run("budget_execution", db).iloc[0]
    assert row["budget_wan"] == 100 and row["rate_vs_budget"] == 85.53


# ---- 5. consistency checks ---------------------------------------------------

def test_consistent_report_is_not_flagged(tmp_path):
    db = build_db(tmp_path / "ok.duckdb", [consistent_seed()])
    assert queries.run("budget_execution", db).iloc[0]["rate_vs_income"] == 88.97
    assert queries.run("consistency_checks", db).empty


def test_seed_is_flagged_only_for_staff_and_stated_rate(seed_db):
    frame = queries.run("consistency_checks", seed_db)
    assert sorted(frame["rule"]) == ["staff_over_quota", "stated_vs_computed_rate"]
    staff = one(frame, rule="staff_over_quota")
    assert (staff["expected"], staff["actual"], staff["difference"], staff["severity"]) == (6, 7, 1, "提示")
    rate = one(frame, rule="stated_vs_computed_rate")
    assert (rate["expected"], rate["actual"], rate["difference"]) == (88.97, 100.0, 11.03)


def test_inconsistent_report_is_caught_by_the_right_rules(tmp_path):
    record = consistent_seed()
    record["expenditure"][0]["personnel"] = 79.83          # 汇总 row only: 79.83 + 6.40 = 86.23 <> 85.23
    record["three_public"] = [{"org": "汇总", "total": 5.0, "reception": 2.0, "vehicle_operation": 2.0,
                               "vehicle_purchase": None, "overseas": None}]
    db = build_db(tmp_path / "bad.duckdb", [record])
    frame = queries.run("consistency_checks", db)
    got = {(r.rule, r.org, r.expected, r.actual, r.difference) for r in frame.itertuples()}
    assert got == {
        ("basic_parts", "汇总", 85.23, 86.23, 1.0),
        ("org_rows_vs_summary", "汇总", 79.83, 78.83, -1.0),  # 人员支出: 汇总 79.83, 劳动监察大队 78.83
        ("three_public_parts", "汇总", 5.0, 4.0, -1.0),       # 2 + 2 of a stated 5
    }
    assert set(frame["severity"]) == {"不符"}
    assert "人员支出" in one(frame, rule="org_rows_vs_summary")["figures"]
    summary = queries.run("consistency_summary", db)
    assert set(summary["rule"]) == {"basic_parts", "org_rows_vs_summary", "three_public_parts"}


def test_sum_tolerance_is_one_hundredth_of_a_wan(tmp_path):
    within = consistent_seed()
    within["expenditure"][0]["public"] = 6.41               # parts 85.24 vs 85.23: off by 0.01, tolerated
    beyond = consistent_seed(report__fiscal_year=2021)
    beyond["expenditure"][1]["public"] = 6.42               # 劳动监察大队 row: off by 0.02
    db = build_db(tmp_path / "tol.duckdb", [within, beyond])
    frame = queries.run("consistency_checks", db, rules=["basic_parts"])
    assert list(zip(frame["fiscal_year"], frame["org"], frame["difference"])) == [(2021, "劳动监察大队", 0.02)]


def test_score_range_grade_and_blank_indicator_checks(tmp_path):
    indicators = [dict(i) for i in SEED["indicators"]]
    indicators[0]["actual_text"] = None
    indicators[0]["actual_value"] = None
    records = [
        consistent_seed(report__self_score=101, report__grade="优"),
        consistent_seed(report__fiscal_year=2021, report__self_score=85, report__grade="优秀", indicators=indicators),
    ]
    frame = queries.run("consistency_checks", build_db(tmp_path / "g.duckdb", records))
    assert set(zip(frame["fiscal_year"], frame["rule"])) == {
        (2022, "score_out_of_range"),             # 101 > 100 (and 优 is right for 101, so no grade finding)
        (2021, "grade_mismatch"),                 # 85 is 良, the report says 优秀
        (2021, "blank_indicator_results"),
    }
    assert "资金发放到位率" in one(frame, rule="blank_indicator_results")["figures"]


# ---- blank is not zero ---------------------------------------------------------

def test_blank_figures_stay_null_and_are_not_counted_as_zero(tmp_path):
    blank = consistent_seed(report__fiscal_year=2021, report__self_score=None, report__staff_quota=None)
    for row in blank["expenditure"]:
        row["personnel"] = None
        row["public"] = None
    db = build_db(tmp_path / "blank.duckdb", [consistent_seed(), blank])

    s = one(queries.run("spending_structure", db), fiscal_year=2021)
    assert is_null(s["personnel"]) and is_null(s["personnel_share"]) and s["project_share"] == 0.35
    # with both parts blank the 人员+公用 = 基本 check has nothing to add up
    assert queries.run("consistency_checks", db, rules=["basic_parts"]).empty
    staff = one(queries.run("staff_control", db), fiscal_year=2021)
    assert is_null(staff["control_rate"]) and is_null(staff["over_quota"])
    p = queries.run("score_percentiles", db, sector="社会保障和就业")
    row = one(p, fiscal_year=2021, sector="社会保障和就业")
    assert row["reports_scored"] == 0 and row["reports_unscored"] == 1 and is_null(row["median"])
    # a blank score is not a 0: both years' median is that of the scored report only
    overview = queries.run("overview_by_year", db)
    assert is_null(one(overview, fiscal_year=2021)["median_self_score"])
    assert one(overview, fiscal_year=2022)["median_self_score"] == 90
    # the seed has no 三公 table: NULL, not 0
    t = one(queries.run("three_public_change", db), fiscal_year=2022)
    assert is_null(t["three_public_total"]) and is_null(t["change"])
    # a blank 支出合计 with a blank 项目支出 gives no cost per case rather than 0 元/件
    no_total = consistent_seed()
    no_total["expenditure"][0].update(total=None, project=None)
    assert queries.run("cost_per_case", build_db(tmp_path / "nt.duckdb", [no_total])).empty


def test_a_total_the_report_does_not_state_is_its_two_stated_parts(tmp_path):
    # prose reports often give 基本支出 85.23 and 项目支出 0.30 but no 支出合计: 85.53, marked as derived
    parts_only = consistent_seed()
    parts_only["expenditure"][0]["total"] = None
    db = build_db(tmp_path / "parts.duckdb", [parts_only])
    e = one(queries.run("budget_execution", db), fiscal_year=2022)
    assert (e["expenditure_total"], e["expenditure_basis"]) == (85.53, "基本支出+项目支出")
    assert one(queries.run("cost_per_case", db), fiscal_year=2022)["cost_per_case"] == 925.65
    assert one(queries.run("overview_by_year", db), fiscal_year=2022)["reports_without_expenditure"] == 0
    stated = one(queries.run("budget_execution", build_db(tmp_path / "st.duckdb", [consistent_seed()])), fiscal_year=2022)
    assert stated["expenditure_basis"] == "报告所填"


# ---- 4. scores and grade bands ----------------------------------------------------

def test_implied_grade_bands_default_rule(tmp_path):
    scores = {2016: 100, 2017: 90, 2018: 89.99, 2019: 80, 2020: 79.9, 2021: 60, 2022: 59.9}
    records = [variant(SEED, report__fiscal_year=y, report__self_score=s, report__grade="优秀") for y, s in scores.items()]
    frame = queries.run("implied_grade", build_db(tmp_path / "bands.duckdb", records))
    implied = dict(zip(frame["fiscal_year"], frame["implied_grade"]))
    assert implied == {2016: "优", 2017: "优", 2018: "良", 2019: "良", 2020: "中", 2021: "中", 2022: "差"}
    assert set(frame["rule_set"]) == {"财预〔2020〕10号"}
    assert dict(zip(frame["fiscal_year"], frame["matches"])) == {
        2016: True, 2017: True, 2018: False, 2019: False, 2020: False, 2021: False, 2022: False}


def test_local_grade_label_is_not_compared(seed_db):
    row = queries.run("implied_grade", seed_db).iloc[0]
    assert (row["grade"], row["implied_grade"], row["comparable"]) == ("三级", "优", False)
    assert is_null(row["matches"]) and is_null(row["declared_band"])


def test_grade_rules_by_region_and_year(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "grade_rules.csv").write_text(
        "rule_set,region,year_from,year_to,grade,min_score,max_score,aliases,source\n"
        "财预〔2020〕10号,,,,优,90,,优|优秀,\n财预〔2020〕10号,,,,良,80,90,良,\n"
        "财预〔2020〕10号,,,,中,60,80,中,\n财预〔2020〕10号,,,,差,,60,差,\n"
        "云溪三级制,岳阳市云溪区,2022,,一级,95,,一级,\n云溪三级制,岳阳市云溪区,2022,,二级,85,95,二级,\n"
        "云溪三级制,岳阳市云溪区,2022,,三级,,85,三级,\n",
        encoding="utf-8",
    )
    records = [SEED, variant(SEED, report__fiscal_year=2021)]
    db = build_db(tmp_path / "r.duckdb", records)
    frame = queries.run("implied_grade", db, data_dir=rules)
    y2022, y2021 = one(frame, fiscal_year=2022), one(frame, fiscal_year=2021)
    # 2022 in 云溪区: the local rule applies; 90 is 二级, the report says 三级
    assert (y2022["rule_set"], y2022["implied_grade"], y2022["declared_band"], y2022["matches"]) == \
        ("云溪三级制", "二级", "三级", False)
    # 2021 is before the local rule's year_from: the general rule, and 三级 is not one of its labels
    assert (y2021["rule_set"], y2021["implied_grade"], y2021["comparable"]) == ("财预〔2020〕10号", "优", False)
    # a rule set can be forced for all reports
    forced = queries.run("implied_grade", db, data_dir=rules, rule_set="财预〔2020〕10号")
    assert set(forced["implied_grade"]) == {"优"}
    counts = queries.run("grade_counts", db, data_dir=rules, year=2022)
    assert set(zip(counts["grade_kind"], counts["grade"], counts["reports"])) == {("declared", "三级", 1), ("implied", "二级", 1)}


def test_score_distribution_percentiles_and_rank(tmp_path):
    names = ["教育局", "卫生健康局", "民政局", "城市管理局"]
    scores_2022 = [95, 88, 72.5, None]
    scores_2021 = [90, 92, 70, 85]
    records = []
    for i, name in enumerate(names):
        for year, scores in ((2022, scores_2022), (2021, scores_2021)):
            records.append(variant(SEED, report__unit_name=f"云溪区{name}", report__budget_code=f"90{i}",
                                   report__fiscal_year=year, report__self_score=scores[i]))
    db = build_db(tmp_path / "s.duckdb", records)

    dist = queries.run("score_distribution", db, year=2022, bin_width=10)
    whole = dist[dist["sector"] == "（全部）"]
    assert list(whole["bin_label"]) == ["<60", "60–70", "70–80", "80–90", "90–100"]
    assert list(whole["reports"]) == [0, 0, 1, 1, 1]           # 72.5, 88, 95; the blank one is left out
    assert list(whole["share_pct"]) == [0, 0, 33.33, 33.33, 33.33]

    pct = one(queries.run("score_percentiles", db, year=2022), sector="（全部）")
    assert (pct["reports_scored"], pct["reports_unscored"]) == (3, 1)
    assert pct["median"] == 88 and pct["p25"] == 80.25        # 72.5 + 0.5 * (88 - 72.5)
    assert pct["mean_score"] == 85.17                          # (95 + 88 + 72.5) / 3

    rank = queries.run("score_rank", db, year=2022)
    by_name = {r.unit_name: r for r in rank.itertuples()}
    assert set(by_name) == {"云溪区教育局", "云溪区卫生健康局", "云溪区民政局"}
    edu, health = by_name["云溪区教育局"], by_name["云溪区卫生健康局"]
    assert (edu.rank, edu.prev_rank, edu.rank_change, edu.score_change) == (1, 2, 1, 5)   # 2021: 92 > 90
    assert (health.rank, health.prev_rank, health.rank_change) == (2, 1, -1)
    assert edu.units_ranked == 3 and edu.percentile == 100 and by_name["云溪区民政局"].percentile == 0
    # the unit filter picks rows, the ranking stays among all units
    only = queries.run("score_rank", db, year=2022, unit="901")
    assert list(zip(only["unit_name"], only["rank"])) == [("云溪区卫生健康局", 2)]


# ---- year-over-year change ---------------------------------------------------------

def test_year_over_year_changes(tmp_path):
    def with_three_public(record, total, reception):
        record["three_public"] = [{"org": "汇总", "total": total, "reception": reception,
                                   "vehicle_operation": total - reception, "vehicle_purchase": None, "overseas": None}]
        return record

    earlier = with_three_public(variant(SEED, report__fiscal_year=2021), 10.0, 4.0)
    earlier["expenditure"][0]["total"] = 80.0
    earlier["cases"] = [
        {"category": "欠薪投诉", "channel": "total", "channel_label": "欠薪投诉", "count": 800, "amount_wan": None, "approx": False},
        {"category": "欠薪投诉", "channel": "hotline_12345", "channel_label": "12345", "count": 500, "amount_wan": None, "approx": False},
        {"category": "欠薪投诉", "channel": "walk_in", "channel_label": "现场", "count": 200, "amount_wan": None, "approx": False},
    ]
    later = with_three_public(variant(SEED), 12.5, 5.0)
    db = build_db(tmp_path / "yoy.duckdb", [earlier, later])

    tp = one(queries.run("three_public_change", db), fiscal_year=2022)
    assert (tp["three_public_total"], tp["prev_three_public_total"], tp["change"], tp["change_pct"]) == (12.5, 10.0, 2.5, 25.0)

    cost = one(queries.run("cost_per_case", db), fiscal_year=2022)
    # 2021: 800,000 元 / 800 = 1000.00 元/件; 2022: 925.649...; (925.649 - 1000) / 1000 = -7.435%
    assert (cost["prev_cost_per_case"], cost["change_pct"]) == (1000.0, -7.44)

    ch = queries.run("complaints_by_channel", db)
    y21 = ch[ch["fiscal_year"] == 2021].set_index("channel")
    # 800 stated, 700 by channel: 100 have no channel; shares of 800
    assert dict(y21["cases"]) == {"hotline_12345": 500, "walk_in": 200, "unattributed": 100}
    assert dict(y21["share_pct"]) == {"hotline_12345": 62.5, "walk_in": 25.0, "unattributed": 12.5}
    hotline = one(ch, fiscal_year=2022, channel="hotline_12345")
    assert (hotline["cases"], hotline["prev_cases"], hotline["change"], hotline["change_pct"]) == (435, 500, -65, -13.0)
    assert is_null(one(ch, fiscal_year=2022, channel="national_platform")["prev_cases"])
    assert ch[ch["fiscal_year"] == 2022]["share_pct"].sum() == pytest.approx(100, abs=0.02)

    cat = one(queries.run("complaints_by_category", db), fiscal_year=2022)
    assert (cat["cases"], cat["prev_cases"], cat["change"], cat["amount_wan"], cat["amount_approx"]) == \
        (924, 800, 124, 3800, True)
    unit = queries.run("complaints_by_unit", db, year=2022)
    assert one(unit, channel="total")["share_pct"] == 100
    assert one(unit, channel="walk_in")["share_pct"] == 39.61     # 366 / 924
    assert one(unit, channel="walk_in")["prev_cases"] == 200

    overview = one(queries.run("overview_by_year", db), fiscal_year=2022)
    # 85.53 vs 80.00 万元: +6.9125%
    assert (overview["expenditure_total"], overview["prev_expenditure_total"], overview["expenditure_change_pct"]) == \
        (85.53, 80.0, 6.91)
    # the year filter keeps the comparison with the year before it
    assert one(queries.run("three_public_change", db, year=2022), fiscal_year=2022)["change"] == 2.5


def test_a_zero_base_gives_no_change_rate_rather_than_infinity(tmp_path):
    # 2021 spent 0 万元 on its cases: cost per case 0, so the 2022 change in % is undefined (NULL, not inf)
    earlier = variant(SEED, report__fiscal_year=2021)
    earlier["expenditure"][0]["total"] = 0.0
    db = build_db(tmp_path / "zero.duckdb", [earlier, variant(SEED)])
    cost = one(queries.run("cost_per_case", db), fiscal_year=2022)
    assert cost["prev_cost_per_case"] == 0.0 and is_null(cost["change_pct"])
    # a year whose only channel counts are 0: shares undefined, not NaN
    nothing = variant(SEED)
    nothing["cases"] = [{"category": "欠薪投诉", "channel": "hotline_12345", "channel_label": "12345", "count": 0,
                         "amount_wan": None, "approx": False}]
    shares = queries.run("complaints_by_channel", build_db(tmp_path / "none.duckdb", [nothing]))
    assert len(shares) and all(is_null(v) for v in shares["share_pct"])


# ---- 6. credibility signals ----------------------------------------------------------

def test_credibility_signals(tmp_path):
    indicators = [dict(i) for i in SEED["indicators"]]
    cost = next(i for i in indicators if i["level2"] == "成本指标")
    cost.update(actual_text="完成预算的75%", actual_value=75)
    satisfaction = next(i for i in indicators if "满意" in i["name"])
    satisfaction.update(actual_text="99.5%", actual_value=99.5)
    earlier = variant(SEED, report__fiscal_year=2021, report__self_score=96, indicators=indicators)
    earlier["narrative"]["problems"] = "无。"
    db = build_db(tmp_path / "c.duckdb", [earlier, variant(SEED)])
    frame = queries.run("credibility_signals", db)
    got = {(r.fiscal_year, r.signal) for r in frame.itertuples()}
    assert got == {
        (2021, "high_score_low_execution"),   # 96 >= 95 with a stated 75% < 80%
        (2021, "all_quality_100"),            # 5 quality indicators, all 100%
        (2021, "satisfaction_99"),            # 农民工满意度 99.5%
        (2021, "no_problems"),                # "无。"
        (2022, "all_quality_100"),
        (2022, "same_text_as_last_year"),     # 2022 repeats 2021's sections except 存在的问题
    }
    repeated = one(frame, signal="same_text_as_last_year")
    assert repeated["value"] == 5 and "存在的问题" not in repeated["detail"]
    assert one(queries.run("overview_by_year", db), fiscal_year=2021)["signals"] == 4


# ---- score against execution, and the trends of each sector --------------------------

def spent_and_stated(name: str, code: str, year: int, money: tuple[float, float, float, float], rate: float,
                     score: float | None, demo: bool = False) -> dict:
    """A consistent seed for another unit/year: one 汇总 row per table,
    expenditure = personnel + public + project, an income total that makes
    支出÷收入 exactly the stated rate, and the stated rate in the 成本指标."""
    personnel, public, project, income = money
    spent = personnel + public + project
    record = consistent_seed(report__unit_name=name, report__budget_code=code, report__fiscal_year=year,
                             report__self_score=score, source__demo=demo)
    record["income"] = [{"org": "汇总", "total": income, "carryover": None, "fiscal_appropriation": income,
                         "fund_appropriation": None, "special_account_income": None, "other_income": None}]
    record["expenditure"] = [{"org": "汇总", "total": spent, "basic": personnel + public, "personnel": personnel,
                              "public": public, "project": project, "surplus_year": None, "surplus_cumulative": None}]
    for indicator in record["indicators"]:
        if indicator["level2"] == "成本指标":
            indicator.update(actual_text=f"完成预算的{rate}%", actual_value=rate)
    return record


@pytest.fixture(scope="module")
def sectors_db(tmp_path_factory):
    """Four units, two years; 支出 (万元) / stated rate / score:
         2021  A 劳动监察 (社会保障和就业)  80 / 80% / 88     B 教育局 (教育) 1200 / 96% / 95
         2022  A  90 / 90% / 90    B 1300 / 100% / 96    C 实验学校 (教育, demo) 500 / 80% / 80
               D 卫生健康局 (卫生健康) 75 / 75% / 97
    Every report keeps the seed's five 100% quality indicators (signal
    all_quality_100); A and B 2022 repeat their 2021 texts (same_text_as_last_year);
    D is 高分低执行 (97 ≥ 95, 75% < 80%). No consistency finding anywhere."""
    a, b = ("云溪区劳动和社会保障监察大队", "125002"), ("云溪区教育局", "125010")
    records = [
        spent_and_stated(*a, 2021, (60, 10, 10, 100), 80, 88),
        spent_and_stated(*b, 2021, (900, 100, 200, 1250), 96, 95),
        spent_and_stated(*a, 2022, (70, 10, 10, 100), 90, 90),
        spent_and_stated(*b, 2022, (1000, 100, 200, 1300), 100, 96),
        spent_and_stated("云溪区实验学校", "125020", 2022, (400, 50, 50, 625), 80, 80, demo=True),
        spent_and_stated("云溪区卫生健康局", "125030", 2022, (50, 15, 10, 100), 75, 97),
    ]
    return build_db(tmp_path_factory.mktemp("sectors") / "sectors.duckdb", records)


def test_sectors_db_has_no_consistency_findings(sectors_db):
    # the premise of the flag counts below
    assert queries.run("consistency_checks", sectors_db).empty


def test_trends_by_sector(sectors_db):
    frame = queries.run("trends_by_sector", sectors_db)
    assert list(zip(frame["fiscal_year"], frame["sector"])) == [
        (2021, "教育"), (2021, "社会保障和就业"),
        (2022, "教育"), (2022, "社会保障和就业"), (2022, "卫生健康"),   # by spending, largest first
    ]
    edu = one(frame, fiscal_year=2022, sector="教育")
    assert (edu["units_reporting"], edu["reports"], edu["expenditure_total"]) == (2, 2, 1800)   # 1300 + 500
    assert edu["expenditure_share_pct"] == 91.60       # 1800 / (90 + 1800 + 75) = 0.916030
    assert edu["median_execution_rate"] == 90          # (100 + 80) / 2
    assert edu["median_self_score"] == 88              # (96 + 80) / 2
    # B: all_quality_100 + same_text_as_last_year; C: all_quality_100
    assert (edu["mismatches"], edu["notices"], edu["signals"], edu["flags"]) == (0, 0, 3, 3)
    assert (edu["prev_expenditure_total"], edu["expenditure_change_pct"]) == (1200, 50.0)
    assert edu["is_demo"] == True  # noqa: E712 - C is demo data
    social = one(frame, fiscal_year=2022, sector="社会保障和就业")
    assert social["expenditure_share_pct"] == 4.58     # 90 / 1965 = 0.045802
    assert social["expenditure_change_pct"] == 12.5    # (90 - 80) / 80
    assert social["signals"] == 2 and social["is_demo"] == False  # noqa: E712
    health = one(frame, fiscal_year=2022, sector="卫生健康")
    assert health["signals"] == 2 and is_null(health["prev_expenditure_total"])  # no 2021 report
    assert one(frame, fiscal_year=2021, sector="教育")["expenditure_share_pct"] == 93.75  # 1200 / 1280
    # the sectors add up to the year's overview
    assert frame[frame["fiscal_year"] == 2022]["expenditure_total"].sum() == \
        one(queries.run("overview_by_year", sectors_db), fiscal_year=2022)["expenditure_total"] == 1965


def test_trends_by_sector_filters(sectors_db):
    # a sector and a year: the share keeps every sector as denominator, the change keeps 2021
    only = queries.run("trends_by_sector", sectors_db, sectors=["教育"], year=2022)
    assert len(only) == 1
    assert (only.iloc[0]["expenditure_share_pct"], only.iloc[0]["expenditure_change_pct"]) == (91.60, 50.0)
    # real data only: C (demo) leaves 教育 and the denominator
    real = one(queries.run("trends_by_sector", sectors_db, data_kind="real", year=2022), sector="教育")
    assert (real["units_reporting"], real["expenditure_total"], real["median_self_score"]) == (1, 1300, 96)
    assert real["expenditure_share_pct"] == 88.74      # 1300 / (90 + 1300 + 75) = 0.887372
    assert real["is_demo"] == False  # noqa: E712


def test_score_vs_execution(sectors_db):
    frame = queries.run("score_vs_execution", sectors_db, year=2022)
    assert list(frame["unit_name"]) == ["云溪区卫生健康局", "云溪区教育局", "云溪区劳动和社会保障监察大队",
                                        "云溪区实验学校"]           # by score: 97, 96, 90, 80
    d = one(frame, unit_name="云溪区卫生健康局")
    assert (d["self_score"], d["stated_rate"], d["computed_rate"], d["computed_basis"]) == (97, 75, 75, "支出÷收入")
    assert (d["execution_rate"], d["execution_basis"], d["stated_minus_computed"]) == (75, "报告所述", 0)
    assert d["signals"] == 2 and d["signal_names"] == "质量指标全部100%、高分低执行"
    assert d["has_signal"] == True and d["high_score_low_execution"] == True  # noqa: E712
    a = one(frame, unit_name="云溪区劳动和社会保障监察大队")
    assert a["signal_names"] == "与上年报告文字雷同、质量指标全部100%"
    assert a["high_score_low_execution"] == False and a["sector"] == "社会保障和就业"  # noqa: E712
    assert (a["grade"], a["implied_grade"]) == ("三级", "优")  # the seed's 三级; 90 is 优 by default
    assert list(queries.run("score_vs_execution", sectors_db, sector="教育", data_kind="real")["fiscal_year"]) == \
        [2022, 2021]                                              # B only (C is demo)


def test_score_vs_execution_blanks_and_no_signals(tmp_path):
    record = consistent_seed(report__self_score=None)
    record["income"] = [dict(row, total=None, fiscal_appropriation=None) for row in record["income"]]
    record["indicators"] = [dict(i) for i in record["indicators"]]
    record["indicators"][0].update(actual_text="98%", actual_value=98)   # not every quality indicator at 100%
    row = queries.run("score_vs_execution", build_db(tmp_path / "blank.duckdb", [record])).iloc[0]
    assert is_null(row["self_score"]) and is_null(row["computed_rate"]) and is_null(row["computed_basis"])
    assert row["stated_rate"] == 88.97 and row["execution_rate"] == 88.97
    assert is_null(row["stated_minus_computed"])                  # nothing computed to compare with
    assert row["signals"] == 0 and row["signal_names"] == ""
    assert row["has_signal"] == False and row["high_score_low_execution"] == False  # noqa: E712


def test_grade_counts_file_declared_grades_under_their_band(tmp_path):
    # 优秀 is an alias of 优 in the default rules: counted with 优, beside the implied 优
    records = [variant(SEED, report__self_score=95, report__grade="优秀"),
               variant(SEED, report__unit_name="云溪区教育局", report__budget_code="900", report__self_score=92,
                       report__grade="优"),
               variant(SEED, report__unit_name="云溪区民政局", report__budget_code="901", report__self_score=85,
                       report__grade="良好")]
    counts = queries.run("grade_counts", build_db(tmp_path / "g.duckdb", records))
    got = set(zip(counts["grade_kind"], counts["grade"], counts["reports"], counts["share_pct"]))
    assert got == {("declared", "优", 2, 66.67), ("declared", "良", 1, 33.33),
                   ("implied", "优", 2, 66.67), ("implied", "良", 1, 33.33)}


def test_complaints_by_unit_adds_up_two_reports_of_one_unit_year(tmp_path):
    """A name-only report joins the coded unit of the same name: in 2022 that unit
    then has two reports, whose cases complaints_by_unit adds up per channel."""
    coded = variant(SEED, cases=[
        {"category": "欠薪投诉", "channel": "total", "channel_label": "欠薪投诉", "count": 10, "amount_wan": None, "approx": False},
        {"category": "欠薪投诉", "channel": "hotline_12345", "channel_label": "12345", "count": 6, "amount_wan": 1.5, "approx": False},
    ])
    name_only = variant(coded, report__budget_code=None, cases=[
        {"category": "欠薪投诉", "channel": "total", "channel_label": "欠薪投诉", "count": 5, "amount_wan": None, "approx": False},
        {"category": "欠薪投诉", "channel": "hotline_12345", "channel_label": "12345热线", "count": 5, "amount_wan": None, "approx": False},
    ])
    db = build_db(tmp_path / "two.duckdb", [coded, name_only])
    unit = queries.run("complaints_by_unit", db)
    assert unit["unit_id"].nunique() == 1
    hotline = one(unit, channel="hotline_12345")
    # 6 + 5 = 11 of the category's 10 + 5 = 15 handled: 73.33 %; the one amount given stays 1.5, not 1.5 + 0
    assert (hotline["cases"], hotline["share_pct"], hotline["amount_wan"]) == (11, 73.33, 1.5)
    assert sorted(hotline["channel_label"].split("、")) == ["12345", "12345热线"]
    total = one(unit, channel="total")
    assert (total["cases"], total["share_pct"]) == (15, 100)
    assert is_null(total["amount_wan"])
    # the coded report states 10 but gives 6 by channel: 4 unattributed (4 / 15 = 26.67 %)
    rest = one(unit, channel="unattributed")
    assert (rest["cases"], rest["share_pct"]) == (4, 26.67)
