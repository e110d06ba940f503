"""The table family (etl/extract/table.py): reports that are forms.

Real openings: tests/real_reports/table/<id>.txt with hand-written truth
<id>.json beside them, and the shared real reports of this family
(../shared/real-reports: hengshan-2023-guantang-annex, chongqing-2021-media-
center-table). Real table rows (.docx/.html) are built as Documents here.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

import queries
from etl.document import Cell, Document, ExtractError
from etl.extract import extract_bytes, extract_document, extract_file
from etl.extract.table import NO_UNIT, TEMPLATE_ANNEX, TEMPLATE_CHONGQING, is_table_form
from etl.db import open_db
from etl.load import store_record
from etl.record import BUDGET_FIELDS

from tests.material import SHARED

HERE = Path(__file__).resolve().parent / "real_reports" / "table"
REAL = SHARED / "real-reports"
FIXTURES = sorted(p.stem for p in HERE.glob("*.json"))


# --- scoring against a truth file (check.py's rules) ---------------------------

_PATH = re.compile(r"^(\w+)(?:\[([^\]]+)\])?(?:\.(\w+))?$")


def lookup(rec: dict, path: str):
    top, sel, field = _PATH.match(path).groups()
    obj = rec.get(top)
    if sel is None:
        return obj.get(field) if isinstance(obj, dict) and field else obj
    rows = obj or []
    if sel == "*":
        return rows or None
    hit = [r for r in rows if r.get("org") == sel] or (rows if len(rows) == 1 else [])
    return (hit[0].get(field) if field else hit[0]) if hit else None


def same(expected, got) -> bool:
    if isinstance(expected, dict) and "any_of" in expected:
        return any(same(e, got) for e in expected["any_of"])
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(got, (int, float)) and abs(got - expected) <= 0.005
    if isinstance(expected, str):
        norm = lambda s: re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))  # noqa: E731
        return isinstance(got, str) and norm(got) == norm(expected)
    return expected == got


def score(truth: dict, rec: dict) -> tuple[list[str], list[str]]:
    """(fields expected but wrong or missing, fields that must be null but are not)."""
    wrong = [p for part in ("expect", "expect_soft") for p, v in truth[part].items() if not same(v, lookup(rec, p))]
    invented = [p for p in truth["absent"] if lookup(rec, p) not in (None, [], "")]
    return wrong, invented


@pytest.mark.parametrize("name", FIXTURES)
def test_real_form_openings_match_their_truth(name):
    truth = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    path = HERE / f"{name}.txt"
    if truth.get("refused"):
        with pytest.raises(ExtractError):
            extract_file(path)
        return
    rec = extract_file(path)
    assert score(truth, rec) == ([], [])


def test_xintian_staff_split_by_the_stated_rate_and_glued_rows_left_null():
    rec = extract_file(HERE / "xintian-2021-education-annex.txt")
    assert rec["source"]["template"] == TEMPLATE_ANNEX
    assert (rec["report"]["staff_quota"], rec["report"]["staff_actual"]) == (87, 73)
    warnings = rec["source"]["warnings"]
    assert any("按控制率拆为编制数 87、实际在职人数 73" in w for w in warnings)
    assert any("“三公经费”一行的数字连在一起" in w for w in warnings)
    assert rec["three_public"] == [] and rec["expenditure"] == []
    assert all(v is None for v in rec["budget"].values())
    assert all("\n" not in w for w in warnings)


def test_a_form_naming_no_unit_is_refused_with_one_chinese_line():
    with pytest.raises(ExtractError) as e:
        extract_file(HERE / "wanglu-2018-basic-data-unnamed.txt")
    assert str(e.value) == NO_UNIT and "\n" not in NO_UNIT and "单位名称" in NO_UNIT


def test_a_project_form_is_not_taken_for_a_department_form():
    from etl.readers import read_document
    doc = read_document((HERE / "langfang-2019-project-form.txt").read_bytes(), "x.txt")
    assert is_table_form(doc) is None


# --- the shared real reports of this family ----------------------------------


def _shared(doc_id: str) -> tuple[dict, dict]:
    path = REAL / "docs" / f"{doc_id}.txt"
    if not path.exists():
        pytest.skip("shared real reports not present")
    return extract_file(path), json.loads((REAL / "truth" / f"{doc_id}.json").read_text(encoding="utf-8"))


def test_hengshan_annex_reads_all_truth_and_invents_nothing():
    rec, truth = _shared("hengshan-2023-guantang-annex")
    assert score(truth, rec) == ([], [])
    assert rec["source"]["template"] == TEMPLATE_ANNEX
    # 年度资金总额: 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分
    assert rec["budget"] == {"initial": 861.10, "adjusted": 2030.12, "executed": 2030.12,
                             "execution_rate": 100.0, "weight": 10.0, "score": 10.0}
    # the 得分 10 of that row is a component, not the self score
    assert rec["report"]["self_score"] is None
    # three year columns: the 2023 决算 column (公用经费 118.31 / 85.76 / 193.42)
    assert rec["expenditure"][0]["public"] == 193.42
    assert rec["income"][0]["special_account_income"] is None  # "纳入专户管理的非税收入拨款:" left blank


def test_chongqing_glued_form_reads_score_and_contact_only():
    rec, truth = _shared("chongqing-2021-media-center-table")
    assert score(truth, rec) == ([], [])
    assert rec["source"]["template"] == TEMPLATE_CHONGQING
    assert rec["report"]["self_score"] == 97.6 and rec["report"]["contact"] == "曾雪莲"
    # 执行率 76%, 权重 10, 得分 7.6 are glued ("O76%107.6"): not split, not the score
    assert all(v is None for v in rec["budget"].values())
    warnings = rec["source"]["warnings"]
    assert any(w.startswith("表中未写单位名称：已按表内文字所称“融媒体中心”推定") for w in warnings)
    assert any(w.startswith("表中未写年度") for w in warnings)


# --- real table rows (.docx / .html) ------------------------------------------------


def _table(rows: list[list[str]]) -> list[list[Cell]]:
    return [[Cell(t, col=i) for i, t in enumerate(r)] for r in rows]


def annex_docx() -> Document:
    doc = Document(format="docx")
    doc.add_paragraph("附件二")
    doc.add_paragraph("2022年度部门整体支出绩效自评表")
    doc.add_table(_table([
        ["预算部门、单位名称", "南县司法局", "", "", "", "", ""],
        ["年度预算申请（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "500.00", "620.50", "610.20", "10", "98.34%", "9.8"],
        ["按收入性质分：620.50", "", "", "按支出性质分：610.20", "", "", ""],
        ["其中：一般公共预算：600.50", "", "", "其中：基本支出：410.20", "", "", ""],
        ["政府性基金拨款：", "", "", "项目支出：200.00", "", "", ""],
        ["其他资金：20.00", "", "", "", "", "", ""],
    ]))
    doc.add_table(_table([
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "法律援助案件数", "≥80件", "94件", "10", "10"],
        ["", "质量指标", "调解成功率", "≥95%", "97%", "10", "9"],
        ["满意度指标", "服务对象满意度", "群众满意度", "≥90%", "96%", "10", "10"],
    ]))
    doc.add_table(_table([["综合得分", "95.5"], ["评价等次", "优"]]))
    return doc


def test_annex_as_real_table_rows():
    rec = extract_document(annex_docx())
    r = rec["report"]
    assert (r["unit_name"], r["region"], r["fiscal_year"]) == ("南县司法局", "南县", 2022)
    assert (r["self_score"], r["grade"]) == (95.5, "优")
    assert rec["budget"] == {"initial": 500.0, "adjusted": 620.5, "executed": 610.2, "execution_rate": 98.34,
                             "weight": 10.0, "score": 9.8}
    inc, exp = rec["income"][0], rec["expenditure"][0]
    assert (inc["total"], inc["fiscal_appropriation"], inc["fund_appropriation"], inc["other_income"]) == (
        620.5, 600.5, None, 20.0)
    assert (exp["total"], exp["basic"], exp["project"], exp["public"]) == (610.2, 410.2, 200.0, None)
    names = [(i["level1"], i["level2"], i["name"], i["actual_value"], i["actual_unit"], i["weight"], i["score"])
             for i in rec["indicators"]]
    assert names == [("产出指标", "数量指标", "法律援助案件数", 94.0, "件", 10.0, 10.0),
                     ("产出指标", "质量指标", "调解成功率", 97.0, "%", 10.0, 9.0),
                     ("满意度指标", "服务对象满意度", "群众满意度", 96.0, "%", 10.0, 10.0)]


def chongqing_docx() -> Document:
    doc = Document(format="docx")
    doc.add_paragraph("重庆市璧山区融媒体中心2021年度部门整体绩效自评表")
    doc.add_table(_table([
        ["主管部门", "重庆市璧山区委宣传部", "财政处室", "", "自评总分（分）", "92.4"],
        ["部门联系人", "张三", "联系电话", "023-41412345", "", ""],
        ["部门预算执行情况（万元）", "年初预算数", "全年（调整）预算数", "全年执行数", "执行率（%）", "执行率权重"],
        ["", "800", "900", "855", "95%", "10"],
    ]))
    doc.add_table(_table([
        ["指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "指标权重（分）", "指标得分（分）",
         "是否核心指标"],
        ["播发稿件数量", "篇", "定量指标", "2200", "2200", "2859", "10", "10", "是"],
        ["财政供养人员控制率", "%", "定量指标", "100", "100", "92", "2", "2", "否"],
    ]))
    return doc


def test_chongqing_form_as_real_table_rows():
    rec = extract_document(chongqing_docx())
    r = rec["report"]
    assert rec["source"]["template"] == TEMPLATE_CHONGQING
    assert (r["unit_name"], r["fiscal_year"], r["self_score"]) == ("重庆市璧山区融媒体中心", 2021, 92.4)
    assert (r["contact"], r["phone"]) == ("张三", "023-41412345")
    assert r["staff_quota"] is None and r["grade"] is None
    # the values row under the headers (its first cell merged, blank)
    assert rec["budget"] == {"initial": 800.0, "adjusted": 900.0, "executed": 855.0, "execution_rate": 95.0,
                             "weight": 10.0, "score": None}
    ind = rec["indicators"]
    assert [(i["name"], i["target_text"], i["actual_text"], i["weight"], i["score"]) for i in ind] == [
        ("播发稿件数量", "2200", "2859", 10.0, 10.0), ("财政供养人员控制率", "100", "92", 2.0, 2.0)]
    assert ind[0]["actual_unit"] == "篇"


# --- chooser -------------------------------------------------------------------------


def test_a_prose_report_that_mentions_the_form_stays_prose():
    text = ("衡山县财政局2023年度部门整体支出绩效自评报告\n一、部门基本情况\n本局编制数20人。"
            "部门整体支出绩效自评表详见附件，年初预算数100万元，全年执行数98万元。\n")
    rec = extract_bytes(text.encode("utf-8"), "x.txt")
    assert rec["source"]["template"] == "hunan-prose"
    assert set(rec["budget"]) == set(BUDGET_FIELDS) and all(v is None for v in rec["budget"].values())


def test_every_family_gives_the_same_budget_shape(demo_corpus):
    files = sorted(p for p in demo_corpus.rglob("*") if p.suffix in (".docx", ".txt"))[:3]
    assert files
    for path in files:
        try:
            rec = extract_file(path)
        except ExtractError:
            continue
        assert list(rec["budget"]) == list(BUDGET_FIELDS)


# --- loading and the query layer ------------------------------------------------------


def test_form_budget_loads_and_drives_budget_execution(tmp_path):
    db = tmp_path / "r.duckdb"
    rec = extract_document(annex_docx())
    rec["source"].update(file_name="nanxian.docx", sha256="0" * 64)
    con = open_db(db)
    try:
        store_record(con, rec)
        assert con.execute("select initial, adjusted, executed, execution_rate, weight, score from budget"
                           ).fetchall() == [(500.0, 620.5, 610.2, 98.34, 10.0, 9.8)]
        # replacing the report replaces its budget row
        store_record(con, {**rec, "source": {**rec["source"], "sha256": "1" * 64}})
        assert con.execute("select count(*) from budget").fetchone()[0] == 1
    finally:
        con.close()
    row = queries.run("budget_execution", db).iloc[0]
    assert row["budget_wan"] == 620.5 and row["executed_wan"] == 610.2
    assert row["execution_rate"] == pytest.approx(98.34)
    assert row["execution_basis"] == "自评表执行数÷预算数"
    assert row["stated_rate"] == 98.34 and row["stated_minus_computed"] == 0


def test_a_contents_entry_naming_the_form_is_not_its_title():
    doc = Document()
    for line in ("临沧市某局2023年度部门决算", "目录", "十三、2023年度部门整体支出绩效自评情况",
                 "十四、2023年度部门整体支出绩效自评表", "一、收入决算情况说明 年初预算数100万元"):
        doc.add_paragraph(line)
    assert is_table_form(doc) is None


def test_a_chongqing_form_glued_into_a_sharing_sites_numbered_chunk_is_read():
    # liangping-2023-forestry-form (tests/real_reports): 第一文库网 numbers its chunks "1、", "2、"
    text = ("《重庆市梁平区林业局2022年度部门整体绩效自评表.docx》由会员分享,可在线阅读,更多相关《重庆市梁平区林业局"
            "2022年度部门整体绩效自评表.docx(2页珍藏版)》请在第一文库网上搜索。\n"
            "1、重庆市梁平区林业局2023年度部门整体绩效自评表主管部n重庆市梁平区林业局部门联系人李薇联系电话"
            "自评总分(分)97.93年初预算数全年(调整)预算数全年执行数执行率执行率权重执行率得分年度总金额.32.06.5\n")
    record = extract_bytes(text.encode("utf-8"), "liangping.txt")
    rep = record["report"]
    assert record["source"]["template"] == TEMPLATE_CHONGQING
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"], rep["self_score"], rep["contact"], rep["phone"]) == (
        "重庆市梁平区林业局", "重庆市梁平区", 2023, 97.93, "李薇", None)


def test_a_unit_name_that_lost_its_first_glyph_is_completed_by_the_pages_publisher():
    # lingling-2021-forestry-form (tests/real_reports): "级预算单位名称 / 陵区林业局" under "发布机构: 零陵区林业局"
    text = ("索引号: 431102009/2022-00132 发文日期: 2022-04-07 发布机构: 零陵区林业局\n"
            "2021年林业局部门整体支出绩效自评表\n2022-04-07 15:25 来源: 零陵区林业局 发布机构: 零陵区林业局 【字体:   打印\n\n"
            "部门整体支出绩效自评表\n\n2021年度)\n\n级预算单位名称\n\n 陵区林业局\n\n年度预\n\n算申请\n\n(万元)\n\n"
            "年初\n\n预算数\n\n全年预算数\n\n全年\n\n执行数\n\n分值\n\n执行率\n\n得分\n\n年度资金总额\n\n4753.66万元\n\n")
    record = extract_bytes(text.encode("utf-8"), "lingling.txt")
    rep = record["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("零陵区林业局", "零陵区", 2021)
    assert "表中单位名称“陵区林业局”缺字：已按网页发布机构取为“零陵区林业局”，请核对" in record["source"]["warnings"]


def test_budget_labels_broken_over_two_paragraphs_and_cells_with_their_unit_are_read():
    # lingling-2021-forestry-form (tests/real_reports): "全年" / "执行数", "4753.66万元"
    text = ("部门整体支出绩效自评表\n\n2021年度)\n\n预算单位名称\n\n零陵区林业局\n\n年度预\n\n算申请\n\n(万元)\n\n"
            "年初\n\n预算数\n\n全年预算数\n\n全年\n\n执行数\n\n分值\n\n执行率\n\n得分\n\n年度资金总额\n\n"
            "4753.66万元\n\n4753.66万元\n\n3824.26万元\n\n10\n\n100%\n\n10\n\n按收入性质分:\n\n按支出性质分:\n\n")
    record = extract_bytes(text.encode("utf-8"), "lingling.txt")
    assert record["budget"] == {"initial": 4753.66, "adjusted": 4753.66, "executed": 3824.26,
                                "execution_rate": 100.0, "weight": 10.0, "score": 10.0}
    assert record["report"]["self_score"] is None  # the 10 is the execution rate's score


def test_an_annex_page_titled_by_its_unit_and_its_spending_rows_in_the_latest_decision_column():
    # yiyang-2022-trade-union-annex (tests/real_reports): the form's own unit cell is cut off
    text = ("益阳市总工会2022年绩效自评附表:附件1—附件2\n\n发布时间 : 2023-03-17\n\n来源:市总工会\n\n附件1\n\n"
            "2022年度部门整体支出绩效评价基础数据表\n\n财政供养人员情况(人)\n\n编制数\n\n2022年实际在职人数\n\n控制率\n\n"
            "52\n\n52 \n\n100% \n\n经费控制情况(万元)\n\n2021年决算数\n\n2022年预算数\n\n2022年决算数\n\n"
            "支出总额\n\n1274.38\n\n1342.49\n\n1342.49\n\n基本支出\n\n606.44\n\n719.99 \n\n719.99 \n\n"
            "    其中:公用经费\n\n89.15\n\n95.86 \n\n95.86 \n\n项目支出\n\n667.94\n\n622.50 \n\n622.5 \n\n"
            "三公经费\n\n \n\n \n\n \n\n       其中:公车购置\n\n \n\n \n\n             公车运行维护\n\n3.33 \n\n7\n\n2.74\n\n"
            "政府采购金额\n\n——\n\n")
    record = extract_bytes(text.encode("utf-8"), "yiyang.txt")
    rep = record["report"]
    assert (rep["unit_name"], rep["fiscal_year"], rep["staff_quota"], rep["staff_actual"]) == ("益阳市总工会", 2022, 52, 52)
    exp = record["expenditure"][0]
    assert (exp["total"], exp["basic"], exp["public"], exp["project"]) == (1342.49, 719.99, 95.86, 622.5)
    tp = record["three_public"][0]
    assert (tp["total"], tp["vehicle_purchase"], tp["vehicle_operation"]) == (None, None, 2.74)  # blank is not zero
