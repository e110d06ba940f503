"""The table family: a report that IS a form -> one report record.

Some units publish no written report, only the self-evaluation forms
(../shared/research/real-report-formats.md, sections 1.C and 1.D):

- `table-annex` — the Hunan 决算 annex: 附件一 部门整体支出绩效评价基础数据表
  (财政供养人员情况 编制数 / 实际在职人数 / 控制率; 经费控制情况 in year columns
  上年决算数 / 本年预算数 / 本年决算数: 三公经费 and its parts, 项目支出, 公用经费 …)
  and 附件二 部门整体支出绩效自评表 (年度资金总额 with 年初预算数 / 全年预算数 /
  全年执行数 / 分值 / 执行率 / 得分; 按收入性质分 and 按支出性质分; the indicator
  grid; 综合得分, 等次);
- `table-chongqing` — the Chongqing 部门整体绩效自评表 (主管部门, 自评总分(分),
  部门联系人, 联系电话, 部门预算执行情况 年初预算数 / 全年(调整)预算数 / 全年执行数 /
  执行率, indicator grid 指标名称 … 指标权重 指标得分);
- `table-form` — other provinces' 整体支出绩效自评表 (Jiangxi: 部门名称, 年度预算
  执行情况 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分 …).

**Chooser rule** (is_table_form): within the document's first lines, a short
line naming one of these forms — 部门整体支出绩效评价基础数据表, 部门整体支出绩效
自评表, 部门整体绩效自评表, 整体支出绩效自评表 — before any prose report title
(…整体…自评/评价报告), not a contents entry ("十四、…自评表") — or a glued OCR line that begins with such a title
("1、部门整体绩效自评表主管部门…") — and somewhere a form label (年初预算数, 全年执行数, 编制数,
自评总分, 年度资金总额, 决算数). A prose report that appends such a form stays
prose.

**How the forms are read.** They arrive flattened: one cell per line (a web
page's text), cells glued into long lines (document-sharing sites' OCR), or
real table rows (.docx/.html). Everything becomes one stream of cells in
document order (a line split at wide gaps; a real row's empty cells kept, so
positions hold), and every figure is found from its label and from the ORDER
of the column headers above it — never from where it sits in the file:

- three year columns (2022年决算数 / 2023年预算数 / 2023年决算数): the record's
  figures are the 决算 column of the latest year, i.e. the year evaluated;
- a label row takes its numbers only when there are as many as columns (or
  the row is a real table row, whose blank cells keep their places); else
  the row is left null with a warning. Numbers glued together by OCR
  ("3.816343.7640") are never split — except 编制数 / 在职人数 / 控制率, which
  split only when exactly one split gives the stated rate (87 | 73 | 83.91%);
- 按收入性质分 / 按支出性质分 lines ("一般公共预算:1325.68") give the 全年执行数
  breakdowns: income (total, fiscal_appropriation, fund_appropriation,
  special_account_income, other_income) and expenditure (total, basic,
  project); 公用经费's 本年决算 gives expenditure.public; 附件一's 项目支出
  stands in for project when 附件二 has none;
- 年度资金总额 (or 部门预算执行情况) goes to the record's own `budget` section
  (initial, adjusted, executed, execution_rate, weight, score): its 得分 is a
  component score, never the self_score — only 综合得分 / 自评总分 are;
- the unit is the 单位名称 / 部门名称 label's cell; else the form title's prefix
  ("XX部门整体支出绩效自评表"); else the name a unit calls itself in the form's
  text ("中心2021年较好地完成…" with "融媒体中心" elsewhere: the unit's kind
  used alone as a subject, and its full name), with a warning to check it.
  A form naming no unit at all is refused (NO_UNIT).

Nothing is invented: what is not stated stays null, and the warnings (one
line each, in Chinese, for the 绩效科 staff) say what was not found where.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document, ExtractError
from ..record import BUDGET_FIELDS, MONEY_FIELDS
from ..textnorm import halfwidth, parse_value, squash
from .common import Extraction, assemble, level_name
from .prose import region_of

TEMPLATE_ANNEX = "table-annex"
TEMPLATE_CHONGQING = "table-chongqing"
TEMPLATE_FORM = "table-form"
TEMPLATES = (TEMPLATE_ANNEX, TEMPLATE_CHONGQING, TEMPLATE_FORM)

NO_UNIT = "不是可读的绩效自评表：表头、标题和表内文字中都未找到单位名称"
NO_YEAR = "绩效自评表未写明年度：标题、表头和表内文字中都未找到“20XX年”"

# Form titles, squashed, most specific first -> sub-form.
_TITLES = (
    ("部门整体支出绩效评价基础数据表", TEMPLATE_ANNEX),
    ("部门整体支出绩效自评表", TEMPLATE_ANNEX),
    ("部门整体绩效自评表", TEMPLATE_CHONGQING),
    ("整体支出绩效自评表", TEMPLATE_FORM),
)
# "重庆市梁平区林业局2023年度" before the form's title in a glued line ("…2023年度部门整体绩效自评表主管部门…")
_UNIT_YEAR = re.compile(r"[\u4e00-\u9fff]{2,30}(?:19|20)\d{2}年度?")
_ANNEX_PAGE_TITLE = re.compile(r"^([\u4e00-\u9fff]{2,30}?)(?:19|20)\d{2}年度?(?:部门整体支出)?绩效自评(?:附表|表)")
_FORM_LABELS = ("年初预算数", "全年预算数", "全年执行数", "编制数", "自评总分", "年度资金总额", "决算数")
_PROSE_TITLE = re.compile(r"整体.*(自评|评价).*报告")
# "十四、2023年度部门整体支出绩效自评表", "（二）部门整体支出绩效自评表": a contents entry
# or heading of a 决算 document, not the form's own title
_TOC_ENTRY = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）])")
_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}[)）]")  # 数(shù): web mirrors' ruby text
_NUM = re.compile(r"^[-−]?\d[\d,]*(?:\.\d+)?%?$")
_BLANK_CELL = {"", "/", "／", "-", "—", "--", "——", "－", "…", "……"}
_GAP = re.compile(r"\s{2,}|\t|\s\|\s|\|")


def _norm(text: str) -> str:
    return _PINYIN.sub("", halfwidth(text)).strip(" \t\u3000\u00a0")


def _is_num(tok: str) -> bool:
    return bool(_NUM.match(tok.replace(" ", "")))


def _num(tok: str) -> float | None:
    t = tok.replace(" ", "").replace(",", "").replace("−", "-")
    if t in _BLANK_CELL:
        return None
    return float(t.rstrip("%"))


@dataclass
class Tok:
    text: str       # normalised (half-width, pinyin removed, stripped)
    row: int        # index of the Document row
    real: bool      # from a real table row (cells keep positions, blanks kept)
    col: int = 0    # the cell's grid column (real rows)


def tokens(doc: Document) -> list[Tok]:
    """The document as one stream of cells in order (module docstring)."""
    out: list[Tok] = []
    for i, row in enumerate(doc.rows):
        real = len(row.cells) > 1 and row.table >= 0
        for cell in row.cells:
            lines = [_norm(x) for x in cell.text.split("\n")]
            lines = [x for x in lines if x]
            if not lines and real:
                out.append(Tok("", i, True, cell.col))
            for line in lines:
                for part in _split_line(line):
                    out.append(Tok(part, i, real, cell.col))
    return out


def _split_line(line: str) -> list[str]:
    """A text line split at wide gaps and '|'; single spaces split too when
    what they separate are numbers ("三公经费 29.08 63.46 44.29"), but a year
    stays with its 年 ("2023 年决算数")."""
    parts = [p.strip() for p in _GAP.split(line) if p.strip()]
    out: list[str] = []
    for p in parts:
        words = p.split(" ")
        if len(words) > 1 and any(_is_num(w) for w in words[1:]):
            buf: list[str] = []
            for w in words:
                if not w:
                    continue
                if _is_num(w):
                    if buf:
                        out.append(" ".join(buf))
                        buf = []
                    out.append(w)
                else:
                    buf.append(w)
            if buf:
                out.append(" ".join(buf))
        else:
            out.append(p)
    # "2023" + "年实际在职人数": a year cut from its label
    merged: list[str] = []
    for p in out:
        if merged and re.fullmatch(r"(19|20)\d{2}", merged[-1]) and p.startswith("年"):
            merged[-1] += p
        else:
            merged.append(p)
    return merged


def is_table_form(doc: Document) -> str | None:
    """The sub-form (TEMPLATES) when the document is one of these forms
    (chooser rule, module docstring), else None."""
    sub = None
    for row in doc.rows[:80]:
        for text in row.texts:
            for line in text.split("\n"):
                key = squash(_norm(line))
                if not key:
                    continue
                if len(key) <= 60 and _PROSE_TITLE.search(key) and key.endswith(("报告", "报告）")):
                    return None if sub is None else sub
                if sub is None and not _TOC_ENTRY.match(key):
                    # a short line naming the form, or a glued OCR line that starts with it
                    head = re.sub(r"^\d{1,2}[、.]", "", key)
                    sub = next((s for t, s in _TITLES if (t in key and len(key) <= 60 and "详见" not in key)
                                or head.startswith(t) or _UNIT_YEAR.fullmatch(head[:max(head.find(t), 0)])), None)
    if sub is None:
        return None
    text = squash(" ".join(t for r in doc.rows for t in r.texts))
    return sub if any(lab in text for lab in _FORM_LABELS) else None


# --- the extractor -------------------------------------------------------------

_UNIT_LABELS = ("预算部门、单位名称", "预算部门（单位）名称", "部门（单位）名称", "单位名称", "部门名称", "预算单位",
                "填报单位", "实施单位")
_UNIT_SUFFIX = re.compile(r"(局|委员会|委|办公室|办|人民政府|政府|中心|院|所|站|队|馆|学校|校|会|处|厅|社|街道办事处"
                          r"|乡|镇|园|场|部|庭)$")
_LABEL_WORDS = ("名称", "预算", "执行", "分值", "得分", "联系", "电话", "指标", "目标", "情况", "金额", "合计")


_GLUED_UNIT = re.compile(r"(?:部门|单位)名称[：:]?(?P<name>[\u4e00-\u9fff]{2,30}?(?:局|委员会|办公室|人民政府|中心|医院|卫生院|院"
                         r"|所|站|队|馆|学校|校|厅|街道办事处))(?=下属|主管|联系|整体|预算|年度|单位|部门|资金|$)")


def _looks_like_unit(text: str) -> bool:
    t = squash(text)
    return (2 <= len(t) <= 40 and not re.search(r"\d", t) and _UNIT_SUFFIX.search(t) is not None
            and not any(w in t for w in _LABEL_WORDS))


def extract_table(doc: Document, sub: str, site_owner: str | None = None) -> dict:
    """The record of a form (sub from is_table_form); raises ExtractError
    (NO_UNIT, NO_YEAR) when it cannot say whose or which year. site_owner: the
    unit a web page's header names; it completes a unit name the page printed
    without its first glyphs ("陵区林业局" under "发布机构: 零陵区林业局")."""
    ex = Extraction(doc)
    toks = tokens(doc)
    keys = [squash(t.text) for t in toks]
    reader = _Reader(ex, toks, keys, sub)

    unit, where = reader.unit()
    if not unit:
        raise ExtractError(NO_UNIT)
    if where:
        ex.warn(where)
    if site_owner and site_owner != unit and site_owner.endswith(unit) and region_of(site_owner):
        ex.warn(f"表中单位名称“{unit}”缺字：已按网页发布机构取为“{site_owner}”，请核对")
        unit = site_owner
    year = reader.year()
    if year is None:
        raise ExtractError(NO_YEAR)
    region = region_of(unit)
    if not region:
        ex.warn("单位名称中未找到地区名称")

    if reader.yuan():
        ex.money_unit = "元"
    quota, actual = reader.staff()
    control = reader.cost_control()
    budget = reader.budget()
    breakdown = reader.breakdowns()
    income = {f: None for f in MONEY_FIELDS["income"]}
    expenditure = {f: None for f in MONEY_FIELDS["expenditure"]}
    three = {f: None for f in MONEY_FIELDS["three_public"]}
    for (kind, field), value in breakdown.items():
        (income if kind == "income" else expenditure)[field] = value
    for (kind, field), value in control.items():
        target = {"three_public": three, "expenditure": expenditure}[kind]
        if target[field] is None:
            target[field] = value

    money = {
        "income": _rows(income), "expenditure": _rows(expenditure), "three_public": _rows(three),
        "fixed_assets": [],
    }
    if ex.money_unit == "元":
        for rows in money.values():
            for r in rows:
                for f, v in r.items():
                    if f != "org" and isinstance(v, (int, float)):
                        r[f] = round(v / 10000, 6)
        for f in ("initial", "adjusted", "executed"):
            if budget.get(f) is not None:
                budget[f] = round(budget[f] / 10000, 6)

    report = {
        "region": region, "fiscal_year": year, "unit_name": unit,
        "budget_code": reader.budget_code(unit), "evaluation_method": None, "evaluator": None,
        "report_date": None, "contact": reader.contact(), "phone": reader.phone(),
        "staff_quota": quota, "staff_actual": actual,
        "functions": None, "main_tasks": None, "overall_results": None,
        "self_score": reader.self_score(), "grade": reader.grade(),
    }
    for field, label in (("self_score", "综合得分/自评总分"), ("grade", "评价等次")):
        if report[field] is None:
            ex.warn(f"自评表中未找到“{label}”")
    indicators = reader.indicators()
    narrative = {k: None for k in ("overview", "basic_expenditure", "project_expenditure", "government_fund",
                                   "state_capital", "social_insurance_fund", "performance", "problems",
                                   "improvements", "other")}
    return assemble(doc, report, money, [], None, indicators, [], narrative,
                    money_unit=ex.money_unit, template=sub, warnings=ex.warnings, budget=budget)


def _rows(values: dict) -> list[dict]:
    return [{"org": "汇总", **values}] if any(v is not None for v in values.values()) else []


# Budget-execution column labels (squashed, longest first) -> budget field.
_BUDGET_COLUMNS = (
    ("执行率权重", "weight"), ("执行率得分", "score"), ("全年（调整）预算数", "adjusted"), ("调整后预算数", "adjusted"),
    ("年初预算数", "initial"), ("全年预算数", "adjusted"), ("全年执行数", "executed"), ("预算执行数", "executed"),
    ("年初预算", "initial"), ("执行率", "execution_rate"), ("自评得分", "score"), ("分值", "weight"),
    ("权重", "weight"), ("得分", "score"),
)
_BUDGET_RE = re.compile("|".join(re.escape(k) for k, _ in _BUDGET_COLUMNS))
_BUDGET_FIELD = dict(_BUDGET_COLUMNS)


def _header_fields(keys: list[str]) -> list[str]:
    """The budget fields header cells name, in order; a label a page broke over two
    paragraphs ("全年" / "执行数") is read whole when its first part names no field."""
    fields: list[str] = []
    j = 0
    while j < len(keys):
        found = _BUDGET_RE.findall(keys[j])
        if not found and j + 1 < len(keys):
            whole = _budget_label(keys[j] + keys[j + 1])
            if whole:
                fields.append(whole)
                j += 2
                continue
        fields += [_BUDGET_FIELD[m] for m in found]
        j += 1
    return fields


def _budget_label(text: str) -> str | None:
    """The budget field a header cell names ("执行率（%）" -> execution_rate), or None."""
    key = re.sub(r"[（(](%|分|万元|A|B|B/A)[)）]$", "", squash(text))
    return _BUDGET_FIELD.get(key)
_BUDGET_ROW = ("年度资金总额", "部门预算执行情况", "年度预算执行情况", "预算执行情况", "总额")

# 经费控制情况 rows (squashed, numbering and colon removed) -> record field.
_CONTROL_ROWS = {
    "三公经费": ("three_public", "total"), "公车购置": ("three_public", "vehicle_purchase"),
    "公车运行维护": ("three_public", "vehicle_operation"), "出国经费": ("three_public", "overseas"),
    "公务接待": ("three_public", "reception"), "项目支出": ("expenditure", "project"),
    "公用经费": ("expenditure", "public"),
    # 益阳 总工会's 基础数据表 opens 经费控制情况 with these two rows
    "支出总额": ("expenditure", "total"), "基本支出": ("expenditure", "basic"),
}
_CONTROL_OTHER = ("公务用车购置和维护经费", "业务工作", "运行维护", "专项", "办公", "水费", "会议费", "政府采购金额",
                  "部门基本支出预算调整", "部门整体支出预算调整", "其他资金")
_CONTROL_END = ("楼堂馆所", "厉行节约", "说明", "附件", "部门整体支出绩效评价指标表")

# 按收入性质分 / 按支出性质分 labels -> (list, field).
_BREAKDOWN = (
    ("按收入性质分", ("income", "total")), ("按支出性质分", ("expenditure", "total")),
    ("一般公共预算", ("income", "fiscal_appropriation")), ("政府性基金", ("income", "fund_appropriation")),
    ("纳入专户管理的非税收入", ("income", "special_account_income")), ("财政专户", ("income", "special_account_income")),
    ("其他资金", ("income", "other_income")), ("基本支出", ("expenditure", "basic")),
    ("项目支出", ("expenditure", "project")),
)
_INLINE = re.compile(r"^(?:其中[:：]?\s*)?(?P<label>[^:：\d]{2,30}?)\s*[:：]\s*(?P<value>[-\d.,]*%?)\s*$")

_SCORE_LABELS = ("绩效自评综合得分", "自评综合得分", "综合得分", "综合评分", "自评总分", "评价总分", "总得分")
_SCORE_RE = re.compile("(?:" + "|".join(_SCORE_LABELS) + r")(?:[（(]分[)）])?\s*[:：]?\s*(\d{1,3}(?:\.\d+)?)(?![\d%.])")
_GRADE_LABELS = ("评价等次", "自评等次", "评价等级", "自评等级", "绩效等级", "等次", "等级")
_GRADE_VALUE = re.compile(r"^(优秀|良好|合格|中等|较差|不合格|优|良|中|差|[一二三四]级|[一二三四]等)$")
_CONTACT_RE = re.compile(r"联系人\s*[:：]?\s*([\u4e00-\u9fff·]{2,4}?)(?=联系电话|电话|联络电话|$)")
_PHONE_RE = re.compile(r"(?:联系电话|联络电话)\s*[:：]?\s*([\d\-－—()（） ]{5,20}\d)")

_INDICATOR_COLUMNS = (
    ("level1", ("一级指标",)), ("level2", ("二级指标",)), ("name", ("三级指标", "指标名称", "绩效指标")),
    ("unit", ("计量单位", "度量单位")),
    ("target_text", ("调整指标值", "年度指标值", "年初指标值", "指标值", "目标值")),
    ("actual_text", ("全年完成值", "实际完成值", "完成值", "实际值")),
    ("weight", ("指标权重", "权重", "分值")), ("score", ("指标得分", "得分")),
    ("deviation_reason", ("偏差", "原因")),
)


class _Reader:
    def __init__(self, ex: Extraction, toks: list[Tok], keys: list[str], sub: str):
        self.ex, self.toks, self.keys, self.sub = ex, toks, keys, sub

    # -- who and when ---------------------------------------------------------

    def unit(self) -> tuple[str | None, str | None]:
        """(unit name, warning or None), module docstring."""
        for i, k in enumerate(self.keys):
            label = next((lab for lab in _UNIT_LABELS if k.rstrip("：").endswith(lab) or k.startswith(lab + "：")),
                         None)
            if label is None or len(k) > len(label) + 42:
                continue
            inline = k.split("：", 1)[1] if "：" in k and k.index("：") >= len(label) - 1 else ""
            if inline and _looks_like_unit(inline):
                return inline, None
            if i + 1 < len(self.toks) and _looks_like_unit(self.toks[i + 1].text):
                return squash(self.toks[i + 1].text), None
            if i > 0 and _looks_like_unit(self.toks[i - 1].text):
                return squash(self.toks[i - 1].text), None
        for k in self.keys[:60]:  # OCR glued the label, its cell and the next label: "部门名称南昌县…卫生院下属单位个数0"
            m = _GLUED_UNIT.search(k)
            if m and _looks_like_unit(m.group("name")):
                return m.group("name"), None
        for k in self.keys[:60]:  # "衡山县XX局2023年度部门整体支出绩效自评表"
            k = re.sub(r"^\d{1,2}[、.]", "", k)  # a sharing site's chunk number: "1、重庆市梁平区林业局2023年度…"
            m = re.match(r"^(.{2,40}?)(?:(?:19|20)\d{2}年度?)?(?:部门)?整体", k)
            if m and any(t in k for t, _ in _TITLES) and _looks_like_unit(m.group(1)):
                return m.group(1), None
        for k in self.keys[:10]:  # the page's title over the forms: "益阳市总工会2022年绩效自评附表:附件1—附件2"
            m = _ANNEX_PAGE_TITLE.match(k)
            if m and _looks_like_unit(m.group(1)):
                return m.group(1), None
        return self._unit_in_text()

    def _unit_in_text(self) -> tuple[str | None, str | None]:
        text = "。".join(t.text for t in self.toks)
        kinds = "中心|局|院|站|所|队|馆|委|办"
        m = re.search(r"(?:^|[。；;，,\s])(%s)(?:(?:19|20)\d{2}年|本年|全年|今年)" % kinds, text)
        if not m:
            return None, None
        kind = m.group(1)
        verbs = ("保障", "确保", "支持", "推动", "推进", "加强", "完成", "服务", "为", "由", "对", "在", "是", "和", "与")
        for c in re.finditer(r"(?:^|[。；;，,、\s])([\u4e00-\u9fff]{2,14}?%s)" % kind, text):
            name = c.group(1)
            for v in verbs:
                if name.startswith(v) and len(name) - len(v) >= len(kind) + 2:
                    name = name[len(v):]
                    break
            if name != kind and len(name) >= len(kind) + 2:
                return name, f"表中未写单位名称：已按表内文字所称“{name}”推定，请核对"
        return None, None

    def year(self) -> int | None:
        for k in self.keys[:80]:
            title = next((t for t, _ in _TITLES if t in k), None)
            if title or re.fullmatch(r"[（(]?(?:19|20)\d{2}年度[)）]?", k):
                # the year before the title, or "(2021年度)" right after it — not
                # one from the text an OCR line glued on
                head = k[:k.index(title) + len(title) + 8] if title else k
                m = re.search(r"((?:19|20)\d{2})年度?", head)
                if m:
                    return int(m.group(1))
        cols = self._control_columns()
        if cols:
            years = [y for y, kind in cols[1] if kind == "决算"]
            if years:
                return max(years)
        text = "".join(self.keys)
        m = re.search(r"((?:19|20)\d{2})年度", text) or re.search(r"((?:19|20)\d{2})年", text)
        if m:
            self.ex.warn(f"表中未写年度：已按表内文字“{m.group(0)}”推定为 {m.group(1)} 年度，请核对")
            return int(m.group(1))
        return None

    def budget_code(self, unit: str) -> str | None:
        """"411001-衡山县贯塘乡人民政府2023年部门决算公开": digits joined to the
        unit's own name by a dash are its code."""
        for k in self.keys[:40]:
            m = re.match(r"^(\d{3,12})[-－—]" + re.escape(unit), k)
            if m:
                return m.group(1)
        return None

    def yuan(self) -> bool:
        return any(re.search(r"单位[:：]元(?!\w)", k) for k in self.keys) and not any("万元" in k for k in self.keys)

    # -- labelled single values -----------------------------------------------------

    def contact(self) -> str | None:
        for i, k in enumerate(self.keys):
            if "联系人" not in k:
                continue
            m = _CONTACT_RE.search(k)
            if m:
                return m.group(1)
            if k.rstrip("：").endswith("联系人") and i + 1 < len(self.toks):
                nxt = squash(self.toks[i + 1].text)
                if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", nxt) and not any(w in nxt for w in _LABEL_WORDS):
                    return nxt
        return None

    def phone(self) -> str | None:
        for i, k in enumerate(self.keys):
            m = _PHONE_RE.search(k)
            if m:
                return m.group(1).strip()
            if k.rstrip("：") in ("联系电话", "联络电话") and i + 1 < len(self.toks):
                nxt = self.toks[i + 1].text.strip()
                if re.fullmatch(r"[\d\-－—()（） ]{5,20}\d", nxt):
                    return nxt
        return None

    def self_score(self) -> float | None:
        for i, k in enumerate(self.keys):
            m = _SCORE_RE.search(k)
            if m and 0 <= float(m.group(1)) <= 100:
                return float(m.group(1))
            if k.rstrip("：").replace("（分）", "") in _SCORE_LABELS:
                nums = self._numbers_after(i)
                if len(nums) == 1 and nums[0] is not None and 0 <= nums[0] <= 100:
                    return nums[0]
        return None

    def grade(self) -> str | None:
        for i, k in enumerate(self.keys):
            for lab in _GRADE_LABELS:
                if k.startswith(lab):
                    rest = k[len(lab):].lstrip("：")
                    if rest and _GRADE_VALUE.match(rest):
                        return rest
                    if not rest and i + 1 < len(self.keys) and _GRADE_VALUE.match(self.keys[i + 1]):
                        return self.keys[i + 1]
        return None

    def _numbers_after(self, i: int) -> list[float | None]:
        """The numbers (None for a real row's blank cell) after cell i, up to
        the next label."""
        out: list[float | None] = []
        for t in self.toks[i + 1:]:
            s = t.text.replace(" ", "")
            if s.endswith("万元") and self.ex.money_unit == "万元" and _is_num(s[:-2]):
                s = s[:-2]  # "4753.66万元": a cell that repeats the form's unit
            if _is_num(s) or (t.real and s in _BLANK_CELL):
                out.append(_num(s))
            else:
                break
        return out

    # -- 财政供养人员情况 --------------------------------------------------------

    def staff(self) -> tuple[int | None, int | None]:
        for i, k in enumerate(self.keys):
            if "编制数" not in k or len(k) > 30:
                continue
            labels, j = [], i
            while j < len(self.keys) and j < i + 6 and not _is_num(self.keys[j]) and self.keys[j]:
                labels.append(self.keys[j])
                j += 1
            nums = [n for n in self._numbers_after(j - 1)]
            raw = [self.toks[x].text for x in range(j, j + len(nums))]
            quota_col = next((n for n, lab in enumerate(labels) if "编制" in lab and "在职" not in lab), None)
            actual_col = next((n for n, lab in enumerate(labels) if "在职" in lab or "实有" in lab), None)
            if (len(nums) == len(labels) and quota_col is not None and actual_col is not None
                    and all(n is not None for n in nums)):
                q, a = nums[quota_col], nums[actual_col]
                if q == int(q) and a == int(a):
                    return int(q), int(a)
            if len(raw) == 1 and raw[0].endswith("%"):
                split = _split_staff(raw[0])
                if split:
                    q, a = split
                    self.ex.warn(f"财政供养人员情况的数字连在一起（{raw[0]}）：按控制率拆为编制数 {q}、实际在职人数 {a}，请核对")
                    return q, a
            self.ex.warn("基础数据表的财政供养人员情况无法按列读取（编制数/实际在职人数），已留空")
            return None, None
        if self.sub == TEMPLATE_ANNEX:  # the other forms have no staff section
            self.ex.warn("基础数据表中未找到“编制数”和“实际在职人数”")
        return None, None

    # -- 经费控制情况 -------------------------------------------------------------

    def _control_columns(self):
        """(index of the header's last cell, [(year, 决算|预算), ...]) or None."""
        for i, k in enumerate(self.keys):
            cols = [(int(y), kind) for y, kind in re.findall(r"((?:19|20)\d{2})年?(决算|预算)数", k)]
            if not cols:
                continue
            j = i + 1
            while j < len(self.keys):
                more = re.findall(r"((?:19|20)\d{2})年?(决算|预算)数", self.keys[j])
                if not more:
                    break
                cols += [(int(y), kind) for y, kind in more]
                j += 1
            if len(cols) >= 2:
                return j - 1, cols
        return None

    def cost_control(self) -> dict:
        found = self._control_columns()
        out: dict = {}
        if not found:
            return out
        end, cols = found
        latest = max(y for y, _ in cols)
        try:
            col = cols.index((latest, "决算"))
        except ValueError:
            self.ex.warn("基础数据表的经费控制情况中未找到本年“决算数”列，三公经费等已留空")
            return out
        i = end + 1
        while i < len(self.keys):
            k = self.keys[i]
            if any(k.startswith(e) for e in _CONTROL_END):
                break
            if not k or _is_num(k):
                i += 1
                continue
            label = re.sub(r"^(\d+[、.．]|其中[:：]|其占[:：])", "", k).rstrip("：:")
            target = _CONTROL_ROWS.get(label)
            glued = re.match(r"^(\D+?)([\d.]+)$", label)
            if target is None and glued and glued.group(1).rstrip("：") in _CONTROL_ROWS:
                name = glued.group(1).rstrip("：")
                self.ex.warn(f"经费控制情况“{name}”一行的数字连在一起（{glued.group(2)}），无法分列，已留空")
                i += 1
                continue
            nums = self._numbers_after(i)
            if target is not None:
                if len(nums) == len(cols) or (nums and self.toks[i].real and len(nums) >= col + 1):
                    value = nums[col]
                    if value is not None:
                        out.setdefault(target, value)
                elif nums:
                    self.ex.warn(f"经费控制情况“{label}”一行只有 {len(nums)} 个数（应为 {len(cols)} 列），无法对应到列，已留空")
            i += 1 + len(nums)
        if ("three_public", "total") not in out and not any("三公经费" in w for w in self.ex.warnings):
            self.ex.warn("基础数据表中未读到本年“三公经费”决算数")
        return out

    # -- 年度资金总额 / 部门预算执行情况 -----------------------------------------------

    def budget(self) -> dict:
        out = {f: None for f in BUDGET_FIELDS}
        for i, k in enumerate(self.keys):
            row_label = next((r for r in _BUDGET_ROW if k.startswith(r)), None)
            if row_label is None:
                continue
            if self.toks[i].real:
                grid = self._budget_grid(i)
                if grid is not None:
                    return {**out, **grid}
            # the column labels above the row, in order; else right after it
            # ("部门预算执行情况 | 年初预算数 | … " then the values)
            cols = _header_fields(self.keys[max(0, i - 14):i])
            after = i
            if not cols:
                while after + 1 < len(self.keys) and _budget_label(self.keys[after + 1]):
                    cols.append(_budget_label(self.keys[after + 1]))
                    after += 1
            rest = k[len(row_label):]
            if rest and re.search(r"\d", rest) and not _is_num(rest):
                self.ex.warn(f"自评表“{row_label}”一行的数字连在一起（{rest[:24]}），无法分列，预算执行数已留空")
                return out
            if not cols:
                continue
            nums = self._numbers_after(after)
            if rest and _is_num(rest):
                nums = [_num(rest)] + nums
            if "executed" not in cols:
                self.ex.warn(f"自评表“{row_label}”的列名无法识别（未找到“全年执行数”），预算执行数已留空")
                return out
            if len(nums) == len(cols) or (nums and self.toks[i].real):
                for field, value in zip(cols, nums):
                    if out[field] is None:
                        out[field] = value
                return out
            self.ex.warn(f"自评表“{row_label}”一行有 {len(nums)} 个数、{len(cols)} 列，无法一一对应，预算执行数已留空")
            return out
        if any("全年执行数" in k for k in self.keys):
            self.ex.warn("自评表的预算执行情况文字连在一起，无法按列读取，预算执行数已留空")
        else:
            self.ex.warn("自评表中未找到“全年执行数”（年度资金总额/部门预算执行情况）")
        return out

    def _budget_grid(self, i: int) -> dict | None:
        """Real table rows: the values row (the label's own row if it holds
        numbers, else the next row that does) read under the header row above
        it, cell by cell by grid column."""
        by_row: dict[int, list[Tok]] = {}
        for t in self.toks:
            by_row.setdefault(t.row, []).append(t)
        rows = sorted(by_row)
        start = self.toks[i].row
        values_row = next((r for r in rows if r >= start and r <= start + 2
                           and any(_is_num(t.text) for t in by_row[r])), None)
        if values_row is None:
            return None
        header_row = next((r for r in reversed(rows) if r <= values_row and r >= start - 2
                           and sum(bool(_budget_label(t.text)) for t in by_row[r]) >= 2), None)
        if header_row is None:
            return None
        heads = {t.col: _budget_label(t.text) for t in by_row[header_row] if _budget_label(t.text)}
        if "executed" not in heads.values():
            return None
        out: dict = {}
        for t in by_row[values_row]:
            field = heads.get(t.col)
            s = t.text.replace(" ", "")
            if field and _is_num(s) and field not in out:
                out[field] = _num(s)
        return out

    # -- 按收入性质分 / 按支出性质分 -------------------------------------------------

    def breakdowns(self) -> dict:
        start = next((i for i, k in enumerate(self.keys) if k.startswith(_BUDGET_ROW[:3])), None)
        if start is None:
            start = next((i for i, k in enumerate(self.keys) if "按收入性质分" in k or "按支出性质分" in k), None)
        out: dict = {}
        if start is None:
            return out
        for i in range(start, min(len(self.toks), start + 40)):
            raw = self.toks[i].text.replace(" ", "")
            raw = re.sub(r"^其中[:：]", "", raw)
            m = _INLINE.match(raw)
            if not m:
                continue
            label = m.group("label")
            target = next((t for lab, t in _BREAKDOWN if label.startswith(lab)), None)
            if target is None:
                continue
            value = m.group("value")
            if not value and i + 1 < len(self.toks) and _is_num(self.toks[i + 1].text) and self.toks[i].real:
                value = self.toks[i + 1].text
            if value and _is_num(value) and not value.endswith("%"):
                out.setdefault(target, _num(value))
        if start is not None and not out and any("按收入性质分" in k for k in self.keys):
            self.ex.warn("自评表的“按收入性质分/按支出性质分”无法读取，收入和支出已留空")
        return out

    # -- indicators -----------------------------------------------------------------

    def indicators(self) -> list[dict]:
        """The indicator grid, from real table rows only (a flattened grid has
        lost its blank cells, so its columns cannot be told apart)."""
        rows = self.ex.rows
        for i, row in enumerate(rows):
            keys = [squash(t) for t in row.texts]
            if len(keys) < 4 or not any(k in ("指标名称", "三级指标") for k in keys):
                continue
            cols: dict[str, int] = {}
            for n, k in enumerate(keys):
                field = next((f for f, kws in _INDICATOR_COLUMNS if any(kw in k for kw in kws)), None)
                if field and field not in cols:
                    cols[field] = n
            if "name" not in cols or "actual_text" not in cols:
                continue
            return self._indicator_rows(rows[i + 1:], cols, len(keys))
        if any(k in ("指标名称", "三级指标") or "指标名称计量单位" in k for k in self.keys):
            self.ex.warn("自评表的绩效指标表已拆散成逐格文字，无法对齐各列，未读取指标")
        else:
            self.ex.warn("自评表中未找到绩效指标表")
        return []

    def _indicator_rows(self, body, cols: dict[str, int], width: int) -> list[dict]:
        out: list[dict] = []
        level1 = level2 = None
        for row in body:
            texts = row.texts
            if len(texts) < 3:
                break
            if len(texts) < width:  # merged level cells on the left
                texts = [""] * (width - len(texts)) + texts
            cell = {f: (texts[n] if n < len(texts) else "") for f, n in cols.items()}
            first = squash(texts[0])
            if first in ("合计", "总分", "综合得分") or first.startswith(_SCORE_LABELS):
                break
            if squash(cell.get("level1")):
                level1 = level_name(cell["level1"])
            if squash(cell.get("level2")):
                level2 = level_name(cell["level2"])
            name = squash(cell.get("name"))
            if not name:
                continue
            actual = (cell.get("actual_text") or "").strip() or None
            value, unit = parse_value(actual)
            if value is not None and unit is None:  # "2859" under 计量单位 "篇"
                unit = squash(cell.get("unit")) or None
            item = {
                "level1": level1 or "", "level2": level2, "seq": None, "name": name,
                "target_text": (cell.get("target_text") or "").strip() or None,
                "actual_text": actual, "actual_value": value, "actual_unit": unit,
                "weight": self.ex.number(cell.get("weight"), f"指标“{name}”的权重"),
                "score": self.ex.number(cell.get("score"), f"指标“{name}”的得分"),
            }
            if "deviation_reason" in cell:
                item["deviation_reason"] = (cell["deviation_reason"] or "").strip() or None
            out.append(item)
        return out


def _split_staff(glued: str) -> tuple[int, int] | None:
    """"877383.91%" -> (87, 73): the only split of the digits before the rate
    into 编制数 and 实际在职人数 whose ratio is the stated 控制率; None unless
    exactly one split fits."""
    digits_all = glued.rstrip("%")
    fits = []
    for rate_start in range(1, len(digits_all)):
        head, rate_text = digits_all[:rate_start], digits_all[rate_start:]
        if not re.fullmatch(r"[1-9]\d{0,2}(?:\.\d+)?|0\.\d+", rate_text) or "." in head:
            continue
        decimals = len(rate_text.split(".")[1]) if "." in rate_text else 0
        for cut in range(1, len(head)):
            q, a = head[:cut], head[cut:]
            if q.startswith("0") or a.startswith("0"):
                continue
            if round(int(a) / int(q) * 100, decimals) == float(rate_text):
                fits.append((int(q), int(a)))
    return fits[0] if len(fits) == 1 else None
