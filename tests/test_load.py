"""The loader: records into every table, reloads, replacement, one transaction
per report, and bad input that must fail alone, clearly, leaving the database
as it was. Expected values come from the hand-written seed record
(../shared/spec/examples) and from the seed document itself."""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import re
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

import etl.extract
import etl.load
from etl.config import Limits
from etl.db import open_db
from etl.load import load_files, store_record, unit_key

from tests.material import SEED, SEED_EXPECTED

TABLES = ["units", "reports", "income", "expenditure", "three_public", "fixed_assets", "goals",
          "indicators", "cases", "narratives", "budget", "documents"]
SEED_SHA = "3927cca020fb53be7b8408a24d6657e6dfc3722adb0ebf57305414eb4989cc7f"
SEED_KEY = "岳阳市云溪区|125002"
FAST = Limits(timeout_s=30)
LOG_COLUMNS = ("file_name, file_path, sha256, status, reason, report_id, replaced_report_id, unit_key, "
               "fiscal_year")


# --- helpers -------------------------------------------------------------------

def snapshot(db) -> dict:
    """Every table but the load log, as sorted rows (load times left out)."""
    con = duckdb.connect(str(db), read_only=True) if not isinstance(db, duckdb.DuckDBPyConnection) else db
    try:
        out = {}
        for table in TABLES:
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                [table]).fetchall() if c != "loaded_at"]
            rows = con.execute(f"select {', '.join(cols)} from {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        if con is not db:
            con.close()


def log_rows(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select file_name, status, reason, report_id, replaced_report_id, unit_key, fiscal_year "
                           "from load_log order by log_id").fetchall()


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def other_unit(text: str, code: str) -> str:
    """The seed as another unit's report (another budget code)."""
    assert text.count("125002") == 1
    return text.replace("125002", code)


def revised(text: str) -> str:
    """A corrected version of the seed: new phone, fixed assets 5.40 -> 6.40."""
    assert text.count("8414336") == 1 and text.count("\t5.40\n") == 4
    return text.replace("8414336", "8414337").replace("\t5.40\n", "\t6.40\n")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A one-page PDF whose page is a single grey image: a scan, no text layer."""
    image = bytes(range(0, 256, 4))  # 8x8 grey
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(image) + image + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def declared_size_bomb(data: bytes, declared: int = 0xFFFFFF00) -> bytes:
    """A zip whose central directory claims each member inflates to ~4 GB:
    refused on the header alone, and cheap to build."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        out[pos + 24:pos + 28] = declared.to_bytes(4, "little")  # uncompressed size
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "sub" / "reports.duckdb"  # a folder that does not exist yet


# --- store_record: the hand-written seed record into every table ----------------

def test_store_record_fills_every_table_with_the_records_values(tmp_path, seed_expected):
    con = open_db(tmp_path / "r.duckdb")
    data = SEED.read_bytes()
    status, rid = store_record(con, seed_expected, file_bytes=data, file_path=str(SEED))
    assert status == "loaded"

    assert con.execute("select * from units").fetchall() == [
        (SEED_KEY, "岳阳市云溪区", "云溪区劳动和社会保障监察大队", "125002", 2022, 2022)]
    rep = con.execute(
        "select unit_key, region, fiscal_year, unit_name, budget_code, evaluation_method, evaluator, report_date,"
        " contact, phone, staff_quota, staff_actual, self_score, grade, is_demo, file_name, sha256, format,"
        " money_unit, template, warnings from reports").fetchall()
    assert rep == [(SEED_KEY, "岳阳市云溪区", 2022, "云溪区劳动和社会保障监察大队", "125002", "部门（单位）绩效自评",
                    "部门（单位）评价组", datetime.date(2023, 7, 21), "岳阳市云溪区劳动和社会保障监察大队", "8414336",
                    6, 7, 90.0, "三级", False, "yunxi-2022-labor-inspection-brigade.txt", SEED_SHA, "txt", "万元",
                    "yueyang-yunxi-2022", [])]
    functions, completion, record_json = con.execute(
        "select functions, goals_completion, record_json from reports").fetchone()
    assert functions == "为劳动用工提供监督管理保障，劳动用工监察及劳动用工纠纷调查处理。"
    assert completion.startswith("妥处欠薪投诉924件")
    assert json.loads(record_json) == seed_expected

    # Money: blank cells stay NULL, never 0; the empty 三公 table has no rows.
    assert con.execute("select row_no, org, total, carryover, fiscal_appropriation, fund_appropriation,"
                       " special_account_income, other_income from income order by row_no").fetchall() == [
        (1, "汇总", 85.53, None, 85.53, None, None, None),
        (2, "劳动监察大队", 85.53, None, 85.53, None, None, None)]
    assert con.execute("select org, total, basic, personnel, public, project, surplus_year, surplus_cumulative"
                       " from expenditure order by row_no").fetchall() == [
        ("汇总", 85.53, 85.23, 78.83, 6.4, 0.3, None, None),
        ("劳动监察大队", 85.53, 85.23, 78.83, 6.4, 0.3, None, None)]
    assert con.execute("select count(*) from three_public").fetchone() == (0,)
    assert con.execute("select org, total, in_use, leased, other from fixed_assets order by row_no").fetchall() == [
        ("汇总", 5.4, 5.4, None, None), ("劳动监察大队", 5.4, 5.4, None, None)]

    goals = con.execute("select seq, row_no, text from goals order by row_no").fetchall()
    assert [g[:2] for g in goals] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    assert goals[4][2] == "受理工伤事故快报79件。"

    ind = con.execute("select row_no, level1, level2, seq, name, target_text, actual_text, actual_value,"
                      " actual_unit, weight, score, deviation_reason from indicators order by row_no").fetchall()
    assert len(ind) == 17
    assert ind[0] == (1, "产出目标", "质量指标", 1, "资金发放到位率", None, "100%", 100.0, "%", None, None, None)
    assert ind[10] == (11, "产出目标", "时效指标", 1, "资金发放及时率", None, "按时完成", None, None, None, None, None)
    assert ind[16][1:5] == ("效益目标", "社会公众或服务对象满意度", 1, "农民工满意度")
    assert ind[16][7:9] == (95.0, "%")

    assert con.execute("select row_no, category, channel, channel_label, count, amount_wan, approx"
                       " from cases order by row_no").fetchall() == [
        (1, "欠薪投诉", "total", "欠薪投诉", 924, 3800.0, True),
        (2, "欠薪投诉", "national_platform", "国家欠薪平台", 113, None, False),
        (3, "欠薪投诉", "leader_mailbox", "省、市长信箱交办", 10, None, False),
        (4, "欠薪投诉", "hotline_12345", "12345投诉", 435, None, False),
        (5, "欠薪投诉", "walk_in", "现场投诉", 366, None, False)]

    narr = dict(con.execute("select section, text from narratives").fetchall())
    assert sorted(narr) == sorted(["overview", "basic_expenditure", "project_expenditure", "government_fund",
                                   "state_capital", "social_insurance_fund", "performance", "problems",
                                   "improvements", "other"])
    assert narr["other"] == "无"
    assert narr["government_fund"] == "2022年度我单位无政府性基金预算支出。"

    assert con.execute("select sha256, file_name, format, size_bytes, content = ? from documents",
                       [data]).fetchall() == [(SEED_SHA, "yunxi-2022-labor-inspection-brigade.txt", "txt",
                                               17081, True)]
    assert con.execute("select status, report_id, replaced_report_id, unit_key, fiscal_year, file_path"
                       " from load_log").fetchall() == [("loaded", rid, None, SEED_KEY, 2022, str(SEED))]
    # Every child row hangs off the one report.
    for table in TABLES[2:10]:
        assert con.execute(f"select count(*) from {table} where report_id <> ?", [rid]).fetchone() == (0,)


def test_unit_key_and_units_across_years(tmp_path, seed_expected):
    assert unit_key({"region": "岳阳市云溪区", "budget_code": " 125002 ", "unit_name": "x"}) == SEED_KEY
    # Without a budget code: the name with whitespace removed, brackets normalised.
    assert unit_key({"region": "岳阳市云溪区", "budget_code": None,
                     "unit_name": "云溪区 民政局（本级）"}) == "岳阳市云溪区|云溪区民政局(本级)"

    con = open_db(tmp_path / "r.duckdb")
    later = json.loads(json.dumps(seed_expected))
    later["report"].update(fiscal_year=2023, unit_name="云溪区劳动保障监察大队")
    later["source"].update(sha256="b" * 64, demo=True)
    earlier = json.loads(json.dumps(seed_expected))
    earlier["report"].update(fiscal_year=2021, unit_name="旧名称")
    earlier["source"]["sha256"] = "a" * 64
    for rec in (later, seed_expected, earlier):
        assert store_record(con, rec)[0] == "loaded"
    # The latest year's name wins whatever order the years arrive in.
    assert con.execute("select unit_key, unit_name, first_year, last_year from units").fetchall() == [
        (SEED_KEY, "云溪区劳动保障监察大队", 2021, 2023)]
    assert con.execute("select fiscal_year, is_demo from reports order by 1").fetchall() == [
        (2021, False), (2022, False), (2023, True)]
    assert con.execute("select count(*) from documents").fetchone() == (0,)  # no bytes given


def test_store_record_refuses_a_record_without_year_or_unit(tmp_path, seed_expected):
    con = open_db(tmp_path / "r.duckdb")
    rec = json.loads(json.dumps(seed_expected))
    rec["report"]["fiscal_year"] = None
    with pytest.raises(ValueError, match="缺少年度"):
        store_record(con, rec)
    assert all(rows == [] for rows in snapshot(con).values())


# --- one transaction per report ------------------------------------------------------

def test_a_store_failing_midway_leaves_no_partial_report(tmp_path, seed_expected, monkeypatch):
    con = open_db(tmp_path / "r.duckdb")
    # The narratives insert is the last child table written: everything else
    # of the report is in by then.
    monkeypatch.setattr(etl.load, "_NARRATIVE_SQL", "insert into no_such_table values (?, ?, ?)")
    with pytest.raises(duckdb.Error):
        store_record(con, seed_expected, file_bytes=SEED.read_bytes())
    assert all(rows == [] for rows in snapshot(con).values())
    assert con.execute("select count(*) from load_log").fetchone() == (0,)


def test_a_replacement_failing_midway_keeps_the_previous_report(tmp_path, seed_expected, monkeypatch):
    con = open_db(tmp_path / "r.duckdb")
    store_record(con, seed_expected, file_bytes=SEED.read_bytes())
    before = snapshot(con)
    newer = json.loads(json.dumps(seed_expected))
    newer["source"]["sha256"] = "c" * 64
    newer["income"][0]["total"] = 99.0
    monkeypatch.setattr(etl.load, "_NARRATIVE_SQL", "insert into no_such_table values (?, ?, ?)")
    with pytest.raises(duckdb.Error):
        store_record(con, newer, file_bytes=b"newer file")
    assert snapshot(con) == before  # the deletes of the old report were rolled back too


@pytest.mark.parametrize("batch", [1, etl.load.BATCH_REPORTS])
def test_load_reports_a_store_failure_as_a_failed_file(db, tmp_path, monkeypatch, batch):
    # Batched, the failing report fails its batch, which is stored again one report per
    # transaction: the bad one is named, the other still loads, nothing half-written stays.
    write(tmp_path / "in" / "b.txt", other_unit(seed_text(), "900001"))
    bad = write(tmp_path / "in" / "a.txt", seed_text())
    write(tmp_path / "in" / "c.txt", other_unit(seed_text(), "900002"))
    real = etl.load._report_values

    def failing(key, record, *args):
        if record["report"]["budget_code"] == "125002":
            raise duckdb.ConstraintException("simulated failure")
        return real(key, record, *args)

    monkeypatch.setattr(etl.load, "_report_values", failing)
    summary = load_files([tmp_path / "in"], db, FAST, batch_reports=batch)
    assert (summary.loaded, summary.failed) == (2, 1)
    assert summary.failures == [(str(bad), "无法写入数据库（simulated failure）")]
    assert [r[:3] for r in log_rows(db)] == [("a.txt", "failed", "无法写入数据库（simulated failure）"),
                                             ("b.txt", "loaded", None), ("c.txt", "loaded", None)]
    assert [r[1] for r in snapshot(db)["reports"]] == ["岳阳市云溪区|900001", "岳阳市云溪区|900002"]
    assert len(snapshot(db)["documents"]) == 2


def test_the_writer_thread_failing_stops_the_load_with_its_error(db, tmp_path, monkeypatch):
    # The writer runs in a thread of its own (load_files): what it raises is raised to the caller.
    for i in range(3):
        write(tmp_path / "in" / f"{i}.txt", other_unit(seed_text(), f"90000{i}"))

    def broken(self, item):
        raise RuntimeError("writer broke")

    monkeypatch.setattr(etl.load.BatchWriter, "add", broken)
    with pytest.raises(RuntimeError, match="writer broke"):
        load_files([tmp_path / "in"], db, FAST)


def test_an_interrupted_load_keeps_whole_batches_only(db, tmp_path):
    # Ctrl-C while files are read (here: from the progress callback): the writer stops, and
    # what is stored is whole reports of committed batches, never half of one.
    for i in range(4):
        write(tmp_path / "in" / f"{i}.txt", other_unit(seed_text(), f"90000{i}"))

    def interrupt(done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_files([tmp_path / "in"], db, FAST, on_progress=interrupt, batch_reports=2)
    tables = snapshot(db)
    stored = {r[0] for r in tables["reports"]}
    assert len(stored) in (0, 2)  # the first batch of two, if the writer got to it
    assert len(tables["documents"]) == len(stored)


def test_a_batch_stores_what_one_report_per_transaction_stores(tmp_path):
    """Batched and one by one give the same tables and load log: new reports, a replacement
    and an unchanged file within one batch, and one across batches (a second run)."""
    folder = tmp_path / "in"
    write(folder / "a.txt", seed_text())
    write(folder / "b.txt", other_unit(seed_text(), "900001"))
    write(folder / "c.txt", revised(seed_text()))       # replaces a.txt, in the same batch
    write(folder / "d.txt", seed_text())                 # a.txt again: replaces c.txt
    write(folder / "e.txt", "静夜思\n床前明月光。\n")     # fails
    second = write(tmp_path / "second" / "f.txt", revised(other_unit(seed_text(), "900001")))
    outcomes = []
    for batch in (1, etl.load.BATCH_REPORTS):
        db = tmp_path / f"b{batch}.duckdb"
        first = load_files([folder], db, FAST, batch_reports=batch)
        again = load_files([folder, second], db, FAST, batch_reports=batch)
        with duckdb.connect(str(db), read_only=True) as con:
            log = con.execute(f"select log_id, {LOG_COLUMNS} from load_log order by log_id").fetchall()
        outcomes.append((first.line(), first.failures, again.line(), snapshot(db), log))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "已导入 2 份，替换 2 份，未变 0 份，失败 1 份"
    # a, b unchanged; c replaces a, d (skipped as current when queued) replaces c, f replaces b
    assert outcomes[0][2] == "已导入 0 份，替换 3 份，未变 2 份，失败 1 份"


def test_an_outside_written_database_is_loaded_into(tmp_path):
    """Report and log ids written by other means than the loader (a benchmark's builder, a restore)
    do not collide with the next ones: the sequences are drawn past them."""
    db = tmp_path / "r.duckdb"
    load_files([SEED], db, FAST)
    with duckdb.connect(str(db)) as con:
        con.execute("update reports set report_id = 500")
        con.execute("update load_log set log_id = 70")
    summary = load_files([write(tmp_path / "b.txt", other_unit(seed_text(), "900001"))], db, FAST)
    assert summary.loaded == 1 and summary.failed == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select max(report_id) from reports").fetchone()[0] > 500
        assert con.execute("select max(log_id) from load_log").fetchone()[0] > 70


# --- load_files: the seed end to end, reload, replacement ------------------------

def test_load_seed_then_reload_changes_nothing(db):
    summary = load_files([SEED], db, FAST)
    assert (summary.loaded, summary.replaced, summary.unchanged, summary.failed) == (1, 0, 0, 0)
    assert summary.exit_code == 0
    assert summary.line() == "已导入 1 份，替换 0 份，未变 0 份，失败 0 份"
    first = snapshot(db)
    counts = {t: len(rows) for t, rows in first.items()}
    assert counts == {"units": 1, "reports": 1, "income": 2, "expenditure": 2, "three_public": 0,
                      "fixed_assets": 2, "goals": 5, "indicators": 17, "cases": 5, "narratives": 10, "budget": 0,
                      "documents": 1}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select unit_key, fiscal_year, sha256, self_score from reports").fetchall() == [
            (SEED_KEY, 2022, SEED_SHA, 90.0)]
        assert con.execute("select total, carryover from income where org = '汇总'").fetchall() == [(85.53, None)]

    again = load_files([SEED, SEED], db, FAST)  # listed twice: counted once
    assert (again.loaded, again.replaced, again.unchanged, again.failed) == (0, 0, 1, 0)
    assert snapshot(db) == first
    assert [r[1] for r in log_rows(db)] == ["loaded", "unchanged"]


def test_the_load_log_keeps_who_loaded(db, tmp_path):
    load_files([SEED, tmp_path / "missing.txt"], db, FAST, loaded_by="张三")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status, loaded_by from load_log order by log_id").fetchall() == [
            ("loaded", "张三"), ("failed", "张三")]


def test_an_older_database_gains_the_loaded_by_column(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # the load log as it was before loaded_by
        con.execute("create sequence load_log_id_seq start 1")
        con.execute("create table load_log (log_id bigint primary key default nextval('load_log_id_seq'), "
                    "loaded_at timestamp not null default current_timestamp, file_name varchar not null, "
                    "file_path varchar, sha256 varchar, status varchar not null, reason varchar, report_id bigint, "
                    "replaced_report_id bigint, unit_key varchar, fiscal_year integer)")
        con.execute("insert into load_log (file_name, status) values ('old.txt', 'failed')")
    summary = load_files([SEED], path, FAST, loaded_by="李四")
    assert summary.loaded == 1
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select file_name, loaded_by from load_log order by log_id").fetchall() == [
            ("old.txt", None), (SEED.name, "李四")]


def test_a_failed_refresh_is_an_error_not_silence(db, monkeypatch):
    import queries

    def broken(con, data_dir=None):
        raise RuntimeError("simulated refresh failure")

    monkeypatch.setattr(queries, "refresh", broken)
    summary = load_files([SEED], db, FAST)
    assert summary.loaded == 1 and summary.exit_code == 1
    assert summary.refresh_error.startswith("汇总表刷新失败，报告已入库（simulated refresh failure）")


def test_a_revised_file_replaces_the_report_and_the_log_keeps_both(db, tmp_path):
    load_files([SEED], db, FAST)
    old_id = snapshot(db)["reports"][0][0]
    revised_file = write(tmp_path / "revised" / "监察大队2022.txt", revised(seed_text()))

    summary = load_files([revised_file], db, FAST)
    assert (summary.loaded, summary.replaced, summary.unchanged) == (0, 1, 0)
    after = snapshot(db)
    assert len(after["reports"]) == 1 and len(after["units"]) == 1
    with duckdb.connect(str(db), read_only=True) as con:
        new_id, phone, name = con.execute("select report_id, phone, file_name from reports").fetchone()
        assert new_id != old_id and phone == "8414337" and name == "监察大队2022.txt"
        assert con.execute("select total, in_use from fixed_assets order by row_no").fetchall() == [
            (6.4, 6.4), (6.4, 6.4)]
        # No child row of the old report is left; the new one has a full set.
        for table, n in [("income", 2), ("expenditure", 2), ("fixed_assets", 2), ("goals", 5),
                         ("indicators", 17), ("cases", 5), ("narratives", 10)]:
            assert con.execute(f"select count(*) from {table} where report_id = ?", [old_id]).fetchone() == (0,)
            assert con.execute(f"select count(*) from {table} where report_id = ?", [new_id]).fetchone() == (n,)
        # Both originals are kept: the dashboard can offer either.
        assert con.execute("select count(*) from documents").fetchone() == (2,)
    assert log_rows(db) == [
        ("yunxi-2022-labor-inspection-brigade.txt", "loaded", None, old_id, None, SEED_KEY, 2022),
        ("监察大队2022.txt", "replaced", None, new_id, old_id, SEED_KEY, 2022)]

    # Loading the first file again makes it current again (the latest load wins).
    back = load_files([SEED], db, FAST)
    assert back.replaced == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select sha256, phone from reports").fetchall() == [(SEED_SHA, "8414336")]


def test_two_files_of_one_unit_year_in_one_run_the_later_wins(db, tmp_path):
    # Also the path where a file already current at queue time has been
    # replaced by an earlier file of the same run before its turn comes.
    load_files([SEED], db, FAST)
    rev = write(tmp_path / "rev.txt", revised(seed_text()))
    summary = load_files([rev, SEED], db, FAST)
    assert (summary.replaced, summary.unchanged, summary.failed) == (2, 0, 0)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select sha256 from reports").fetchall() == [(SEED_SHA,)]


def test_folders_are_walked_and_side_files_skipped(db, tmp_path):
    root = tmp_path / "corpus"
    write(root / "a.txt", seed_text())
    write(root / "a.json", SEED_EXPECTED.read_bytes())           # expected record beside a demo document
    write(root / "~$a.docx", b"\x00lock")                         # Word's lock file
    write(root / ".hidden.txt", b"x")
    write(root / "notes.md", b"# not a report type")
    write(root / "page_files" / "frame.htm", b"<html>a saved page's frame</html>")
    write(root / "deeper" / "b.txt", other_unit(seed_text(), "900002"))
    summary = load_files([root], db, FAST)
    assert (summary.loaded, summary.failed) == (2, 0)
    assert sorted(r[1] for r in snapshot(db)["units"]) == ["岳阳市云溪区", "岳阳市云溪区"]
    assert [r[0] for r in log_rows(db)] == ["a.txt", "b.txt"]


def test_zip_archive_members_are_loaded_and_unsafe_ones_refused(db, tmp_path):
    inner = zip_of({"x.txt": seed_text().encode()})
    archive = write(tmp_path / "batch.zip", zip_of({
        "2022/a.txt": seed_text().encode(),
        "2022/a.json": SEED_EXPECTED.read_bytes(),
        "2022/b.txt": other_unit(seed_text(), "900003").encode(),
        "nested.zip": inner,
        "../evil.txt": other_unit(seed_text(), "900004").encode(),
    }))
    summary = load_files([archive], db, FAST)
    assert (summary.loaded, summary.failed) == (2, 2)
    reasons = dict(summary.failures)
    assert reasons[f"{archive}/nested.zip"].startswith("压缩包中的压缩包不处理：请先解压")
    assert reasons[f"{archive}/../evil.txt"] == "压缩包内的文件路径不安全（指向压缩包以外），已拒绝"
    assert sorted(r[0] for r in snapshot(db)["units"]) == [SEED_KEY, "岳阳市云溪区|900003"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(con.execute("select file_name from reports").fetchall()) == [("a.txt",), ("b.txt",)]
        assert con.execute("select file_path from load_log where status = 'loaded' order by log_id").fetchall() == [
            (f"{archive}/2022/a.txt",), (f"{archive}/2022/b.txt",)]


# --- bad input: one clear line each, the rest loaded, the database unchanged ----------

def bad_inputs(folder: Path) -> dict[str, Path]:
    """Each class of bad input from the issue, built here."""
    small_docx = docx_bytes(["部门（单位）名称：测试"] * 5)
    bomb_member = b"\0" * (20 * 1024 * 1024)  # deflates ~1000:1
    return {
        "empty": write(folder / "empty.docx", b""),
        "not a zip": write(folder / "not-a-zip.docx", "这是一个纯文本文件，扩展名却是 docx。\n"),
        "truncated docx": write(folder / "truncated.docx", small_docx[: len(small_docx) // 2]),
        "truncated zip": write(folder / "truncated.zip", zip_of({"a.txt": seed_text().encode()})[:3000]),
        "not a report (docx)": write(folder / "poem.docx", docx_bytes(["静夜思", "床前明月光，疑是地上霜。",
                                                                      "举头望明月，低头思故乡。"])),
        "not a report (txt)": write(folder / "poem.txt", "静夜思\n\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n"),
        "scanned pdf": write(folder / "scan.pdf", image_only_pdf()),
        "huge": write(folder / "huge.txt", seed_text() + "　" * 400_000),       # ~1.2 MB, limit 1 MB below
        "declared bomb zip": write(folder / "bomb.zip", declared_size_bomb(zip_of({"r.txt": seed_text().encode()}))),
        "ratio bomb zip": write(folder / "zeros.zip", zip_of({"r.txt": bomb_member})),
        "declared bomb docx": write(folder / "bomb.docx", declared_size_bomb(small_docx)),
    }


def test_each_bad_input_fails_alone_with_one_clear_line(db, tmp_path):
    load_files([SEED], db, FAST)
    before = snapshot(db)
    bad = bad_inputs(tmp_path / "bad")
    good = write(tmp_path / "good" / "other.txt", other_unit(seed_text(), "900005"))
    limits = dataclasses.replace(FAST, max_file_mb=1)

    summary = load_files([SEED, *bad.values(), good], db, limits)
    assert (summary.loaded, summary.unchanged, summary.failed) == (1, 1, len(bad))
    assert summary.exit_code == 1
    reasons = dict(summary.failures)
    # An archive refused as a whole is named by itself; a refused member by its path inside.
    names = {kind: str(path) + ("/r.txt" if kind == "ratio bomb zip" else "") for kind, path in bad.items()}
    assert sorted(reasons) == sorted(names.values())
    for reason in reasons.values():
        assert reason and "\n" not in reason and "Traceback" not in reason
    r = {kind: reasons[name] for kind, name in names.items()}
    assert r["empty"].startswith("空文件")
    assert r["huge"] == "文件过大：1.2 MB，超过上限 1 MB"
    assert r["declared bomb zip"].startswith("压缩包解压后将达 4096.0 MB，超过上限")
    assert r["declared bomb zip"].endswith("已拒绝（未解压）")
    assert r["ratio bomb zip"].startswith("疑似压缩炸弹") and "已拒绝（未解压）" in r["ratio bomb zip"]
    assert r["truncated zip"].startswith("不是可读的 zip 压缩包")
    assert r["not a report (txt)"] == "不是绩效自评报告：未找到“部门（单位）名称”"
    assert r["not a report (docx)"] == "不是绩效自评报告：未找到“部门（单位）名称”"
    assert r["scanned pdf"].startswith("扫描版 PDF：没有文字层")
    assert r["not a zip"].startswith("不是有效的 Word 文档（.docx）：文件不是 zip 压缩包")
    for reason in reasons.values():  # said in Chinese, whatever the technical detail in brackets
        assert re.search(r"[\u4e00-\u9fff]", reason.split("（")[0]), reason
    for kind in ("truncated docx", "declared bomb docx"):
        assert r[kind], kind  # the reader's own words; what matters is one line and nothing stored

    after = snapshot(db)
    # The database differs from before by exactly the good new file.
    with duckdb.connect(str(db), read_only=True) as con:
        (new_id,) = con.execute("select report_id from reports where unit_key = '岳阳市云溪区|900005'").fetchone()
        new_sha = hashlib.sha256(good.read_bytes()).hexdigest()
    for table, rows in after.items():
        if table == "units":
            rows = [x for x in rows if x[0] != "岳阳市云溪区|900005"]
        elif table == "documents":
            rows = [x for x in rows if x[0] != new_sha]
        else:
            rows = [x for x in rows if x[0] != new_id]
        assert rows == before[table], table
    failed_log = [row for row in log_rows(db) if row[1] == "failed"]
    assert sorted((row[0], row[2]) for row in failed_log) == sorted(
        (Path(name).name, reasons[name]) for name in names.values())


@pytest.mark.slow  # waits out a time limit
def test_a_file_that_hangs_is_stopped_at_the_time_limit(db, tmp_path, monkeypatch):
    real = etl.extract.extract_bytes

    def sometimes_slow(data, file_name, limits=Limits()):
        if file_name.startswith("slow"):
            time.sleep(60)
        return real(data, file_name, limits)

    monkeypatch.setattr(etl.extract, "extract_bytes", sometimes_slow)
    slow = write(tmp_path / "slow.txt", other_unit(seed_text(), "900006"))
    start = time.monotonic()
    summary = load_files([slow, SEED], db, dataclasses.replace(FAST, timeout_s=1))
    assert time.monotonic() - start < 20
    assert summary.failures == [(str(slow), "处理超时（超过 1 秒），已中止")]
    assert summary.loaded == 1
    assert [r[0] for r in snapshot(db)["units"]] == [SEED_KEY]


def test_memory_and_crashes_in_the_extractor_fail_only_their_file(db, tmp_path, monkeypatch):
    real = etl.extract.extract_bytes

    def misbehaving(data, file_name, limits=Limits()):
        if file_name.startswith("hog"):
            blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, past any cap
            return {"n": len(blocks)}
        if file_name.startswith("crash"):
            import os
            os.abort()
        if file_name.startswith("bug"):
            raise KeyError("indicators")
        return real(data, file_name, limits)

    monkeypatch.setattr(etl.extract, "extract_bytes", misbehaving)
    files = [write(tmp_path / f"{n}.txt", other_unit(seed_text(), code))
             for n, code in [("hog", "900007"), ("crash", "900008"), ("bug", "900009")]]
    summary = load_files([*files, SEED], db, dataclasses.replace(FAST, memory_mb=256))
    assert dict(summary.failures) == {
        str(files[0]): "读取时占用内存超过 256 MB，已中止",
        str(files[1]): "读取程序崩溃（SIGABRT），请把此文件交给技术人员处理",
        str(files[2]): "读取程序出错，请把此文件交给技术人员处理（KeyError: 'indicators'）",
    }
    assert summary.loaded == 1


def test_extract_isolated_one_file(tmp_path):
    from etl.document import ExtractError
    from etl.isolate import extract_isolated
    record = extract_isolated(path=str(SEED), limits=FAST)
    assert record["report"]["unit_name"] == "云溪区劳动和社会保障监察大队"
    with pytest.raises(ExtractError, match="^空文件"):
        extract_isolated(data=b"", file_name="x.txt", limits=FAST)


def test_pool_yields_outcomes_in_the_order_of_the_tasks(monkeypatch):
    from etl.isolate import ExtractPool, Task

    def uneven(path, limits=Limits()):
        time.sleep(0.3 if path == "0" else 0.01)  # the first finishes last
        return {"path": path}

    monkeypatch.setattr(etl.extract, "extract_file", uneven)
    tasks = [Task(str(i), path=str(i), extract=(i != 3)) for i in range(12)]
    with ExtractPool(FAST, workers=2) as pool:
        outcomes = list(pool.map(tasks))
    assert [o.task.name for o in outcomes] == [str(i) for i in range(12)]
    assert [o.record for o in outcomes][:4] == [{"path": "0"}, {"path": "1"}, {"path": "2"}, None]


def test_gbk_member_names_from_chinese_windows_zips_are_decoded(db, tmp_path):
    class GbkName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):  # what Windows' built-in zip writes: GBK, no UTF-8 flag
            return self.filename.encode("gbk"), self.flag_bits & ~0x800

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(GbkName("云溪区/监察大队.txt"), SEED.read_bytes())
    archive = write(tmp_path / "报告.zip", buf.getvalue())
    assert load_files([archive], db, FAST).loaded == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select file_name from reports").fetchall() == [("监察大队.txt",)]
        assert con.execute("select file_path from load_log").fetchall() == [(f"{archive}/云溪区/监察大队.txt",)]
