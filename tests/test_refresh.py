"""The incremental refresh (queries.refresh after a load) gives the derived tables a full
rebuild gives, row for row: every q_* table and stored listing compared with EXCEPT ALL
both ways, after rounds of loads, replacements, deletions and mapping edits."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import queries
from dbfactory import build_db, insert_record, seed_record, variant

SEED = seed_record()
REGION = SEED["report"]["region"]


def unit(name: str, code: str | None, year: int, score: float = 90, **changes) -> dict:
    return variant(SEED, report__unit_name=name, report__budget_code=code, report__fiscal_year=year,
                   report__self_score=score, source__sha256=f"{name}-{code}-{year}-{score}-{sorted(changes)}",
                   **changes)


def corpus() -> list[dict]:
    """Units over three years: coded ones, one whose prose year has no code (joined by name),
    one renamed, and the seed's own unit."""
    records = [SEED]
    for year in (2020, 2021, 2022):
        records.append(unit("云溪区教育局", "201001", year, 88 + year % 3))
        records.append(unit("云溪区卫生健康局", "202001", year, 93 - year % 2))
        records.append(unit("云溪区民政局", None if year == 2021 else "203001", year, 85))
    records.append(unit("云溪区城市管理局", "204001", 2020, 91))
    records.append(unit("云溪区城市管理和综合执法局", "204002", 2021, 97))
    return records


def derived(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where not temporary and database_name = current_database() "
        "and starts_with(table_name, 'q_') and table_name <> 'q_meta' "
        "union all select view_name from duckdb_views() where not temporary and database_name = current_database() "
        "and starts_with(view_name, 'q_')").fetchall()
    return sorted(r[0] for r in rows)


def assert_as_full_rebuild(con: duckdb.DuckDBPyConnection, path: Path, data_dir=None) -> None:
    """The derived tables on `con` (the database at `path`) equal a full rebuild of a copy."""
    con.execute("checkpoint")
    copy = path.with_name(path.stem + "-full.duckdb")
    shutil.copy(path, copy)
    other = duckdb.connect(str(copy))
    assert queries.refresh(other, data_dir, full=True) == "full"
    other.close()
    con.execute(f"attach '{copy}' as full_rebuild (read_only)")
    try:
        names = derived(con)
        full_names = sorted(r[0] for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'full_rebuild' "
            "and starts_with(table_name, 'q_') and table_name <> 'q_meta' "
            "union all select view_name from duckdb_views() where database_name = 'full_rebuild' "
            "and starts_with(view_name, 'q_')").fetchall())
        assert names == full_names
        differ = {}
        for name in names:
            n = con.execute(f"select count(*) from ((from {name} except all from full_rebuild.{name}) "
                            f"union all (from full_rebuild.{name} except all from {name}))").fetchone()[0]
            if n:
                differ[name] = n
        assert differ == {}, f"rows that differ from a full rebuild: {differ}"
    finally:
        con.execute("detach full_rebuild")
        copy.unlink()


@pytest.fixture
def db(tmp_path):
    path = build_db(tmp_path / "inc.duckdb", corpus())
    con = duckdb.connect(str(path))
    yield path, con
    con.close()


def test_loads_and_replacements_follow_incrementally(db):
    path, con = db
    rounds = [
        [unit("云溪区教育局", "201001", 2023, 95)],                             # a new year of a unit
        [unit("云溪区水利局", "205001", 2022, 70)],                              # a new unit, ranks shift
        [unit("云溪区卫生健康局", "202001", 2021, 99)],                           # a replacement (middle year)
        [unit("云溪区民政局", "203009", 2022, 86)],                               # a new code: 民政局 ambiguous
        [unit("云溪区卫生健康局", "202001", 2021, 80, narrative={"problems": "无"})],  # texts change on last year
        [unit("云溪区新设中心", None, 2019, 60), unit("云溪区教育局", "201001", 2020, 75)],  # a new year, two at once
    ]
    for records in rounds:
        for record in records:
            insert_record(con, record)
        assert queries.refresh(con) == "incremental"
        assert_as_full_rebuild(con, path)
    assert queries.refresh(con) == "current"


def test_alias_and_mapping_edits_rebuild_in_full_then_follow(db, tmp_path):
    path, con = db
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "unit_aliases.csv").write_text(
        "region,alias,canonical,note\n"
        f"{REGION},云溪区城市管理局,云溪区城市管理和综合执法局,更名\n"
        f"{REGION},203001,202001,并入\n", encoding="utf-8")
    assert queries.refresh(con, mappings) == "full"          # the mapping changed
    assert_as_full_rebuild(con, path, mappings)
    for record in [unit("云溪区城市管理和综合执法局", "204002", 2022, 88),  # the merged units go on
                   unit("云溪区民政局", "203001", 2023, 90),
                   unit("云溪区城市管理局", "204001", 2021, 93)]:     # the old name comes back for a year
        insert_record(con, record)
        assert queries.refresh(con, mappings) == "incremental"
        assert_as_full_rebuild(con, path, mappings)
    (mappings / "unit_sectors.csv").write_text("kind,value,sector,note\nkeyword,民政,社会保障,\n", encoding="utf-8")
    assert queries.refresh(con, mappings) == "full"
    assert_as_full_rebuild(con, path, mappings)
    assert queries.refresh(con) == "full"                    # back to the project's own files


def test_deleted_reports_and_years_follow(db):
    path, con = db
    tables = ["income", "expenditure", "three_public", "fixed_assets", "goals", "indicators", "cases",
              "narratives", "budget", "reports"]

    def delete(where: str) -> None:
        ids = [r[0] for r in con.execute(f"select report_id from reports where {where}").fetchall()]
        for table in tables:
            con.execute(f"delete from {table} where list_contains(?, report_id)", [ids])

    delete("unit_name = '云溪区卫生健康局' and fiscal_year = 2021")
    assert queries.refresh(con) == "incremental"
    assert_as_full_rebuild(con, path)
    delete("fiscal_year = 2020")                              # a whole year gone: its listings too
    assert queries.refresh(con) == "incremental"
    assert_as_full_rebuild(con, path)
    assert con.execute("select count(*) from q_stored_score_rank where fiscal_year = 2020").fetchone()[0] == 0
    assert not [t for t in derived(con) if t.endswith("_y2020")]
    delete("true")                                            # no reports left at all
    assert queries.refresh(con) == "incremental"
    assert_as_full_rebuild(con, path)
    insert_record(con, unit("云溪区教育局", "201001", 2024, 95))
    assert queries.refresh(con) == "incremental"
    assert_as_full_rebuild(con, path)


def test_when_refresh_rebuilds_in_full_and_what_the_dashboard_reads(db, monkeypatch):
    path, con = db
    assert queries.refresh(con) == "current"
    assert queries.refresh(con, full=True) == "full"
    # the derive scripts or a stored query's SQL changed: the fingerprint tells
    con.execute("update q_meta set derive_fingerprint = 'scripts of before'")
    insert_record(con, unit("云溪区教育局", "201001", 2023, 95))
    assert queries.refresh(con) == "full"
    # many reports changed at once: a full rebuild instead
    monkeypatch.setattr(queries, "FULL_MIN_CHANGED", 1)
    for year in range(2024, 2030):  # 6 of 21 reports: more than 20%
        insert_record(con, unit("云溪区教育局", "201001", year, 95))
    assert queries.refresh(con) == "full"
    monkeypatch.setattr(queries, "FULL_MIN_CHANGED", 2000)
    insert_record(con, unit("云溪区卫生健康局", "202001", 2022, 70))
    assert queries.refresh(con) == "incremental"
    assert queries.is_stale(con) is False
    # the stored listings read as before: the same frame as the live SQL, filtered or not
    for name, params in [("score_rank", {}), ("score_rank", {"year": 2022}), ("cost_per_output", {}),
                         ("budget_execution", {"units": ["云溪区教育局"]}), ("credibility_signals", {"year": 2022})]:
        assert queries.stored_sql(name, params) is not None
        pd.testing.assert_frame_equal(queries.run(name, con, **params), queries.run(name, con, use_stored=False, **params))
    assert_as_full_rebuild(con, path)
    # inside the caller's transaction: the same, committed with it
    con.execute("begin transaction")
    insert_record(con, unit("云溪区民政局", "203001", 2023, 77))
    assert queries.refresh(con) == "incremental"
    con.execute("commit")
    assert queries.is_stale(con) is False
    assert_as_full_rebuild(con, path)


def test_cli_refresh_says_what_it_did(tmp_path, capsys):
    from queries.__main__ import main as cli

    path = build_db(tmp_path / "cli.duckdb", corpus())
    assert cli(["--refresh", "--db", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith("(current)")
    con = duckdb.connect(str(path))
    insert_record(con, unit("云溪区教育局", "201001", 2023, 95))
    con.close()
    assert cli(["--refresh", "--db", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith("(incremental)")
    assert cli(["--refresh", "--full", "--db", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith("(full)")
