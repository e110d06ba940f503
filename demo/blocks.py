"""What every writer of demo/render.py draws: the options, and a document as
paragraphs and grid tables (`Para`, `Table` of `TCell`s, built with `C()` and
`V()`), with the number and date formatting the bureau's reports use.

`RenderOptions` adds the mess real reports have (元 instead of 万元, thousands
separators, full-width digits, wrapped labels, merged indicator cells, a
missing section); `ProseStyle` picks one of the survey's prose variants.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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


# --- the drawing every writer follows ----------------------------------------

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


def split_text(text) -> list[str]:
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


class Ctx:
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
