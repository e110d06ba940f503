"""The 通报 and the one-unit brief (bureau/circular.py): generated on tests/pagedata.py's small
database and opened again — python-docx reads the title, the ranking and the 等次 table; pdfplumber
reads the PDF's text, page numbers and A4 size. PDF tests run LibreOffice (slow)."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from docx import Document

from bureau import circular
from bureau.documents import DocumentError
from pagedata import NAMES, UNIT_A, UNIT_D, build_sample_db

ROOT = Path(__file__).resolve().parent.parent
needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("circular") / "sample.duckdb")


@pytest.fixture()
def data(sample_db) -> circular.CircularData:
    d = circular.gather(2022, "岳阳市云溪区", db=str(sample_db))
    sha = d.reports.loc[(d.reports["unit_key"] == UNIT_D) & (d.reports["fiscal_year"] == 2022), "sha256"].iloc[0]
    # a review as bureau.store returns it: its comment carries markup, which must stay text
    d.reviews = pd.DataFrame([{"unit_key": UNIT_D, "fiscal_year": 2022, "review_score": 82.5, "review_grade": "良",
                               "review_comment": "<b>已核实</b>", "reviewer": "张三",
                               "reviewed_at": pd.Timestamp("2026-12-01"), "reviewed_sha256": sha}])
    d.samples = pd.DataFrame([{"sample_id": 1, "fiscal_year": 2022, "rule": "随机抽取 1 个单位（种子 7）", "seed": 7,
                               "drawn_by": "李四", "drawn_at": pd.Timestamp("2026-12-02 10:00"),
                               "unit_key": UNIT_A, "unit_name": NAMES[UNIT_A], "reason": "随机<i>抽取</i>"}])
    d.store_available = True
    d.chart = b""  # no browser in the fast tests: the document says the chart is missing
    return d


def tables_text(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_figures_ranking_and_grades(data):
    figs = circular.key_figures(data).set_index("项目")
    assert figs.loc["报告数（份）"].tolist() == ["4", "2", "+2"]
    assert figs.loc["支出合计（万元）", "本年"] == "1,985.53"
    ranked = circular.ranking(data)
    # 卫生健康局: self 78, reviewed 82.5 -> 良 from the review
    d = ranked[ranked["unit_key"] == UNIT_D].iloc[0]
    assert d["review_score"] == 82.5 and d["final_grade"] == "良" and d["grade_source"] == "复核"
    assert list(ranked["rank"]) == [1, 2, 3, 4]
    grades = circular.grade_table(data).set_index("等次")
    assert grades.loc["优", "单位数"] == 2 and "云溪区卫生健康局" in grades.loc["良", "单位"]


def test_the_chart_counts_self_and_review_scores_in_the_same_bands(data):
    bins = circular.score_bins(data)
    counts = bins.pivot_table(index="bin_label", columns="series", values="reports", aggfunc="sum")
    selfs = circular.scored(data, 2022)["self_score"].dropna()
    assert counts["自评得分"].sum() == len(selfs) and counts["复核得分"].sum() == 1
    assert counts.loc["80–85", "复核得分"] == 1 and counts.loc["<60", "复核得分"] == 0
    fig, rows = circular.distribution_figure(data)
    assert {t.name for t in fig.data} == {"自评得分", "复核得分"} and "复核得分" in fig.layout.title.text
    doc = Document(io.BytesIO(circular.to_docx(data)))
    dist = next(t for t in tables_text(doc) if t[0][0] == "得分区间")
    assert dist[0][1:] == ["2021年自评（份）", "2022年自评（份）", "2022年复核（份）"]
    assert {r[0]: r[3] for r in dist[1:]}["80–85"] == "1"


def test_a_replaced_report_is_not_counted_as_reviewed(data):
    data.reviews.loc[0, "reviewed_sha256"] = "another file"
    d = circular.ranking(data).set_index("unit_key").loc[UNIT_D]
    assert bool(d["review_stale"]) and pd.isna(d["review_score"]) and d["grade_source"] == "自评"


def test_word_file_holds_title_ranking_and_grade_table(data):
    doc = Document(io.BytesIO(circular.to_docx(data)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "岳阳市云溪区2022年度" in text and "部门整体支出绩效自评情况通报" in text
    # the date of the data, as 总览 and every download give it
    assert re.search(r"^数据截至：\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", text, re.M) and data.data_as_of in text
    tables = tables_text(doc)
    ranking = next(t for t in tables if t[0][:3] == ["名次", "单位", "自评得分"])
    rows = {r[1]: r for r in ranking[1:]}
    assert rows["云溪区教育局"][2] == "96.00" and rows["云溪区卫生健康局"][3] == "82.50"
    grades = next(t for t in tables if t[0][0] == "等次")
    assert [r[0] for r in grades[1:]] == ["优", "良"]
    sample = next(t for t in tables if t[0] == ["序号", "单位", "抽取理由"])
    assert sample[1][2] == "随机<i>抽取</i>"  # report text as plain text
    mism = next(t for t in tables if t[0][:2] == ["单位", "核查规则"])
    assert mism[1][0] == "云溪区卫生健康局"
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_without_the_store_the_frames_are_empty_with_the_contract_columns(sample_db):
    d = circular.gather(2022, None, db=str(sample_db))
    if not d.store_available:
        assert list(d.reviews.columns) == circular.REVIEW_COLUMNS and d.reviews.empty
        assert list(d.samples.columns) == circular.SAMPLE_COLUMNS
    assert d.title == "岳阳市云溪区2022年度部门整体支出绩效自评情况通报"


def _circular_page(sample_db, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("REPORTS_DB", str(sample_db))
    monkeypatch.setenv("BUREAU_DB", str(tmp_path / "bureau.duckdb"))
    return AppTest.from_file(str(ROOT / "pages" / "circular.py"), default_timeout=60).run()


def _file_buttons(at):
    return [b for b in at.get("download_button") if b.key.startswith("ci_doc")]


def test_the_page_previews_and_offers_both_files(sample_db, monkeypatch, tmp_path):
    monkeypatch.setattr(circular, "chart_png", lambda *a, **k: None)  # no browser in the fast tests
    at = _circular_page(sample_db, monkeypatch, tmp_path)
    assert not at.exception and not at.error
    assert [m.label for m in at.metric][:2] == ["报告数", "支出合计（万元）"]
    labels = [b.label for b in at.button]
    assert "生成Word" in labels and "生成PDF" in labels and not _file_buttons(at)
    at.button(key="ci_doc_docx").click().run()
    assert not at.exception and not at.error
    assert [b.label for b in _file_buttons(at)] == ["下载Word"]


@pytest.mark.parametrize("failure, line", [
    (RuntimeError("Traceback: kaput"), "生成PDF失败，请稍后重试（错误编号 "),
    (DocumentError("生成PDF超时（超过 120 秒），请稍后重试。"), "生成PDF超时（超过 120 秒），请稍后重试。"),
])
def test_a_pdf_that_cannot_be_made_is_one_chinese_line(sample_db, monkeypatch, tmp_path, failure, line):
    from ui import documents

    def broken(_data):
        raise failure

    monkeypatch.setattr(circular, "to_pdf", broken)
    monkeypatch.setattr(documents, "pdf_ready", lambda: True)
    at = _circular_page(sample_db, monkeypatch, tmp_path)
    at.button(key="ci_doc_pdf").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(line) and "\n" not in errors[0], errors
    assert "Callable" not in errors[0] and "kaput" not in errors[0]
    assert not _file_buttons(at)


@needs_office
def test_pdf_is_a4_with_title_units_and_page_numbers(data):
    pdf = circular.to_pdf(data)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
        sizes = {(round(p.width), round(p.height)) for p in doc.pages}
    assert sizes == {(595, 842)}
    assert "部门整体支出绩效自评情况通报" in text and "云溪区卫生健康局" in text
    assert re.search(r"第\s*1\s*页", text)


@needs_office
def test_unit_brief_word_and_pdf(sample_db):
    brief = circular.unit_brief(UNIT_A, db=str(sample_db))
    doc = Document(io.BytesIO(circular.brief_docx(brief)))
    assert NAMES[UNIT_A] in doc.paragraphs[0].text
    assert brief.data_as_of and f"数据截至：{brief.data_as_of}" in [p.text for p in doc.paragraphs]
    years = next(t for t in tables_text(doc) if t[0][0] == "年度")
    assert [r[0] for r in years[1:]] == ["2021", "2022"] and years[2][1] == "90.00"
    with pdfplumber.open(io.BytesIO(circular.brief_pdf(brief))) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert NAMES[UNIT_A] in text and re.search(r"第\s*1\s*页", text)
