"""Documents rendered by code from known records, in every supported format and
with the mess real reports have, must extract to exactly the record they were
drawn from (golden records: `demo.expected.expected_record`)."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from tests.material import compare

from demo.blocks import RenderOptions
from demo.expected import expected_record
from demo.render import convert, render
from etl.extract import extract_bytes

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def rich_record(seed_expected) -> dict:
    """The seed, grown into a larger unit: two sub-organisations, 三公 spending,
    zeros next to blanks, the richer indicator layout with targets, weights,
    scores and deviation reasons, one indicator with a blank result."""
    r = copy.deepcopy(seed_expected)
    r["report"].update(unit_name="云溪区人力资源和社会保障局", budget_code="008001", staff_quota=41, staff_actual=38,
                       self_score=87.5, grade="良", contact="李明", phone="0730-8411234")
    r["income"] = [
        {"org": "汇总", "total": 2602.28, "carryover": 120.5, "fiscal_appropriation": 2381.78,
         "fund_appropriation": 0, "special_account_income": None, "other_income": 100.0},
        {"org": "局机关", "total": 2516.75, "carryover": 120.5, "fiscal_appropriation": 2296.25,
         "fund_appropriation": 0, "special_account_income": None, "other_income": 100.0},
        {"org": "劳动监察大队", "total": 85.53, "carryover": None, "fiscal_appropriation": 85.53,
         "fund_appropriation": None, "special_account_income": None, "other_income": None},
    ]
    r["three_public"] = [
        {"org": "汇总", "total": 12.4, "reception": 3.1, "vehicle_operation": 9.3, "vehicle_purchase": 0,
         "overseas": 0},
        {"org": "局机关", "total": 12.4, "reception": 3.1, "vehicle_operation": 9.3, "vehicle_purchase": 0,
         "overseas": 0},
    ]
    weights = [5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 5, 5, 10, 5, 5, 5, 10]
    for ind, w in zip(r["indicators"], weights):
        ind.update(target_text="≥95%" if ind["actual_unit"] == "%" else "按计划", weight=float(w),
                   score=float(w) - 0.5, deviation_reason=None)
    r["indicators"][3].update(actual_text=None, actual_value=None, actual_unit=None, score=0.0,
                              deviation_reason="年底数据未出")
    return r


VARIANTS = {
    "plain": RenderOptions(),
    "yuan_thousands": RenderOptions(money_unit="元", thousands=True),
    "fullwidth_wrapped": RenderOptions(fullwidth=True, wrap_labels=True),
    "rich": RenderOptions(indicator_layout="rich"),
    "gb18030": RenderOptions(encoding="gb18030", date_style="padded", outline_numbers=False, annex_label="附件1"),
    "missing_section": RenderOptions(omit=frozenset({"narrative.problems", "three_public"})),
}


def _mismatches(expected: dict, record: dict) -> list:
    return [row for row in compare(expected, record) if not row[3]]


@pytest.mark.parametrize("fmt", ["txt", "docx", "html"])
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("which", ["seed", "rich"])
def test_rendered_document_extracts_to_its_record(fmt, variant, which, seed_expected, rich_record, record_validator):
    source = seed_expected if which == "seed" else rich_record
    opts = VARIANTS[variant]
    data = render(source, fmt, opts)
    record = extract_bytes(data, f"report.{fmt}")
    record_validator.validate(record)
    expected = expected_record(source, opts, fmt=fmt)
    assert _mismatches(expected, record) == []
    assert record["source"]["demo"] is True
    assert record["source"]["money_unit"] == opts.money_unit


def test_rich_layout_keeps_weights_scores_and_blank_results(rich_record):
    record = extract_bytes(render(rich_record, "docx", VARIANTS["rich"]), "r.docx")
    blank = record["indicators"][3]
    # A blank result stays blank (None), it does not become 0 or the next cell.
    assert (blank["actual_text"], blank["actual_value"], blank["score"]) == (None, None, 0.0)
    assert blank["deviation_reason"] == "年底数据未出"
    assert sum(i["weight"] for i in record["indicators"]) == 100.0
    # Zero is kept as zero next to a blank.
    income = {r["org"]: r for r in record["income"]}
    assert income["汇总"]["fund_appropriation"] == 0 and income["汇总"]["special_account_income"] is None


def test_amounts_in_yuan_are_converted_to_wan(rich_record):
    record = extract_bytes(render(rich_record, "txt", VARIANTS["yuan_thousands"]), "r.txt")
    assert record["source"]["money_unit"] == "元"
    assert record["income"][0]["total"] == pytest.approx(2602.28)
    assert record["three_public"][0]["vehicle_operation"] == pytest.approx(9.3)


def test_missing_section_is_null_with_a_warning(rich_record):
    opts = VARIANTS["missing_section"]
    record = extract_bytes(render(rich_record, "docx", opts), "r.docx")
    assert record["narrative"]["problems"] is None
    assert record["three_public"] == []
    warnings = record["source"]["warnings"]
    assert "叙述部分未找到“存在的问题及原因分析”一节" in warnings and "未找到三公经费表" in warnings


@pytest.fixture(scope="module")
def office_files(tmp_path_factory, seed_expected, rich_record):
    """PDF and .doc files made by LibreOffice in two runs (each run costs seconds)."""
    tmp = tmp_path_factory.mktemp("office")
    cases = {}
    for which, source in (("seed", seed_expected), ("rich", rich_record)):
        for variant in ("plain", "yuan_thousands", "rich"):
            name = f"{which}-{variant}"
            (tmp / f"{name}.docx").write_bytes(render(source, "docx", VARIANTS[variant]))
            cases[name] = (source, VARIANTS[variant])
    docx = sorted(tmp.glob("*.docx"))
    convert(docx, "pdf", tmp / "pdf")
    convert(docx, "doc", tmp / "doc")
    return tmp, cases


@needs_soffice
@pytest.mark.parametrize("fmt", ["pdf", "doc"])
def test_office_formats_extract_to_their_record(fmt, office_files):
    tmp, cases = office_files
    failures = {}
    for name, (source, opts) in cases.items():
        path = tmp / fmt / f"{name}.{fmt}"
        record = extract_bytes(path.read_bytes(), path.name)
        bad = _mismatches(expected_record(source, opts, fmt=fmt), record)
        if bad:
            failures[name] = bad[:5]
    assert failures == {}


def test_seed_as_gb18030_text_dump(seed_expected):
    from tests.material import SEED

    data = Path(SEED).read_text(encoding="utf-8").encode("gb18030")
    record = extract_bytes(data, "seed-gbk.txt")
    assert _mismatches(seed_expected, record) == [] or all(
        row[0].startswith("source.") for row in _mismatches(seed_expected, record))
    assert record["report"]["unit_name"] == "云溪区劳动和社会保障监察大队"


def test_approximate_money_cell_is_read_and_flagged(seed_expected):
    from tests.material import SEED

    text = SEED.read_text(encoding="utf-8").replace("\t85.53\n\t\n\t85.53", "\t85.53余\n\t\n\t85.53", 1)
    record = extract_bytes(text.encode("utf-8"), "approx.txt")
    assert record["income"][0]["total"] == 85.53
    # The warning names the table, the row, the column and the figure as written.
    assert "年度收入情况表“局机关及二级机构汇总”行“收入合计”：“85.53余”是约数，已按 85.53 计" \
        in record["source"]["warnings"]


def test_pipe_separated_dump_of_a_web_page(seed_expected):
    """Dumps copied from web pages use "|" between cells and lose the line
    breaks inside cells; the seed written that way still reads whole."""
    from tests.material import SEED
    from etl.readers import read_txt

    lines = []
    for row in read_txt(SEED.read_bytes()).rows:
        if row.table == -1 or len(row.cells) == 1:
            lines.extend(row.cells[0].text.split("\n"))
        else:
            lines.append("|" + "|".join(c.text.replace("\n", "  ") for c in row.cells) + "|")
    record = extract_bytes("\n".join(lines).encode("utf-8"), "web-dump.txt")
    assert _mismatches(seed_expected, record) == []


def test_score_and_grade_stated_only_in_prose_are_read_with_a_warning(seed_expected):
    """南县-style reports state the score in prose ("综合评分为97分") instead of the grid rows."""
    source = copy.deepcopy(seed_expected)
    source["report"].update(self_score=None, grade=None)
    source["narrative"]["performance"] = "经自评，本单位综合评分为97.5分，评价等次为优秀。" + source["narrative"]["performance"]
    opts = RenderOptions(omit=frozenset({"score"}))
    record = extract_bytes(render(source, "docx", opts), "prose-score.docx")
    assert (record["report"]["self_score"], record["report"]["grade"]) == (97.5, "优秀")
    assert any("取自正文" in w for w in record["source"]["warnings"])


def test_no_score_anywhere_stays_null(seed_expected):
    record = extract_bytes(render(seed_expected, "docx", RenderOptions(omit=frozenset({"score"}))), "x.docx")
    assert record["report"]["self_score"] is None and record["report"]["grade"] is None
    assert any("绩效自评综合得分" in w for w in record["source"]["warnings"])
