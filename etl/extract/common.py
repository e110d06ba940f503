"""What the extractor families share: the labels of the fields, the reader
of the goal and indicator tables (template and prose reports alike may carry
them), the geometry of tables read from text dumps, score and grade stated in
prose, and the assembly of the record.

Everything is found by its label and by the shape of the table around it,
never by position in the file. What cannot be found is null plus a warning
naming what and where, in Chinese: the warnings are shown to the bureau's staff
as they are.
"""
from __future__ import annotations

import re

from ..document import Document, Row
from ..record import BUDGET_FIELDS
from ..textnorm import clean_text, halfwidth, parse_number, parse_value, squash

NOT_A_REPORT = "不是绩效自评报告：未找到“部门（单位）名称”"

# Key/value labels of the cover and the basic-info grid (matched squashed).
FIELD_LABELS = {
    "unit_name": ("部门（单位）名称", "单位名称", "部门名称", "项目单位", "预算单位"),
    "budget_code": ("预算编码", "单位编码", "预算代码"),
    "evaluation_method": ("评价方式",),
    "evaluator": ("评价机构",),
    "report_date": ("报告日期", "填报日期"),
    "contact": ("联系人",),
    "phone": ("联络电话", "联系电话"),
    "staff_quota": ("人员编制", "编制人数", "编制数", "核定编制"),
    "staff_actual": ("实有人数", "实际在职人数", "在职人数", "年末实有人数"),
    "functions": ("职能职责概述", "职能职责", "主要职能"),
    "main_tasks": ("年度主要工作内容", "主要工作内容"),
    "overall_results": ("年度部门（单位）总体运行情况及取得的成绩", "年度总体运行情况及取得的成绩", "总体运行情况及取得的成绩"),
    "self_score": ("绩效自评综合得分", "自评综合得分", "综合得分", "自评得分", "自评总分", "自评总分（分）"),
    "grade": ("评价等次", "自评等次", "评价等级", "自评等级", "评价结果"),
}
LABEL_TO_FIELD = {lab: f for f, labs in FIELD_LABELS.items() for lab in labs}
INLINE = re.compile(r"^\s*(?P<label>[^：:]{2,24}?)\s*[：:]\s*(?P<value>.*)$", re.S)

GROUP_WORDS = {"其中", "其中：", "结余", "其中:"}

# Indicator table columns (rich layout), squashed label keywords.
_INDICATOR_COLUMNS = (
    ("level1", ("一级指标",)), ("level2", ("二级指标",)), ("name", ("三级指标", "绩效指标", "指标名称")),
    ("target_text", ("年度指标值", "指标值", "年度目标值", "目标值", "预期目标值")),
    ("actual_text", ("实际完成值", "完成值", "实际完成", "完成情况", "实际值")),
    ("weight", ("分值", "权重")), ("score", ("得分",)), ("deviation_reason", ("偏差", "原因")),
)
_INDICATOR_SEQ = re.compile(r"指标\s*(\d+)\s*[：:]")
_GOAL_SEQ = re.compile(r"目标\s*(\d+)\s*[：:]")
_LEVEL_NOTE = re.compile(r"[（(][^（()）]*[）)]\s*$")

# Narrative section headings: numbering, then a title naming the topic.
HEADING_NUMBER = re.compile(r"^(第?[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+\s*[、.．])\s*")
SECTION_WORDS = (
    ("other", ("其他需要说明", "其他说明事项", "其他情况")),
    ("problems", ("存在的问题", "存在问题", "问题及原因")),
    ("improvements", ("改进措施", "改进意见", "改进建议", "整改措施", "下一步")),
    ("social_insurance_fund", ("社会保险基金",)),
    ("state_capital", ("国有资本",)),
    ("government_fund", ("政府性基金",)),
    ("basic_expenditure", ("基本支出",)),
    ("project_expenditure", ("项目支出",)),
    ("performance", ("整体支出绩效情况", "绩效情况", "主要绩效", "绩效目标完成情况")),
    ("overview", ("概况", "基本情况")),
    (None, ("一般公共预算支出", "支出情况")),
)


class Extraction:
    """State of one extraction: the rows, what was found, and the warnings;
    and the readers of the goal and indicator tables."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.rows = doc.rows
        self.warnings: list[str] = list(doc.warnings)
        self.money_unit = "万元"

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- goals and indicators ----------------------------------------------

    def goals(self) -> tuple[list[dict], str | None]:
        for i, row in enumerate(self.rows):
            keys = [squash(t) for t in row.texts]
            if "预期目标" in keys and any(k.startswith("实际完成") for k in keys):
                g_col = keys.index("预期目标")
                c_col = next(n for n, k in enumerate(keys) if k.startswith("实际完成"))
                for nxt in self.rows[i + 1:i + 3]:
                    cells = align(row, nxt)
                    goal_text = cells.get(g_col)
                    done = cells.get(c_col)
                    if squash(goal_text) or squash(done):
                        return split_goals(goal_text), clean_text(done)
                break
        self.warn("未找到定性目标表（预期目标/实际完成）")
        return [], None

    def indicators(self) -> list[dict]:
        for i, row in enumerate(self.rows):
            keys = [squash(t) for t in row.texts]
            rich = any("三级指标" in k for k in keys)
            template = "绩效目标" in keys and ("完成情况" in keys or "实际完成" in keys)
            if rich or template:
                return self.indicator_rows(i, row, rich)
        self.warn("未找到定量目标表（绩效指标）")
        return []

    def indicator_rows(self, start: int, header: Row, rich: bool) -> list[dict]:
        body = []
        for r in self.rows[start + 1:]:
            first = squash(next((t for t in r.texts if squash(t)), ""))
            if (first.rstrip("：") in LABEL_TO_FIELD or HEADING_NUMBER.match(first)
                    or r.table != header.table or len(r.cells) < 2):
                break
            body.append(r)
        if not body:
            self.warn("定量目标表没有数据行")
            return []
        width = max(len(r.cells) for r in body) if not header.exact else None
        columns = self.indicator_columns(header, body, rich, width)
        if "name" not in columns or "actual_text" not in columns:
            self.warn("定量目标表：未找到指标列或完成情况列")
            return []
        out: list[dict] = []
        level1 = level2 = None
        for r in body:
            cells = cells_by_columns(r, columns, width)
            if squash(cells.get("level1")):
                level1 = level_name(cells["level1"])
                level2 = None
            if squash(cells.get("level2")):
                level2 = level_name(cells["level2"])
            names_text = cells.get("name") or ""
            if not squash(names_text):
                continue
            out.extend(self.indicator_items(level1 or "", level2, cells))
        return out

    def indicator_columns(self, header: Row, body: list[Row], rich: bool, width: int | None) -> dict[str, tuple]:
        """field -> grid range (exact) or cell index (text dumps)."""
        cols: dict[str, tuple] = {}
        hcells = header_spans(header, width) if width else [(c.text, c.col, c.span) for c in header.cells]
        for text, col, span in hcells:
            key = squash(text)
            if rich:
                if len(key) > 8:  # the section label beside the header, not a column label
                    continue
                field = next((f for f, kws in _INDICATOR_COLUMNS if any(kw in key for kw in kws)), None)
                if field and field not in cols:
                    cols[field] = (col, span)
            elif key == "评价内容":
                if span >= 2:
                    cols["level1"] = (col, 1)
                    cols["level2"] = (col + span - 1, 1)
                else:
                    cols["level2"] = (col, 1)
            elif key == "绩效目标":
                cols["name"] = (col, span)
            elif key in ("完成情况", "实际完成", "实际完成值"):
                cols["actual_text"] = (col, span)
        if not rich and "level1" not in cols and "name" in cols:
            col = cols["name"][0]
            cols["level2"] = (col - 1, 1)
            cols["level1"] = (col - 2, 1)
        return cols

    def indicator_items(self, level1: str, level2: str | None, cells: dict[str, str]) -> list[dict]:
        names_text = cells.get("name") or ""
        parts = split_numbered(names_text, _INDICATOR_SEQ)
        actual_raw = cells.get("actual_text")
        if len(parts) > 1:
            lines = [clean_text(x) for x in (actual_raw or "").split("\n") if x.strip()]
            if len(lines) == 1:
                # A dump that lost the cell's line breaks: results separated by
                # wide spaces or semicolons instead.
                pieces = [p for p in re.split(r"\s{2,}|[；;]", lines[0]) if p.strip()]
                if len(pieces) == len(parts):
                    lines = [clean_text(p) for p in pieces]
            if len(lines) != len(parts):
                self.warn(f"指标“{clean_text(names_text)[:20]}”：列出 {len(parts)} 个指标，"
                          f"完成情况却有 {len(lines)} 条，无法一一对应")
            actuals = lines + [None] * (len(parts) - len(lines))
        else:
            actuals = [clean_text(actual_raw)]
        items = []
        for (seq, name), actual in zip(parts, actuals):
            value, unit = parse_value(actual)
            item = {
                "level1": level1, "level2": level2, "seq": seq, "name": name,
                "target_text": clean_text(cells.get("target_text")) if len(parts) == 1 else None,
                "actual_text": actual, "actual_value": value, "actual_unit": unit,
                "weight": self.number(cells.get("weight"), f"指标“{name}”的分值"),
                "score": self.number(cells.get("score"), f"指标“{name}”的得分"),
            }
            if "deviation_reason" in cells:
                item["deviation_reason"] = clean_text(cells.get("deviation_reason"))
            items.append(item)
        return items

    def number(self, text: str | None, where: str) -> float | None:
        try:
            return parse_number(text)[0]
        except ValueError:
            self.warn(f"{where}：“{text.strip()[:20]}”不是数字，已留空")
            return None

    # -- narrative ----------------------------------------------------------

def assemble(doc: Document, report: dict, money: dict, goals: list, completion: str | None, indicators: list,
             cases: list, narrative: dict, *, money_unit: str, template: str | None, warnings: list,
             budget: dict | None = None) -> dict:
    """The record from its parts, in the spec's shape (file name and hash are
    filled in by the caller that read the file). `budget`: the project's own
    section (etl/record.py BUDGET_FIELDS), all null unless a form states it."""
    return {
        "report": report,
        **money,
        "budget": {field: (budget or {}).get(field) for field in BUDGET_FIELDS},
        "goals": goals,
        "goals_completion": completion,
        "indicators": indicators,
        "cases": cases,
        "narrative": narrative,
        "source": {
            "file_name": None, "sha256": None, "format": doc.format,
            "money_unit": money_unit, "template": template, "demo": doc.demo,
            "warnings": warnings,
        },
    }


def plain(value: float) -> str:
    """85.53, 3800: a number as a person writes it (no exponent, no trailing zeros)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


# --- table geometry helpers ---------------------------------------------------

def has_early_colon(text: str) -> bool:
    """A "label：value" line has its colon within the first few characters."""
    head = text[:40]
    return "：" in head or ":" in head



def column_labels(header: list[Row], data: list[Row]) -> list[str]:
    """For each data column, its header labels top to bottom joined ("其中"
    and other group words left out): a label that a PDF or a narrow cell split
    over two rows ("基本支" / "出") reads whole again, and a sub-column reads as
    its own label ("人员支出")."""
    width = max(len(r.cells) for r in data)
    exact = all(r.exact for r in header + data)
    first = max(data, key=lambda r: len(r.cells))
    labels = []
    if exact:
        for cell in first.cells:
            parts = [hc.text for h in header for hc in h.cells
                     if hc.col < cell.col + cell.span and cell.col < hc.col + hc.span]
            labels.append(join_labels(parts))
        return labels
    aligned = align_dump_header(header, width)
    return [join_labels([row[col] for row in aligned]) for col in range(width)]


def join_labels(parts: list[str]) -> str:
    out: list[str] = []
    for p in parts:
        key = squash(p)
        if key and key not in GROUP_WORDS and (not out or out[-1] != key):
            out.append(key)
    return "".join(out)


def align_dump_header(header: list[Row], width: int) -> list[list[str]]:
    """Text dumps lose column spans: place each header row's cells on the data
    grid, bottom row first. A row with fewer cells than the grid has spanning
    group cells ("其中：" over its sub-columns); a non-empty cell spans the run
    of labelled columns below it, as far as the missing cells allow."""
    aligned: list[list[str]] = []
    below = [False] * width
    for row in reversed(header):
        texts = row.texts
        out = [""] * width
        deficit = max(width - len(texts), 0)
        pos = 0
        for text in texts:
            if pos >= width:
                break
            span = 1
            if squash(text) and deficit:
                run = 0
                while pos + run < width and below[pos + run]:
                    run += 1
                extra = min(deficit, max(run - 1, 0))
                span += extra
                deficit -= extra
            for c in range(pos, min(pos + span, width)):
                out[c] = text
            pos += span
        aligned.insert(0, out)
        below = [b or bool(squash(t)) for b, t in zip(below, out)]
    return aligned


def header_spans(header: Row, width: int) -> list[tuple[str, int, int]]:
    """Cells of a text-dump header row placed on a data grid `width` wide:
    the missing columns belong to the spanning label ("评价内容" covers the
    two level columns), else to the first label."""
    texts = header.texts
    deficit = max(width - len(texts), 0)
    grow = next((i for i, t in enumerate(texts) if squash(t) == "评价内容"), None)
    if grow is None:
        grow = next((i for i, t in enumerate(texts) if squash(t)), 0)
    out, pos = [], 0
    for i, t in enumerate(texts):
        span = 1 + (deficit if i == grow else 0)
        out.append((t, pos, span))
        pos += span
    return out


def cells_to_width(row: Row, width: int) -> list[str]:
    if row.exact:
        return row.texts + [""] * (width - len(row.cells))
    texts = row.texts
    return texts + [""] * (width - len(texts))


def cells_by_columns(row: Row, columns: dict[str, tuple], width: int | None) -> dict[str, str]:
    out = {}
    if width is None:  # exact grid: the cell whose range overlaps the column
        for field, (col, span) in columns.items():
            for c in row.cells:
                if c.col < col + span and col < c.col + c.span:
                    out[field] = c.text
                    break
        return out
    texts = row.texts
    if len(texts) < width:  # a short dump row: its missing cells are the merged ones on the left
        texts = [""] * (width - len(texts)) + texts
    for field, (col, _span) in columns.items():
        out[field] = texts[col] if 0 <= col < len(texts) else ""
    return out


def align(header: Row, row: Row) -> dict[int, str]:
    """Header cell index -> text of the row's cell under it."""
    if header.exact and row.exact:
        out = {}
        for i, h in enumerate(header.cells):
            for c in row.cells:
                if c.col < h.col + h.span and h.col < c.col + c.span:
                    out[i] = c.text
                    break
        return out
    texts = row.texts
    shift = len(texts) - len(header.cells)
    return {i: texts[i + shift] for i in range(len(header.cells)) if 0 <= i + shift < len(texts)}


# --- text helpers -------------------------------------------------------------

def split_numbered(text: str, marker: re.Pattern) -> list[tuple[int | None, str]]:
    """"指标1：a\n指标2：b" -> [(1, "a"), (2, "b")]; unnumbered text -> [(None, text)]."""
    matches = list(marker.finditer(text))
    if not matches:
        t = clean_text(text)
        return [(None, t)] if t else []
    lead = clean_text(text[:matches[0].start()])
    parts = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        body = clean_text(text[m.end(): nxt.start() if nxt else len(text)])
        parts.append((int(m.group(1)), body or ""))
    if lead and parts:
        parts[0] = (parts[0][0], lead + parts[0][1])
    return parts


def split_goals(text: str | None) -> list[dict]:
    if not squash(text):
        return []
    return [{"seq": seq, "text": body} for seq, body in split_numbered(text, _GOAL_SEQ)]


def level_name(text: str) -> str:
    t = clean_text(text) or ""
    stripped = _LEVEL_NOTE.sub("", t).strip()
    return stripped or t





# Reports without the score rows state them in prose: "综合评分为97分",
# "自评得分90分", "整体绩效自评为优秀", "评价等次为良".
# "自评得分为92分", "综合评分95分", "自评得97.5分"
_PROSE_SCORE = re.compile(r"(?:自评|综合)(?:综合)?(?:得分|评分|总分|得)\s*(?:为|是|：|:)?\s*(\d{2,3}(?:\.\d+)?)\s*分")
_PROSE_GRADE = re.compile(r"(?:评价等次|评价等级|自评等次|自评等级|绩效等级)\s*(?:为|是|：|:)\s*[“\"]?"
                          r"(优秀|良好|合格|中等|较差|不合格|优|良|中|差|[一二三四]级|[一二三四]等)"
                          r"|(?:绩效)?自评(?:结果)?为[“\"]?(优秀|良好|合格|中等|较差|不合格)")


def score_in_prose(text: str) -> float | None:
    m = _PROSE_SCORE.search(halfwidth(text))
    value = float(m.group(1)) if m else None
    return value if value is not None and 0 <= value <= 100 else None


def grade_in_prose(text: str) -> str | None:
    # a grade wrapped over two lines of a PDF copy: "整体绩效自评为优 秀"
    m = _PROSE_GRADE.search(re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text))
    return (m.group(1) or m.group(2)) if m else None

