"""The query layer's machinery: catalog, parameters, unit identity and sector,
derived tables (refresh and the on-the-fly fallback), read-only use, and the
command line."""
from __future__ import annotations

import json
import re

import duckdb
import pandas as pd
import pytest

import queries
from queries.__main__ import main as cli
from tests.dbfactory import build_db, insert_record, log_failure, seed_record, variant

SEED = seed_record()


@pytest.fixture(scope="module")
def two_year_db(tmp_path_factory):
    """The seed (2022, real) and a 2021 demo report of the same unit written
    without its budget code and with the region in front of its name."""
    earlier = variant(SEED, report__fiscal_year=2021, report__budget_code=None, source__demo=True,
                      report__unit_name="岳阳市云溪区劳动和社会保障监察大队", source__warnings=["三公经费表：未找到"])
    return build_db(tmp_path_factory.mktemp("two") / "two.duckdb", [earlier, SEED])


# ---- catalog ---------------------------------------------------------------------

def test_every_query_is_documented_and_returns_its_declared_columns(two_year_db):
    # the header is the contract with the dashboard: columns in order, with Chinese labels
    catalog = queries.catalog()
    assert len(catalog) >= 30
    for entry in catalog:
        assert entry["title"] and entry["group"] in queries.GROUPS and entry["description"], entry["name"]
        labels = [c["label"] for c in entry["columns"]]
        assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), entry["name"]
        frame = queries.run(entry["name"], two_year_db)
        assert list(frame.columns) == [c["name"] for c in entry["columns"]], entry["name"]
        if any(p["name"] == "data_kind" for p in entry["params"]):
            assert "is_demo" in frame.columns, entry["name"]
    assert queries.labels("cost_per_case")["cost_per_case"] == "每件成本（元/件）"


# ---- parameters ----------------------------------------------------------------------

def test_filters_years_units_sectors_and_data_kind(two_year_db):
    def years(**params):
        return sorted(queries.run("budget_execution", two_year_db, **params)["fiscal_year"])

    assert years() == [2021, 2022]
    assert years(years=[2021]) == [2021] and years(year=2022) == [2022]
    assert years(year_from=2022) == [2022] and years(year_to=2021) == [2021]
    assert years(years=[]) == [2021, 2022]                  # an empty selection is no filter
    assert years(data_kind="real") == [2022] and years(data_kind="demo") == [2021]
    assert years(data_kind="all") == [2021, 2022]
    # a unit by budget code, by its identity, or by a name it reported under
    assert years(unit="125002") == [2021, 2022]
    assert years(units=["岳阳市云溪区|125002"]) == [2021, 2022]
    assert years(unit="岳阳市云溪区劳动和社会保障监察大队") == [2021]
    assert years(unit="999999") == []
    assert years(sectors=["社会保障和就业"]) == [2021, 2022] and years(sector="教育") == []


def test_bad_parameters_are_refused(two_year_db):
    with pytest.raises(TypeError, match="unknown parameter"):
        queries.run("budget_execution", two_year_db, yaer=2022)
    with pytest.raises(ValueError, match="data_kind"):
        queries.run("budget_execution", two_year_db, data_kind="fake")
    with pytest.raises(KeyError):
        queries.run("no_such_query", two_year_db)
    with pytest.raises(KeyError):
        queries.get("../etl/schema")
    # a filter the query does not have is fine when it is None (one filter dict for all pages)
    assert len(queries.run("load_status", two_year_db, years=None, units=None)) == 1


def test_values_are_bound_not_formatted(two_year_db):
    # a quote in a value is data, not SQL
    assert queries.run("units", two_year_db, units=["x' or '1'='1"]).empty


# ---- 7. unit identity and sector -------------------------------------------------------

def test_one_identity_across_years(two_year_db):
    units = queries.run("units", two_year_db)
    assert len(units) == 1
    unit = units.iloc[0]
    # the 2021 report had no budget code; its name (without the region) matches the coded unit's
    assert unit["unit_id"] == "岳阳市云溪区|125002" and unit["unit_name"] == "云溪区劳动和社会保障监察大队"
    assert (unit["first_year"], unit["last_year"], unit["reports"]) == (2021, 2022, 2)
    assert unit["names_used"] == ["岳阳市云溪区劳动和社会保障监察大队"]
    assert unit["sector"] == "社会保障和就业"                          # keyword 劳动/社会保障
    assert unit["is_demo"]                                              # its 2021 report is demo data
    history = queries.run("unit_history", two_year_db)
    assert list(history["fiscal_year"]) == [2022, 2021] and history["unit_id"].nunique() == 1


def test_alias_file_merges_a_renamed_unit_and_sector_file_overrides(tmp_path):
    old = variant(SEED, report__fiscal_year=2020, report__budget_code=None, report__unit_name="云溪区劳动保障监察大队")
    other = variant(SEED, report__unit_name="云溪区第一中学", report__budget_code="301001")
    db = build_db(tmp_path / "alias.duckdb", [old, SEED, other])
    assert len(queries.run("units", db)) == 3                # without mappings: three units

    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "unit_aliases.csv").write_text(
        "# renamed in 2021\nregion,alias,canonical,note\n岳阳市云溪区,云溪区劳动保障监察大队,125002,更名\n", encoding="utf-8")
    (mappings / "unit_sectors.csv").write_text(
        "kind,value,sector,note\ncode,125002,劳动监察,\nkeyword,中学,教育,\n", encoding="utf-8")
    units = queries.run("units", db, data_dir=mappings).set_index("budget_code")
    assert len(units) == 2
    assert units.loc["125002", "first_year"] == 2020 and units.loc["125002", "reports"] == 2
    assert units.loc["125002", "sector"] == "劳动监察"       # a code rule beats any keyword
    assert units.loc["301001", "sector"] == "教育"
    # the same mapping drives every query: the 2020 report now compares with 2021's unit
    assert set(queries.run("unit_history", db, data_dir=mappings, unit="125002")["fiscal_year"]) == {2020, 2022}


def test_default_sector_keywords():
    # the default mapping's keyword order: specific before general
    con = duckdb.connect()
    frame = queries.read_mapping("cfg_unit_sectors")
    rules = [(v, s) for k, v, s in zip(frame["kind"], frame["value"], frame["sector"]) if k == "keyword"]

    def sector(name):
        return next((s for v, s in rules if v in name), "其他")

    assert sector("云溪区环境卫生管理处") == "城乡社区"
    assert sector("云溪区乡村振兴局") == "农林水"
    assert sector("云溪区陆城镇人民政府") == "乡镇街道"
    assert sector("云溪区人民政府办公室") == "一般公共服务"
    assert sector("云溪区民政局") == "社会保障和就业"
    assert sector("云溪区公安分局交通警察大队") == "公共安全"
    assert sector("云溪区教育局") == "教育"
    assert sector("云溪区某某中心") == "其他"
    con.close()


# ---- derived tables: refresh, staleness, read-only ------------------------------------

def test_stale_derived_tables_fall_back_to_live_figures(tmp_path):
    db = build_db(tmp_path / "stale.duckdb", [SEED])
    con = duckdb.connect(str(db), read_only=True)
    assert queries.prepare(con.cursor()) is True             # refreshed by build_db
    con.close()
    fast = queries.run("budget_execution", db)

    con = duckdb.connect(str(db))
    insert_record(con, variant(SEED, report__fiscal_year=2021))  # loaded, not refreshed
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    assert queries.prepare(con.cursor()) is False
    con.close()
    live = queries.run("budget_execution", db)
    assert sorted(live["fiscal_year"]) == [2021, 2022]         # the new report is seen all the same
    pd.testing.assert_frame_equal(live[live["fiscal_year"] == 2022].reset_index(drop=True), fast)

    con = duckdb.connect(str(db))
    queries.refresh(con)
    con.close()
    pd.testing.assert_frame_equal(queries.run("budget_execution", db), live)


def test_is_stale_after_a_load_or_a_mapping_edit_until_refreshed(tmp_path):
    # what 数据质量 shows as "派生表需要刷新": never refreshed, a report loaded since, an edited CSV
    assert queries.is_stale(build_db(tmp_path / "raw.duckdb", [SEED], refresh=False)) is True
    db = build_db(tmp_path / "s.duckdb", [SEED])
    assert queries.is_stale(db) is False
    con = duckdb.connect(str(db))
    insert_record(con, variant(SEED, report__fiscal_year=2021))
    assert queries.is_stale(con) is True                       # on an open connection too
    queries.refresh(con)
    assert queries.is_stale(con) is False
    con.close()
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "unit_aliases.csv").write_text("region,alias,canonical,note\n,甲,乙,\n", encoding="utf-8")
    assert queries.is_stale(db, data_dir=mappings) is True
    assert queries.is_stale(db) is False


def test_unrefreshed_database_gives_the_same_figures(tmp_path):
    records = [SEED, variant(SEED, report__fiscal_year=2021, report__self_score=96)]
    raw = build_db(tmp_path / "raw.duckdb", records, refresh=False)
    done = build_db(tmp_path / "done.duckdb", records)
    for name in ["overview_by_year", "consistency_checks", "credibility_signals", "score_rank", "cost_per_case"]:
        pd.testing.assert_frame_equal(queries.run(name, raw), queries.run(name, done), check_dtype=False)


def test_runs_read_only_on_a_path_and_on_a_shared_connection(tmp_path):
    db = build_db(tmp_path / "ro.duckdb", [SEED], refresh=False)
    before = db.read_bytes()
    queries.run("overview_by_year", db)
    assert db.read_bytes() == before                            # nothing written by a query
    con = duckdb.connect(str(db), read_only=True)
    a = queries.run("units", con)
    b = queries.run("units", con)                               # each call its own cursor
    pd.testing.assert_frame_equal(a, b)
    con.close()
    with pytest.raises(FileNotFoundError):
        queries.run("units", tmp_path / "missing.duckdb")


# ---- documents and data quality ---------------------------------------------------------

def test_documents_and_load_log(tmp_path):
    db = tmp_path / "docs.duckdb"
    build_db(db, [])
    con = duckdb.connect(str(db))
    insert_record(con, variant(SEED, source__warnings=["指标表：第3行未能读出", "日期：格式不明"]), file_bytes=b"report text")
    log_failure(con, "broken.pdf", "不是自评报告：未找到“部门（单位）名称”")
    queries.refresh(con)
    con.close()

    docs = queries.run("unit_documents", db, unit="125002")
    assert (docs.iloc[0]["size_bytes"], docs.iloc[0]["has_content"]) == (11, True)
    content = queries.run("document_content", db, sha256=docs.iloc[0]["sha256"])
    assert content.iloc[0]["content"] == b"report text"
    assert queries.run("document_content", db, sha256="nope").empty

    warnings = queries.run("report_warnings", db)
    assert list(warnings["warning"]) == ["指标表：第3行未能读出", "日期：格式不明"]
    failures = queries.run("load_failures", db)
    assert list(failures["file_name"]) == ["broken.pdf"] and "部门（单位）名称" in failures.iloc[0]["reason"]
    status = queries.run("load_status", db).iloc[0]
    assert (status["loaded"], status["failed"], status["reports"], status["reports_with_warnings"]) == (1, 1, 1, 1)


def test_unit_detail_queries(two_year_db):
    money = queries.run("unit_money", two_year_db, year=2022, tables=["income"])
    summary = money[money["org"] == "汇总"].set_index("item")["value"]
    assert summary["total"] == 85.53 and pd.isna(summary["carryover"])   # blank cell kept as a NULL row
    assert len(money) == 2 * 6                                            # 2 org rows x 6 income columns
    indicators = queries.run("unit_indicators", two_year_db, year=2022)
    assert len(indicators) == 17 and indicators.iloc[0]["name"] == "资金发放到位率"
    assert len(queries.run("unit_goals", two_year_db, year=2022)) == 5
    narratives = queries.run("unit_narratives", two_year_db, year=2022, sections=["problems"])
    assert list(narratives["section_name"]) == ["存在的问题及原因分析"]
    details = queries.run("report_details", two_year_db, year=2022).iloc[0]
    assert (details["staff_quota"], details["staff_actual"], details["grade"]) == (6, 7, "三级")


# ---- command line ----------------------------------------------------------------------

def test_cli_list_csv_and_json(two_year_db, tmp_path, capsys):
    assert cli(["--list"]) == 0
    assert "cost_per_case" in capsys.readouterr().out

    out = tmp_path / "cost.csv"
    assert cli(["cost_per_case", "--db", str(two_year_db), "--year", "2022", "--output", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")                     # BOM, so Excel reads UTF-8
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert frame.iloc[0]["每件成本（元/件）"] == "925.65" and frame.iloc[0]["含演示数据"] == "否"

    out = tmp_path / "dist.json"
    assert cli(["score_distribution", "--db", str(two_year_db), "--unit", "125002", "--data-kind", "real",
                "--param", "bin_width=20", "--format", "json", "--output", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [r["bin_label"] for r in rows if r["sector"] == "（全部）"] == ["<60", "60–80", "80–100"]
    assert cli(["budget_execution", "--db", str(two_year_db), "--param", "nope=1"]) == 2


def test_cli_refresh(tmp_path, capsys):
    db = build_db(tmp_path / "cli.duckdb", [SEED], refresh=False)
    assert cli(["--refresh", "--db", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert queries.prepare(con.cursor()) is True
    con.close()


# ---- stored results: the same rows as the live query ----------------------------------

def _stored_cases(db) -> list[tuple[str, dict]]:
    """Each stored query with no filter, one year, a year range, a unit, a sector,
    each data kind, and each of its own row filters (first two values seen)."""
    everything = queries.run("units", db)
    unit = everything["unit_id"].iloc[len(everything) // 2]
    sector = everything["sector"].dropna().iloc[0]
    common = [{}, {"year": 2022}, {"year_from": 2020, "year_to": 2021}, {"units": [unit]},
              {"sectors": [sector]}, {"data_kind": "real"}, {"data_kind": "demo"},
              {"year": 2023, "sectors": [sector]}]
    cases = []
    for query in queries.stored_queries():
        for params in common:
            cases.append((query.name, params))
        _, row_filters = query.stored_plan()
        full = queries.run(query.name, db, use_stored=False)
        for param, (column, op) in row_filters.items():
            seen = full[column].dropna().unique().tolist()[:2]
            assert seen, f"{query.name}: no {column} to filter on in the demo database"
            cases.append((query.name, {param: seen if op == "in" else seen[0]}))
            cases.append((query.name, {param: seen[:1] if op == "in" else seen[0], "year": 2022}))
    return cases


def test_stored_queries_give_the_live_rows_for_every_filter(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert queries.prepare(con.cursor()) is True  # stored tables are current
    checked = served = 0
    missed = []
    for name, params in _stored_cases(demo_db):
        live = queries.run(name, demo_db, use_stored=False, **params)
        stored = queries.run(name, demo_db, **params)
        pd.testing.assert_frame_equal(stored, live, obj=f"{name} {params}")
        checked += 1
        served += queries.stored_sql(name, params) is not None
        # no filter, years and the declared row filters: always from storage
        whole = queries.get(name).stored_plan()[0] == "whole"
        if (not params if whole else set(params) <= {"year", "year_from", "year_to"}) \
                and queries.stored_sql(name, params) is None:
            missed.append((name, params))
    # most cases must really be served from storage, not fall back to the live SQL
    # (the "by year" aggregates run live for a unit, sector or data kind)
    assert checked > 100 and served > checked * 0.6, (checked, served)
    assert not missed, missed


def test_stored_rows_are_refreshed_with_the_reports(tmp_path):
    db = build_db(tmp_path / "s.duckdb", [SEED])
    assert len(queries.run("budget_execution", db)) == 1
    con = duckdb.connect(str(db))
    insert_record(con, variant(SEED, report__fiscal_year=2023))
    con.close()
    # stale: the live SQL answers (two reports) until the next refresh
    assert len(queries.run("budget_execution", db)) == 2
    con = duckdb.connect(str(db))
    queries.refresh(con)
    assert con.execute("select count(*) from q_stored_budget_execution").fetchone()[0] == 2
    con.close()
    assert queries.run("budget_execution", db)["fiscal_year"].tolist() == [2023, 2022]


def test_stored_sql_falls_back_to_live_when_rows_would_differ():
    # by year: a unit filter changes the previous-year base, so it runs live
    assert queries.stored_sql("complaints_by_unit", {"units": ["x"]}) is None
    assert queries.stored_sql("complaints_by_unit", {"categories": ["劳动保障"], "year": 2022}) is not None
    # a parameter that is not a plain row filter (another grade rule set) runs live
    assert queries.stored_sql("implied_grade", {"rule_set": "某规则"}) is None
    assert queries.stored_sql("implied_grade", {"sectors": ["教育"]}) is not None
    assert queries.stored_sql("load_status", {}) is None  # not a stored query


# ---- case-handling units: whose cost per case is comparable --------------------------

def _hospital_and_brigade(tmp_path):
    """The seed (a 劳动保障监察 brigade: 924 cases, its output) and a hospital
    that also reports the seed's complaints, which are not its output."""
    hospital = variant(SEED, report__unit_name="云溪区人民医院", report__budget_code="301500")
    return build_db(tmp_path / "cases.duckdb", [SEED, hospital])


def test_cost_per_case_marks_the_case_handling_units(tmp_path):
    db = _hospital_and_brigade(tmp_path)
    cost = queries.run("cost_per_case", db, year=2022).set_index("unit_name")
    # both get the same arithmetic (855,300 元 ÷ 924 件); only the brigade is a case unit by default
    assert cost["cost_per_case"].tolist() == [925.65, 925.65]
    assert cost.loc["云溪区劳动和社会保障监察大队", "case_unit"] == True  # noqa: E712 - numpy bool; keyword 监察
    assert cost.loc["云溪区人民医院", "case_unit"] == False  # noqa: E712 - numpy bool

    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "case_units.csv").write_text(
        "kind,value,case_unit,note\nkeyword,监察,是,\nname,劳动和社会保障监察大队,否,名称规则先于关键词\n"
        "sector,卫生健康,是,\n", encoding="utf-8")
    cost = queries.run("cost_per_case", db, year=2022, data_dir=mappings).set_index("unit_name")
    assert cost.loc["云溪区劳动和社会保障监察大队", "case_unit"] == False  # noqa: E712 - numpy bool
    assert cost.loc["云溪区人民医院", "case_unit"] == True  # noqa: E712 - numpy bool; by its sector


def test_default_case_unit_keywords():
    rules = queries.read_mapping("cfg_case_units")
    words = set(rules.loc[rules["kind"] == "keyword", "value"])

    def case_unit(name):
        return any(w in name for w in words)

    for name in ["云溪区劳动和社会保障监察大队", "云溪区信访局", "云溪区城市管理综合执法大队", "云溪区市场监督管理局",
                 "云溪区司法局", "云溪区劳动人事争议仲裁院"]:
        assert case_unit(name), name
    for name in ["云溪区人民医院", "云溪区教育局", "云溪区第一中学", "云溪区民政局", "云溪区路口镇卫生院"]:
        assert not case_unit(name), name


def test_a_year_without_code_follows_its_code_into_a_merged_unit_and_keeps_the_coded_name(tmp_path):
    # 2021 under an old code and name, merged into 125002 by the alias file; 2020 and 2023 are
    # prose reports (no 预算编码, the region in front of the name, as a prose title writes it)
    old = variant(SEED, report__fiscal_year=2021, report__budget_code="125001", report__unit_name="云溪区劳动保障监察大队")
    prose_old = variant(SEED, report__fiscal_year=2020, report__budget_code=None,
                        report__unit_name="岳阳市云溪区劳动保障监察大队")
    prose_new = variant(SEED, report__fiscal_year=2023, report__budget_code=None,
                        report__unit_name="岳阳市云溪区劳动和社会保障监察大队")
    db = build_db(tmp_path / "merge.duckdb", [prose_old, old, SEED, prose_new])
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "unit_aliases.csv").write_text(
        "region,alias,canonical,note\n岳阳市云溪区,125001,125002,更名并入\n", encoding="utf-8")
    units = queries.run("units", db, data_dir=mappings)
    assert len(units) == 1, units[["unit_id", "unit_name"]]
    unit = units.iloc[0]
    assert (unit["unit_id"], unit["reports"], unit["first_year"], unit["last_year"]) == ("岳阳市云溪区|125002", 4, 2020, 2023)
    # the latest report is prose, but the unit keeps the name its coded reports use
    assert unit["unit_name"] == "云溪区劳动和社会保障监察大队"


def test_a_prose_title_naming_only_the_county_joins_the_unit_of_the_full_region(tmp_path):
    # the template's cover says 岳阳市云溪区; a prose title says only "云溪区劳动和社会保障监察大队…"
    prose = variant(SEED, report__fiscal_year=2023, report__budget_code=None, report__region="云溪区")
    other_county = variant(SEED, report__fiscal_year=2023, report__budget_code=None, report__region="南县",
                           report__unit_name="南县劳动和社会保障监察大队")
    units = queries.run("units", build_db(tmp_path / "county.duckdb", [SEED, prose, other_county]))
    joined = units[units["unit_id"] == "岳阳市云溪区|125002"].iloc[0]
    assert (joined["reports"], joined["region"], joined["first_year"], joined["last_year"]) == (2, "岳阳市云溪区", 2022, 2023)
    assert len(units) == 2  # another county's unit of the same name stays apart


def test_the_high_score_low_execution_lines_are_written_once(two_year_db):
    # the page draws the lines the signal uses: both come from the macros in _derive.sql
    lines = queries.run("signal_thresholds", db=two_year_db)
    assert lines.to_dict("records") == [{"self_score_min": 95, "execution_rate_max": 80}]
    findings = (queries.SQL_DIR / "_findings.sql").read_text(encoding="utf-8")
    assert "high_score_min()" in findings and ">= 95" not in findings
