"""The template extractor: a `Document` (rows of cells) -> one report record.

A document without the template's cover (no "部门（单位）名称") is handed to
etl/prose.py, the extractor of reports written as prose. A document in
traditional characters (a mirror site's 繁体 copy) is first converted to
simplified (etl/traditional.py), so both read it unchanged.

Everything is found by its label and by the shape of the table around it,
never by position in the file: the cover's "label：value" lines, the
basic-info grid's label cells, the money tables by their "机构名称" header and
the column labels above each data column, the goal and indicator tables by
their headers, and the narrative by its section headings. What cannot be
found is null plus a warning naming what and where (in Chinese: the warnings
are shown to the bureau's staff as they are).

Record layout: ../shared/spec/report-record.md. Extra fields: `source.demo`,
`indicators[].deviation_reason`.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .cases import extract_cases
from .config import Limits
from .document import Cell, Document, ExtractError, Row
from .readers import cannot_read, read_document, too_large
from .textnorm import clean_text, halfwidth, parse_date, parse_number, parse_value, squash, to_int
from .traditional import to_simplified

TEMPLATE = "yueyang-yunxi-2022"
NOT_A_REPORT = "不是绩效自评报告：未找到“部门（单位）名称”"


def extract_file(path, limits: Limits = Limits()) -> dict:
    """Read one submitted file and return its record (raises ExtractError)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ExtractError(cannot_read(exc)) from None
    if size > limits.max_file_bytes:
        raise ExtractError(too_large(size, limits.max_file_mb))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ExtractError(cannot_read(exc)) from None
    return extract_bytes(data, p.name, limits)


def extract_bytes(data: bytes, file_name: str, limits: Limits = Limits()) -> dict:
    doc = read_document(data, file_name, limits)
    record = extract_document(doc)
    record["source"].update(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=doc.format,
    )
    return record


# --- labels -----------------------------------------------------------------

# Key/value labels of the cover and the basic-info grid (matched squashed).
_FIELD_LABELS = {
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
_LABEL_TO_FIELD = {lab: f for f, labs in _FIELD_LABELS.items() for lab in labs}
_COVER_FIELDS = ("unit_name", "budget_code", "evaluation_method", "evaluator", "report_date")
_INLINE = re.compile(r"^\s*(?P<label>[^：:]{2,24}?)\s*[：:]\s*(?P<value>.*)$", re.S)

# Money tables: which table a header belongs to, then column label -> field
# (first keyword that the squashed label contains wins, so specific first).
_MONEY_KIND = (
    ("three_public", ("三公",)),
    ("fixed_assets", ("固定资产",)),
    ("income", ("收入合计", "收入")),
    ("expenditure", ("支出合计", "支出")),
)
_MONEY_COLUMNS = {
    "income": (("carryover", ("上年结转", "结转")), ("fiscal_appropriation", ("公共财政", "一般公共预算", "财政拨款")),
               ("fund_appropriation", ("政府基金", "政府性基金")), ("special_account_income", ("专户", "非税")),
               ("other_income", ("其他",)), ("total", ("合计", "总计"))),
    "expenditure": (("personnel", ("人员",)), ("public", ("公用",)), ("basic", ("基本支出",)),
                    ("project", ("项目支出", "项目")), ("surplus_year", ("当年结余",)),
                    ("surplus_cumulative", ("累计结余",)), ("total", ("合计", "总计"))),
    "three_public": (("reception", ("接待",)), ("vehicle_operation", ("运维", "运行")),
                     ("vehicle_purchase", ("购置",)), ("overseas", ("出国", "出境")), ("total", ("合计", "总计"))),
    "fixed_assets": (("in_use", ("在用",)), ("leased", ("出租", "出借")), ("other", ("其他",)),
                     ("total", ("合计", "总计"))),
}
MONEY_FIELDS = {k: [f for f, _ in v if f != "total"] for k, v in _MONEY_COLUMNS.items()}
for _k in MONEY_FIELDS:
    MONEY_FIELDS[_k].insert(0, "total")
_MONEY_LABELS_CN = {
    "income": "年度收入情况", "expenditure": "年度支出和结余情况",
    "three_public": "三公经费", "fixed_assets": "固定资产",
}
# Column names as the template prints them, for warnings.
_MONEY_COLUMNS_CN = {
    "income": {"total": "收入合计", "carryover": "上年结转", "fiscal_appropriation": "公共财政拨款",
               "fund_appropriation": "政府基金拨款", "special_account_income": "纳入专户管理的非税收入拨款",
               "other_income": "其他收入"},
    "expenditure": {"total": "支出合计", "basic": "基本支出", "personnel": "人员支出", "public": "公用支出",
                    "project": "项目支出", "surplus_year": "当年结余", "surplus_cumulative": "累计结余"},
    "three_public": {"total": "三公经费合计", "reception": "公务接待费", "vehicle_operation": "公务用车运维费",
                     "vehicle_purchase": "公务用车购置费", "overseas": "因公出国费"},
    "fixed_assets": {"total": "固定资产合计", "in_use": "在用固定资产", "leased": "出租固定资产", "other": "其他"},
}
_GROUP_WORDS = {"其中", "其中：", "结余", "其中:"}
_ORG_NUMBER = re.compile(r"^\s*\d+\s*[、.．)）]\s*")

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
_HEADING_NUMBER = re.compile(r"^(第?[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+\s*[、.．])\s*")
_SECTIONS = (
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
NARRATIVE_SECTIONS = ("overview", "basic_expenditure", "project_expenditure", "government_fund", "state_capital",
                      "social_insurance_fund", "performance", "problems", "improvements", "other")
_SECTION_CN = {
    "overview": "部门（单位）概况", "basic_expenditure": "基本支出情况", "project_expenditure": "项目支出情况",
    "government_fund": "政府性基金预算支出情况", "state_capital": "国有资本经营预算支出情况",
    "social_insurance_fund": "社会保险基金预算支出情况", "performance": "部门整体支出绩效情况",
    "problems": "存在的问题及原因分析", "improvements": "下一步改进措施", "other": "其他需要说明的情况",
}
_TITLE = re.compile(r"(?P<region>[^\s\d]{2,30}?)?\s*(?P<year>(?:19|20)\d{2})\s*年度?")


class _Extraction:
    """State of one extraction: the rows, what was found, and the warnings."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.rows = doc.rows
        self.warnings: list[str] = list(doc.warnings)
        self.money_unit = "万元"

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- header and basic-info fields --------------------------------------

    def key_values(self, stop: int) -> dict[str, str | None]:
        """Every known label in rows[:stop]: as a label cell followed by its
        value cell, or as "label：value" text inside one cell."""
        found: dict[str, str | None] = {}
        for row in self.rows[:stop]:
            texts = row.texts
            for i, text in enumerate(texts):
                key = squash(text).rstrip("：")
                field = _LABEL_TO_FIELD.get(key)
                if field:
                    if field not in found:
                        nxt = texts[i + 1] if i + 1 < len(texts) else None
                        # A blank value cell next to another label is blank, not that label.
                        found[field] = None if squash(nxt).rstrip("：") in _LABEL_TO_FIELD else nxt
                    continue
                if not _has_early_colon(text):
                    continue
                for line in text.split("\n"):
                    m = _INLINE.match(line) if _has_early_colon(line) else None
                    if m:
                        field = _LABEL_TO_FIELD.get(squash(m.group("label")))
                        if field and field not in found and squash(m.group("value")):
                            found[field] = m.group("value")
        return found

    def title(self, stop: int) -> tuple[str | None, int | None]:
        for row in self.rows[:stop]:
            for text in row.texts:
                t = squash(halfwidth(text))
                if "年度" in t and ("绩效" in t or "支出" in t or "报告" in t):
                    m = _TITLE.search(t)
                    if m:
                        region = m.group("region")
                        if region:
                            region = re.sub(r"^附件[\d\-—－]*[：:]?", "", region) or None
                        return region, int(m.group("year"))
        return None, None

    def region_from_maker(self, stop: int) -> str | None:
        for row in self.rows[:stop]:
            m = re.search(r"([^\s（(]{2,20}?)财政局\s*[（(]制[)）]", row.texts[0])
            if m:
                return m.group(1)
        return None

    # -- money tables -------------------------------------------------------

    def money_tables(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {k: [] for k in _MONEY_COLUMNS}
        seen: set[str] = set()
        unit = "万元"
        units_used: set[str] = set()
        i = 0
        while i < len(self.rows):
            row = self.rows[i]
            caption_unit = _unit_in(" ".join(row.texts))
            if caption_unit and len([t for t in row.texts if squash(t)]) == 1:
                unit = caption_unit
            if not any(squash(t) in ("机构名称", "单位名称", "机构") for t in row.texts[:1]):
                i += 1
                continue
            header = [row]
            j = i + 1
            while j < len(self.rows) and not squash(self.rows[j].texts[0]) and _is_header_row(self.rows[j]):
                header.append(self.rows[j])
                j += 1
            data = []
            while j < len(self.rows) and _is_org_row(self.rows[j]):
                data.append(self.rows[j])
                j += 1
            header_text = "".join(squash(t) for r in header for t in r.texts)
            kind = next((k for k, kws in _MONEY_KIND if any(kw in header_text for kw in kws)), None)
            table_unit = _unit_in(header_text) or unit
            if kind is None or not data:
                self.warn(f"第 {i + 1} 行的金额表：认不出是哪张表，或表中没有数据行，已跳过")
            elif kind in seen:
                self.warn(f"{_MONEY_LABELS_CN[kind]}表：第 {i + 1} 行又出现一张同类表，已忽略")
            else:
                seen.add(kind)
                units_used.add(table_unit)
                out[kind] = self.money_rows(kind, header, data, table_unit)
            i = max(j, i + 1)
        for kind in _MONEY_COLUMNS:
            if kind not in seen:
                self.warn(f"未找到{_MONEY_LABELS_CN[kind]}表")
        if "元" in units_used:
            self.money_unit = "元"
            if len(units_used) > 1:
                self.warn("金额表有的以元、有的以万元为单位，已全部换算为万元")
        return out

    def money_rows(self, kind: str, header: list[Row], data: list[Row], unit: str) -> list[dict]:
        labels = column_labels(header, data)
        fields: dict[int, str] = {}
        for col, label in enumerate(labels):
            if col == 0:
                continue
            lab = squash(label)
            field = next((f for f, kws in _MONEY_COLUMNS[kind] if any(kw in lab for kw in kws)), None)
            if field and field not in fields.values():
                fields[col] = field
        name = _MONEY_LABELS_CN[kind] + "表"
        column_cn = _MONEY_COLUMNS_CN[kind]
        for f in MONEY_FIELDS[kind]:
            if f not in fields.values():
                self.warn(f"{name}：未找到“{column_cn[f]}”列")
        rows = []
        for r in data:
            cells = _cells_to_width(r, len(labels))
            values = {}
            for col, field in fields.items():
                text = cells[col] if col < len(cells) else ""
                try:
                    value, approx = parse_number(text)
                    if approx:  # the record has no place for "about"; say so rather than hide it
                        self.warn(f"{name}“{clean_text(cells[0])}”行“{column_cn[field]}”：“{text.strip()}”"
                                  f"是约数，已按 {_plain(value)} 计")
                except ValueError:
                    self.warn(f"{name}“{clean_text(cells[0])}”行“{column_cn[field]}”："
                              f"“{text.strip()[:20]}”不是数字，已留空")
                    value = None
                if value is not None and unit == "元":
                    value = round(value / 10000, 6)
                values[field] = value
            if all(v is None for v in values.values()):
                continue  # the template's unused placeholder rows
            org = clean_text(cells[0]) or ""
            org = "汇总" if ("汇总" in org or squash(org) in ("合计", "总计")) else _ORG_NUMBER.sub("", org)
            rows.append({"org": org, **{f: values.get(f) for f in MONEY_FIELDS[kind]}})
        return rows

    # -- goals and indicators ----------------------------------------------

    def goals(self) -> tuple[list[dict], str | None]:
        for i, row in enumerate(self.rows):
            keys = [squash(t) for t in row.texts]
            if "预期目标" in keys and any(k.startswith("实际完成") for k in keys):
                g_col = keys.index("预期目标")
                c_col = next(n for n, k in enumerate(keys) if k.startswith("实际完成"))
                for nxt in self.rows[i + 1:i + 3]:
                    cells = _align(row, nxt)
                    goal_text = cells.get(g_col)
                    done = cells.get(c_col)
                    if squash(goal_text) or squash(done):
                        return _split_goals(goal_text), clean_text(done)
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
            if (first.rstrip("：") in _LABEL_TO_FIELD or _HEADING_NUMBER.match(first)
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
            cells = _cells_by_columns(r, columns, width)
            if squash(cells.get("level1")):
                level1 = _level_name(cells["level1"])
                level2 = None
            if squash(cells.get("level2")):
                level2 = _level_name(cells["level2"])
            names_text = cells.get("name") or ""
            if not squash(names_text):
                continue
            out.extend(self.indicator_items(level1 or "", level2, cells))
        return out

    def indicator_columns(self, header: Row, body: list[Row], rich: bool, width: int | None) -> dict[str, tuple]:
        """field -> grid range (exact) or cell index (text dumps)."""
        cols: dict[str, tuple] = {}
        hcells = _header_spans(header, width) if width else [(c.text, c.col, c.span) for c in header.cells]
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
        parts = _split_numbered(names_text, _INDICATOR_SEQ)
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

    def narrative(self) -> dict[str, str | None]:
        start = next((i for i, r in enumerate(self.rows) if any("评价报告综述" in squash(t) for t in r.texts)), None)
        if start is None:
            start = next((i for i, r in enumerate(self.rows)
                          if r.table == -1 and _section_of(r.texts[0].split("\n")[0]) == "overview"), None)
        sections: dict[str, list[str]] = {}
        if start is None:
            self.warn("未找到叙述部分（五、评价报告综述）")
            return {k: None for k in NARRATIVE_SECTIONS}
        current = None
        first = True
        for row in self.rows[start:]:
            if _PAGE_FURNITURE.search(squash(row.texts[0])):
                break  # a web page's footer after the report
            for text in row.texts:
                for line in text.split("\n"):
                    if first:
                        first = False
                        if "评价报告综述" in squash(line):
                            continue
                    sec = _section_of(line)
                    if sec is not _NOT_HEADING:
                        current = sec
                        if sec:
                            sections.setdefault(sec, [])
                        continue
                    if current:
                        sections[current].append(line)
        out = {}
        for key in NARRATIVE_SECTIONS:
            if key not in sections:
                self.warn(f"叙述部分未找到“{_SECTION_CN[key]}”一节")
            out[key] = clean_text("\n".join(sections.get(key, []))) if key in sections else None
        return out


def extract_document(doc: Document) -> dict:
    """The record of one document (source.file_name/sha256 filled by the caller).
    A document in traditional characters is read as its simplified original
    (etl/traditional.py), by both this extractor and etl/prose.py."""
    doc = to_simplified(doc)
    ex = _Extraction(doc)
    rows = ex.rows
    # The cover and basic info come before the money tables.
    first_money = next((i for i, r in enumerate(rows) if squash(r.texts[0]) in ("机构名称", "单位名称")), len(rows))
    kv = ex.key_values(len(rows))
    region, year = ex.title(min(len(rows), max(first_money, 12)))
    region = region or ex.region_from_maker(first_money)
    if not kv.get("unit_name") or not clean_text(kv.get("unit_name")):
        # No template cover: perhaps a report written as prose (family B),
        # which raises NOT_A_REPORT when it is not that either. Imported here
        # because etl/prose.py builds on this module.
        from .prose import extract_prose
        return extract_prose(doc)
    if year is None:
        date_ = parse_date(kv.get("report_date"))
        if not date_:
            raise ExtractError("不是绩效自评报告：标题中未找到年度（如“2022年度”）")
        year = int(date_[:4]) - 1
        ex.warn(f"标题中未找到年度：已按报告日期推定为 {year} 年度")
    if not region:
        ex.warn("标题中未找到地区名称")

    report = {
        "region": region, "fiscal_year": year,
        "unit_name": clean_text(kv.get("unit_name")),
        "budget_code": _digits_text(kv.get("budget_code")),
        "evaluation_method": clean_text(kv.get("evaluation_method")),
        "evaluator": clean_text(kv.get("evaluator")),
        "report_date": parse_date(kv.get("report_date")),
        "contact": clean_text(kv.get("contact")),
        "phone": _digits_text(kv.get("phone")),
        "staff_quota": to_int(ex.number(kv.get("staff_quota"), "人员编制")),
        "staff_actual": to_int(ex.number(kv.get("staff_actual"), "实有人数")),
        "functions": clean_text(kv.get("functions")),
        "main_tasks": clean_text(kv.get("main_tasks")),
        "overall_results": clean_text(kv.get("overall_results")),
        "self_score": ex.number(kv.get("self_score"), "绩效自评综合得分"),
        "grade": clean_text(kv.get("grade")),
    }
    if kv.get("report_date") and not report["report_date"]:
        ex.warn(f"报告日期“{clean_text(kv['report_date'])}”不是有效日期，已留空")
    money = ex.money_tables()
    goals, completion = ex.goals()
    indicators = ex.indicators()
    narrative = ex.narrative()
    prose = "\n".join(t for t in (*narrative.values(), report["overall_results"]) if t)
    for field, find in (("self_score", _score_in_prose), ("grade", _grade_in_prose)):
        found = find(prose) if field not in kv else None
        if found is not None:
            report[field] = found
            ex.warn(f"“{_FIELD_LABELS[field][0]}”不在表中，取自正文：{found}")
    for field in ("self_score", "grade", "staff_quota", "staff_actual"):
        if field not in kv and report[field] is None:
            ex.warn(f"未找到“{_FIELD_LABELS[field][0]}”")
    texts = [report["main_tasks"], report["overall_results"], completion, narrative.get("performance"),
             *(g["text"] for g in goals), *(v for k, v in narrative.items() if k != "performance")]
    cases, case_warnings = extract_cases(t for t in texts if t)
    ex.warnings.extend(case_warnings)
    template_found = bool(money["income"] or money["expenditure"] or indicators)
    if not template_found:
        record = _prose_below_cover(doc, report)
        if record is not None:
            return record
    return assemble(doc, report, money, goals, completion, indicators, cases, narrative,
                    money_unit=ex.money_unit, template=TEMPLATE if template_found else None, warnings=ex.warnings)


COVER_THEN_PROSE = "封面按模板填写，但没有收支表和指标表：正文按文字版读取"


def _prose_below_cover(doc: Document, cover: dict) -> dict | None:
    """A report that fills in the template's cover but writes the rest as prose
    (no money or indicator table): the prose extractor's record, with what the
    cover states by label taking precedence. None when the prose extractor
    finds no more either (the template's record stands, with its warnings)."""
    from .prose import extract_prose

    try:
        record = extract_prose(doc, cover_unit=cover["unit_name"])
    except ExtractError:
        return None
    if not any(record[kind] for kind in MONEY_FIELDS):
        return None
    stated = {field: value for field, value in cover.items() if value is not None}
    record["report"].update(stated)
    settled = {f"未找到“{_FIELD_LABELS[field][0]}”" for field in stated if field in _FIELD_LABELS}
    settled |= {w for w in record["source"]["warnings"] if w.startswith(("标题中未找到年度", "标题中未找到地区"))
                and {"fiscal_year", "region"} <= stated.keys()}
    record["source"]["warnings"] = [COVER_THEN_PROSE] + [w for w in record["source"]["warnings"] if w not in settled]
    return record


def assemble(doc: Document, report: dict, money: dict, goals: list, completion: str | None, indicators: list,
             cases: list, narrative: dict, *, money_unit: str, template: str | None, warnings: list) -> dict:
    """The record from its parts, in the spec's shape (file name and hash are
    filled in by the caller that read the file)."""
    return {
        "report": report,
        **money,
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


def _plain(value: float) -> str:
    """85.53, 3800: a number as a person writes it (no exponent, no trailing zeros)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


# --- table geometry helpers ---------------------------------------------------

def _has_early_colon(text: str) -> bool:
    """A "label：value" line has its colon within the first few characters."""
    head = text[:40]
    return "：" in head or ":" in head


def _unit_in(text: str) -> str | None:
    if "元" not in text:
        return None
    t = squash(text)
    if re.search(r"[（(]万元[)）]|单位[：:]?万元", t):
        return "万元"
    if re.search(r"[（(]元[)）]|单位[：:]?元", t):
        return "元"
    return None


def _is_header_row(row: Row) -> bool:
    """A row under "机构名称" that still holds column labels, not figures."""
    texts = [squash(t) for t in row.texts if squash(t)]
    if not texts:
        return True
    return not any(re.fullmatch(r"[-+]?[\d,.．０-９]+", halfwidth(t)) for t in texts)


def _is_org_row(row: Row) -> bool:
    first = squash(row.texts[0])
    if not first or len(row.cells) < 2:
        return False
    if first in ("机构名称", "单位名称") or _HEADING_NUMBER.match(first) and not _ORG_NUMBER.match(first):
        return False
    return not any(k in first for k in ("情况", "目标", "指标")) or "汇总" in first


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
            labels.append(_join_labels(parts))
        return labels
    aligned = _align_dump_header(header, width)
    return [_join_labels([row[col] for row in aligned]) for col in range(width)]


def _join_labels(parts: list[str]) -> str:
    out: list[str] = []
    for p in parts:
        key = squash(p)
        if key and key not in _GROUP_WORDS and (not out or out[-1] != key):
            out.append(key)
    return "".join(out)


def _align_dump_header(header: list[Row], width: int) -> list[list[str]]:
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


def _header_spans(header: Row, width: int) -> list[tuple[str, int, int]]:
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


def _cells_to_width(row: Row, width: int) -> list[str]:
    if row.exact:
        return row.texts + [""] * (width - len(row.cells))
    texts = row.texts
    return texts + [""] * (width - len(texts))


def _cells_by_columns(row: Row, columns: dict[str, tuple], width: int | None) -> dict[str, str]:
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


def _align(header: Row, row: Row) -> dict[int, str]:
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

def _split_numbered(text: str, marker: re.Pattern) -> list[tuple[int | None, str]]:
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


def _split_goals(text: str | None) -> list[dict]:
    if not squash(text):
        return []
    return [{"seq": seq, "text": body} for seq, body in _split_numbered(text, _GOAL_SEQ)]


def _level_name(text: str) -> str:
    t = clean_text(text) or ""
    stripped = _LEVEL_NOTE.sub("", t).strip()
    return stripped or t


def _digits_text(text: str | None) -> str | None:
    t = clean_text(text)
    return halfwidth(re.sub(r"\s+", "", t)) if t else None


# Reports without the score rows state them in prose: "综合评分为97分",
# "自评得分90分", "整体绩效自评为优秀", "评价等次为良".
_PROSE_SCORE = re.compile(r"(?:自评|综合)(?:综合)?(?:得分|评分|总分)\s*(?:为|是|：|:)?\s*(\d{2,3}(?:\.\d+)?)\s*分")
_PROSE_GRADE = re.compile(r"(?:评价等次|评价等级|自评等次|自评等级|绩效等级)\s*(?:为|是|：|:)\s*[“\"]?"
                          r"(优秀|良好|合格|中等|较差|不合格|优|良|中|差|[一二三四]级|[一二三四]等)"
                          r"|(?:绩效)?自评(?:结果)?为[“\"]?(优秀|良好|合格|中等|较差|不合格)")


def _score_in_prose(text: str) -> float | None:
    m = _PROSE_SCORE.search(halfwidth(text))
    value = float(m.group(1)) if m else None
    return value if value is not None and 0 <= value <= 100 else None


def _grade_in_prose(text: str) -> str | None:
    m = _PROSE_GRADE.search(text)
    return (m.group(1) or m.group(2)) if m else None


_NOT_HEADING = object()
_PAGE_FURNITURE = re.compile(r"^(主办[：:]|承办[：:]|版权所有|网站标识码|ICP备|技术支持[：:]|打印本页|关闭窗口|【打印】|扫一扫)")


def _section_of(line: str):
    """The narrative section a heading line opens, None for a heading with no
    section of its own, or _NOT_HEADING for body text."""
    t = squash(line)
    if not t or len(t) > 40 or t.endswith(("。", "；", "，")):
        return _NOT_HEADING
    numbered = _HEADING_NUMBER.match(t)
    title = t[numbered.end():] if numbered else t
    if not numbered and len(title) > 16:
        return _NOT_HEADING
    for key, words in _SECTIONS:
        if any(w in title for w in words):
            return key
    return _NOT_HEADING
