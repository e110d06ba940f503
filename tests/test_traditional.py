"""Reports in traditional characters (繁体, a mirror site's copy) read as their
simplified originals: same record, plus one warning saying so (etl/traditional.py).
A simplified report with a few traditional characters (a name, a quote) is left alone."""
from __future__ import annotations

import ast
import io
import re
import zipfile

import opencc
import pytest
from tests.material import compare

from tests.material import ROOT, SEED
from demo.blocks import RenderOptions
from demo.expected import expected_record
from demo.render import render
from etl.document import Cell, Document, ExtractError, Row
from etl.extract import NOT_A_REPORT, extract_bytes
from etl.traditional import (CONVERTED_WARNING, MIN_TRADITIONAL, is_traditional, to_simplified,
                             to_simplified_text, traditional_counts)

# How mirror sites make their copies: OpenCC's own 繁体, the Taiwan and the Hong Kong standard.
TO_TRADITIONAL = ("s2t", "s2tw", "s2hk")


@pytest.fixture(scope="module")
def s2t():
    return {name: opencc.OpenCC(name).convert for name in TO_TRADITIONAL}


def _mismatches(expected: dict, record: dict) -> list:
    return [row for row in compare(expected, record) if not row[3]]


@pytest.mark.parametrize("style", TO_TRADITIONAL)
def test_seed_in_traditional_reads_as_the_seed(style, s2t, seed_expected):
    text = s2t[style](SEED.read_text(encoding="utf-8"))
    assert "部門（單位）名稱" in text and "績效自評綜合得分" in text and "結餘" in text
    record = extract_bytes(text.encode("utf-8"), "seed-traditional.txt")
    assert _mismatches(seed_expected, record) == []
    # The seed alone reads without a warning: the conversion is the only one.
    assert record["source"]["warnings"] == [CONVERTED_WARNING]
    # Text fields are the simplified original's words.
    assert record["report"]["unit_name"] == "云溪区劳动和社会保障监察大队"
    assert record["narrative"] == extract_bytes(SEED.read_bytes(), "seed.txt")["narrative"]


def test_seed_in_traditional_as_gb18030_text(s2t, seed_expected):
    data = s2t["s2t"](SEED.read_text(encoding="utf-8")).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    record = extract_bytes(data, "seed-traditional-gbk.txt")
    assert _mismatches(seed_expected, record) == []
    assert record["source"]["warnings"] == [CONVERTED_WARNING]


def test_seed_in_traditional_as_big5_text(s2t, seed_expected):
    # a 繁体 copy saved from a Taiwan/Hong Kong site: Big5 bytes, which GB18030 also "decodes", into nonsense
    text = s2t["s2tw"](SEED.read_text(encoding="utf-8"))
    data = text.encode("big5", errors="replace")
    assert data.decode("gb18030", errors="replace") != text
    record = extract_bytes(data, "seed-traditional-big5.txt")
    assert _mismatches(seed_expected, record) == []
    assert record["source"]["warnings"] == [CONVERTED_WARNING]


def test_a_gb18030_text_is_not_taken_for_big5():
    data = SEED.read_text(encoding="utf-8").encode("gb18030")
    assert extract_bytes(data, "seed-gbk.txt")["source"]["warnings"] == []


def _traditional_docx(data: bytes, convert) -> bytes:
    """The .docx with the text of its body converted (markup is ASCII, untouched)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            raw = src.read(item.filename)
            if item.filename == "word/document.xml":
                raw = convert(raw.decode("utf-8")).encode("utf-8")
            dst.writestr(item, raw)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_rendered_seed_in_traditional_extracts_to_its_record(fmt, s2t, seed_expected):
    opts = RenderOptions(demo=False, wrap_labels=True)
    data = render(seed_expected, fmt, opts)
    simplified = extract_bytes(data, f"seed.{fmt}")
    if fmt == "docx":
        traditional = _traditional_docx(data, s2t["s2tw"])
        assert "預算編碼" in zipfile.ZipFile(io.BytesIO(traditional)).read("word/document.xml").decode()
    else:
        traditional = s2t["s2tw"](data.decode("utf-8")).encode("utf-8")
    record = extract_bytes(traditional, f"seed-traditional.{fmt}")
    assert _mismatches(expected_record(seed_expected, opts, fmt=fmt), record) == []
    assert record["source"]["warnings"] == [CONVERTED_WARNING, *simplified["source"]["warnings"]]
    assert record["source"]["format"] == fmt


# Written by hand in 繁体 (Taiwan forms: 為, 裡), with the characters that have
# more than one simplified form: 於/于, 後/后, 餘/余, 發/发, 製/制, 準/准, 隻/只, 乾/干.
NANXIAN_TRADITIONAL = """南縣財政局2020年度部門整體支出績效自評報告

根據《湖南省財政廳關於開展2020年度省級部門整體支出績效自評工作的通知》（湘財績〔2020〕7號）要求，我局對2020年度部門整體支出開展了績效自評，現將自評情況報告如下：
一、自評得分情況
經自評，我局2020年度部門整體支出績效綜合評分為97分，評價等次為優。
二、單位基本概況
（一）機構設置：局機關內設辦公室、預算股、國庫股等14個股室，下屬事業單位3個。
（二）人員編制：核定編制150人，實有在職人員132人，離退休人員73人。
三、部門整體支出管理及使用情況
（一）基本支出
2020年度基本支出2602.28萬元，其中人員支出1903.67萬元，公用支出698.61萬元。
（二）項目支出
2020年度項目支出1025.20萬元，主要用於財政信息化建設和鄉鎮財政所運轉，年末結餘12.50萬元。
四、部門整體支出績效情況
全年按時發放各類補貼資金，製定預算管理制度5項，支付準確率100%，配備執法記錄儀20隻，轄區裡財政所辦公場所乾淨整潔。
五、存在的問題
1.預算編製不夠精細。
2.項目支出績效目標設定後調整較多。
六、改進措施
1.加強預算編製管理。
2.完善績效目標管理。
"""


def test_prose_report_in_traditional():
    record = extract_bytes(NANXIAN_TRADITIONAL.encode("utf-8"), "nanxian-traditional.txt")
    rep = record["report"]
    assert record["source"]["template"] == "hunan-prose"
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == ("南县财政局", "南县", 2020)
    assert (rep["self_score"], rep["grade"]) == (97, "优")
    assert (rep["staff_quota"], rep["staff_actual"]) == (150, 132)
    spent = record["expenditure"][0]
    assert (spent["org"], spent["basic"], spent["personnel"], spent["public"], spent["project"]) == \
        ("汇总", 2602.28, 1903.67, 698.61, 1025.20)
    narrative = record["narrative"]
    assert narrative["problems"] == "1.预算编制不够精细。\n2.项目支出绩效目标设定后调整较多。"
    assert narrative["improvements"] == "1.加强预算编制管理。\n2.完善绩效目标管理。"
    assert narrative["project_expenditure"] == \
        "2020年度项目支出1025.20万元，主要用于财政信息化建设和乡镇财政所运转，年末结余12.50万元。"
    assert narrative["performance"] == ("全年按时发放各类补贴资金，制定预算管理制度5项，支付准确率100%，"
                                        "配备执法记录仪20只，辖区里财政所办公场所干净整洁。")
    assert record["source"]["warnings"].count(CONVERTED_WARNING) == 1
    # Otherwise read exactly as the simplified original it was converted from.
    original = extract_bytes(to_simplified_text(NANXIAN_TRADITIONAL).encode("utf-8"), "nanxian.txt")
    assert CONVERTED_WARNING not in original["source"]["warnings"]
    assert record["source"]["warnings"] == [CONVERTED_WARNING, *original["source"]["warnings"]]
    for key in ("report", "expenditure", "income", "narrative", "cases", "indicators"):
        assert record[key] == original[key], key


def test_a_simplified_report_with_a_few_traditional_characters_is_not_converted():
    text = SEED.read_text(encoding="utf-8")
    contact = "\t联系人\n\t岳阳市云溪区劳动和社会保障\n\n监察大队\n"
    problems = "七、存在的问题及原因分析\n\n"
    assert contact in text and problems in text
    text = text.replace(contact, "\t联系人\n\t張偉\n", 1)
    text = text.replace(problems, problems + "外省（含「臺灣」籍）务工人员的欠薪线索核实难度大。", 1)
    assert traditional_counts(text)[0] >= 3
    record = extract_bytes(text.encode("utf-8"), "seed-with-names.txt")
    assert CONVERTED_WARNING not in record["source"]["warnings"]
    assert record["source"]["warnings"] == []
    assert record["report"]["contact"] == "張偉"
    assert "外省（含「臺灣」籍）务工人员" in record["narrative"]["problems"]


def test_a_simplified_document_is_returned_as_it_is():
    doc = Document(rows=[Row([Cell("部门（单位）名称："), Cell("云溪区張偉工作室")])], format="docx")
    assert to_simplified(doc) is doc


def test_the_converted_copy_keeps_the_grid_and_the_readers_warnings():
    rows = [Row([Cell("部門（單位）名稱：雲溪區勞動監察大隊")]),
            Row([Cell("項目支出", col=1, span=2), Cell("當年結餘", col=3)], table=0, exact=False)]
    doc = Document(rows=rows * MIN_TRADITIONAL, format="pdf", demo=True, warnings=["第 2 页：表格跨页"])
    out = to_simplified(doc)
    assert out is not doc and doc.rows[0].cells[0].text.startswith("部門")  # the input is not changed
    assert out.rows[0].cells[0].text == "部门（单位）名称：云溪区劳动监察大队"
    cell = out.rows[1].cells[0]
    assert (cell.text, cell.col, cell.span, out.rows[1].table, out.rows[1].exact) == ("项目支出", 1, 2, 0, False)
    assert out.rows[1].cells[1].text == "当年结余"
    assert (out.format, out.demo, out.warnings) == ("pdf", True, ["第 2 页：表格跨页", CONVERTED_WARNING])


@pytest.mark.parametrize("text, expected", [
    # Too few traditional characters to decide on: a name alone.
    ("張偉", False),
    ("報告" * (MIN_TRADITIONAL - 1), False),
    ("報告" * MIN_TRADITIONAL, True),
    # Traditional characters must outnumber simplified-only ones.
    ("們會門區" * 3 + "们会门区" * 3, False),
    ("們會門區" * 3 + "们会门区" * 2, True),
    # Characters the same in both scripts decide nothing.
    ("部门整体支出绩效自评报告", False),
    ("2022年度" + "中国人民大学" * 50, False),
    # Taiwan and Hong Kong standard forms (群 户 税) are not simplified-only.
    ("群眾戶籍稅費" * 3, True),
])
def test_detection_rule(text, expected):
    assert is_traditional(text) is expected


def test_a_traditional_non_report_is_still_rejected_as_before():
    text = "關於召開2022年度財政工作會議的通知\n各鄉鎮、各部門：經研究，定於下週召開會議，請準時參加。\n"
    with pytest.raises(ExtractError) as err:
        extract_bytes(text.encode("utf-8"), "notice.txt")
    assert str(err.value).startswith(NOT_A_REPORT.split("：")[0] + "：") and "通知" in str(err.value)


def _labels() -> list[str]:
    """Every string with Chinese characters in the extractors' code: the labels,
    keywords and patterns they match the (simplified) text with."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    found = set()
    for path in [*sorted((ROOT / "etl" / "extract").glob("*.py")),
                 *(ROOT / "etl" / name for name in ("record.py", "cases.py", "textnorm.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= {n.value for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and cjk.search(n.value)}
    return sorted(found)


@pytest.mark.parametrize("style", TO_TRADITIONAL)
def test_every_label_the_extractors_use_comes_back_from_traditional(style, s2t):
    labels = _labels()
    assert len(labels) > 200 and "部门（单位）名称" in labels and "纳入专户管理的非税收入拨款" in labels
    changed = {label: to_simplified_text(s2t[style](label)) for label in labels}
    assert {k: v for k, v in changed.items() if k != v} == {}


@pytest.mark.parametrize("traditional, simplified", [
    ("結餘", "结余"), ("累計結餘", "累计结余"), ("3800餘萬元", "3800余万元"), ("剩餘", "剩余"),
    ("一隻", "一只"), ("只有", "只有"), ("幹部", "干部"), ("乾淨", "干净"), ("乾隆", "乾隆"),
    ("關於", "关于"), ("高於", "高于"), ("以後", "以后"), ("皇后", "皇后"), ("發放", "发放"), ("頭髮", "头发"),
    ("製定", "制定"), ("編製", "编制"), ("人員編制", "人员编制"), ("標準", "标准"), ("批准", "批准"),
    ("這裡", "这里"), ("這裏", "这里"), ("公里", "公里"), ("覆蓋", "覆盖"), ("反覆", "反复"), ("瞭解", "了解"),
    ("徵收", "征收"), ("臺灣", "台湾"), ("颱風", "台风"), ("著力", "着力"), ("顯著", "显著"), ("衞生", "卫生"),
    ("範圍", "范围"), ("聯繫", "联系"), ("獲得", "获得"), ("採集", "采集"), ("週年", "周年"), ("佔用", "占用"),
])
def test_characters_with_more_than_one_simplified_form(traditional, simplified):
    assert to_simplified_text(traditional) == simplified
