"""The Yueyang template as real web pages publish it (issue 10, items 1 and 2).

Fixtures are real page openings (tests/fixtures/real_yueyang/, sources in
SOURCES.md there): the basic-info grid and the money tables come one cell per
line — each cell its own paragraph, or "联系人 |" / "李玉霞 |" with "||||" rows
between grid rows — and covers write labels without the colon or spaced out.
Variants (a value removed, a label spaced out, a full table row) are derived
here in code from those texts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract import extract_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_yueyang"


def text_of(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def extract_text(text: str, name: str = "page.txt") -> dict:
    return extract_bytes(text.encode("utf-8"), name)


def extract_fixture(name: str) -> dict:
    return extract_text(text_of(name), f"{name}.txt")


# -- the basic-info grid, one cell per line ----------------------------------------

@pytest.mark.parametrize("name, contact, phone, quota, actual", [
    ("yy-city-2018-digital-urban", "吴俊", "8690022", 21, 21),          # each cell a paragraph
    ("yylq-2021-gov-office", "李玉霞", "8245327", 36, 38),             # "联系人 |" rows, "||||" between
    ("yylq-2021-injury-insurance", "陶燕辉", "0730-8218211", 11, 7),    # paragraphs, staff below quota
    ("yyx-2019-audit-bureau", "李 清", "7620342", 28, 28),             # contact as written, with its space
    ("yyx-2021-hrss-trad", "郭勇波", "7608823", 115, 115),             # traditional mirror (聯係人, 人員編製)
])
def test_the_grid_one_cell_per_line_gives_contact_phone_and_staff(name, contact, phone, quota, actual):
    report = extract_fixture(name)["report"]
    assert (report["contact"], report["phone"], report["staff_quota"], report["staff_actual"]) == (
        contact, phone, quota, actual)


def test_text_cells_run_over_their_lines_and_a_wrapped_label_is_one_label():
    report = extract_fixture("yy-city-2018-digital-urban")["report"]
    assert report["functions"].startswith("负责全市数字化城市管理监督、指挥、调度和协调工作。")
    # "年度主要" / "工作内容": Word wrapped the label over two paragraphs.
    assert report["main_tasks"].startswith("1.完成数字化城市管理监督、指挥、调度和协调工作。")
    assert report["overall_results"].startswith("我中心的数字城管二期建设项目属于市新增长极建设项目")
    # The text stops at the next heading, not at the end of the page.
    assert "二、部门" not in report["overall_results"]


def test_a_text_cell_of_several_paragraphs_is_read_whole_up_to_the_next_label():
    report = extract_fixture("yylq-2021-injury-insurance")["report"]
    functions = report["functions"]
    assert functions.startswith("1.单位参加工伤保险业务。")
    assert "4处理工伤保险工作中的各种关系和纠纷" in functions
    assert "工作内容" not in functions and "事故勘察职能的下沉" not in functions
    assert report["main_tasks"].startswith("1.事故勘察职能的下沉。")
    # A line wrapped inside item 2 rejoins its sentence.
    assert "在公共业务平台和参保单位QQ群上发消息进行催缴" in report["main_tasks"]


def test_pipe_rows_give_the_grid_and_the_cover():
    record = extract_fixture("yylq-2021-gov-office")
    report = record["report"]
    assert report["unit_name"] == "岳阳市岳阳楼区人民政府办公室"
    assert report["budget_code"] == "102001"
    assert report["region"] == "岳阳楼区" and report["fiscal_year"] == 2021
    assert report["functions"].startswith("协助区政府领导同志审核或组织起草")
    assert report["main_tasks"].startswith("任务1:确保各类文件的印发制作和区政府系统的会务工作")


# -- a label without its value: blank, and said so --------------------------------

def test_a_blank_contact_in_pipe_rows_is_blank_not_the_next_label_and_is_warned():
    text = text_of("yylq-2021-gov-office").replace("李玉霞 |\n", "")
    record = extract_text(text)
    report = record["report"]
    assert report["contact"] is None
    assert report["phone"] == "8245327"  # the label after the blank keeps its own value
    assert "基本概况中“联系人”没有填写内容" in record["source"]["warnings"]


def test_a_blank_staff_figure_in_paragraphs_is_warned_by_name():
    text = text_of("yy-city-2018-digital-urban").replace("人员编制\n\n21\n", "人员编制\n\n")
    record = extract_text(text)
    report = record["report"]
    assert report["staff_quota"] is None and report["staff_actual"] == 21
    assert "基本概况中“人员编制”没有填写内容" in record["source"]["warnings"]


def test_a_complete_grid_has_no_missing_value_warning():
    warnings = extract_fixture("yylq-2021-gov-office")["source"]["warnings"]
    assert not any("没有填写内容" in w for w in warnings)


# -- the cover: no colon, spaced out, indented -------------------------------------

def test_a_cover_label_without_colon_is_read():
    report = extract_fixture("yylq-2021-injury-insurance")["report"]
    # "部门(单位)名称    岳阳市岳阳楼区工伤保险服务中心": wide space, no colon.
    assert report["unit_name"] == "岳阳市岳阳楼区工伤保险服务中心"
    assert report["budget_code"] == "200008"
    assert report["report_date"] == "2022-05-06"
    assert report["region"] == "岳阳楼区" and report["fiscal_year"] == 2021


def test_a_spaced_out_cover_label_without_colon_in_traditional_characters():
    text = text_of("yyx-2021-hrss-trad").replace("預算編碼:068", "預 算 編 碼 068")
    assert "預 算 編 碼 068" in text
    report = extract_text(text)["report"]
    assert report["budget_code"] == "068"  # leading zero kept
    assert report["unit_name"] == "岳阳县人力资源和社会保障局"


def test_a_cover_pushed_far_right_by_indentation():
    lines = text_of("yyx-2019-audit-bureau").split("\n")
    lines[:5] = [" " * 60 + line for line in lines[:5]]
    report = extract_text("\n".join(lines))["report"]
    assert report["unit_name"] == "岳阳县审计局"
    assert report["budget_code"] == "301"
    assert report["report_date"] == "2020-06-30"


# -- money tables, one cell per line ----------------------------------------------

def test_income_table_one_cell_per_line_keeps_the_one_figure_as_the_total():
    record = extract_fixture("yyx-2019-audit-bureau")
    income = {row["org"]: row for row in record["income"]}
    assert list(income) == ["汇总", "局机关"]  # 二级机构1/2 are empty placeholders
    for row in income.values():
        assert row["total"] == 624.56
        # The page dropped the empty cells: nothing else can be placed, nothing is guessed.
        assert all(row[f] is None for f in ("carryover", "fiscal_appropriation", "fund_appropriation",
                                            "special_account_income", "other_income"))
    assert record["expenditure"] == []  # the page is cut inside that table's header
    assert any(w.startswith("年度收入情况表“局机关及二级机构汇总”行：只有 1 个数") for w in record["source"]["warnings"])
    # The audit's 2984.82万元 of cut project funds is text, not the unit's money.
    assert all(2984.82 not in row.values() for row in record["income"])



def test_income_table_one_cell_per_line_places_figures_where_the_page_kept_the_cell_borders():
    # tests/real_reports yyx-2016-rongwan-lake: "106.13 | | | 86.1" -- each cell its line, a "|" line
    # after it, so the two extra "|" lines are the empty 政府基金 and 专户 cells
    text = (FIXTURES.parent.parent / "real_reports/docs/yyx-2016-rongwan-lake.txt").read_text(encoding="utf-8")
    record = extract_text(text, "rongwan.txt")
    income = {row["org"]: row for row in record["income"]}
    assert [(r["total"], r["carryover"], r["fiscal_appropriation"], r["fund_appropriation"],
             r["special_account_income"], r["other_income"]) for r in income.values()] == [
        (229.46, 37.23, 106.13, None, None, 86.1), (176.26, 35.87, 80.39, None, None, 60.0),
        (53.2, 1.36, 25.74, None, None, 26.1)]
    assert not any("只有" in w for w in record["source"]["warnings"])


_FULL_TABLES = """\
年度收入情况(万元) |
||||||||||||||||
机构名称 |
收入合计 |
其中: |
||||||||||||||
上年结转 |
公共财 政拨款 |
政府基金拨款 |
纳入专户管理的非税收入拨款 |
其他 收入 |
||||||||||||
局机关及二级机构汇总 |
624.56 |
0 |
624.56 |
0 |
0 |
0 |
||||||||||
2、二级机构1 |
||||||||||||||||
部门(单位)年度支出和结余情况(万元) |
||||||||||||||||
机构名称 |
支出合计 |
其中: |
结余 |
|||||||||||||
基本支出 |
其中: |
项目支出 |
当年结余 |
累计结余 |
||||||||||||
人员支出 |
公用支出 |
||||||||||||||
局机关及二级机构汇总 |
85.53 |
85.23 |
78.83 |
6.40 |
0.30 |
0 |
0 |
||||||||||
"""


def test_a_row_with_one_figure_per_column_is_placed_in_the_templates_column_order():
    """The audit page's tables with every cell written (values from the seed's
    expenditure row): "人员支出 / 公用支出" come after the header row that holds
    "项目支出", yet their columns sit under 基本支出's "其中"."""
    page = text_of("yyx-2019-audit-bureau")
    text = page[:page.index("年度收入情况")] + _FULL_TABLES
    record = extract_text(text)
    assert record["income"] == [{"org": "汇总", "total": 624.56, "carryover": 0, "fiscal_appropriation": 624.56,
                                 "fund_appropriation": 0, "special_account_income": 0, "other_income": 0}]
    assert record["expenditure"] == [{"org": "汇总", "total": 85.53, "basic": 85.23, "personnel": 78.83,
                                      "public": 6.40, "project": 0.30, "surplus_year": 0,
                                      "surplus_cumulative": 0}]
    assert not any("只有" in w or "对不上" in w for w in record["source"]["warnings"])


def test_a_cover_title_without_its_region_takes_the_region_the_unit_name_begins_with():
    record = extract_fixture("yyx-2021-hrss-trad")
    assert record["report"]["region"] == "岳阳县"
    assert "标题中未找到地区名称：已按单位名称取为“岳阳县”" in record["source"]["warnings"]
    # …and its one complaint total, stated with no breakdown by channel.
    assert [(c["channel"], c["count"]) for c in record["cases"]] == [("total", 1125)]


def test_a_sentence_citing_a_notice_is_no_title_and_gives_no_region():
    # hengxian-2017-staffing-office (tests/real_reports): a cover by checkbox, no title with year or region;
    # the opening sentence cites the notice of the year evaluated
    text = ("部门整体支出绩效评价报告\n\n项目单位: 横县机构编制委员会办公室\n\n主管部门: 横县中共中央横县县委\n\n"
            "评价类型事前评价□事中评价□事后评价□√评价方式:部门(单位)绩效自评□√财政部门组织评价□"
            "评价机构:中介机构□部门(单位)评价组□√财政评价组□\n\n2018年4月3日\n\n横县机构编制委员会办公室\n\n"
            "部门整体支出绩效评价报告\n\n根据《横县财政局关于开展2017年度预算绩效自评工作的通知》(横财预[2018]3 号)的要求,"
            "我办对2017年度部门整体支出绩效进行了全面综合评价。现将有关情况报告如下:\n\n一、部门基本情况\n")
    rep = extract_bytes(text.encode("utf-8"), "hengxian.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("横县机构编制委员会办公室", "横县", 2017)


def test_a_cover_title_that_begins_with_the_unit_gives_the_region_the_unit_name_begins_with():
    # dongchuan-2020-urban-management (tests/real_reports): a Kunming cover under the unit's own title
    text = ("昆明市东川区城市管理局2020年度部门\n整体支出绩效评价报告\n项目名称:2020年度部门整体支出绩效\n"
            "项目单位:昆明市东川区城市管理局\n主管部门:昆明市东川区城市管理局\n报告日期:2021年5月\n摘要\n")
    rep = extract_bytes(text.encode("utf-8"), "dongchuan.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("昆明市东川区城市管理局", "昆明市东川区", 2020)
