"""Reports written as prose (family B of ../shared/research/real-report-formats.md)
must become valid records: unit, region and year from the title, staff and money
from sentences, score and grade from prose, narrative by headings.

The fixtures are written by hand after the survey's variants (南县 score-first,
沅陵 乡镇, 吉首 decimal numbering, Guangdong 实有编制数, 元 with separators,
亿元 with shares), and each test states the values a reader of the text finds.
Blank stays null: a total the text does not state is not summed from its parts.
"""
from __future__ import annotations

import io
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

import queries
from etl.document import ExtractError
from etl.extract import TEMPLATE, extract_bytes, extract_file
from etl.extract.prose import region_of

from tests.material import ROOT, SEED

NANXIAN = """南县财政局2020年度部门整体支出绩效自评报告

根据《湖南省财政厅关于开展2020年度省级部门整体支出绩效自评工作的通知》（湘财绩〔2020〕7号）和南财绩【2019】7号文件要求，我局对2020年度部门整体支出开展了绩效自评，现将自评情况报告如下：
一、自评得分情况
经自评，我局2020年度部门整体支出绩效综合评分为97分，评价等次为优。
二、单位基本概况
（一）机构设置：局机关内设办公室、预算股、国库股等14个股室，下属事业单位3个。
（二）人员编制：编制人员205人，其中在职132人，离退休73人。
三、部门整体支出管理及使用情况
（一）基本支出
2020年度基本支出2602.28万元，其中人员支出1903.67万元，公用支出698.61万元。
（二）项目支出
2020年度项目支出1025.20万元，主要用于财政信息化建设、非税收入征管和乡镇财政所运转。
四、存在的问题
1.预算编制不够精细。
2.项目支出绩效目标设定不够明确。
五、改进措施
1.加强预算编制管理。
2.完善绩效目标管理。
"""

# No year in the title; half-width brackets; grade as a word, no score.
YUANLING = """沅陵县二酉苗族乡人民政府部门整体支出绩效自评报告
根据县财政局《关于开展2021年度部门整体支出绩效自评工作的通知》（沅财绩〔2022〕3号）要求，我乡对2021年度部门整体支出情况开展了绩效自评，现将有关情况报告如下：
一、部门、单位基本情况
(一)机构设置
我乡内设党政综合办公室、经济发展办公室、社会事务办公室等6个办公室，下设农业综合服务中心等4个事业站所。
(二)人员编制
核定编制45人，其中行政编制28人、事业编制17人；实有在职人员41人，离退休人员19人。
(三)职能
贯彻执行党和国家的路线方针政策，负责全乡经济社会发展规划、农业农村、社会事业和基层治理等工作。
(四)绩效目标设定
围绕乡村振兴和基层治理，年初设定了产出、效益和满意度三类目标。
二、部门整体支出管理及使用情况
(一)基本支出
2021年度基本支出756.42万元，其中人员经费642.18万元，日常公用经费114.24万元。
(二)项目支出
2021年度项目支出512.36万元，主要用于乡村道路维护、人居环境整治和防汛抗旱。
三、部门整体支出绩效情况
全年完成村道维护32公里，整治农村人居环境示范点6个，群众满意度达95%以上。经综合评价，我乡2021年度整体绩效自评为优秀。
四、存在的问题
(一)项目支出管理有待规范。部分项目资金拨付进度偏慢。
(二)绩效目标细化不够。
五、改进措施
(一)加快项目资金拨付进度。
(二)细化量化绩效目标。
"""

# Decimal numbering; the title wrapped over two lines; a restarted "1." list under 4.
JISHOU = """湘西州吉首市乾州街道办事处2018年度部门整体支出
绩效自评报告

根据吉首市财政局《关于开展2018年度部门整体支出绩效评价工作的通知》（吉财绩〔2018〕88号）精神，我街道办事处组织开展了2018年度部门整体支出绩效自评工作，现将有关情况报告如下。
1.部门基本情况
1.1机构设置及人员情况
街道办事处内设党政办、社会事务办、城市管理办等7个机构。编制数18人，实际在职人数20人。
1.2部门职能
负责辖区经济发展、城市管理、社会事务和社区建设等工作。
2.部门整体支出情况
2.1基本支出
2018年度支出合计1568.78万元，其中基本支出930.25万元，项目支出638.53万元。基本支出中，人员支出702.11万元，公用支出228.14万元。
2.2项目支出
项目支出主要用于社区建设、城市管理和维稳工作。
3.部门整体支出绩效情况
3.1投入
预算编制合理，在职人员控制率111.11%。
3.2过程
资金管理规范，无违规使用资金情况。
3.3产出
完成社区改造3个，城市管理巡查1200次。
3.4效果
辖区居民满意度达96%。
4.存在的问题
1.在职人员超编。
2.部分项目预算执行偏慢。
5.绩效评价结论
5.1绩效评价得分
经综合评价，2018年度部门整体支出绩效自评得分为92.5分，评价等级为优。
6.改进措施和建议
6.1严格控制人员编制。
6.2加快预算执行进度。
"""

# Guangdong: 财绩函 preamble, 实有编制数/年末在职人数, a change and shares next to amounts.
DIANBAI = """茂名市电白区农业农村局2021年度部门整体支出绩效自评报告

根据《茂名市电白区财政局关于开展2021年度部门整体支出绩效自评工作的通知》（电财绩函〔2022〕15号）要求，我局对2021年度部门整体支出情况进行了绩效自评，现将自评情况报告如下：
一、部门(单位)基本情况
(一)部门职能
负责全区农业农村经济发展规划、农村改革、农田建设和农产品质量安全监管等工作。
(二)机构及人员
我局内设8个股室，下属事业单位4个。实有编制数56人，年末在职人数55人，离退休人数31人。
(三)年度工作
全年完成高标准农田建设2.1万亩，发放耕地地力保护补贴4,512.30万元。
(四)绩效目标
年初设定产出、效益、满意度目标共12项。
二、部门整体支出情况
2021年度收入总额5426.60万元，其中财政拨款5326.60万元，其他收入100.00万元。
2021年度支出总额5426.60万元，比上年增加189.25万元，增长3.61%。其中基本支出3129.58万元，占支出总额的57.67%；项目支出2297.02万元，占支出总额的42.33%。
“三公”经费支出12.40万元，其中公务接待费3.10万元，公务用车运行维护费9.30万元。
三、绩效自评结果
经自评，我局2021年度部门整体支出绩效自评得分95.5分。
四、存在的问题
部分项目前期论证不充分，预算执行进度不均衡。
五、下一步改进措施
加强项目前期论证，加快预算执行。

茂名市电白区农业农村局
2022年4月28日
"""

# Amounts in 元 with thousands separators; last year's total stated first; cases by channel.
YUELOU = """岳阳市岳阳楼区城市管理和综合执法局2022年度部门（单位）整体支出绩效评价自评报告

按照区财政局《关于开展2022年度部门整体支出绩效评价工作的通知》（岳楼财绩〔2023〕2号）要求，我局对2022年度部门整体支出进行了自评，现将有关情况报告如下：
一、部门（单位）基本情况
我局是区政府工作部门，负责城市管理和综合执法工作。人员编制86人，实有人数92人。
二、部门整体支出管理及使用情况
2022年度收入合计36,500,000.00元，其中上年结转1,200,000.00元，财政拨款35,300,000.00元。
上年支出合计34,100,000.00元，本年度支出合计36,274,800.00元，其中基本支出26,022,800.00元（人员支出19,036,700.00元，公用支出6,986,100.00元），项目支出10,252,000.00元。
三、部门整体支出绩效情况
全年受理城市管理投诉1260件，其中12345投诉980件，现场投诉280件，办结率100%。
四、存在的问题
执法车辆老化，部分路段管护力量不足。
五、改进措施
争取资金更新执法车辆，优化网格化管理。
六、评价结论
综合评分为88分，评价等次为良。
"""

# 亿元 and 元 beside 万元; a share after the total; quotas only by type; 红河州's "(本局)".
HONGHE = """红河州生态环境局2023年度部门整体支出绩效单位自评报告(本局)

根据《红河州财政局关于做好2023年度部门整体支出绩效自评工作的通知》（红财绩〔2024〕5号），现将本局自评情况报告如下。
一、部门基本情况
(一)部门职责
负责全州生态环境监督管理。
(二)人员情况
核定行政编制38名、事业编制24名，年末实有在职人员58人。
二、部门整体支出情况
全年收入合计1.35亿元，其中财政拨款12,800.50万元，上年结转约700万元。
全年支出总额1.2亿元，占全年收入的88.89%。其中基本支出4,321.09万元，占总支出的36.01%；项目支出7678.91万元。
“三公”经费支出合计18.6万元，其中公务接待费32,000元，公务用车运行维护费15.40万元。
三、部门整体支出绩效情况
全年完成污染防治攻坚项目23个，争取中央生态环境资金2.3亿元。
四、存在的问题
项目储备不足。
五、改进措施
加强项目库建设。
"""


def docx_bytes(text: str) -> bytes:
    """The text as a Word document, one paragraph per line (how such reports are written)."""
    import docx

    d = docx.Document()
    for line in text.splitlines():
        if line.strip():
            d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


FIXTURES = {
    "nanxian.txt": NANXIAN.encode("utf-8"),
    "yuanling.docx": docx_bytes(YUANLING),
    "jishou-gb18030.txt": JISHOU.encode("gb18030"),
    "dianbai.txt": DIANBAI.encode("utf-8"),
    "yuelou.docx": docx_bytes(YUELOU),
    "honghe.txt": HONGHE.encode("utf-8"),
}


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return {name: extract_bytes(data, name) for name, data in FIXTURES.items()}


def _expenditure(record) -> dict:
    (row,) = record["expenditure"]
    return {k: v for k, v in row.items() if v is not None}


def _income(record) -> dict:
    (row,) = record["income"]
    return {k: v for k, v in row.items() if v is not None}


def _present(record) -> set[str]:
    return {k for k, v in record["narrative"].items() if v}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_every_prose_report_is_a_valid_record_of_the_prose_template(name, records, record_validator):
    record = records[name]
    record_validator.validate(record)
    assert record["source"]["template"] == "hunan-prose"
    assert record["source"]["format"] == name.rsplit(".", 1)[1]
    assert record["source"]["file_name"] == name
    for row in record["expenditure"] + record["income"] + record["three_public"] + record["fixed_assets"]:
        assert row["org"] == "汇总"


def test_nanxian_score_first_report(records):
    r = records["nanxian.txt"]
    rep = r["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("南县财政局", "南县", 2020)
    assert (rep["self_score"], rep["grade"]) == (97, "优")
    # 205 = 132 在职 + 73 离退休: a headcount, not a quota to compare 在职 with.
    assert (rep["staff_quota"], rep["staff_actual"]) == (None, 132)
    # The total is not stated, so it is not 2602.28 + 1025.20.
    assert _expenditure(r) == {"org": "汇总", "basic": 2602.28, "personnel": 1903.67, "public": 698.61,
                               "project": 1025.20}
    assert r["income"] == [] and r["three_public"] == [] and r["fixed_assets"] == []
    assert r["source"]["money_unit"] == "万元"
    assert _present(r) == {"overview", "basic_expenditure", "project_expenditure", "problems", "improvements"}
    assert r["narrative"]["problems"] == "1.预算编制不够精细。\n2.项目支出绩效目标设定不够明确。"
    assert r["narrative"]["basic_expenditure"].startswith("2020年度基本支出2602.28万元")
    # What to check, one by one; what a prose report lacks, in one summary.
    assert r["source"]["warnings"] == [
        "正文中未找到“部门整体支出绩效情况”一节",
        "“编制人员205人”含离退休人员，不是编制数，未计入“人员编制”",
        "正文中未找到支出的“支出合计”金额，已留空",
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到收入、三公经费和固定资产金额，相关项目为空"]


def test_yuanling_township_docx_without_year_in_title(records):
    r = records["yuanling.docx"]
    rep = r["report"]
    assert (rep["unit_name"], rep["region"]) == ("沅陵县二酉苗族乡人民政府", "沅陵县")
    # The year the opening paragraph evaluates (对2021年度…), not the cited document's 〔2022〕.
    assert rep["fiscal_year"] == 2021
    assert "标题中未找到年度：已按开篇段落所述推定为 2021 年度" in r["source"]["warnings"]
    assert (rep["staff_quota"], rep["staff_actual"]) == (45, 41)
    assert (rep["self_score"], rep["grade"]) == (None, "优秀")
    assert "未找到“绩效自评综合得分”" in r["source"]["warnings"]
    assert rep["functions"] == "贯彻执行党和国家的路线方针政策，负责全乡经济社会发展规划、农业农村、社会事业和基层治理等工作。"
    assert _expenditure(r) == {"org": "汇总", "basic": 756.42, "personnel": 642.18, "public": 114.24,
                               "project": 512.36}
    assert _present(r) == {"overview", "basic_expenditure", "project_expenditure", "performance", "problems",
                           "improvements"}
    # "(一)项目支出管理有待规范。" under 存在的问题 is a problem, not the 项目支出 section.
    assert r["narrative"]["problems"].startswith("(一)项目支出管理有待规范。")
    assert r["narrative"]["project_expenditure"].startswith("2021年度项目支出512.36万元")
    assert "(二)人员编制" in r["narrative"]["overview"]
    assert r["source"]["warnings"] == [
        "标题中未找到年度：已按开篇段落所述推定为 2021 年度",
        "正文中未找到支出的“支出合计”金额，已留空", "未找到“绩效自评综合得分”",
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到收入、三公经费和固定资产金额，相关项目为空"]


def test_jishou_decimal_numbering_gb18030(records):
    r = records["jishou-gb18030.txt"]
    rep = r["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("湘西州吉首市乾州街道办事处", "湘西州吉首市", 2018)
    assert (rep["staff_quota"], rep["staff_actual"]) == (18, 20)
    assert (rep["self_score"], rep["grade"]) == (92.5, "优")
    assert rep["functions"] == "负责辖区经济发展、城市管理、社会事务和社区建设等工作。"
    assert _expenditure(r) == {"org": "汇总", "total": 1568.78, "basic": 930.25, "personnel": 702.11,
                               "public": 228.14, "project": 638.53}
    assert _present(r) == {"overview", "basic_expenditure", "project_expenditure", "performance", "problems",
                           "improvements"}
    # 3.1投入 … 3.4效果 belong to the performance section; "1." restarted under 4. is a list.
    assert "3.4效果\n辖区居民满意度达96%。" in r["narrative"]["performance"]
    assert r["narrative"]["problems"] == "1.在职人员超编。\n2.部分项目预算执行偏慢。"
    # 5.绩效评价结论 has no narrative key: it does not run on into 存在的问题 or 改进措施.
    assert r["narrative"]["improvements"] == "6.1严格控制人员编制。\n6.2加快预算执行进度。"
    # no fund sections, no 其他: optional in prose, so no warning about them
    assert r["source"]["warnings"] == [
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到收入、三公经费和固定资产金额，相关项目为空"]


def test_dianbai_guangdong_style(records):
    r = records["dianbai.txt"]
    rep = r["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("茂名市电白区农业农村局", "茂名市电白区", 2021)
    assert (rep["staff_quota"], rep["staff_actual"]) == (56, 55)
    assert (rep["self_score"], rep["grade"]) == (95.5, None)
    assert rep["report_date"] == "2022-04-28"
    assert rep["functions"].startswith("负责全区农业农村经济发展规划")
    # The change "增加189.25万元" and the shares "占…57.67%" are not amounts of these fields.
    assert _expenditure(r) == {"org": "汇总", "total": 5426.60, "basic": 3129.58, "project": 2297.02}
    assert _income(r) == {"org": "汇总", "total": 5426.60, "fiscal_appropriation": 5326.60, "other_income": 100.0}
    (tp,) = r["three_public"]
    assert tp == {"org": "汇总", "total": 12.4, "reception": 3.1, "vehicle_operation": 9.3,
                  "vehicle_purchase": None, "overseas": None}
    # no grade is worth a look; the 人员/公用 split and 固定资产 are what prose often leaves out
    assert r["source"]["warnings"] == [
        "正文中未找到“部门整体支出绩效情况”一节", "未找到“评价等次”",
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到人员支出、公用支出和固定资产金额，相关项目为空"]
    assert _present(r) == {"overview", "problems", "improvements"}
    # The closing signature (unit and date) is not part of the last section.
    assert r["narrative"]["improvements"] == "加强项目前期论证，加快预算执行。"


def test_yuelou_amounts_in_yuan_with_separators(records):
    r = records["yuelou.docx"]
    rep = r["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == (
        "岳阳市岳阳楼区城市管理和综合执法局", "岳阳市岳阳楼区", 2022)
    assert (rep["staff_quota"], rep["staff_actual"], rep["self_score"], rep["grade"]) == (86, 92, 88, "良")
    assert r["source"]["money_unit"] == "元"
    # Last year's 3410万元 is stated first and skipped.
    assert _expenditure(r) == pytest.approx({"org": "汇总", "total": 3627.48, "basic": 2602.28,
                                             "personnel": 1903.67, "public": 698.61, "project": 1025.2})
    assert _income(r) == pytest.approx({"org": "汇总", "total": 3650.0, "carryover": 120.0,
                                        "fiscal_appropriation": 3530.0})
    cases = {c["channel"]: c["count"] for c in r["cases"]}
    assert cases == {"total": 1260, "hotline_12345": 980, "walk_in": 280}
    # nothing to check: the one summary of what prose has no place for
    assert r["source"]["warnings"] == [
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到三公经费和固定资产金额，相关项目为空"]


def test_honghe_mixed_units_shares_and_typed_quotas(records):
    r = records["honghe.txt"]
    rep = r["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("红河州生态环境局", "红河州", 2023)
    assert (rep["staff_quota"], rep["staff_actual"]) == (None, 58)
    assert (rep["self_score"], rep["grade"]) == (None, None)
    assert rep["functions"] == "负责全州生态环境监督管理。"
    assert _expenditure(r) == pytest.approx({"org": "汇总", "total": 12000.0, "basic": 4321.09,
                                             "project": 7678.91})
    assert _income(r) == pytest.approx({"org": "汇总", "total": 13500.0, "fiscal_appropriation": 12800.5,
                                        "carryover": 700.0})
    assert r["three_public"][0]["reception"] == pytest.approx(3.2)  # 32,000元
    assert r["source"]["money_unit"] == "万元"
    assert r["source"]["warnings"] == [
        "人员编制按类型分列（行政编制38名、事业编制24名），未写合计，已留空",
        "正文“上年结转约700万元”是约数，已按 700 万元计",
        "正文金额单位不一（万元、亿元、元），已全部换算为万元",
        "未找到“绩效自评综合得分”", "未找到“评价等次”",
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到人员支出、公用支出和固定资产金额，相关项目为空"]


# The common skeleton as the demo writes it: staff, income, spending with its
# total and split, 三公, 固定资产, problems, improvements, score and grade; no
# fund sections and no 其他 (optional in prose).
COMPLETE = """{title}
根据《湖南省财政厅关于开展2021年度部门整体支出绩效自评工作的通知》（湘财绩〔2022〕7号），我局对2021年度部门整体支出开展了绩效自评，现将自评情况报告如下：
一、部门基本情况
（一）部门职能
负责受理群众来信来访，协调处理信访突出问题。
（二）机构设置及人员情况
单位核定编制24人，实有人数22人。
二、部门整体支出管理及使用情况
2021年度收入合计1979.07万元，其中公共财政拨款1979.07万元。
{spending}
“三公”经费支出3.10万元，其中公务接待费3.10万元，公务用车运行维护费0.00万元，公务用车购置费0.00万元，因公出国（境）费0.00万元。
截至2021年末，单位固定资产总额1117.01万元，其中在用固定资产1117.01万元。
（一）基本支出情况
基本支出主要用于基本工资、津贴补贴和办公费。
（二）项目支出情况
项目支出主要用于信访积案化解。
三、部门整体支出绩效情况
全年受理信访事项807件，化解信访积案40件。
四、存在的问题及原因分析
项目资金拨付进度偏慢。
五、下一步改进措施
加强预算编制管理。
六、评价结论
经自评，我局2021年度部门整体支出绩效自评得分为91.3分，评价等次为优。
岳阳市云溪区信访局
2022年5月19日
"""
TITLE = "岳阳市云溪区信访局2021年度部门整体支出绩效自评报告"
SPENDING = ("2021年度支出总额1979.07万元，其中基本支出1086.03万元，项目支出893.04万元。"
            "基本支出中，人员支出928.17万元，公用支出157.86万元。")
LACKS_TABLES = "文字版报告（无填报表）：没有定性目标表和绩效指标表，相关项目为空"


def test_a_complete_prose_report_gets_only_the_summary_warning():
    """Everything a prose report can state is there: what is left is the one
    line saying it has no goal or indicator table (not eight "not found"s)."""
    text = COMPLETE.format(title=TITLE, spending=SPENDING)
    record = extract_bytes(text.encode("utf-8"), "complete.txt")
    rep = record["report"]
    assert (rep["staff_quota"], rep["staff_actual"], rep["self_score"], rep["grade"]) == (24, 22, 91.3, "优")
    assert record["expenditure"][0]["total"] == 1979.07 and record["three_public"][0]["total"] == 3.1
    assert record["narrative"]["government_fund"] is None and record["narrative"]["other"] is None
    assert record["source"]["warnings"] == [LACKS_TABLES]


def test_a_missing_total_and_an_inferred_year_are_warned_about_beside_the_summary():
    text = COMPLETE.format(title="岳阳市云溪区信访局部门整体支出绩效自评报告",
                           spending=SPENDING.replace("支出总额1979.07万元，其中", ""))
    record = extract_bytes(text.encode("utf-8"), "no-total.txt")
    assert record["report"]["fiscal_year"] == 2021 and record["expenditure"][0]["total"] is None
    assert record["source"]["warnings"] == [
        "标题中未找到年度：已按开篇段落所述推定为 2021 年度",
        "正文中未找到支出的“支出合计”金额，已留空",
        LACKS_TABLES]


@pytest.mark.parametrize("drop, warning", [
    # a report that skips its problems or improvements is worth a question
    ("四、存在的问题及原因分析\n项目资金拨付进度偏慢。\n", "正文中未找到“存在的问题及原因分析”一节"),
    ("五、下一步改进措施\n加强预算编制管理。\n", "正文中未找到“下一步改进措施”一节"),
    ("单位核定编制24人，", "未找到“人员编制”"),
    ("，评价等次为优", "未找到“评价等次”"),
])
def test_what_a_prose_report_normally_states_is_warned_about_one_by_one(drop, warning):
    text = COMPLETE.format(title=TITLE, spending=SPENDING)
    assert drop in text
    record = extract_bytes(text.replace(drop, "").encode("utf-8"), "x.txt")
    assert record["source"]["warnings"] == [warning, LACKS_TABLES]


def test_the_summary_lists_only_what_this_report_lacks():
    text = COMPLETE.format(title=TITLE, spending=SPENDING.replace("基本支出中，人员支出928.17万元，公用支出157.86万元。", ""))
    text = text.replace("截至2021年末，单位固定资产总额1117.01万元，其中在用固定资产1117.01万元。\n", "")
    text = text.replace("2021年度收入合计1979.07万元，其中公共财政拨款", "2021年度公共财政拨款")
    record = extract_bytes(text.encode("utf-8"), "x.txt")
    assert record["source"]["warnings"] == [
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，"
        "正文中未找到人员支出、公用支出、收入合计和固定资产金额，相关项目为空"]


def test_a_prose_report_with_its_self_evaluation_table_appended_does_not_list_it():
    """An appended 自评表 is read; the summary then names only what is still missing."""
    import docx

    d = docx.Document()
    for line in COMPLETE.format(title=TITLE, spending=SPENDING).splitlines():
        if line.strip():
            d.add_paragraph(line)
    table = d.add_table(rows=3, cols=4)
    for row, cells in zip(table.rows, (("一级指标", "二级指标", "三级指标", "实际完成值"),
                                       ("产出目标", "数量指标", "指标1：受理信访事项", "807件"),
                                       ("满意度", "群众满意度", "指标2：群众满意度", "95%"))):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    record = extract_bytes(buf.getvalue(), "appended.docx")
    assert [i["actual_value"] for i in record["indicators"]] == [807, 95]
    assert record["source"]["warnings"] == ["文字版报告（无填报表）：没有定性目标表，相关项目为空"]


@pytest.mark.parametrize("staff, quota, actual, warnings", [
    # 南县's headcount, then the quota itself: the headcount is skipped, the quota read
    ("编制人员205人，其中在职132人，离退休73人。单位核定编制140人。", 140, 132,
     ["“编制人员205人”含离退休人员，不是编制数，未计入“人员编制”"]),
    ("编制人员205人，其中在职132人，离退休73人。\n核定编制140名，实有人员132名。", 140, 132,
     ["“编制人员205人”含离退休人员，不是编制数，未计入“人员编制”"]),
    # the headcount alone: no quota, and its warning is the only one about it
    ("编制人员205人，其中在职132人，离退休73人。", None, 132,
     ["“编制人员205人”含离退休人员，不是编制数，未计入“人员编制”"]),
])
def test_a_headcount_with_retirees_does_not_hide_the_quota(staff, quota, actual, warnings):
    text = f"南县财政局2020年度部门整体支出绩效自评报告\n一、基本情况\n{staff}\n"
    record = extract_bytes(text.encode("utf-8"), "staff.txt")
    assert (record["report"]["staff_quota"], record["report"]["staff_actual"]) == (quota, actual)
    w = record["source"]["warnings"]
    assert [x for x in w if "编制" in x or "实有人数" in x] == warnings


@pytest.mark.parametrize("title, unit, region, year", [
    ("南县财政局\n2020年度部门整体支出绩效自评报告", "南县财政局", "南县", 2020),
    ("附件2\n南县财政局关于2020年度部门整体支出绩效自评的报告", "南县财政局", "南县", 2020),
    ("岳阳市岳阳楼区财政局 2020 年度单位整体支出绩效自评报告", "岳阳市岳阳楼区财政局", "岳阳市岳阳楼区", 2020),
    ("中共南县县委宣传部2020年度部门(单位)整体支出绩效评价自评报告", "中共南县县委宣传部", "南县", 2020),
    ("市场监督管理局2020年度部门整体支出绩效自评报告", "市场监督管理局", None, 2020),
])
def test_title_variants(title, unit, region, year):
    text = title + "\n一、基本情况\n本单位负责全县有关工作。\n"
    record = extract_bytes(text.encode("utf-8"), "t.txt")
    assert (record["report"]["unit_name"], record["report"]["region"], record["report"]["fiscal_year"]) == (
        unit, region, year)
    assert ("标题中未找到地区名称" in record["source"]["warnings"]) == (region is None)


def test_region_rule_stops_at_the_first_part_that_is_not_an_area():
    assert region_of("南县城市管理局") == "南县"
    assert region_of("湘西土家族苗族自治州吉首市财政局") == "湘西土家族苗族自治州吉首市"
    assert region_of("湖南省财政厅") == "湖南省"
    assert region_of("云溪区劳动和社会保障监察大队") == "云溪区"


def test_a_prose_report_without_any_year_is_rejected_with_one_chinese_line():
    text = "某某县文化馆部门整体支出绩效自评报告\n一、基本情况\n本馆负责全县群众文化工作。\n"
    with pytest.raises(ExtractError) as e:
        extract_bytes(text.encode("utf-8"), "no-year.txt")
    assert str(e.value) == "绩效自评报告未写明年度：标题和正文中都未找到“20XX年度”"


@pytest.mark.parametrize("sentence, expected", [
    # a year-on-year change and a share beside the amount are not the amount
    ("基本支出2584.01万元，比上年增加189.25万元，占99.30%。", {"basic": 2584.01}),
    # last year's figure and the budget are skipped; this year's is taken
    ("上年基本支出2412.03万元，年初预算基本支出2500万元，2020年度基本支出2602.28万元。", {"basic": 2602.28}),
    ("2019年度项目支出900万元，2020年度项目支出1025.20万元。", {"project": 1025.2}),
    # "“三公”经费支出合计" is not the unit's 支出合计
    ("“三公”经费支出合计0.00万元。本年度支出合计3627.48万元。", {"total": 3627.48}),
    # the label runs straight into a share: no amount for it here
    ("基本支出占总支出的71.74%。", {}),
    ("人员经费支出1903.67万元，日常公用经费支出698.61万元。", {"personnel": 1903.67, "public": 698.61}),
    ("一般公共预算基本支出2602.28万元，共支出3627.48万元。", {"basic": 2602.28, "total": 3627.48}),
    ("项目支出1025余万元。", {"project": 1025.0}),
    ("支出总额1,234,567.89元。", {"total": 123.456789}),
])
def test_money_sentences(sentence, expected):
    text = f"南县财政局2020年度部门整体支出绩效自评报告\n一、支出情况\n{sentence}\n"
    record = extract_bytes(text.encode("utf-8"), "m.txt")
    found = {k: v for row in record["expenditure"] for k, v in row.items() if k != "org" and v is not None}
    assert found == pytest.approx(expected)
    if "余" in sentence:
        assert "正文“项目支出1025余万元”是约数，已按 1025 万元计" in record["source"]["warnings"]


def test_the_seed_still_takes_the_template_path():
    record = extract_file(SEED)
    assert record["source"]["template"] == TEMPLATE == "yueyang-yunxi-2022"
    assert record["source"]["warnings"] == []


@pytest.mark.parametrize("text", [
    "静夜思\n\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n",
    # Talks about a report, but has no report's title.
    "关于报送材料的函\n请于2021年度结束前报送部门整体支出绩效自评报告。\n",
])
def test_non_reports_are_still_rejected_as_before(text):
    with pytest.raises(ExtractError) as e:
        extract_bytes(text.encode("utf-8"), "x.txt")
    assert str(e.value).startswith("不是绩效自评报告：") and "\n" not in str(e.value)


def test_a_prose_report_loads_and_shows_in_budget_execution(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "jishou.txt").write_bytes(FIXTURES["jishou-gb18030.txt"])
    db = tmp_path / "reports.duckdb"
    # `etl load` as the user runs it (a worker process extracts, the parent stores and refreshes)
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(folder), "--db", str(db)], cwd=ROOT,
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert proc.stdout.decode("utf-8").splitlines() == ["已导入 1 份，替换 0 份，未变 0 份，失败 0 份"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select unit_name, region, fiscal_year, template from reports").fetchall() == [
            ("湘西州吉首市乾州街道办事处", "湘西州吉首市", 2018, "hunan-prose")]
    frame = queries.run("budget_execution", db)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["unit_name"] == "湘西州吉首市乾州街道办事处"
    assert row["expenditure_total"] == pytest.approx(1568.78)
    # No income stated: NA, not 0, and no execution rate against it.
    assert pd.isna(row["income_total"]) and pd.isna(row["rate_vs_income"])


COVER_THEN_PROSE_TEXT = """岳阳市云溪区2022年度部门整体支出

绩效评价自评报告

部门（单位）名称：云溪区信访局
预算编码：104001
评价方式：部门（单位）绩效自评
评价机构：部门（单位）评价组
报告日期：2023 年 5 月 18 日

一、部门（单位）基本情况
（一）人员编制：核定编制20人，实有在职18人。
二、部门整体支出管理及使用情况
2022年度支出合计512.30万元，其中基本支出402.30万元（人员支出350.10万元，公用支出52.20万元），项目支出110.00万元。
三、绩效自评情况
经自评，综合得分92分，评价等次为优。
四、存在的问题
1.绩效目标设置不够具体。
五、改进措施
1.细化绩效目标。
"""


def test_a_template_cover_over_a_prose_body_reads_both():
    # the cover filled in as the template asks, the rest written as prose: the cover's labelled
    # fields and the figures of the sentences, rather than a record with no money at all
    from etl.extract import COVER_THEN_PROSE
    record = extract_bytes(COVER_THEN_PROSE_TEXT.encode("utf-8"), "信访局2022.txt")
    rep = record["report"]
    assert (rep["region"], rep["fiscal_year"], rep["unit_name"], rep["budget_code"], rep["report_date"]) == \
        ("岳阳市云溪区", 2022, "云溪区信访局", "104001", "2023-05-18")
    assert (rep["staff_quota"], rep["staff_actual"], rep["self_score"], rep["grade"]) == (20, 18, 92.0, "优")
    assert record["expenditure"] == [{"org": "汇总", "total": 512.3, "basic": 402.3, "personnel": 350.1, "public": 52.2,
                                      "project": 110.0, "surplus_year": None, "surplus_cumulative": None}]
    assert record["source"]["template"] == "hunan-prose"
    assert record["source"]["warnings"][0] == COVER_THEN_PROSE
    assert not any(w.startswith("未找到") for w in record["source"]["warnings"])


def test_a_town_title_without_its_county_takes_the_sealed_label_and_a_single_kind_of_quota():
    # after xuwen-2024-qianshan-town and honghe-2024-data-center (tests/real_reports)
    text = ("前山镇部门整体支出绩效自评报告\n评价年度：2024\n评价单位（公章）：徐闻县前山镇人民政府\n"
            "现将2024年度整体支出绩效自评情况报告如下：\n一、单位基本情况\n"
            "机构编制部门核定人数96人、年末在职人数86人、离退休人数48人。\n")
    rep = extract_bytes(text.encode("utf-8"), "qianshan.txt")["report"]
    assert (rep["unit_name"], rep["fiscal_year"], rep["staff_quota"], rep["staff_actual"]) == (
        "徐闻县前山镇人民政府", 2024, 96, 86)
    text = ("红河州数据发展中心2024年度部门整体支出绩效自评报告\n一、部门基本情况\n"
            "截至2024年12月31日，部门事业编制人数15人，年末实有人数14人。较上年度减少7人。\n")
    record = extract_bytes(text.encode("utf-8"), "honghe.txt")
    assert (record["report"]["staff_quota"], record["report"]["staff_actual"]) == (15, 14)
    assert "人员编制只写了“事业编制人数15人”，已按此计入“人员编制”" in record["source"]["warnings"]


def test_a_form_like_page_titled_zipingqingkuang_names_its_unit_as_the_subject_of_its_staff():
    # after deqin-2022-peoples-congress (tests/real_reports)
    text = ("2022年度部门整体支出绩效自评情况 | |||\n一、部门基本情况 | (一)部门概况 | 3.人员情况,"
            "德钦县人民代表大会常务委员会部门2022年末实有人员编制20人。其中:行政编制20人。 | |\n")
    rep = extract_bytes(text.encode("utf-8"), "deqin.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"], rep["staff_quota"]) == (
        "德钦县人民代表大会常务委员会", "德钦县", 2022, 20)


@pytest.mark.parametrize("text, reason", [
    ("本部门按要求对2021年部门整体支出开展绩效自评,从评价情况来看项目完成情况良好。\n1. 项目绩效目标完成情况。\n",
     "绩效自评报告未写明单位名称"),
    ("部门整体支出绩效评价报告\n吉首市乾州街道办事处部门整体支出\n绩效评价报告\n评价单位:吉首市乾州街道办事处\n"
     "报告时间: 2018 年7月\n一、基本情况\n", "绩效自评报告未写明年度"),
])
def test_a_report_that_never_states_its_unit_or_year_is_refused_saying_which(text, reason):
    with pytest.raises(ExtractError) as err:
        extract_bytes(text.encode("utf-8"), "r.txt")
    assert str(err.value).startswith(reason) and "\n" not in str(err.value)


def test_fixed_assets_stated_at_the_start_and_end_of_the_year_take_the_year_end():
    # shuangqing-2023-labor-inspection (../shared/real-reports): "2023年固定资产年初数0万元,期末数0 万元。"
    text = NANXIAN.replace("四、存在的问题", "三、资产管理情况\n2020年固定资产年初数12.50万元,期末数10 万元。\n四、存在的问题", 1)
    assert "固定资产年初数" in text
    (row,) = extract_bytes(text.encode("utf-8"), "nanxian.txt")["fixed_assets"]
    assert row["total"] == 10


# --- shapes from the third batch of tests/real_reports (each sentence as published) ---

def test_a_sharing_sites_file_name_is_the_title_and_the_header_labels_are_read():
    # huizhou-2021-transport (tests/real_reports): the unit and year only in the file name,
    # "2021" glued to 部门整体; the 参考格式 header on one line, its date without 日
    text = ("秦岭文库(kunmingchi.com)你想要的内容这里独有!\n\n惠州市交通运输局2021部门整体绩效自评报告.pdf\n\n"
            "当前文档共23页 下载后继续阅读\n\n惠州市交通运输局2021部门整体绩效自评报告.pdf\n\n"
            "附件 1: 部门整体绩效自评报告 (参考格式) 部门名称:(公章) 下属二级预算单位数量:5 个 "
            "填报人:邓瑾姿 联系电话:0752-2829637 填报日期:2022 年 5 月 20 一、部门基本情况 (一)部门职能。 "
            "1、负责综合交通运输(含高速公路、普通国省道、农村公 路、港口、城市道路及其附属设施、水运、枢纽场站等)规划、 建设、管理。")
    rep = extract_bytes(text.encode("utf-8"), "huizhou.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("惠州市交通运输局", "惠州市", 2021)
    assert (rep["contact"], rep["phone"], rep["report_date"]) == ("邓瑾姿", "0752-2829637", "2022-05-20")


def test_a_notices_list_of_attached_reports_is_no_title():
    # notice-tianshui-2022-evaluation-reports-list (tests/real_reports)
    text = ("为加强财政支出管理,强化财政支出责任,切实提高财政资金使用效益,我局委托第三方评价机构,"
            "对2021年市级预算执行的8个项目和2个预算部门,开展了项目绩效评价和部门整体支出绩效评价工作。\n附件:\n"
            "附件9:2021年度天水市残疾人联合会部门整体支出绩效评价报告.pdf\n"
            "附件10:天水市公安局交通警察支队部门整体支出绩效评价报告.pdf\n天水市财政局\n2022年12月15日")
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "tianshui.txt")


@pytest.mark.parametrize("text, unit, year", [
    # baoshan-2021-transport (tests/real_reports): no title, the notice and "报告如下" open it
    ("根据《关于2021年市级部门整体支出和项目支出绩效自评及财政绩效评价》(保财绩〔2022〕4号)文件要求,"
     "我局认真组织了局机关及属各二级预算单位开展了2021年度部门整体支出绩效自评和项目预算绩效自评工作。现将自评情况报告如下:\n"
     "一、部门基本情况\n(一)部门概况\n保山市交通运输局是保山市人民政府工作部门,为正处级。\n", "保山市交通运输局", 2021),
    # zhanjiang-2017-public-security: the year only inside the notice's title
    ("根据《关于开展2017年度市级部门单位整体支出自我绩效评价的通知》(湛财评[2018]20号)要求,我局及时布置自评,"
     "填写自评表格,形成本评价报告。\n一、单位基本情况\n(一)单位情况\n"
     "湛江市公安局是市政府主管全市公安工作的职能部门,属财政拨款的一级行政单位(正处级)。\n(二)人员情况(涉密)\n",
     "湛江市公安局", 2017),
])
def test_an_untitled_report_takes_its_unit_from_the_sentence_that_defines_it(text, unit, year):
    record = extract_bytes(text.encode("utf-8"), "untitled.txt")
    rep = record["report"]
    assert (rep["unit_name"], rep["fiscal_year"], rep["staff_quota"]) == (unit, year, None)
    assert f"报告没有标题：单位取自正文“{unit}”，请核对" in record["source"]["warnings"]


def test_an_untitled_opening_that_is_not_about_the_whole_unit_is_still_refused():
    text = ("根据文件要求,我单位对2021年度项目支出开展了绩效自评,现将自评情况报告如下:\n一、基本情况\n"
            "保山市交通运输局是保山市人民政府工作部门。\n")
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "project.txt")


def test_a_units_yearly_budget_self_evaluation_is_a_report_title():
    # xizang-2020-disabled-federation (tests/real_reports), under the page's "标      题" label
    text = ("标      题 西藏自治区残疾人联合会2020年度预算绩效自评报告\n\n自治区财政厅:\n\n一、单位基本情况\n\n"
            "根据藏机编发[2010]35号、核定我会残联机关人员编制总数共计29人(其中行政编制21人、机关事业编制8人)。"
            "2020年末残联机关实有人数22人,援藏干部1人。\n")
    rep = extract_bytes(text.encode("utf-8"), "xizang.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("西藏自治区残疾人联合会", "西藏自治区", 2020)
    assert (rep["staff_quota"], rep["staff_actual"]) == (29, 22)


@pytest.mark.parametrize("title, unit, region, year", [
    # xuwen-2024-xiaqiao-town and fengdu-2023-jiangchi-town (tests/real_reports)
    ("下桥镇人民政府2024年度绩效自评报告", "下桥镇人民政府", None, 2024),
    ("丰都县江池镇人民政府2023年度绩效自评报告", "丰都县江池镇人民政府", "丰都县", 2023),
])
def test_an_organisations_own_yearly_self_evaluation_is_a_report_title(title, unit, region, year):
    text = (f"{title}\n\n  根据上级财政部门关于年度绩效自评工作的通知要求,我镇全面开展绩效自评工作,"
            f"现将{year}年度绩效情况报告如下:\n\n  一、单位基本情况\n\n  (一)机构与职能\n\n"
            "  下桥镇人民政府为县级政府下属行政单位,执行政府会计准则制度,机构核定编制107人,无下属二级预算单位。\n\n"
            f"  (三)收支与绩效目标\n\n  {year}年度财政拨款收入合计2024.05万元(均为一般公共预算收入),"
            "财政拨款支出合计2024.05万元,预算执行率100%。\n")
    record = extract_bytes(text.encode("utf-8"), "town.txt")
    rep = record["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"], rep["staff_quota"]) == (unit, region, year, 107)
    assert record["income"][0]["fiscal_appropriation"] == 2024.05  # an amount that reads like a year
    assert record["expenditure"] == []  # 财政拨款支出 is not the unit's 支出合计


@pytest.mark.parametrize("title", ["红河州数据发展中心项目2024年度绩效自评报告", "县编办专项工作经费2021年度绩效自评报告"])
def test_a_project_or_fund_before_the_year_is_no_units_yearly_title(title):
    text = f"{title}\n一、项目基本情况\n(一)项目概况。专项工作经费主要用于事业单位登记。\n"
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "project.txt")


def test_a_sharing_sites_chunk_number_before_the_title_is_not_the_unit():
    # kaifu-2022-peoples-congress-office (tests/real_reports): 三一办公 numbers its text chunks "1、", "2、"
    text = ("2022年度长沙市开福区人大常委会办公室整体支出绩效自评报告.docx\n\n上传人:李司机 文档编号:6876471\n"
            "点击查看更多>>\n资源描述\n\n1、2022年度长沙市开福区人大常委会办公室整体支出绩效自评报告一、基本情况"
            "(一)部门(单位)基本情况(一)基本情况。1.主要职能:依照宪法和相关法律法规的规定开展工作。"
            "(1)负责召集本级人民代表大会会议和常委会议。(2)讨论和决定本行政区域内的重大事项。"
            "(3)确保国家宪法、法律在本行政区域内遵守和执行,负责本区的法律宣传和法制建设。\n\n2、人员的申诉和意见\n")
    rep = extract_bytes(text.encode("utf-8"), "kaifu.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("长沙市开福区人大常委会办公室", "长沙市开福区", 2022)


def test_the_staff_of_the_units_under_it_are_not_the_units_own():
    # nmg-2020-hrss-dept (tests/real_reports): the 厅's one typed quota, then its 15 事业单位' figures
    text = ("内蒙古自治区人力资源和社会保障厅2020年度部门整体支出绩效自评报告\n一、部门基本情况\n"
            "内蒙古人社厅是自治区人民政府组成部门,截至2020年12月,自治区人力资源和社会保障厅内设处室20个,"
            "核定行政编制数为103人,在职人员89人。\n人力资源和社会保障厅所属事业单位15个,其中:参照公务员法管理的事业单位3个,"
            "公益一类事业单位10个,公益二类事业单位2个,核定编制数320人,在职人员288人。\n")
    record = extract_bytes(text.encode("utf-8"), "nmg.txt")
    assert (record["report"]["staff_quota"], record["report"]["staff_actual"]) == (103, 89)
    assert "人员编制只写了“行政编制数为103人”，已按此计入“人员编制”" in record["source"]["warnings"]


def test_a_subordinate_unit_in_the_units_own_description_does_not_hide_its_staff():
    # xuwen-2024-xiaqiao-town / xuwen-2024-qianshan-town: "下属行政单位", "无下属二级预算单位"
    text = ("下桥镇人民政府2024年度绩效自评报告\n一、单位基本情况\n下桥镇人民政府为县级政府下属行政单位,"
            "执行政府会计准则制度,机构核定编制107人,无下属二级预算单位。\n")
    assert extract_bytes(text.encode("utf-8"), "town.txt")["report"]["staff_quota"] == 107


def test_a_law_enforcement_quota_is_a_kind_of_quota_not_the_total():
    # xiashan-2021-aiguo-subdistrict (tests/real_reports)
    text = ("湛江市霞山区爱国街道办事处2021年度部门整体支出绩效自评报告\n一、基本情况\n"
            "机构规格为正科级,核定行政编制13名,用于行政执法工作编制28名。我街道实有人员25名,"
            "其中使用行政编制的人员13名,使用行政执法工作编制的人员12名。\n")
    record = extract_bytes(text.encode("utf-8"), "xiashan.txt")
    assert (record["report"]["staff_quota"], record["report"]["staff_actual"]) == (None, 25)
    assert "人员编制按类型分列（行政编制13名、行政执法工作编制28名），未写合计，已留空" in record["source"]["warnings"]


def test_the_part_of_a_decision_document_a_report_is_filed_under_is_not_the_unit():
    # beita-2021-medical-security (tests/real_reports): a PDF copy flattened into one line
    text = ("第五部分 附件 邵阳市北塔区医疗保障局 2021 年度部门整体支出绩效评价报告 一、部门概况 (一)基本情况。 "
            "北塔区医疗保障局(以下简称区医保局)是区政府工作部门,为正科级 1.主要职能。 法律法规、政策规划和标准;"
            "拟订相关地方性规章草案、政策、规划和标准, 并组织实施。 (2)组织制定并实施全区医疗保障基金监督管理办法。\n")
    rep = extract_bytes(text.encode("utf-8"), "beita.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("邵阳市北塔区医疗保障局", "邵阳市北塔区", 2021)


def test_an_untitled_report_whose_unit_is_defined_in_a_clause_and_staff_in_post_written_zaizhi_shiyou():
    # baoshan-2020-water-affairs (tests/real_reports)
    text = ("为规范预算资金管理行为,根据《保山市财政局关于2020年市级部门整体支出和项目支出绩效自评及财政支出绩效评价有关事项的通知》"
            "(保财预〔2021〕66号)要求,保山市水务局组织对2020年部门整体支出完成了绩效自评。现将评价情况报告如下:\n"
            "一、 部门基本情况\n(一)部门概况\n根据中共保山市委办公室保山市人民政府办公室关于印发《保山市水务局职能配置、"
            "内设机构和人员编制规定》的通知(保办字〔2019〕41号),保山市水务局是保山市人民政府工作部门,为正处级。\n"
            "截止2020年末,在职人员编制33人,其中:行政编制17人,事业编制16人。在职实有42人,其中:财政全供养35人。"
            "离退休人员58人。车辆编制2辆,实有车辆2辆。\n")
    rep = extract_bytes(text.encode("utf-8"), "baoshan.txt")["report"]
    assert (rep["unit_name"], rep["fiscal_year"], rep["staff_quota"], rep["staff_actual"]) == ("保山市水务局", 2020, 33, 42)


SHAANXI = ("根据省财政厅《关于印发<陕西省财政项目支出绩效评价管理办法>的通知》要求,我厅认真开展了2022年度部门预算绩效自评工作。"
           "分别从产出指标、效益指标、满意度指标完成情况指标逐项量化评价,自评得97.5分。\n一、部门概况\n(一)部门基本情况\n"
           "1.部门主要职责\n据陕西省委办公厅、陕西省人民政府办公厅关于印发《陕西省应急管理厅职能配置内设机构和人员编制规定》"
           "(陕办字〔2019〕21号),省应急管理厅主要职责如下:\n(1)贯彻国家应急管理、安全生产、防灾减灾方面的法律法规和政策规定。\n")


def test_an_untitled_whole_budget_self_evaluation_is_named_by_the_units_own_regulation():
    # shaanxi-2022-emergency-management-dept (tests/real_reports): "我厅", the full name only in its 三定 规定
    record = extract_bytes(SHAANXI.encode("utf-8"), "shaanxi.txt")
    rep = record["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"], rep["self_score"]) == (
        "陕西省应急管理厅", "陕西省", 2022, 97.5)
    assert "报告没有标题：单位取自正文“陕西省应急管理厅”，请核对" in record["source"]["warnings"]


def test_an_opening_that_announces_a_whole_budget_self_evaluation_without_its_result_is_no_report():
    text = SHAANXI.replace("分别从产出指标、效益指标、满意度指标完成情况指标逐项量化评价,自评得97.5分。", "请各处室做好准备。")
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "notice.txt")


def test_a_list_of_attached_reports_is_no_title():
    # guangdong-2020-science-dept-summary (tests/real_reports): the page that publishes the reports
    text = ("根据财政预算管理要求,2020年度我厅开展了部门整体支出绩效自评(含预算归口管理单位25个),"
            "涉及一般公共预算支出282,796.90万元。\n我厅严格按照省财政厅绩效评价工作的有关要求开展绩效自评工作。\n"
            "附 件:1.广东省科学技术厅2020年度部门整体支出绩效自评报告\n"
            "2.2020 年度“科技发展战略专项资金——国际科技创新中心建设与区域创新能力提升”绩效自评报告\n")
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "gdstc.txt")


def test_a_project_self_evaluation_title_is_not_a_units_budget_title():
    # honghe's 项目支出 report (https://www.hh.gov.cn/info/11481/1179592.htm)
    text = "红河州数据发展中心2024年度项目支出绩效单位自评报告\n一、基本情况\n2024年,实施项目共15个。\n"
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "project.txt")


def test_a_pages_greeting_is_not_the_unit_and_its_source_line_names_it():
    # hengyang-2020-public-security (tests/real_reports): a title without the unit
    text = ("您好!今天是\n当前位置:首页 >  信息公开 >  财政信息 > \n\n2020年度部门整体支出绩效自评报告\n\n"
            "来源:衡阳市公安局 发布时间:2021-04-30\n\n2020年度部门整体支出绩效自评报告\n\n2021  4 25\n\n"
            "一、部门、单位基本情况\n\n(一)部门基本概况\n\n设立市公安局,为市人民政府工作部门。\n")
    record = extract_bytes(text.encode("utf-8"), "hengyang.txt")
    assert (record["report"]["unit_name"], record["report"]["region"]) == ("衡阳市公安局", "衡阳市")
    assert record["report"]["report_date"] is None  # "2021  4 25" lost its 年/月/日


def test_a_cover_left_blank_is_no_template_cover_and_staff_in_post_is_actual():
    # taoyuan-2021-transport (tests/real_reports): "单位名称:( 盖 章 )", a glyph-lost date
    text = ("桃源县交通运输局2021年度整体支出绩效自评报告\n\n2021年度交通部门(单位)整体支出\n\n绩效自评报告\n\n"
            "单位名称:( 盖 章 )\n\n20217 18\n\n(此页为封面)\n\n一、部门(单位)基本情况\n\n(一)机构、人员构成\n\n"
            "经县委编办核定编制247人,其中局本级25人,二级机构222人。2021年单位在编在岗232人,其中局本级26人,二级机构206人。\n\n"
            "(三)部门财务情况\n\n2. 部门整体收支情况\n\n2021年部门年初预算支出140204.65万元,其中:基本支出4334.81万元,项目支出135")
    record = extract_bytes(text.encode("utf-8"), "taoyuan.txt")
    rep = record["report"]
    assert (rep["unit_name"], rep["region"], rep["staff_quota"], rep["staff_actual"]) == (
        "桃源县交通运输局", "桃源县", 247, 232)
    assert record["expenditure"] == []  # the budget's 基本支出 is not what was spent


@pytest.mark.parametrize("title, sentence, expected", [
    # shidian-2024-culture-tourism (tests/real_reports): 元, and "就" before an amount
    ("施甸县文化和旅游局2024年整体支出绩效自评报告",
     "施甸县文化和旅游局2024年度收入合计9570171.39元,支出合计7686456.33元,执行率为80.32%,其中:基本支出就5967100.39元,"
     "执行率达100.00%,项目支出1719355.94元,执行率达47.72%。",
     {"total": 768.645633, "basic": 596.710039, "project": 171.935594}),
    # a year's actual spending after its budget: the parts after 其中 belong to the clause before it
    ("南县财政局2020年度部门整体支出绩效自评报告", "年初预算1250万元,2020年度支出1300万元,其中基本支出900万元。",
     {"total": 1300, "basic": 900}),
])
def test_money_sentences_of_the_third_batch(title, sentence, expected):
    text = f"{title}\n一、支出情况\n{sentence}\n"
    record = extract_bytes(text.encode("utf-8"), "m.txt")
    found = {k: v for row in record["expenditure"] for k, v in row.items() if k != "org" and v is not None}
    assert found == pytest.approx(expected)


def test_a_cover_date_under_the_seal_line_is_the_report_date():
    # hezhou-2022-natural-resources (tests/real_reports)
    text = ("贺州市自然资源局部门整体支出\n绩效自评报告\n评价方式:部门(单位)绩效自评\n"
            "评价机构:项目单位评价组□ 中介机构□ 专家组□\n部门(单位)名称(盖章)\n2023年3月15日\n"
            "2022年度市直部门整体支出\n绩效自评报告提纲\n一、部门(单位)基本概况\n")
    rep = extract_bytes(text.encode("utf-8"), "hezhou.txt")["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"], rep["report_date"]) == (
        "贺州市自然资源局", "贺州市", 2022, "2023-03-15")


def test_a_city_whose_name_ends_in_zhou_keeps_its_shi():
    assert region_of("贺州市自然资源局") == "贺州市"     # hezhou-2022-natural-resources
    assert region_of("惠州市交通运输局") == "惠州市"     # huizhou-2021-transport
    assert region_of("红河州开远市卫生健康局") == "红河州开远市"
    assert region_of("红河州市场监督管理局") == "红河州"  # 州 then 市场…, not a city 州市


def test_an_untitled_final_accounts_statement_is_still_refused():
    # chongqing-2023-nanjimen-subdistrict-accounts (tests/real_reports): totals and staff, but a 决算
    text = ("(一)职能职责\n街道的主要职能是:1、履行辖区党的建设职责。\n(二)机构设置\n"
            "南纪门街道办事处内设 10 个办公室。街道共有工作人员73人,其中行政编制25人、参公编制20人、事业编制26人。\n"
            "二、部门决算情况说明\n(一)收入支出决算总体情况说明\n1.总体情况。2023年度收入总计6567.06万元,支出总计6567.06万元。\n")
    with pytest.raises(ExtractError):
        extract_bytes(text.encode("utf-8"), "nanjimen.txt")
