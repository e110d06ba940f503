"""The 导入报告 preview's logic (ui/upload.py), without Streamlit: what confirming will do with
each file (plan), the figures read back through the query layer (figure_candidates), and the
lookup of the database's current reports (queries/import_matches.sql). The page itself is
tested in tests/test_pages.py."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import queries
from tests.dbfactory import seed_record, variant
from tests.pagedata import SEED_TEXT, UNIT_A, UNIT_B, build_sample_db
from ui import upload
from ui.upload import Candidate


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("upload") / "sample.duckdb")


def cand(name: str, sha: str | None, year: int | None = 2022, key: str = UNIT_A, error: str | None = None) -> Candidate:
    record = None if error else {"report": {"unit_name": "某局", "fiscal_year": year}, "source": {}}
    return Candidate(name, name, sha=sha, error=error, record=record, unit_key=None if error else key)


CURRENT = pd.DataFrame([
    {"report_id": 1, "unit_key": UNIT_A, "fiscal_year": 2022, "unit_name": "甲", "file_name": "甲2022.docx",
     "sha256": "aaa", "loaded_at": pd.Timestamp("2025-03-04 10:00"), "is_demo": False},
    {"report_id": 2, "unit_key": UNIT_B, "fiscal_year": 2021, "unit_name": "乙", "file_name": "乙2021.pdf",
     "sha256": "bbb", "loaded_at": pd.Timestamp("2024-11-30 09:00"), "is_demo": False},
])


def test_plan_says_before_confirming_what_each_file_will_do():
    files = [cand("同一文件.docx", "aaa"), cand("乙新版.docx", "ccc", 2021, UNIT_B), cand("丙.docx", "ddd", 2023),
             cand("同一文件 - 副本.docx", "aaa"), cand("坏.pdf", "eee", error="PDF 文件已损坏，无法打开")]
    upload.plan(files, CURRENT)
    assert [c.plan for c in files] == ["unchanged", "replace", "new", "duplicate", "failed"]
    assert [c.plan_text for c in files] == [
        "已在库中（同一文件，2025年3月4日导入）",
        "将替换 2021年 的报告（乙2021.pdf，2024年11月30日导入）",
        "新报告",
        "本批重复（与 同一文件.docx 相同）",
        "无法导入：PDF 文件已损坏，无法打开",
    ]


def test_two_files_of_one_unit_year_in_a_batch_the_later_replaces_the_earlier():
    files = [cand("初稿.docx", "x1", 2023), cand("定稿.docx", "x2", 2023), cand("定稿 (1).docx", "x2", 2023)]
    upload.plan(files, CURRENT.iloc[0:0])
    assert [c.plan for c in files] == ["new", "replace", "duplicate"]
    assert files[0].plan_text == "新报告；随后被本批 定稿.docx 替换"
    assert files[1].plan_text == "将替换 2023年 的报告（本批 初稿.docx）"
    # the same broken file twice is one failure, logged once
    broken = [cand("坏.pdf", "e", error="读不了"), cand("坏 - 副本.pdf", "e", error="读不了")]
    assert [c.plan for c in upload.plan(broken, CURRENT.iloc[0:0])] == ["failed", "duplicate"]


def test_the_preview_figures_are_the_dashboards():
    seed = seed_record()
    prose = variant(seed, report__budget_code="125099", report__unit_name="云溪区某局",
                    source__warnings=["支出表：第3行无法读取，已跳过", "第二条"])
    files = [Candidate("a.txt", "a.txt", sha="1" * 64, record=seed, unit_key=UNIT_A),
             Candidate("b.txt", "b.txt", sha="2" * 64, record=prose, unit_key="岳阳市云溪区|125099"),
             Candidate("c.txt", "c.txt", sha="3" * 64, record=variant(seed, report__fiscal_year=None)),
             Candidate("d.pdf", "d.pdf", error="读不了")]
    upload.figure_candidates(files)
    a, b, c, d = (f.figures for f in files)
    assert a["expenditure_total"] == 85.53 and a["execution_rate"] == 88.97 and a["self_score"] == 90
    assert a["budget_wan"] is None  # the seed states no budget: blank, not 0
    assert a["warning_count"] == 0 and a["first_warning"] is None and a["mismatches"] == 0
    assert b["warning_count"] == 2 and b["first_warning"] == "支出表：第3行无法读取，已跳过"
    # the loader's own refusal shows in the preview, not only on confirming
    assert files[2].error == "报告记录缺少年度，无法入库" and not files[2].ok and c == {}
    assert d == {}
    frame = upload.preview_frame(files)
    assert list(frame.columns) == upload.PREVIEW_COLUMNS + ["is_demo"]
    assert frame["budget_wan"].isna().all() and frame["mismatches"].tolist()[:2] == [0, 0]


def test_import_matches_finds_the_same_file_and_the_same_unit(sample_db):
    sha = hashlib.sha256(SEED_TEXT.read_bytes()).hexdigest()
    same = queries.run("import_matches", sample_db, sha256s=[sha], unit_keys=[])
    assert same[["unit_key", "fiscal_year"]].values.tolist() == [[UNIT_A, 2022]]
    units = queries.run("import_matches", sample_db, sha256s=["nope"], unit_keys=[UNIT_B])
    assert units["fiscal_year"].tolist() == [2021, 2022] and units["loaded_at"].notna().all()
    assert queries.run("import_matches", sample_db).empty
