"""The renderer draws the bureau's template faithfully, and the demo generator is
deterministic and writes only records the schema accepts.

The seed record is the natural fixture: rendered as a text dump it must give
back the seed's own tables line for line, which is what ties the renderer to
the real template rather than to the extractor's reading of it.

The prose family (family B) is tied to the extractor the other way round: a
record written as a prose report, in each of the survey's variants, is read
back by the real extractor to exactly the record `expected_record` predicts.
Warnings are not predicted (that would be a second copy of the extractor's
rules): the tests below assert the extractor's own warnings where they matter.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile

import pytest
from lxml import etree

from demo.blocks import ProseStyle, RenderOptions
from demo.expected import expected_record
from demo.generate import generate, plan
from demo.render import layout, render, render_docx, render_html, render_txt
from etl.readers.office import soffice_path
from etl.document import DEMO_MARKER
from etl.extract import extract_bytes

from tests.material import SEED

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# How the seed itself is drawn: not demo data, unnumbered fund headings, the
# 社会效益 indicators listed in one cell.
SEED_LOOK = RenderOptions(demo=False, outline_numbers=False, combine_level2=frozenset({"社会效益"}))


def _tables(docx: bytes):
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return root.iter(f"{W}tbl"), root


def _cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.iter(f"{W}p"))


def _props(tc) -> tuple[int, str | None]:
    span = tc.find(f"{W}tcPr/{W}gridSpan")
    vm = tc.find(f"{W}tcPr/{W}vMerge")
    return (int(span.get(f"{W}val")) if span is not None else 1,
            None if vm is None else (vm.get(f"{W}val") or "continue"))


def _grid(tbl) -> list[list[tuple[str, int, str | None]]]:
    return [[(_cell_text(tc), *_props(tc)) for tc in tr.findall(f"{W}tc")] for tr in tbl.findall(f"{W}tr")]


def test_docx_has_the_templates_merged_cells(seed_expected):
    tables, root = _tables(render_docx(seed_expected))
    grids = [_grid(t) for t in tables]
    income = next(g for g in grids if g[0][0][0] == "二、部门（单位）收支情况")
    # header: 机构名称 / 收入合计 span two rows, 其中： spans the five sources
    assert income[2] == [("机构名称", 1, "restart"), ("收入合计", 1, "restart"), ("其中：", 5, None)]
    assert [c[2] for c in income[3][:2]] == ["continue", "continue"]
    assert [c[0] for c in income[3][2:]] == ["上年结转", "公共财\n政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他\n收入"]
    assert [c[0] for c in income[4]] == ["局机关及二级机构汇总", "85.53", "", "85.53", "", "", ""]
    assert income[5][0][0] == "1、局机关" and income[6][0][0] == "2、劳动监察大队" and income[7][0][0] == "3、二级机构2"
    expenditure = next(g for g in grids if g[0][0][0].startswith("部门（单位）年度支出"))
    assert expenditure[1] == [("机构名称", 1, "restart"), ("支出合计", 1, "restart"), ("其中：", 4, None), ("结余", 2, None)]
    assert [(c[0], c[2]) for c in expenditure[3]][2:5] == [("", "continue"), ("人员支出", None), ("公用支出", None)]

    perf = next(g for g in grids if g[0][0][0] == "三、部门（单位）整体支出绩效自评情况")
    label_rows = [r for r in perf if r[0][0] == "整体支出\n绩效定量目标及实施计划完成情况"]
    assert label_rows and label_rows[0][0][2] == "restart" and label_rows[0][1] == ("评价内容", 2, None)
    start = perf.index(label_rows[0]) + 1
    # the seed has 5 quality indicators: 质量指标 starts a vertical merge continued 4 times
    assert perf[start][2] == ("质量指标", 1, "restart")
    assert [perf[start + k][2][2] for k in range(1, 5)] == ["continue"] * 4
    assert perf[start][1][0].startswith("产出目标\n（部门工作实绩")
    assert perf[start][3][0] == "指标1：资金发放到位率" and perf[start][4][0] == "100%"
    assert ["绩效自评综合得分", "90"] == [c[0] for c in perf[-2]] and perf[-2][1][1] == 4

    body = root.find(f"{W}body")
    first = body.find(f"{W}p")
    assert "".join(t.text for t in first.iter(f"{W}t")) == DEMO_MARKER
    core = zipfile.ZipFile(io.BytesIO(render_docx(seed_expected))).read("docProps/core.xml").decode()
    assert f"<cp:category>{DEMO_MARKER}</cp:category>" in core


def test_docx_opens_in_python_docx_and_is_deterministic(seed_expected):
    import docx

    data = render_docx(seed_expected)
    assert data == render_docx(copy.deepcopy(seed_expected))
    d = docx.Document(io.BytesIO(data))
    assert d.core_properties.category == DEMO_MARKER
    basic = d.tables[0]
    assert [c.text for c in basic.rows[2].cells] == ["人员编制", "6", "实有人数", "7"]
    # a merged cell reads the same from every grid column it covers
    assert {c.text for c in basic.rows[3].cells[1:]} == {"为劳动用工提供监督管理保障，劳动用工监察及劳动用工纠纷调查处理。"}


def _between(text: str, start: str, end: str) -> list[str]:
    lines = [line.rstrip(" ") for line in text.split("\n")]
    i = lines.index(start)
    return lines[i:lines.index(end, i) + 1]


def test_txt_dump_reproduces_the_seeds_tables(seed_expected):
    ours = render_txt(seed_expected, SEED_LOOK).decode("utf-8")
    seed = SEED.read_text(encoding="utf-8")
    assert _between(ours, "\t二、部门（单位）收支情况", "\t三级") == _between(seed, "\t二、部门（单位）收支情况", "\t三级")
    assert _between(ours, "\t人员编制", "\t7") == _between(seed, "\t人员编制", "\t7")
    assert not ours.startswith(DEMO_MARKER)
    assert render_txt(seed_expected).decode().split("\n", 1)[0] == DEMO_MARKER


def _money_variant(seed_expected) -> dict:
    rec = copy.deepcopy(seed_expected)
    rec["income"][0]["carryover"] = 0      # a zero is written; a blank stays blank
    rec["income"][0]["other_income"] = 1234.5
    return rec


def test_yuan_thousands_zero_and_blank(seed_expected):
    rec = _money_variant(seed_expected)
    opts = RenderOptions(money_unit="元", thousands=True)
    text = render_txt(rec, opts).decode()
    rows = _between(text, "\t局机关及二级机构汇总", "")
    assert rows == ["\t局机关及二级机构汇总", "\t855,300.00", "\t0.00", "\t855,300.00", "\t", "\t", "\t12,345,000.00", ""]
    assert "\t年度收入情况（元）" in text and "\t“三公”经费支出情况（元）" in text and "\t固定资产情况（元）" in text
    exp = expected_record(rec, opts, fmt="txt")
    assert exp["source"]["money_unit"] == "元"
    assert exp["income"][0]["total"] == 85.53 and exp["income"][0]["other_income"] == 1234.5
    assert exp["income"][0]["carryover"] == 0 and exp["income"][0]["fund_appropriation"] is None


def test_fullwidth_digits_and_gb18030(seed_expected):
    data = render_txt(seed_expected, RenderOptions(fullwidth=True, encoding="gb18030"))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    assert "\t８５.５３" in text and "\t85.53" in text   # every third number cell only
    assert "\t８" in text or "\t６" in text or "\t７" in text


def test_wrapped_labels_break_inside_cells(seed_expected):
    text = render_txt(seed_expected, RenderOptions(wrap_labels=True)).decode()
    assert "\t机构\n\n名称" in text and "\t纳入专户管理\n\n的非税收入拨款" in text
    # the seed's own wrapped value: the contact split after 13 characters
    assert "\t岳阳市云溪区劳动和社会保障\n\n监察大队" in text
    assert "\t2、劳动监\n\n察大队" not in text  # short org names stay whole
    assert expected_record(seed_expected, RenderOptions(wrap_labels=True))["report"]["contact"] == \
        "岳阳市云溪区劳动和社会保障监察大队"


def test_html_uses_colspan_and_rowspan(seed_expected):
    page = render_html(seed_expected).decode("utf-8")
    body = page.split("<body>", 1)[1]
    assert body.lstrip().startswith(f"<p>{DEMO_MARKER}</p>")
    assert '<td colspan="5"><p>其中：</p></td>' in page
    assert '<td rowspan="2"><p>机构名称</p></td>' in page
    # 质量指标 covers its five indicator rows
    assert '<td rowspan="5"><p>质量指标</p></td>' in page


def _rich(seed_expected) -> dict:
    rec = copy.deepcopy(seed_expected)
    for i, ind in enumerate(rec["indicators"]):
        ind.update(target_text="≥95%", weight=6.0, score=6.0 if i else 4.5,
                   deviation_reason="资金拨付滞后" if i == 0 else None)
    return rec


def test_rich_indicator_layout(seed_expected):
    rec = _rich(seed_expected)
    text = render_txt(rec).decode()
    header = ["\t一级指标", "\t二级指标", "\t三级指标", "\t年度指标值", "\t实际完成值", "\t分值", "\t得分", "\t偏差原因"]
    i = text.split("\n").index("\t一级指标")
    assert text.split("\n")[i:i + 8] == header
    first = _between(text, "\t指标1：资金发放到位率", "")
    assert first == ["\t指标1：资金发放到位率", "\t≥95%", "\t100%", "\t6", "\t4.5", "\t资金拨付滞后", ""]
    rich = expected_record(rec)
    assert rich["indicators"][0]["weight"] == 6.0 and rich["indicators"][0]["deviation_reason"] == "资金拨付滞后"
    # the template layout has no such columns: the expected record drops them
    plain = expected_record(rec, RenderOptions(indicator_layout="template"))
    assert {(i["target_text"], i["weight"], i["score"]) for i in plain["indicators"]} == {(None, None, None)}


def test_omitted_sections_and_blank_rows(seed_expected):
    rec = copy.deepcopy(seed_expected)
    rec["three_public"] = [{"org": "汇总", "total": 0.5, "reception": 0.5, "vehicle_operation": None,
                            "vehicle_purchase": None, "overseas": None},
                           {"org": "劳动监察大队", "total": None, "reception": None, "vehicle_operation": None,
                            "vehicle_purchase": None, "overseas": None}]
    kept = expected_record(rec)
    assert [r["org"] for r in kept["three_public"]] == ["汇总"]      # the all-blank row is left out
    opts = RenderOptions(omit=frozenset({"three_public", "narrative.problems"}))
    text = render_txt(rec, opts).decode()
    assert "\t公务接待费" not in text and "七、存在的问题及原因分析" not in text and "八、下一步改进措施" in text
    exp = expected_record(rec, opts)
    assert exp["three_public"] == [] and exp["narrative"]["problems"] is None
    assert exp["narrative"]["improvements"] == seed_expected["narrative"]["improvements"]


def test_layout_rows_fill_the_grid(seed_expected):
    # every row of every table covers exactly the table's grid (Table.add asserts it)
    for opts in (RenderOptions(), RenderOptions(indicator_layout="rich"), RenderOptions(money_unit="元")):
        for block in layout(_rich(seed_expected), opts):
            for row in getattr(block, "rows", []):
                assert sum(c.span for c in row) == len(block.widths)


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_pdf_via_libreoffice_starts_with_the_marker(seed_expected):
    import pdfplumber

    data = render(seed_expected, "pdf")
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        first = pdf.pages[0].extract_text().split("\n")
    assert first[0].strip() == DEMO_MARKER
    assert any("绩效评价自评报告" in line for line in first)


def test_every_planned_record_validates(record_validator):
    items = plan(0)
    assert 240 <= len(items) <= 300
    for it in items:
        record_validator.validate(expected_record(it.record, it.opts, fmt=it.fmt, file_name="x", data=b""))


def test_generate_is_deterministic_and_consistent(tmp_path, record_validator):
    subset = dict(units=["laojian", "tongji", "jiaotong", "chengguan"], years=[2020, 2021, 2022, 2024], pdf=False)
    a = generate(tmp_path / "a", seed=3, **subset)
    b = generate(tmp_path / "b", seed=3, **subset)
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
        exp = json.loads(pa.with_suffix(".json").read_text(encoding="utf-8"))
        record_validator.validate(exp)
        assert exp["source"]["sha256"] == hashlib.sha256(pa.read_bytes()).hexdigest()
        assert exp["source"]["file_name"] == pa.name
        assert exp["source"]["demo"] is (pa.name != SEED.name)
    names = [p.name for p in a]
    assert SEED.name in names                                     # the real seed, as itself
    assert "2020_云溪区城市管理局_部门整体支出绩效自评报告.docx" in names    # renamed in 2021
    assert "2021_云溪区城市管理和综合执法局_部门整体支出绩效自评报告.docx" in names
    assert not any(n.startswith("2022_云溪区劳动和社会保障监察大队") for n in names)  # the seed is that unit-year
    other = generate(tmp_path / "c", seed=4, **subset)
    assert any(x.read_bytes() != y.read_bytes() for x, y in zip(a, other) if x.name != SEED.name)


# --- the prose family ---------------------------------------------------------

# One record of each kind of unit (with and without case counts, 二级机构,
# 结余, 元-sized and 亿-sized budgets) from the demo plan.
PROSE_UNITS = (("xinfang", 2021), ("lukou_z", 2022), ("yizhong", 2020), ("renmin_yy", 2023), ("laojian", 2019),
               ("jiaoyu", 2024), ("renshe", 2020))
# The survey's variants (real-report-formats.md 1.B, 2, 4, 6): 南县 score first with
# 编制人员 counting retirees and no totals, 沅陵 sections with typed quotas and no
# year in the title, 吉首 decimal numbering over a wrapped title, and the common
# skeleton in 元 with thousands separators.
PROSE_VARIANTS = {
    "hunan-docx": (ProseStyle(), "docx", {}),
    "score-first-txt": (ProseStyle(layout="score_first", title="about", staff="headcount", retirees=73,
                                   totals=False), "txt", {}),
    "township-docx": (ProseStyle(layout="township", title="no_year", staff="typed", retirees=19, funds=False,
                                 brackets="【】"), "docx", dict(annex_label="附件2")),
    "decimal-gb18030": (ProseStyle(layout="decimal", title="wrapped", staff="in_service", brackets="lost"), "txt",
                        dict(encoding="gb18030", date_style="padded")),
    "hunan-yuan-txt": (ProseStyle(staff="headcount", retirees=5, funds=False), "txt",
                       dict(money_unit="元", thousands=True)),
}


# What each variant must be warned about (besides the summary line every prose report gets).
PROSE_VARIANT_WARNINGS = {
    "score-first-txt": ("含离退休人员，不是编制数", "正文中未找到支出的“支出合计”金额，已留空"),
    "township-docx": ("标题中未找到年度：已按开篇段落所述推定为",),
    "hunan-yuan-txt": ("含离退休人员，不是编制数",),
}
LACKS_TABLES = "文字版报告（无填报表）：没有定性目标表和绩效指标表，相关项目为空"


@pytest.fixture(scope="module")
def prose_records(seed_expected) -> list[dict]:
    items = {(i.unit.key, i.year): i.record for i in plan(0)}
    return [items[k] for k in PROSE_UNITS] + [seed_expected]


def _read_back(data: bytes, name: str, expected: dict) -> list[str]:
    """Extract `data`: the record must equal `expected` field for field; returns
    its warnings, which `expected_record` leaves to the extractor (always [])."""
    record = extract_bytes(data, name)
    assert expected["source"]["warnings"] == []
    assert {**record, "source": {**record["source"], "warnings": []}} == expected, name
    return record["source"]["warnings"]


@pytest.mark.parametrize("variant", list(PROSE_VARIANTS))
def test_prose_report_reads_back_to_its_expected_record(variant, prose_records, record_validator):
    style, fmt, extra = PROSE_VARIANTS[variant]
    opts = RenderOptions(prose=style, **extra)
    for record in prose_records:
        data = render(record, fmt, opts)
        name = f"{record['report']['unit_name']}.{fmt}"
        expected = expected_record(record, opts, fmt=fmt, file_name=name, data=data)
        record_validator.validate(expected)
        warnings = _read_back(data, name, expected)
        # the last line sums up what prose has no place for; before it, what this variant leaves to check
        assert warnings[-1].startswith("文字版报告（无填报表）：没有定性目标表和绩效指标表"), (name, warnings)
        for text in PROSE_VARIANT_WARNINGS.get(variant, ()):
            assert any(text in w for w in warnings[:-1]), (name, text, warnings)


def test_prose_report_of_the_seed_in_words(seed_expected):
    """南县's shape: the verdict first, staff counting retirees, no total stated;
    a Word document of paragraphs only, signed and dated at the end."""
    opts = RenderOptions(prose=ProseStyle(layout="score_first", staff="headcount", retirees=2, totals=False))
    data = render_docx(seed_expected, opts)
    tables, root = _tables(data)
    assert not list(tables)
    texts = ["".join(t.text for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]
    assert texts[:2] == [DEMO_MARKER, "岳阳市云溪区劳动和社会保障监察大队2022年度部门整体支出绩效自评报告"]
    assert "（湘财绩〔2023〕7号），我大队对2022年度部门整体支出开展了绩效自评" in texts[2]
    assert texts[3:5] == ["一、自评得分情况", "经自评，我大队2022年度部门整体支出绩效综合评分为90分，评价等次为三级。"]
    assert "编制人员9人，其中在职7人，离退休2人。单位核定编制6人。" in texts
    assert "2022年度基本支出85.23万元，其中人员支出78.83万元，公用支出6.40万元；项目支出0.30万元。" in texts
    assert "（一）基本支出情况" in texts and "六、改进措施" in texts
    assert texts[-2:] == ["岳阳市云溪区劳动和社会保障监察大队", "2023年7月21日"]

    exp = expected_record(seed_expected, opts, file_name="r.docx", data=data)
    rep = exp["report"]
    assert (rep["unit_name"], rep["region"], rep["fiscal_year"]) == (
        "岳阳市云溪区劳动和社会保障监察大队", "岳阳市云溪区", 2022)
    assert (rep["staff_quota"], rep["staff_actual"], rep["self_score"], rep["grade"]) == (6, 7, 90, "三级")
    assert rep["budget_code"] is rep["contact"] is rep["main_tasks"] is None
    assert exp["indicators"] == [] and exp["goals"] == [] and exp["source"]["template"] == "hunan-prose"
    # the 汇总 row only; no total stated, so none summed
    assert exp["expenditure"] == [{"org": "汇总", "total": None, "basic": 85.23, "personnel": 78.83, "public": 6.4,
                                   "project": 0.3, "surplus_year": None, "surplus_cumulative": None}]
    # the seed has no 三公 table; a prose report says 0.00万元 for each
    assert exp["three_public"] == [{"org": "汇总", "total": 0, "reception": 0, "vehicle_operation": 0,
                                    "vehicle_purchase": 0, "overseas": 0}]
    # what the reader says: the headcount and the missing total to check, then
    # one line for what the prose leaves out (every section is there)
    assert _read_back(data, "r.docx", exp) == [
        "“编制人员9人”含离退休人员，不是编制数，未计入“人员编制”",
        "正文中未找到支出的“支出合计”金额，已留空",
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到收入合计金额，相关项目为空"]
    with pytest.raises(ValueError):
        render_html(seed_expected, opts)   # the page's chrome would run on into the last section


@pytest.mark.parametrize("layout", ["hunan", "score_first", "township", "decimal"])
def test_a_complete_demo_prose_report_has_one_warning(layout, prose_records):
    """A demo unit's report with staff, totals, score, grade, problems and
    improvements: the only warning is the summary of what prose has no place
    for; the fund sections and 其他 are optional, so their absence says nothing."""
    record = prose_records[0]
    rep, narrative = record["report"], record["narrative"]
    assert None not in (rep["staff_quota"], rep["staff_actual"], rep["self_score"], rep["grade"])
    assert narrative["problems"] and narrative["improvements"]
    for funds in (True, False):
        opts = RenderOptions(prose=ProseStyle(layout=layout, funds=funds))
        data = render(record, "txt", opts)
        exp = expected_record(record, opts, fmt="txt", file_name="r.txt", data=data)
        assert _read_back(data, "r.txt", exp) == [LACKS_TABLES]


def test_a_missing_total_and_an_inferred_year_are_two_warnings_besides(prose_records):
    record = prose_records[0]
    opts = RenderOptions(prose=ProseStyle(title="no_year", totals=False))
    data = render(record, "docx", opts)
    exp = expected_record(record, opts, fmt="docx", file_name="r.docx", data=data)
    year = record["report"]["fiscal_year"]
    # no total stated for income either: that one is in the summary (prose often gives no income at all)
    assert _read_back(data, "r.docx", exp) == [
        f"标题中未找到年度：已按开篇段落所述推定为 {year} 年度",
        "正文中未找到支出的“支出合计”金额，已留空",
        "文字版报告（无填报表）：没有定性目标表和绩效指标表，正文中未找到收入合计金额，相关项目为空"]


def test_demo_prose_documents_are_spread_and_exact(tmp_path):
    """The plan's prose share, and two of its documents read back exactly."""
    items = plan(0)
    prose = [i for i in items if i.opts.prose is not None]
    assert 0.08 <= len(prose) / (len(items) + 1) <= 0.10
    assert len({i.unit.key for i in prose}) == len(prose) and {i.fmt for i in prose} == {"docx", "txt"}
    assert not any(i.planted for i in prose) and all(len(i.notes) == 1 for i in prose)
    keys = [(i.unit.key, i.year) for i in prose[:2]]
    paths = generate(tmp_path, seed=0, units=[k for k, _ in keys], years=[y for _, y in keys], pdf=False)
    for it in prose[:2]:
        path = next(p for p in paths if p.name == f"{it.stem}.{it.fmt}")
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert _read_back(path.read_bytes(), path.name, expected)[-1].startswith("文字版报告（无填报表）：")


def test_prose_reports_printed_to_pdf_read_back_to_their_records(demo_corpus, tmp_path):
    # real prose reports often arrive as PDF: the page width wraps sentences mid-word ("其他收\n入"),
    # and one squeezed justified line may run past the margin; the reader must still rejoin them
    from demo.render import convert
    manifest = json.loads((demo_corpus / "manifest.json").read_text(encoding="utf-8"))
    sources = [demo_corpus / d["file"] for d in manifest["documents"]
               if d["template"] == "hunan-prose" and d["format"] == "docx"]
    assert len(sources) >= 5
    from tests.material import compare
    for pdf in convert(sources, "pdf", tmp_path):
        expected = json.loads((demo_corpus / f"{pdf.stem}.json").read_text(encoding="utf-8"))
        expected["source"]["format"] = "pdf"
        record = extract_bytes(pdf.read_bytes(), pdf.name)
        # as the spec reads records (narrative paragraphs may be cut differently by the page)
        assert [row[:3] for row in compare(expected, record) if not row[3]] == [], pdf.name
        # and it warns as the Word document does
        docx = demo_corpus / f"{pdf.stem}.docx"
        assert record["source"]["warnings"] == extract_bytes(docx.read_bytes(), docx.name)["source"]["warnings"]
