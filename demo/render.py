"""Render a report record into the bureau's template: .docx, .txt, .html, .pdf, .doc.

The inverse of the extractor, used to build test documents and the demo
district (demo/generate.py). One layout (`layout()`: paragraphs and grid tables
with merged cells, shaped like 岳阳市云溪区's Word template, see
../shared/seeds/) is drawn by three writers:

- `.docx`: real Word tables (`w:gridSpan`, `w:vMerge`) inside a python-docx
  document; the demo marker is the first paragraph and the core property
  `category`;
- `.txt`: Word's text-export style of the seed (every cell on a line that
  starts with a TAB, a blank line after each row, a vertically merged
  continuation as an empty cell, a wrapped label as "\\n\\n" inside the cell);
- `.html`: a page as saved from a government site (colspan/rowspan);
- `.pdf` / `.doc`: the .docx converted by LibreOffice headless (`convert()`).

`RenderOptions` adds the mess real reports have (元 instead of 万元, thousands
separators, full-width digits, wrapped labels, merged indicator cells, a
missing section). Whatever is rendered can be read back exactly:
`expected_record()` gives the record an exact extractor must return for the
rendered bytes (money always in 万元, `source.money_unit` saying what the
document used), its warnings aside (`source.warnings` is left empty).

`RenderOptions(prose=ProseStyle(...))` writes the record as the other family
instead: a Hunan prose report (family B of
../shared/research/real-report-formats.md, read by the prose extractor), .docx or
.txt, paragraphs only. It carries what prose can: the unit (its name led by
the region, as such titles write it), year, staff, the 汇总 figures, score and
grade in sentences, the narrative sections and the signature date; no codes,
contacts, goals or indicators. The record's narrative texts are written as
they are, after the renderer's own sentences, so a figure they state must
agree with the record (the demo's do).
"""
from __future__ import annotations

import copy
import functools
import hashlib
import html
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from etl.document import DEMO_MARKER

TEMPLATE_ID = "yueyang-yunxi-2022"
FORMATS = ("docx", "txt", "html", "pdf", "doc")
WRAP = "¦"  # marks where a label breaks across lines inside its cell

# Sections `RenderOptions.omit` can leave out; "narrative.<key>" drops one
# heading of 五、评价报告综述 with its text.
SECTIONS = ("basic_info", "income", "expenditure", "three_public", "fixed_assets",
            "goals", "indicators", "score", "signatures", "narrative")
NARRATIVE_KEYS = ("overview", "basic_expenditure", "project_expenditure", "government_fund",
                  "state_capital", "social_insurance_fund", "performance", "problems",
                  "improvements", "other")
MONEY_FIELDS = {
    "income": ("total", "carryover", "fiscal_appropriation", "fund_appropriation",
               "special_account_income", "other_income"),
    "expenditure": ("total", "basic", "personnel", "public", "project",
                    "surplus_year", "surplus_cumulative"),
    "three_public": ("total", "reception", "vehicle_operation", "vehicle_purchase", "overseas"),
    "fixed_assets": ("total", "in_use", "leased", "other"),
}
BASIC_INFO_FIELDS = ("contact", "phone", "staff_quota", "staff_actual", "functions",
                     "main_tasks", "overall_results")

LEVEL1_NOTES = {  # the template's bracketed explanation under a level-1 label
    "产出目标": "（部门工作实绩，包含上级部门和市委市政府布置的重点工作、实事任务等，根据部门实际进行调整细化）",
    "效益目标": "（预期实现的效益）",
}
OUTLINE = (  # 五、评价报告综述（参考提纲）: heading, narrative key (None: heading only)
    ("一、部门（单位）概况", "overview"),
    ("二、一般公共预算支出情况", None),
    ("（一）基本支出情况", "basic_expenditure"),
    ("（二）项目支出情况", "project_expenditure"),
    ("三、政府性基金预算支出情况", "government_fund"),
    ("四、国有资本经营预算支出情况", "state_capital"),
    ("五、社会保险基金预算支出情况", "social_insurance_fund"),
    ("六、部门整体支出绩效情况", "performance"),
    ("七、存在的问题及原因分析", "problems"),
    ("八、下一步改进措施", "improvements"),
    ("九、其他需要说明的情况", "other"),
)
# Extra breaks `wrap_labels` puts into labels (the seed's own breaks are always kept).
EXTRA_WRAPS = {
    "机构名称": "机构¦名称", "收入合计": "收入¦合计", "支出合计": "支出¦合计",
    "政府基金拨款": "政府基¦金拨款", "纳入专户管理的非税收入拨款": "纳入专户管理¦的非税收入拨款",
    "公务用车运维费": "公务用车¦运维费", "公务用车购置费": "公务用车¦购置费",
    "在用固定资产": "在用固¦定资产", "出租固定资产": "出租固¦定资产",
    "局机关及二级机构汇总": "局机关及二级¦机构汇总", "职能职责概述": "职能职¦责概述",
    "绩效自评综合得分": "绩效自评¦综合得分", "联络电话": "联络¦电话", "人员编制": "人员¦编制",
    "年度指标值": "年度¦指标值", "实际完成值": "实际¦完成值", "偏差原因": "偏差¦原因",
    "整体支出绩效定性目标及实施计划完成情况": "整体支出绩效定性¦目标及实施计划完成情况",
}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

PROSE_TEMPLATE_ID = "hunan-prose"
PROSE_FORMATS = ("docx", "txt")
PROSE_LAYOUTS = ("hunan", "score_first", "township", "decimal")


@dataclass(frozen=True)
class ProseStyle:
    """Which of the survey's prose variants a report is written in (section 1.B, 2, 4, 6)."""
    layout: str = "hunan"      # "hunan" 一、基本情况 … 五、改进措施, the verdict last | "score_first" (南县)
                               # 一、自评得分情况 first | "township" (沅陵) (一)人员编制 (二)机构设置 (三)职能,
                               # the verdict inside 绩效情况 | "decimal" (吉首) 1./1.1, 5.绩效评价结论
    title: str = "plain"       # "plain" | "about" (…关于20XX年度…的报告) | "wrapped" (over two lines) |
                               # "no_year" (the year only in the opening paragraph)
    staff: str = "quota"       # "quota" 核定编制/实有人数 | "in_service" 编制数/实际在职人数 |
                               # "headcount" 编制人员 = 在职 + 离退休 (南县) | "typed" 行政/事业编制 (沅陵)
    retirees: int = 0          # 离退休 people ("headcount", "typed")
    totals: bool = True        # 支出总额 and 收入合计 stated, or only their parts
    funds: bool = True         # the 政府性基金/国有资本/社保基金 sub-sections written
    doc_number: int = 7        # N of the cited 湘财绩〔20XX〕N号
    brackets: str = "〔〕"     # "〔〕" | "【】" | "lost" (the closing one lost: 湘财绩〔20227号)


@dataclass(frozen=True)
class RenderOptions:
    """How a record is drawn; every option keeps the document exactly readable."""
    money_unit: str = "万元"        # "元": table captions say （元） and values are ×10000
    thousands: bool = False         # "855,300.00" for values ≥ 1000
    fullwidth: bool = False         # every third number cell in full-width digits ("８５.５３")
    wrap_labels: bool = False       # more labels (and long org names, the contact) broken across lines
    indicator_layout: str = "auto"  # "template" | "rich" | "auto" (rich when weights/targets exist)
    combine_level2: frozenset = frozenset()  # level2 groups written as one cell listing all indicators
    omit: frozenset = frozenset()   # SECTIONS or "narrative.<key>" left out of the document
    outline_numbers: bool = True    # False: 政府性基金/国有资本/社保 headings unnumbered, as in the seed
    date_style: str = "spaced"      # "spaced" 2023 年 7  月  21 日 | "padded" 2023年07月21日
    annex_label: str | None = None  # e.g. "附件1" above the title
    demo: bool = True               # carry etl.document.DEMO_MARKER
    encoding: str = "utf-8"         # .txt / .html: "utf-8" or "gb18030"
    prose: ProseStyle | None = None  # write a prose report (family B) instead of the template


# --- layout: the one drawing every writer follows --------------------------

@dataclass
class TCell:
    paras: list[str]
    span: int = 1
    vmerge: str | None = None   # "restart" | "continue" | None
    sep: str = "\n\n"           # how a text dump joins the cell's paragraphs
    bold: bool = False


@dataclass
class Table:
    widths: list[int]           # grid column widths, twentieths of a point
    rows: list[list[TCell]] = field(default_factory=list)

    def add(self, *cells: TCell) -> None:
        assert sum(c.span for c in cells) == len(self.widths), [c.paras for c in cells]
        self.rows.append(list(cells))


@dataclass
class Para:
    text: str
    align: str | None = None    # "center" | "right" | None
    bold: bool = False
    size: int | None = None     # half-points
    lead: str = ""              # spaces before / after the text in a dump (the seed's look)
    trail: str = ""
    gap: bool = True            # a blank line after it in a dump


def _split(text) -> list[str]:
    if text is None or text == "":
        return []
    return [p for p in str(text).split("\n")]


def C(text=None, span=1, vm=None, sep="\n\n", bold=False) -> TCell:
    """A cell; `text` is a string (WRAP marks label breaks, "\\n" paragraphs) or a list."""
    if isinstance(text, list):
        paras = text
    elif text is None or text == "":
        paras = []
    else:
        paras = [p for part in str(text).split("\n") for p in part.split(WRAP)]
    return TCell(paras, span, vm, sep, bold)


def V() -> TCell:
    """A vertically merged continuation: an empty cell in every dump."""
    return TCell([], 1, "continue")


class _Ctx:
    """Formatting state for one rendering (the full-width cell counter)."""

    def __init__(self, opts: RenderOptions):
        self.opts = opts
        self.numbers = 0

    def label(self, text: str) -> str:
        if self.opts.wrap_labels:
            return EXTRA_WRAPS.get(text, text)
        return text

    def _digits(self, s: str) -> str:
        self.numbers += 1
        if self.opts.fullwidth and self.numbers % 3 == 1:
            return s.translate(_FULLWIDTH)
        return s

    def money(self, v) -> str:
        if v is None:
            return ""
        x = v * 10000 if self.opts.money_unit == "元" else v
        s = f"{x:,.2f}" if self.opts.thousands and abs(x) >= 1000 else f"{x:.2f}"
        return self._digits(s)

    def number(self, v) -> str:
        return "" if v is None else self._digits(fmt_number(v))

    def wrap_value(self, text: str | None, at: int) -> str | None:
        """Break a long value the way Word's cell wrapping left it in dumps."""
        if not text or not self.opts.wrap_labels or len(text) <= at:
            return text
        return text[:at] + WRAP + text[at:]


def fmt_number(v) -> str:
    """90 -> "90", 92.5 -> "92.5", 9.25 -> "9.25" (scores, weights, staff)."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int):
        return str(v)
    return f"{v:.6f}".rstrip("0").rstrip(".")


def fmt_date(iso: str | None, style: str = "spaced") -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    if style == "padded":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    return f"{d.year} 年 {d.month}  月  {d.day} 日"


def indicator_layout(record: dict, opts: RenderOptions) -> str:
    if opts.indicator_layout != "auto":
        return opts.indicator_layout
    rich = any(i.get(k) is not None for i in record.get("indicators") or []
               for k in ("target_text", "weight", "score", "deviation_reason"))
    return "rich" if rich else "template"


def _second_level(record: dict) -> list[str]:
    """The 二级机构 names of the unit, in order of first appearance in any money table."""
    names: list[str] = []
    for key in MONEY_FIELDS:
        for r in record.get(key) or []:
            if r.get("org") not in ("汇总", "局机关", None) and r["org"] not in names:
                names.append(r["org"])
    return names


def _org_rows(rows: list[dict], second_level: list[str]) -> list[tuple[str, dict | None]]:
    """The template's org rows: 汇总, 1、局机关, 2、<二级机构>, 3、…; unused ones blank.

    Every table lists the same 二级机构 (a table whose row is blank still names
    it, as the seed's 三公 table does); unused slots keep the placeholder."""
    by_org = {r["org"]: r for r in rows}
    out = [("局机关及二级机构汇总", by_org.get("汇总")), ("1、局机关", by_org.get("局机关"))]
    for i, name in enumerate(second_level):
        out.append((f"{i + 2}、{name}", by_org.get(name)))
    for i in range(len(second_level), 2):
        out.append((f"{i + 2}、二级机构{i + 1}", None))
    return out


def layout(record: dict, opts: RenderOptions = RenderOptions()) -> list[Para | Table]:
    """The document as paragraphs and grid tables, in reading order."""
    if opts.prose is not None:
        return _prose(record, opts).paras
    ctx = _Ctx(opts)
    rep = record.get("report") or {}
    omit = opts.omit
    region = rep.get("region") or ""
    year = rep.get("fiscal_year")
    blocks: list[Para | Table] = []
    if opts.demo:
        blocks.append(Para(DEMO_MARKER))
    if opts.annex_label:
        blocks.append(Para(opts.annex_label))
    blocks += [
        Para(f"{region}{year}年度部门整体支出", "center", True, 36, lead=" "),
        Para("绩效评价自评报告", "center", True, 36),
        Para(f"部门（单位）名称：{rep.get('unit_name') or ''}", trail="             ", gap=False),
        Para(f"预算编码：              {rep.get('budget_code') or ''}", trail="                                 ",
             gap=False),
        Para(f"评价方式：{rep.get('evaluation_method') or ''}"),
        Para(f"评价机构：{rep.get('evaluator') or ''}", trail="   "),
        Para(f"报告日期：{fmt_date(rep.get('report_date'), opts.date_style)}"),
        Para(f"{region}财政局（制）", "center", lead="      "),
    ]

    if "basic_info" not in omit:
        t = Table([1900, 2250, 1900, 2250])
        t.add(C("一、部门（单位）基本概况", 4, bold=True))
        t.add(C("联系人"), C(ctx.wrap_value(rep.get("contact"), 13)),
              C(ctx.label("联络电话")), C(rep.get("phone")))
        t.add(C(ctx.label("人员编制")), C(ctx.number(rep.get("staff_quota"))),
              C("实有人数"), C(ctx.number(rep.get("staff_actual"))))
        t.add(C(ctx.label("职能职责概述")), C(rep.get("functions"), 3, sep="\n"))
        t.add(C("年度主要¦工作内容"), C(rep.get("main_tasks"), 3, sep="\n"))
        t.add(C("年度部门（单位）总体运行¦情况及取得的成绩"), C(rep.get("overall_results"), 3, sep="\n"))
        blocks.append(t)

    cap = "（元）" if opts.money_unit == "元" else "（万元）"
    second_level = _second_level(record)
    first_money = True

    def org_label(name: str) -> str:
        head, _, org = name.partition("、")
        if org and not org.startswith("二级机构") and len(org) >= 8 and opts.wrap_labels:
            return f"{head}、{org[:len(org) // 2]}{WRAP}{org[len(org) // 2:]}"
        return ctx.label(name)

    def money_table(key: str, widths: list[int], header: list[list[TCell]], caption: str | None) -> None:
        nonlocal first_money
        if key in omit:
            return
        t = Table(widths)
        n = len(widths)
        if first_money:
            t.add(C("二、部门（单位）收支情况", n, bold=True))
            first_money = False
        if caption:
            t.add(C(caption, n))
        for cells in header:
            t.add(*cells)
        for name, row in _org_rows(record.get(key) or [], second_level):
            t.add(C(org_label(name)), *(C(ctx.money(row.get(f) if row else None)) for f in MONEY_FIELDS[key]))
        blocks.append(t)

    money_table("income", [1900] + [1070] * 6, [
        [C(ctx.label("机构名称"), vm="restart"), C(ctx.label("收入合计"), vm="restart"), C("其中：", 5)],
        [V(), V(), C("上年结转"), C("公共财¦政拨款"), C(ctx.label("政府基金拨款")),
         C(ctx.label("纳入专户管理的非税收入拨款")), C("其他¦收入")],
    ], f"年度收入情况{cap}")
    money_table("expenditure", [1900] + [915] * 7, [
        [C(ctx.label("机构名称"), vm="restart"), C(ctx.label("支出合计"), vm="restart"), C("其中：", 4), C("结余", 2)],
        [V(), V(), C("基本支出", vm="restart"), C("其中：", 2), C("项目支出", vm="restart"),
         C("当年结余", vm="restart"), C("累计结余", vm="restart")],
        [V(), V(), V(), C("人员支出"), C("公用支出"), V(), V(), V()],
    ], f"部门（单位）年度支出和结余情况{cap}")
    money_table("three_public", [1900] + [1280] * 5, [
        [C(ctx.label("机构名称"), vm="restart"), C("三公经费¦合计", vm="restart"), C("其中：", 4)],
        [V(), V(), C("公务接待费"), C(ctx.label("公务用车运维费")), C(ctx.label("公务用车购置费")), C("因公出国费")],
    ], f"“三公”经费支出情况{cap}" if opts.money_unit == "元" else None)
    money_table("fixed_assets", [1900] + [1600] * 4, [
        [C(ctx.label("机构名称"), vm="restart"), C("固定资产¦合计", vm="restart"), C("其中：", 2), C("其他", vm="restart")],
        [V(), V(), C(ctx.label("在用固定资产")), C(ctx.label("出租固定资产")), V()],
    ], f"固定资产情况{cap}" if opts.money_unit == "元" else None)

    blocks += _performance_tables(record, opts, ctx)
    if "signatures" not in omit:
        blocks.append(_signatures())
        blocks.append(Para("填报人（签名）：                          联系电话："))
    if "narrative" not in omit:
        blocks.append(_outline(record, opts))
    return blocks


def _performance_tables(record: dict, opts: RenderOptions, ctx: _Ctx) -> list[Table]:
    """三、整体支出绩效自评情况: goals, the indicator grid, score and grade."""
    rep = record.get("report") or {}
    omit = opts.omit
    rich = indicator_layout(record, opts) == "rich"
    widths = [1100, 1000, 1000, 1700, 900, 900, 500, 500, 700] if rich else [1400, 1300, 1300, 2400, 1900]
    n = len(widths)
    half = (n - 1) // 2
    t = Table(widths)
    t.add(C("三、部门（单位）整体支出绩效自评情况", n, bold=True))
    if "goals" not in omit:
        t.add(C(ctx.label("整体支出绩效定性目标及实施计划完成情况"), vm="restart"),
              C("预期目标", half), C("实际完成", n - 1 - half))
        goals = [f"目标{g['seq']}：{g['text']}" if g.get("seq") is not None else g["text"]
                 for g in record.get("goals") or []]
        t.add(V(), C(goals, half), C(record.get("goals_completion"), n - 1 - half, sep="\n"))
    if "indicators" not in omit:
        if rich:
            t.add(C("整体支出¦绩效定量目标及实施计划完成情况", vm="restart"), C("一级指标"), C("二级指标"),
                  C("三级指标"), C(ctx.label("年度指标值")), C(ctx.label("实际完成值")),
                  C("分值"), C("得分"), C(ctx.label("偏差原因")))
        else:
            t.add(C("整体支出¦绩效定量目标及实施计划完成情况", vm="restart"), C("评价内容", 2),
                  C("绩效目标"), C("完成情况"))
        prev1 = prev2 = object()
        for group in _indicator_rows(record.get("indicators") or [], opts.combine_level2 if not rich else ()):
            first = group[0]
            l1, l2 = first.get("level1"), first.get("level2")
            c1 = V() if l1 == prev1 else C([l1] + ([LEVEL1_NOTES[l1]] if not rich and l1 in LEVEL1_NOTES else [])
                                              if l1 else [], vm="restart")
            c2 = V() if (l1, l2) == prev2 else C(l2, vm="restart")
            prev1, prev2 = l1, (l1, l2)
            names = [f"指标{i['seq']}：{i['name']}" if i.get("seq") is not None else i["name"] for i in group]
            if rich:
                i = first
                t.add(V(), c1, c2, C(names[0]), C(i.get("target_text")), C(i.get("actual_text")),
                      C(ctx.number(i.get("weight"))), C(ctx.number(i.get("score"))), C(i.get("deviation_reason")))
            else:
                results = [i.get("actual_text") or "" for i in group]
                t.add(V(), c1, c2, C(names, sep="\n"), C(results if any(results) else []))
    if "score" not in omit:
        t.add(C(ctx.label("绩效自评综合得分")), C(ctx.number(rep.get("self_score")), n - 1))
        t.add(C("评价等次"), C(rep.get("grade"), n - 1))
    return [t]


def _indicator_rows(indicators: list[dict], combine) -> list[list[dict]]:
    """One list per table row: a single indicator, or a combined level2 group."""
    rows: list[list[dict]] = []
    for ind in indicators:
        prev = rows[-1] if rows else None
        if (prev and ind.get("level2") in combine and _combinable(ind)
                and all(_combinable(p) for p in prev)
                and (prev[0].get("level1"), prev[0].get("level2")) == (ind.get("level1"), ind.get("level2"))):
            prev.append(ind)
        else:
            rows.append([ind])
    return rows


def _combinable(ind: dict) -> bool:
    # Results of a combined cell are paired in order, so each must be one non-empty line.
    text = ind.get("actual_text")
    return bool(text) and "\n" not in text


def _signatures() -> Table:
    t = Table([2075] * 4)
    t.add(C("四、评价人员", 4, bold=True))
    t.add(C("姓  名"), C("职务/职称"), C("单  位"), C("签  字"))
    for _ in range(4):
        t.add(C(), C(), C(), C())
    date_line = "                                                               年    月    日"
    t.add(C(["评价组组长（签字）：", date_line], 4))
    t.add(C(["部门（单位）意见：", "                                         部门（单位）负责人（签章）：", date_line], 4))
    t.add(C(["财政部门归口业务股室意见：", "                                  财政部门归口业务股室负责人（签章）：",
             date_line], 4))
    return t


def _outline(record: dict, opts: RenderOptions) -> Table:
    """五、评价报告综述: one cell holding the outline's headings and texts."""
    narrative = record.get("narrative") or {}
    paras = ["五、评价报告综述（参考提纲）"]
    for heading, key in OUTLINE:
        if key and f"narrative.{key}" in opts.omit:
            continue
        if not opts.outline_numbers and key in ("government_fund", "state_capital", "social_insurance_fund"):
            heading = heading[2:]
        paras.append(heading)
        paras.append("")
        if key:
            paras += _split(narrative.get(key))
    t = Table([8300])
    t.add(TCell(paras, 1, None, "\n"))
    return t


# --- the prose report (family B) ---------------------------------------------

_CN = "一二三四五六七八九十"
_BLANKS = " \t\u3000\u00a0"
_INDENT = "\u3000\u3000"   # how a Chinese text export indents a paragraph
_SAME = object()
# How a unit calls itself in its own report ("我局对2021年度…开展了绩效自评").
_SELF = (("街道办事处", "我街道"), ("镇人民政府", "我镇"), ("乡人民政府", "我乡"), ("卫生院", "我院"),
         ("医院", "我院"), ("学校", "我校"), ("中学", "我校"), ("小学", "我校"), ("局", "我局"),
         ("中心", "我中心"), ("大队", "我大队"))
_GRADE_WORDS = ("优秀", "良好", "合格", "中等", "较差", "不合格")   # "整体绩效自评为优秀" (许昌)
_INCOME_PARTS = (("carryover", "上年结转"), ("fiscal_appropriation", "公共财政拨款"),
                 ("fund_appropriation", "政府性基金拨款"), ("special_account_income", "纳入专户管理的非税收入拨款"),
                 ("other_income", "其他收入"))
_THREE_PUBLIC_PARTS = (("reception", "公务接待费"), ("vehicle_operation", "公务用车运行维护费"),
                       ("vehicle_purchase", "公务用车购置费"), ("overseas", "因公出国（境）费"))


def prose_unit_name(report: dict) -> str:
    """The unit as a prose title names it: led by the whole region, so that a
    reader takes the region from the name ("云溪区信访局" of 岳阳市云溪区 ->
    "岳阳市云溪区信访局"); a name that already starts with it stays."""
    name, region = report.get("unit_name") or "", report.get("region") or ""
    if not region or name.startswith(region):
        return name
    for k in range(len(region) - 1, 0, -1):   # the end of the region the name already carries ("云溪区")
        if name.startswith(region[-k:]):
            return region + name[k:]
    return region + name


def _we(name: str) -> str:
    return next((we for ending, we in _SELF if name.endswith(ending)), "我单位")


def _text_lines(text) -> list[str]:
    """A text's lines as a reader of the document sees them: stripped, blank ones gone."""
    return [line.strip(_BLANKS) for line in _split(text) if line.strip(_BLANKS)]


def _summary_row(record: dict, key: str) -> dict | None:
    """The 汇总 row of a money list (a prose report states only the unit as a whole)."""
    rows = record.get(key) or []
    return next((r for r in rows if r.get("org") == "汇总"), rows[0] if len(rows) == 1 else None)


class _ProseDoc:
    """A prose report being written: its paragraphs, and what each narrative
    section holds for a reader who files every line under the last section
    heading above it (a sub-heading that opens no section is a line of its
    section). Also what it stated: figures, staff, functions."""

    def __init__(self, opts: RenderOptions):
        self.opts = opts
        self.style = opts.prose
        self.ctx = _Ctx(replace(opts, fullwidth=False))
        self.paras: list[Para] = []
        self.sections: dict[str, list[str]] = {}
        self.current: str | None = None
        self.stated: dict[str, dict[str, float]] = {}   # money list -> field -> value as written
        self.functions: list[str] | None = None
        self.top = self.sub_number = 0

    def section(self, title: str, key: str | None) -> None:
        """A top heading opening narrative section `key` (None: one the record has no place for)."""
        self.top += 1
        self.sub_number = 0
        number = f"{self.top}." if self.style.layout == "decimal" else f"{_CN[self.top - 1]}、"
        self.paras.append(Para(number + title, bold=True, gap=False))
        self._open(key)

    def sub(self, title: str, key=_SAME) -> None:
        """A numbered sub-heading opening `key`, or by default a line of the current section."""
        self.sub_number += 1
        n = self.sub_number
        text = {"decimal": f"{self.top}.{n}", "township": f"({_CN[n - 1]})"}.get(self.style.layout, f"（{_CN[n - 1]}）")
        text += title
        self.paras.append(Para(text, gap=False))
        if key is _SAME:
            self._file(text)
        else:
            self._open(key)

    def text(self, text) -> list[str]:
        lines = _text_lines(text)
        for line in lines:
            self.paras.append(Para(line, lead=_INDENT, gap=False))
            self._file(line)
        return lines

    def _open(self, key: str | None) -> None:
        self.current = key
        if key:
            self.sections.setdefault(key, [])

    def _file(self, line: str) -> None:
        if self.current:
            self.sections[self.current].append(line)

    def amount(self, kind: str, field: str, value: float) -> str:
        """`value` (万元) as the report writes it, noted as stated."""
        places = 6 if self.opts.money_unit == "元" else 2
        self.stated.setdefault(kind, {})[field] = round(value, places)
        return self.ctx.money(value) + self.opts.money_unit


def _prose(record: dict, opts: RenderOptions) -> _ProseDoc:
    """The prose report of `record` in `opts.prose`'s variant."""
    style = opts.prose
    if style.layout not in PROSE_LAYOUTS:
        raise ValueError(f"unknown prose layout {style.layout!r}: expected one of {PROSE_LAYOUTS}")
    rep = record.get("report") or {}
    narrative = record.get("narrative") or {}
    year = rep.get("fiscal_year")
    name = prose_unit_name(rep)
    we = _we(name)
    layout_ = style.layout
    doc = _ProseDoc(opts)
    if opts.demo:
        doc.paras.append(Para(DEMO_MARKER))
    if opts.annex_label:
        doc.paras.append(Para(opts.annex_label, gap=False))
    for line in _prose_title(name, year, style.title):
        doc.paras.append(Para(line, "center", True, 44, gap=False))
    doc.paras.append(Para(_opening(rep.get("region") or "", year, style, we), lead=_INDENT, gap=False))
    verdict = _verdict(rep, layout_, we, year)

    if layout_ == "score_first":
        doc.section("自评得分情况", None)
        doc.text(verdict)
    staff = _staff_sentence(rep, style)
    if layout_ == "township":
        doc.section("部门、单位基本情况", "overview")
        doc.sub("人员编制")
        doc.text(staff)
        doc.sub("机构设置")
        doc.text(narrative.get("overview"))
        if rep.get("functions"):
            doc.sub("职能")
            doc.functions = doc.text(rep["functions"])
        if record.get("goals"):
            doc.sub("绩效目标设定")
            doc.text("年初设定的绩效目标：" + "".join(g["text"] for g in record["goals"]))
    else:
        doc.section("单位基本概况" if layout_ == "score_first" else "部门基本情况", "overview")
        if rep.get("functions"):
            doc.sub("单位职能" if layout_ == "score_first" else "部门职能")
            doc.functions = doc.text(rep["functions"])
        doc.sub("机构设置及人员情况")
        doc.text(staff)   # before the overview's own text: the first statement is the renderer's
        doc.text(narrative.get("overview"))

    doc.section("部门整体支出情况" if layout_ == "decimal" else "部门整体支出管理及使用情况", None)
    for sentence in _money_sentences(record, year, style, doc):
        doc.text(sentence)
    subsections = [("basic_expenditure", "基本支出情况"), ("project_expenditure", "项目支出情况")]
    if style.funds:
        subsections += [("government_fund", "政府性基金预算支出情况"), ("state_capital", "国有资本经营预算支出情况"),
                        ("social_insurance_fund", "社会保险基金预算支出情况")]
    for key, title in subsections:
        if narrative.get(key):
            doc.sub(title, key)
            doc.text(narrative[key])

    if narrative.get("performance") or layout_ == "township":
        doc.section("部门整体支出绩效情况", "performance")
        doc.text(narrative.get("performance"))
        if layout_ == "township":
            doc.text(verdict)
    if narrative.get("problems"):
        doc.section("存在的问题及原因分析" if layout_ == "hunan" else "存在的问题", "problems")
        doc.text(narrative["problems"])
    if layout_ == "decimal":
        doc.section("绩效评价结论", None)
        doc.sub("绩效评价得分")
        doc.text(verdict)
    if narrative.get("improvements"):
        doc.section({"hunan": "下一步改进措施", "decimal": "改进措施和建议"}.get(layout_, "改进措施"), "improvements")
        doc.text(narrative["improvements"])
    if narrative.get("other"):
        doc.section("其他需要说明的情况", "other")
        doc.text(narrative["other"])
    if layout_ == "hunan":
        doc.section("评价结论", None)
        doc.text(verdict)
    if rep.get("report_date"):   # the signature only above a date: a reader knows it by that
        d = date.fromisoformat(rep["report_date"])
        day = (f"{d.year}年{d.month:02d}月{d.day:02d}日" if opts.date_style == "padded"
               else f"{d.year}年{d.month}月{d.day}日")
        doc.paras += [Para(name, "right", gap=False), Para(day, "right", gap=False)]
    return doc


def _prose_title(name: str, year, style: str) -> list[str]:
    if style == "about":
        return [f"{name}关于{year}年度部门整体支出绩效自评的报告"]
    if style == "wrapped":
        return [f"{name}{year}年度部门整体支出", "绩效自评报告"]
    if style == "no_year":
        return [f"{name}部门整体支出绩效自评报告"]
    return [f"{name}{year}年度部门整体支出绩效自评报告"]


def _opening(region: str, year, style: ProseStyle, we: str) -> str:
    """The legal-basis paragraph, citing the province's notice (湘财绩〔2022〕7号)."""
    left, right = {"【】": ("【", "】"), "lost": ("〔", "")}.get(style.brackets, ("〔", "〕"))
    cite = (f"根据《湖南省财政厅关于开展{year}年度部门整体支出绩效自评工作的通知》"
            f"（湘财绩{left}{year + 1}{right}{style.doc_number}号）")
    if style.doc_number % 2 == 0:   # half of them also cite the district's own requirements
        cite += f"和{region}财政局有关工作要求"
    return f"{cite}，{we}对{year}年度部门整体支出开展了绩效自评，现将自评情况报告如下："


def _verdict(rep: dict, layout_: str, we: str, year) -> str | None:
    """Score and grade in one sentence, phrased as the variant's model report does."""
    score, grade = rep.get("self_score"), rep.get("grade")
    if score is None and grade is None:
        return None
    who = "" if layout_ == "decimal" else we
    lead = "经自评" if layout_ in ("hunan", "score_first") else "经综合评价"
    out = f"{lead}，{who}{year}年度部门整体支出绩效"
    if score is not None:
        label = {"score_first": "综合评分为", "township": "自评得分"}.get(layout_, "自评得分为")
        out += f"{label}{fmt_number(score)}分"
    if grade is not None:
        if layout_ == "township" and grade in _GRADE_WORDS:
            out += f"，整体绩效自评为{grade}"
        else:
            out += f"，{'评价等级' if layout_ == 'decimal' else '评价等次'}为{grade}"
    return out + "。"


def _staff_sentence(rep: dict, style: ProseStyle) -> str | None:
    """Staff in the variant's words."""
    quota, actual, retirees = rep.get("staff_quota"), rep.get("staff_actual"), style.retirees
    if style.staff == "headcount" and actual is not None:
        # 南县: everyone on the books, retirees included -- then the real quota
        return (f"编制人员{actual + retirees}人，其中在职{actual}人，离退休{retirees}人。"
                + (f"单位核定编制{quota}人。" if quota is not None else ""))
    if style.staff == "typed" and quota is not None:
        admin = (quota * 3 + 4) // 5
        parts = [f"核定编制{quota}人，其中行政编制{admin}人、事业编制{quota - admin}人"]
        if actual is not None:
            parts.append(f"实有在职人员{actual}人" + (f"，离退休人员{retirees}人" if retirees else ""))
        return "；".join(parts) + "。"
    labels = ("编制数", "实际在职人数") if style.staff == "in_service" else ("单位核定编制", "实有人数")
    parts = [f"{label}{n}人" for label, n in zip(labels, (quota, actual)) if n is not None]
    return "，".join(parts) + "。" if parts else None


def _money_sentences(record: dict, year, style: ProseStyle, doc: _ProseDoc) -> list[str]:
    """The 汇总 figures in sentences: each list's items separated by "，" (a reader
    takes "、" as one clause, where "上年结转" would mark the next amount as last year's)."""
    out = []
    amount = doc.amount

    def items(kind, row, parts):
        return [f"{label}{amount(kind, f, row[f])}" for f, label in parts if row.get(f) is not None]

    inc = _summary_row(record, "income") or {}
    parts = items("income", inc, _INCOME_PARTS)
    if style.totals and inc.get("total") is not None:
        out.append(f"{year}年度收入合计{amount('income', 'total', inc['total'])}"
                   + ("，其中" + "，".join(parts) if parts else "") + "。")
    elif parts:
        out.append(f"{year}年度收入包括：{'，'.join(parts)}。")

    exp = _summary_row(record, "expenditure") or {}
    basic = items("expenditure", exp, (("basic", "基本支出"),))
    within = items("expenditure", exp, (("personnel", "人员支出"), ("public", "公用支出")))
    project = items("expenditure", exp, (("project", "项目支出"),))
    if style.totals and exp.get("total") is not None:
        total = f"{year}年度支出{'总额' if style.layout in ('hunan', 'decimal') else '合计'}" \
                f"{amount('expenditure', 'total', exp['total'])}"
        if style.layout in ("hunan", "decimal"):   # 吉首: the basic split in a sentence of its own
            sentence = total + ("，其中" + "，".join(basic + project) if basic + project else "") + "。"
            if within:
                sentence += "基本支出中，" + "，".join(within) + "。"
        else:   # 岳阳楼区: the split in brackets
            split = [x for x in ("".join(basic) + (f"（{'，'.join(within)}）" if within else ""), *project) if x]
            sentence = total + ("，其中" + "，".join(split) if split else "") + "。"
        out.append(sentence)
    else:   # 南县: no total, the parts only
        first = "".join(basic) + ("，其中" if basic and within else "") + "，".join(within)
        clauses = [c for c in (first, "".join(project)) if c]
        if clauses:
            out.append(f"{year}年度" + "；".join(clauses) + "。")
    surplus = items("expenditure", exp, (("surplus_year", "当年结余"), ("surplus_cumulative", "累计结余")))
    if surplus:
        out.append("，".join(surplus) + "。")

    # A prose report names all four 三公 items, a blank one as 0 (how it says "none").
    tp = _summary_row(record, "three_public") or {}
    values = {f: tp.get(f) or 0 for f, _ in _THREE_PUBLIC_PARTS}
    total = tp.get("total") if tp.get("total") is not None else sum(values.values())
    out.append(f"“三公”经费支出{amount('three_public', 'total', total)}，其中"
               + "，".join(f"{label}{amount('three_public', f, values[f])}" for f, label in _THREE_PUBLIC_PARTS) + "。")

    fa = _summary_row(record, "fixed_assets") or {}
    if fa.get("total") is not None:
        sentence = f"截至{year}年末，单位固定资产总额{amount('fixed_assets', 'total', fa['total'])}"
        if fa.get("other") is None:   # prose has no words for 其他固定资产: then the parts stay unsaid
            parts = items("fixed_assets", fa, (("in_use", "在用固定资产"), ("leased", "出租固定资产")))
            sentence += "，其中" + "，".join(parts) if parts else ""
        out.append(sentence + "。")
    return out


def _expected_prose(record: dict, opts: RenderOptions, fmt: str) -> dict:
    """What the prose extractor reads from `record` written as a prose report (warnings aside)."""
    if fmt not in PROSE_FORMATS:
        raise ValueError(f"a prose report is written as {' or '.join(PROSE_FORMATS)}, not {fmt!r}")
    doc = _prose(record, opts)
    rep = record.get("report") or {}
    report = {f: None for f in ("region", "fiscal_year", "unit_name", "budget_code", "evaluation_method",
                                "evaluator", "report_date", "contact", "phone", "staff_quota", "staff_actual",
                                "functions", "main_tasks", "overall_results", "self_score", "grade")}
    report.update({f: rep.get(f) for f in ("region", "fiscal_year", "report_date", "staff_quota", "staff_actual",
                                           "self_score", "grade")},
                  unit_name=prose_unit_name(rep), functions="\n".join(doc.functions) if doc.functions else None)
    out = {"report": report}
    for key, fields in MONEY_FIELDS.items():
        stated = doc.stated.get(key)
        out[key] = [{"org": "汇总", **{f: stated.get(f) for f in fields}}] if stated else []
    # The cases as the record has them: their sentence is in the performance text, written as it is.
    out.update(goals=[], goals_completion=None, indicators=[], cases=copy.deepcopy(record.get("cases") or []),
               narrative={k: ("\n".join(doc.sections[k]) or None) if k in doc.sections else None
                          for k in NARRATIVE_KEYS})

    out["source"] = dict(format=fmt, money_unit=opts.money_unit if doc.stated else "万元",
                         template=PROSE_TEMPLATE_ID, warnings=[], demo=opts.demo)
    return out


# --- writers ---------------------------------------------------------------

def render(record: dict, fmt: str, opts: RenderOptions = RenderOptions()) -> bytes:
    """The document's bytes in `fmt` (one of FORMATS)."""
    if fmt == "docx":
        return render_docx(record, opts)
    if fmt == "txt":
        return render_txt(record, opts)
    if fmt == "html":
        return render_html(record, opts)
    if fmt in ("pdf", "doc"):
        with tempfile.TemporaryDirectory(prefix="render-") as tmp:
            src = Path(tmp) / "report.docx"
            src.write_bytes(render_docx(record, opts))
            out = convert([src], fmt, Path(tmp) / "out")[0]
            return out.read_bytes()
    raise ValueError(f"unknown format {fmt!r}: expected one of {FORMATS}")


def render_txt(record: dict, opts: RenderOptions = RenderOptions()) -> bytes:
    """The seed's dump style: TAB-led cells, a blank line after each row."""
    lines: list[str] = []
    for block in layout(record, opts):
        if isinstance(block, Para):
            if block.text == DEMO_MARKER:
                lines.append(block.text)
                continue
            lines.append(block.lead + block.text + block.trail)
            if block.gap:
                lines.append("")
            continue
        for row in block.rows:
            for cell in row:
                lines.append("\t" + cell.sep.join(cell.paras))
            lines.append("")
    return ("\n".join(lines) + "\n").encode(opts.encoding)


def _x(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_RPR = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体"/>'


def _p_xml(text: str, align: str | None = None, bold: bool = False, size: int | None = None) -> str:
    ppr = f'<w:pPr><w:jc w:val="{align}"/></w:pPr>' if align else ""
    if not text:
        return f"<w:p>{ppr}</w:p>"
    rpr = _RPR + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else "")
    return f'<w:p>{ppr}<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{_x(text)}</w:t></w:r></w:p>'


def _tbl_xml(t: Table) -> str:
    border = "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="{sum(t.widths)}" w:type="dxa"/><w:tblBorders>{border}</w:tblBorders>'
           '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
           "".join(f'<w:gridCol w:w="{w}"/>' for w in t.widths), "</w:tblGrid>"]
    for row in t.rows:
        # Short rows never break across pages (long text rows must, or Word would clip them).
        short = sum(len(p) for c in row for p in c.paras) < 300
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if short else "<w:tr>")
        col = 0
        for c in row:
            w = sum(t.widths[col:col + c.span])
            pr = f'<w:tcW w:w="{w}" w:type="dxa"/>'
            if c.span > 1:
                pr += f'<w:gridSpan w:val="{c.span}"/>'
            if c.vmerge == "restart":
                pr += '<w:vMerge w:val="restart"/>'
            elif c.vmerge == "continue":
                pr += "<w:vMerge/>"
            pr += '<w:vAlign w:val="center"/>'
            body = "".join(_p_xml(p, bold=c.bold) for p in c.paras) or "<w:p/>"
            out.append(f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>")
            col += c.span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


_MIN_STYLES = (  # Word's defaults for a Chinese government document: 宋体 五号, no spacing
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
    'w:eastAsia="宋体" w:cs="Times New Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" '
    'w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/>'
    '<w:uiPriority w:val="1"/><w:semiHidden/></w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" '
    'w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    '</w:styles>')


@functools.lru_cache(maxsize=1)
def _docx_base() -> tuple[tuple[tuple[str, bytes], ...], str, str]:
    """python-docx's package made once per process: A4 page, a small style
    sheet, no stock thumbnail or Word-2010 extras. Returns the parts and the
    document.xml text before and after the body content."""
    import docx
    from docx.oxml import parse_xml
    from docx.shared import Mm

    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(25)
    sec.top_margin = sec.bottom_margin = Mm(25)
    for rels, drop in ((doc.part.rels, ("stylesWithEffects", "customXml")), (doc.part.package.rels, ("thumbnail",))):
        for rid in [k for k, r in rels.items() if r.reltype.rsplit("/", 1)[-1] in drop]:
            rels.pop(rid)
    doc.part._styles_part._element = parse_xml(_MIN_STYLES.encode())
    buf = io.BytesIO()
    doc.save(buf)
    z = zipfile.ZipFile(buf)
    parts = tuple((n, z.read(n)) for n in z.namelist() if n not in ("word/document.xml", "docProps/core.xml"))
    text = z.read("word/document.xml").decode("utf-8")
    head, tail = text.split("<w:body>", 1)
    return parts, head + "<w:body>", tail.split("</w:body>", 1)[0].join(("", "</w:body>")) + text.rsplit("</w:body>", 1)[1]


def render_docx(record: dict, opts: RenderOptions = RenderOptions()) -> bytes:
    """A Word document with real merged table cells; equal input, equal bytes."""
    parts, head, tail = _docx_base()
    body = []
    prev_table = False
    for block in layout(record, opts):
        if isinstance(block, Para):
            body.append(_p_xml(block.text, block.align, block.bold, block.size))
            prev_table = False
        else:
            if prev_table:  # Word joins adjacent tables unless a paragraph separates them
                body.append("<w:p/>")
            body.append(_tbl_xml(block))
            prev_table = True
    rep = record.get("report") or {}
    stamp = _stamp(rep)
    title = f"{rep.get('unit_name') or ''}{rep.get('fiscal_year')}年度部门整体支出绩效评价自评报告"
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_x(title)}</dc:title><dc:creator>{_x(rep.get('unit_name') or '')}</dc:creator>"
            "<cp:lastModifiedBy></cp:lastModifiedBy><cp:revision>1</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{w3c}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{w3c}</dcterms:modified>'
            f"<cp:category>{DEMO_MARKER if opts.demo else ''}</cp:category></cp:coreProperties>")
    out = io.BytesIO()
    when = stamp.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in (*parts[:2], ("docProps/core.xml", core.encode()),
                           ("word/document.xml", (head + "".join(body) + tail).encode()), *parts[2:]):
            zi = zipfile.ZipInfo(name, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, blob)
    return out.getvalue()


def _stamp(rep: dict) -> datetime:
    try:
        d = date.fromisoformat(rep.get("report_date") or "")
    except ValueError:
        d = date((rep.get("fiscal_year") or 2022) + 1, 6, 30)
    return datetime(d.year, d.month, d.day, 9, 0, 0)


def render_html(record: dict, opts: RenderOptions = RenderOptions()) -> bytes:
    """A report page as saved from a government site: chrome around the template."""
    if opts.prose is not None:   # the page's chrome would run on into the last section
        raise ValueError(f"a prose report is written as {' or '.join(PROSE_FORMATS)}, not 'html'")
    rep = record.get("report") or {}
    title = f"{rep.get('unit_name') or ''}{rep.get('fiscal_year')}年度部门整体支出绩效评价自评报告"
    charset = "gb2312" if opts.encoding.lower().startswith("gb") else "utf-8"
    out = [f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
           f"<title>{html.escape(title)}</title>\n</head>\n<body>"]
    blocks = layout(record, opts)
    if blocks and isinstance(blocks[0], Para) and blocks[0].text == DEMO_MARKER:
        out.append(f"<p>{DEMO_MARKER}</p>")
        blocks = blocks[1:]
    region = rep.get("region") or ""
    out.append(f'<div class="head">{html.escape(region)}人民政府门户网站</div>\n'
               '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 财政信息 &gt; 绩效评价</div>\n'
               '<div class="article">')
    for block in blocks:
        if isinstance(block, Para):
            style = f' style="text-align:{block.align}"' if block.align else ""
            text = html.escape(block.text)
            out.append(f"<p{style}><b>{text}</b></p>" if block.bold else f"<p{style}>{text}</p>")
        else:
            out.append(_table_html(block))
    out.append('</div>\n<div class="foot">主办：' + html.escape(region) + "人民政府办公室</div>\n</body>\n</html>\n")
    return "\n".join(out).encode("gb18030" if charset != "utf-8" else "utf-8")


def _table_html(t: Table) -> str:
    starts = []  # per row: {grid column: cell}
    for row in t.rows:
        col, at = 0, {}
        for c in row:
            at[col] = c
            col += c.span
        starts.append(at)
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">']
    for r, at in enumerate(starts):
        out.append("<tr>")
        for col, c in at.items():
            if c.vmerge == "continue":
                continue
            attrs = f' colspan="{c.span}"' if c.span > 1 else ""
            if c.vmerge == "restart":
                n = 1
                while r + n < len(starts) and getattr(starts[r + n].get(col), "vmerge", None) == "continue":
                    n += 1
                if n > 1:
                    attrs += f' rowspan="{n}"'
            body = "".join(f"<p>{html.escape(p)}</p>" if p else "<p>&nbsp;</p>" for p in c.paras)
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


# --- LibreOffice -------------------------------------------------------------

def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(paths: list[Path], fmt: str, out_dir: Path, timeout: float | None = None) -> list[Path]:
    """Convert documents with one LibreOffice headless run; returns the outputs in order.

    A private profile directory keeps parallel runs from clashing; the whole
    process group is killed on timeout.
    """
    exe = soffice_path()
    if exe is None:
        raise RuntimeError("未安装 LibreOffice，无法生成 PDF/.doc：请安装 apt-get install -y libreoffice-writer-nogui")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timeout = timeout if timeout is not None else 60 + 5 * len(paths)
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    cmd = [exe, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation=file://{profile}",
           "--convert-to", fmt, "--outdir", str(out_dir), *(str(p) for p in paths)]
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"LibreOffice 转换为 {fmt} 超时（超过 {timeout:.0f} 秒）")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    outs = [out_dir / (Path(p).stem + "." + fmt) for p in paths]
    missing = [p.name for p in outs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未生成 {', '.join(missing)}（{err.decode(errors='replace')[-300:]}）")
    if fmt == "pdf":
        for p in outs:
            p.write_bytes(stable_pdf(p.read_bytes()))
    return outs


def stable_pdf(data: bytes) -> bytes:
    """Blank the creation time and file ID LibreOffice writes (same lengths, so
    the cross-reference offsets stay valid): equal documents, equal bytes."""
    data = re.sub(rb"D:\d{14}[^)]*", lambda m: b"D:20000101000000" + b"Z" * (len(m.group()) - 16), data)
    data = re.sub(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]",
                  lambda m: m.group().replace(m.group(1), b"0" * len(m.group(1))).replace(m.group(2), b"0" * len(m.group(2))),
                  data)
    data = re.sub(rb"/DocChecksum\s*/([0-9A-Fa-f]+)", lambda m: m.group().replace(m.group(1), b"0" * len(m.group(1))), data)
    return data


# --- the expected answer -----------------------------------------------------

def expected_record(record: dict, opts: RenderOptions = RenderOptions(), *, fmt: str = "docx",
                    file_name: str | None = None, data: bytes | None = None) -> dict:
    """The record an exact extractor returns for `record` rendered with `opts`.

    Drops what the document does not show (omitted sections, all-blank org
    rows, the rich columns in the template layout) and fills `source`; for a
    prose report (`opts.prose`), what the prose extractor reads from it.

    `source.warnings` is always empty: which warnings the extractor gives is
    its own rule set, not predicted here (a second copy of those rules would
    have to change with every one of them). compare_record does not compare
    warnings; tests assert the ones they care about on the extractor's output.
    """
    if opts.prose is not None:
        out = _expected_prose(record, opts, fmt)
        if file_name is not None:
            out["source"]["file_name"] = file_name
        if data is not None:
            out["source"]["sha256"] = hashlib.sha256(data).hexdigest()
        return out
    out = copy.deepcopy(record)
    rep = out.setdefault("report", {})
    omit = opts.omit
    places = 6 if opts.money_unit == "元" else 2   # what the document's cells can carry
    for key, fields in MONEY_FIELDS.items():
        rows = [] if key in omit else [r for r in out.get(key) or [] if any(r.get(f) is not None for f in fields)]
        for r in rows:
            r.update({f: round(r[f], places) for f in fields if r.get(f) is not None})
        out[key] = rows
    if "basic_info" in omit:
        for f in BASIC_INFO_FIELDS:
            rep[f] = None
    if "goals" in omit:
        out["goals"], out["goals_completion"] = [], None
    if "indicators" in omit:
        out["indicators"] = []
    if "score" in omit:
        rep["self_score"] = rep["grade"] = None
    narrative = out.setdefault("narrative", {})
    for key in NARRATIVE_KEYS:
        if "narrative" in omit or f"narrative.{key}" in omit:
            narrative[key] = None
        elif narrative.get(key) == "":
            narrative[key] = None
    if indicator_layout(record, opts) == "template":
        for ind in out.get("indicators") or []:
            ind.update(target_text=None, weight=None, score=None, deviation_reason=None)
    src = out.setdefault("source", {})
    src.update(format=fmt, money_unit=opts.money_unit, template=TEMPLATE_ID, warnings=[], demo=opts.demo)
    if file_name is not None:
        src["file_name"] = file_name
    if data is not None:
        src["sha256"] = hashlib.sha256(data).hexdigest()
    return out
