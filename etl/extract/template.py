"""The template family: the Yueyang fill-in form (the seed's layout) -> one record.

The cover's "label：value" lines, the basic-info grid's label cells, the money
tables by their "机构名称" header and the column labels above each data
column, the goal and indicator tables by their headers (etl/extract/common.py),
and the narrative by the headings of 五、评价报告综述.

Web pages often publish the grid and the money tables one cell per line (each
cell a paragraph, or "联系人 |" / "李玉霞 |" with "||||" rows between): a label
alone in its row takes the next non-empty cell below as its value (a blank
value before the next label is blank, and warned about by name); a money
table's header labels and then each organisation's figures come one per line
(TemplateExtraction.money_stream). Cover labels may lack the colon, be spaced
out ("预 算 编 码 159") or be indented far right.

`extract_template` returns None for a document without the template's cover
(no "部门（单位）名称"), which the family chooser (etl/extract/__init__.py)
then offers to the other families.
"""
from __future__ import annotations

import re

from ..cases import extract_cases
from ..document import Document, ExtractError, Row
from ..record import MONEY_COLUMN_CN, MONEY_FIELDS, MONEY_TABLE_CN, NARRATIVE_SECTIONS, SECTION_CN
from ..textnorm import clean_text, halfwidth, parse_date, parse_number, squash, to_int
from .prose import region_of
from .common import (FIELD_LABELS, HEADING_NUMBER, INLINE, LABEL_TO_FIELD, SECTION_WORDS, Extraction, assemble,
                     cells_to_width, column_labels, grade_in_prose, has_early_colon, plain, score_in_prose)

TEMPLATE = "yueyang-yunxi-2022"

# Money tables: which table a header belongs to, then column label -> field
# (first keyword that the squashed label contains wins, so specific first).
_MONEY_KIND = (
    ("three_public", ("三公",)),
    ("fixed_assets", ("固定资产",)),
    ("income", ("收入合计", "收入")),
    ("expenditure", ("支出合计", "支出")),
)
_COLUMN_WORDS = {
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

_ORG_NUMBER = re.compile(r"^\s*\d+\s*[、.．)）]\s*")

_TITLE = re.compile(r"(?P<region>[^\s\d]{2,30}?)?\s*(?P<year>(?:19|20)\d{2})\s*年度?")


class TemplateExtraction(Extraction):
    """The template's cover, grid, money tables and narrative outline."""

    # -- header and basic-info fields --------------------------------------

    def key_values(self, stop: int) -> dict[str, str | None]:
        """Every known label in rows[:stop]: as a label cell followed by its
        value cell, as "label：value" text inside one cell, as a cover line
        "label   value" without the colon, or — the grid written one cell per
        line (web pages, "联系人 |" / "李玉霞 |") — as a label alone in its
        row whose value is the next non-empty cell below it.

        A label whose value is blank is kept with None (the caller warns)."""
        found: dict[str, str | None] = {}
        grid_end = min(stop, self.narrative_start())
        r = 0
        while r < stop:
            row = self.rows[r]
            texts = row.texts
            if r < grid_end and _lone(row):
                label = self.label_at(r, grid_end)
                if label:
                    field, used = label
                    value, ok = self.value_below(r + used, grid_end, field)
                    if ok:
                        if field not in found:
                            found[field] = value
                        r += used
                        continue
            for i, text in enumerate(texts):
                key = squash(text).rstrip("：")
                field = LABEL_TO_FIELD.get(key)
                if field:
                    if field not in found:
                        nxt = texts[i + 1] if i + 1 < len(texts) else None
                        # A blank value cell next to another label is blank, not that label.
                        found[field] = None if squash(nxt).rstrip("：") in LABEL_TO_FIELD else nxt
                    continue
                for field, value in self.inline_pairs(text, lone=len(texts) == 1):
                    if field not in found:
                        found[field] = value
            r += 1
        return found

    def inline_pairs(self, text: str, lone: bool) -> list[tuple[str, str]]:
        """The "label：value" lines of one cell; in a cell alone in its row
        also "label    value" (a wide space instead of the colon) and a label
        written spaced out ("预 算 编 码 159")."""
        out = []
        text = text.strip()
        if has_early_colon(text):  # indentation does not push the colon out of reach
            for line in text.split("\n"):
                line = line.strip()
                m = INLINE.match(line) if has_early_colon(line) else None
                if m:
                    field = LABEL_TO_FIELD.get(squash(m.group("label")))
                    if field and squash(m.group("value")):
                        out.append((field, m.group("value")))
        elif lone and text and "\n" not in text:
            out.extend(_pairs_without_colon(text))
        return out

    # -- the grid written one cell per line ---------------------------------

    def narrative_start(self) -> int:
        """Rows from 四、评价人员 / 五、评价报告综述 on are prose and signatures, not the grid."""
        for i, r in enumerate(self.rows):
            t = squash(r.texts[0]) if r.texts else ""
            if "评价报告综述" in t or re.match(r"^[四五六]、评价人员", t):
                return i
        return len(self.rows)

    def label_at(self, r: int, stop: int) -> tuple[str, int] | None:
        """(field, rows used) when row r, alone in its row, is a label cell —
        also one that Word wrapped over two lines ("年度主要" / "工作内容")."""
        if r >= stop or not _lone(self.rows[r]):
            return None
        key = squash(_lone_text(self.rows[r])).rstrip("：")
        if key in LABEL_TO_FIELD:
            return LABEL_TO_FIELD[key], 1
        if r + 1 < stop and _lone(self.rows[r + 1]) and len(key) <= 16:
            both = (key + squash(_lone_text(self.rows[r + 1]))).rstrip("：")
            if both in LABEL_TO_FIELD:
                return LABEL_TO_FIELD[both], 2
        return None

    def value_below(self, r: int, stop: int, field: str) -> tuple[str | None, bool]:
        """The value of a label alone in its row: the next non-empty cell below
        (rows of empty cells, the "||||" between grid rows, are skipped). A
        text cell (职能职责概述 …) runs on over the next lines up to the next
        row break, label or heading. (None, True) for a blank value — the next
        cell is another label or a heading; (None, False) when what follows is
        no value of this label (a sentence under a heading that happens to
        read like a label)."""
        j = r
        while j < stop and not any(squash(t) for t in self.rows[j].texts):
            j += 1
        if j >= stop or not _lone(self.rows[j]) or self.label_at(j, stop) or _ends_grid(_lone_text(self.rows[j])):
            return None, True
        first = _lone_text(self.rows[j])
        if field not in _TEXT_FIELDS:
            fits = len(squash(first)) <= 40
            if field in _NUMBER_FIELDS:
                fits = fits and bool(re.search(r"\d", halfwidth(first)))
            return (first, True) if fits else (None, False)
        parts = [first]
        for k in range(j + 1, stop):
            row = self.rows[k]
            if not _lone(row) or self.label_at(k, stop) or _ends_grid(_lone_text(row)):
                break
            parts.append(_lone_text(row))
        return "\n".join(parts), True

    def title(self, stop: int) -> tuple[str | None, int | None]:
        for row in self.rows[:stop]:
            for text in row.texts:
                # A page that lost the glyph 年 prints "20 16 -度".
                t = re.sub(r"((?:19|20)\d{2})-度", r"\1年度", squash(halfwidth(text)))
                if "年度" in t and ("绩效" in t or "支出" in t or "报告" in t):
                    m = _TITLE.search(t)
                    if m:
                        region = m.group("region")
                        if region:
                            region = re.sub(r"^附件[\d\-—－]*[：:]?", "", region) or None
                        if region and re.search(r"[《》“”，,。；;：:]", region):
                            # "根据《横县财政局关于开展2017年度…的通知》…": a sentence citing
                            # a notice, not a title; its year is the one evaluated, no region
                            region = None
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
        out: dict[str, list[dict]] = {k: [] for k in _COLUMN_WORDS}
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
            if _lone(row) and self.lone_next(i + 1):
                kind, j = self.money_stream(i, unit, seen, out, units_used)
                i = max(j, i + 1)
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
            self.place_table(i, header_text, unit, bool(data), seen, out, units_used,
                             lambda kind, table_unit: self.money_rows(kind, header, data, table_unit))
            i = max(j, i + 1)
        for kind in _COLUMN_WORDS:
            if kind not in seen:
                self.warn(f"未找到{MONEY_TABLE_CN[kind]}表")
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
            field = next((f for f, kws in _COLUMN_WORDS[kind] if any(kw in lab for kw in kws)), None)
            if field and field not in fields.values():
                fields[col] = field
        name = MONEY_TABLE_CN[kind] + "表"
        column_cn = MONEY_COLUMN_CN[kind]
        for f in MONEY_FIELDS[kind]:
            if f not in fields.values():
                self.warn(f"{name}：未找到“{column_cn[f]}”列")
        rows = []
        for r in data:
            cells = cells_to_width(r, len(labels))
            values = {}
            for col, field in fields.items():
                text = cells[col] if col < len(cells) else ""
                values[field] = self.money_value(kind, cells[0], field, text, unit)
            if all(v is None for v in values.values()):
                continue  # the template's unused placeholder rows
            rows.append({"org": _org_name(cells[0]), **{f: values.get(f) for f in MONEY_FIELDS[kind]}})
        return rows

    def money_value(self, kind: str, org_cell: str, field: str, text: str, unit: str) -> float | None:
        """One money cell in 万元; a cell that is no number is blank, with a warning."""
        name = MONEY_TABLE_CN[kind] + "表"
        column_cn = MONEY_COLUMN_CN[kind]
        try:
            value, approx = parse_number(text)
            if approx:  # the record has no place for "about"; say so rather than hide it
                self.warn(f"{name}“{clean_text(org_cell)}”行“{column_cn[field]}”：“{text.strip()}”"
                          f"是约数，已按 {plain(value)} 计")
        except ValueError:
            self.warn(f"{name}“{clean_text(org_cell)}”行“{column_cn[field]}”："
                      f"“{text.strip()[:20]}”不是数字，已留空")
            value = None
        if value is not None and unit == "元":
            value = round(value / 10000, 6)
        return value

    # -- money tables written one cell per line -------------------------------

    def lone_next(self, j: int) -> bool:
        """The next non-empty row after j-1 is one cell alone (the table goes on one cell per line)."""
        while j < len(self.rows) and not any(squash(t) for t in self.rows[j].texts):
            j += 1
        return j < len(self.rows) and _lone(self.rows[j])

    def money_stream(self, i: int, unit: str, seen: set, out: dict, units_used: set) -> tuple[str | None, int]:
        """A money table whose cells come one per line ("机构名称", "收入合计",
        "其中：", "上年结转" … then "局机关及二级机构汇总", "624.56", "1、局机关" …):
        the header labels up to the first organisation row, then each
        organisation's figures up to the next one. Returns (kind, next row)."""
        header: list[str] = []
        data: list[tuple[str, list[str | None]]] = []
        bars = 0  # a page that keeps the cell borders: "|" lines since the last cell
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            if not any(squash(t) for t in row.texts):
                if len(row.cells) == 1:
                    bars += 1
                else:  # the row's end: "|" lines before it beyond the first were empty cells
                    if data and data[-1][1]:
                        data[-1][1].extend([None] * max(bars - 1, 0))
                    bars = 0
                j += 1
                continue
            if not _lone(row):
                break
            text = _lone_text(row)
            key = squash(text)
            if _ends_grid(text) or key.rstrip("：") in LABEL_TO_FIELD or (_unit_in(text) and not data and header):
                break
            if _is_money_figure(key):
                if not data:
                    break  # figures before any organisation: not this layout
                data[-1][1].extend([None] * max(bars - 1, 0))  # "106.13 | | | 86.1": two empty cells
                data[-1][1].append(text)
            elif _is_org_name(key, started=bool(data)):
                data.append((text, []))
            elif data:
                break  # the caption of the next table, or the text after the tables
            else:
                header.append(text)
            bars = 0
            j += 1
        header_text = "".join(squash(t) for t in [self.rows[i].texts[0], *header])
        kind = self.place_table(i, header_text, unit, bool(data), seen, out, units_used,
                                lambda kind, table_unit: self.stream_rows(kind, header, data, table_unit))
        return kind, j

    def place_table(self, i: int, header_text: str, unit: str, has_data: bool, seen: set, out: dict,
                    units_used: set, read) -> str | None:
        """Which money table the header at row i opens; its rows, `read(kind, unit)`,
        go into `out` unless it has none or a table of its kind came before."""
        kind = next((k for k, kws in _MONEY_KIND if any(kw in header_text for kw in kws)), None)
        table_unit = _unit_in(header_text) or unit
        if kind is None or not has_data:
            self.warn(f"第 {i + 1} 行的金额表：认不出是哪张表，或表中没有数据行，已跳过")
        elif kind in seen:
            self.warn(f"{MONEY_TABLE_CN[kind]}表：第 {i + 1} 行又出现一张同类表，已忽略")
        else:
            seen.add(kind)
            units_used.add(table_unit)
            out[kind] = read(kind, table_unit)
        return kind

    def stream_rows(self, kind: str, header: list[str], data: list[tuple[str, list[str]]], unit: str) -> list[dict]:
        """The rows of a table read one cell per line. The header's labels name
        the table's columns, in the template's column order (a label under
        "其中：" comes after its parent's row of labels, so the order written is
        not the order of the columns). Such a page drops the empty cells, so a
        row's figures are placed only when there is one per column (an empty
        cell counted where the page kept the cell borders as "|" lines: None);
        a row with fewer keeps the first as the total (the first column) and
        says the others cannot be placed."""
        name = MONEY_TABLE_CN[kind] + "表"
        column_cn = MONEY_COLUMN_CN[kind]
        fields: list[str] = []
        unknown: list[str] = []
        for label in header:
            lab = squash(label).rstrip("：")
            if lab in _STREAM_GROUP_WORDS:
                continue
            field = next((f for f, kws in _COLUMN_WORDS[kind] if any(kw in lab for kw in kws)), None)
            if field and field not in fields:
                fields.append(field)
            else:
                unknown.append(clean_text(label) or label)
        for f in MONEY_FIELDS[kind]:
            if f not in fields:
                self.warn(f"{name}：未找到“{column_cn[f]}”列")
        for label in unknown:
            self.warn(f"{name}：表头“{label}”不是已知的列，各数所在的列无法确定")
        columns = [f for f in MONEY_FIELDS[kind] if f in fields]
        first = next((squash(t) for t in header if squash(t).rstrip("：") not in _STREAM_GROUP_WORDS), "")
        total_first = bool(columns) and columns[0] == "total" and any(
            kw in first for kw in dict(_COLUMN_WORDS[kind])["total"])
        rows = []
        for org_cell, cells in data:
            values: dict[str, float | None] = {f: None for f in MONEY_FIELDS[kind]}
            figures = [t for t in cells if t is not None]
            if not figures:
                continue  # the template's unused placeholder rows
            if len(cells) == len(columns) and not unknown:
                placed = {c: t for c, t in zip(columns, cells) if t is not None}
            elif len(figures) == len(columns) and not unknown:
                placed = dict(zip(columns, figures))
            elif len(figures) < len(columns) and total_first:
                placed = {"total": figures[0]}
                rest = "：" + "、".join(t.strip() for t in figures[1:]) if len(figures) > 1 else ""
                self.warn(f"{name}“{clean_text(org_cell)}”行：只有 {len(figures)} 个数（表有 {len(columns)} 列，"
                          f"网页未保留空格），第一个数按“{column_cn['total']}”计，其余各列无法确定，已留空{rest}")
            else:
                self.warn(f"{name}“{clean_text(org_cell)}”行：{len(figures)} 个数对不上表的 {len(columns)} 列，"
                          f"已留空：" + "、".join(t.strip() for t in figures))
                placed = {}
            for field, text in placed.items():
                values[field] = self.money_value(kind, org_cell, field, text, unit)
            if all(v is None for v in values.values()):
                continue
            rows.append({"org": _org_name(org_cell), **values})
        return rows


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
                self.warn(f"叙述部分未找到“{SECTION_CN[key]}”一节")
            out[key] = clean_text("\n".join(sections.get(key, []))) if key in sections else None
        return out



def extract_template(doc: Document) -> dict | None:
    """The record of a template document, or None when it has no template
    cover (source.template is None when the cover is there but neither the
    money tables nor the indicator table are: a cover over a prose body)."""
    ex = TemplateExtraction(doc)
    rows = ex.rows
    # The cover and basic info come before the money tables.
    first_money = next((i for i, r in enumerate(rows) if squash(r.texts[0]) in ("机构名称", "单位名称")), len(rows))
    kv = ex.key_values(len(rows))
    region, year = ex.title(min(len(rows), max(first_money, 12)))
    region = region or ex.region_from_maker(first_money)
    if not _filled_name(kv.get("unit_name")):
        return None  # no cover, or "单位名称:( 盖 章 )": a cover left blank, the seal's place only
    if year is None:
        date_ = parse_date(kv.get("report_date"))
        if not date_:
            raise ExtractError("不是绩效自评报告：标题中未找到年度（如“2022年度”）")
        year = int(date_[:4]) - 1
        ex.warn(f"标题中未找到年度：已按报告日期推定为 {year} 年度")
    unit_name = clean_text(kv.get("unit_name"))
    if region and unit_name and squash(region).endswith(squash(unit_name)):
        # "昆明市东川区城市管理局2020年度部门整体支出绩效评价报告": the title begins with the unit
        region = region_of(unit_name)
    if not region:
        # As the prose and table paths do: the divisions the unit's own name begins with.
        region = region_of(clean_text(kv.get("unit_name")) or "")
        ex.warn(f"标题中未找到地区名称：已按单位名称取为“{region}”" if region else "标题中未找到地区名称")

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
    for field, value in kv.items():
        if not squash(value):  # the label is there, its cell is empty: say so rather than lose it silently
            ex.warn(_label_cn(field))
    if kv.get("report_date") and not report["report_date"]:
        ex.warn(f"报告日期“{clean_text(kv['report_date'])}”不是有效日期，已留空")
    money = ex.money_tables()
    goals, completion = ex.goals()
    indicators = ex.indicators()
    narrative = ex.narrative()
    prose = "\n".join(t for t in (*narrative.values(), report["overall_results"]) if t)
    for field, find in (("self_score", score_in_prose), ("grade", grade_in_prose)):
        found = find(prose) if field not in kv else None
        if found is not None:
            report[field] = found
            ex.warn(f"“{FIELD_LABELS[field][0]}”不在表中，取自正文：{found}")
    for field in ("self_score", "grade", "staff_quota", "staff_actual"):
        if field not in kv and report[field] is None:
            ex.warn(f"未找到“{FIELD_LABELS[field][0]}”")
    texts = [report["main_tasks"], report["overall_results"], completion, narrative.get("performance"),
             *(g["text"] for g in goals), *(v for k, v in narrative.items() if k != "performance")]
    cases, case_warnings = extract_cases(t for t in texts if t)
    ex.warnings.extend(case_warnings)
    template_found = bool(money["income"] or money["expenditure"] or indicators)
    return assemble(doc, report, money, goals, completion, indicators, cases, narrative,
                    money_unit=ex.money_unit, template=TEMPLATE if template_found else None, warnings=ex.warnings)


# The grid's text cells run over several lines; the others are one short cell.
_TEXT_FIELDS = {"functions", "main_tasks", "overall_results"}
_NUMBER_FIELDS = {"staff_quota", "staff_actual", "self_score", "phone", "budget_code", "report_date"}
# Where the label is found, as the warning names it.
_COVER_FIELDS = {"unit_name", "budget_code", "evaluation_method", "evaluator", "report_date"}
_SCORE_FIELDS = {"self_score", "grade"}
_WIDE_GAP = re.compile(r"\s{2,}|[\t\u3000]")


_SEAL_ONLY = re.compile(r"（?(?:单位)?(?:盖章|公章|签章|章)）?")


def _filled_name(value: str | None) -> str | None:
    """A cover's 单位名称 as filled in; None when blank or only the seal's place."""
    text = clean_text(value)
    return None if not text or _SEAL_ONLY.fullmatch(squash(text)) else text


def _lone(row: Row) -> bool:
    """A row of one non-empty cell: a paragraph, or a grid cell written on its own line."""
    return len(row.cells) == 1 and bool(squash(row.cells[0].text))


def _lone_text(row: Row) -> str:
    return row.cells[0].text


def _ends_grid(text: str) -> bool:
    """A heading ("二、部门（单位）收支情况") or a money table's header: not a cell value."""
    t = squash(text)
    if t in ("机构名称", "单位名称"):
        return True
    return bool(re.match(r"^[一二三四五六七八九十]+、", t)) and len(t) <= 30 and not t.endswith(("。", "；", "，"))


def _pairs_without_colon(line: str) -> list[tuple[str, str]]:
    """A cover or grid line without the colon: "部门(单位)名称    岳阳市…" (label,
    a wide space, value; several pairs on one line are read in turn), or a
    label written spaced out, "预 算 编 码 159". The value must be there and
    must not be another label."""
    pieces = [p for p in _WIDE_GAP.split(line) if p.strip()]
    out = []
    if len(pieces) >= 2:
        k = 0
        while k < len(pieces) - 1:
            field = LABEL_TO_FIELD.get(squash(pieces[k]).rstrip("："))
            if field and squash(pieces[k + 1]).rstrip("：") not in LABEL_TO_FIELD:
                out.append((field, pieces[k + 1]))
                k += 2
            else:
                k += 1
        if out:
            return out
    # "预 算 编 码 159": the label's own characters spaced out, then a space, then the value.
    acc = ""
    for pos, ch in enumerate(line):
        if ch.isspace():
            continue
        acc += squash(ch)
        if len(acc) > 24:
            break
        field = LABEL_TO_FIELD.get(acc)
        # a cover label may also be followed by a single space ("预算编码 YYX292")
        if field and (re.search(r"\s", line[:pos]) or field in _COVER_LABELS):
            rest = line[pos + 1:]
            value = rest.strip()
            if rest[:1].isspace() and value and squash(value).rstrip("：") not in LABEL_TO_FIELD:
                return [(field, value)]
    return []


_COVER_LABELS = ("unit_name", "budget_code", "evaluation_method", "evaluator", "report_date")
_STREAM_GROUP_WORDS = {"其中", "结余"}


def _is_money_figure(key: str) -> bool:
    """A money cell's text: a number, or a dash written for a blank."""
    return bool(re.fullmatch(r"[-+]?[\d,]*\.?\d+", halfwidth(key))) or key in ("-", "—", "——", "－", "/")


def _is_org_name(key: str, started: bool) -> bool:
    """An organisation row's name: "局机关及二级机构汇总", "1、局机关", "2、二级机构1";
    once the rows have begun, any short name ("局机关") that is no caption."""
    if any(k in key for k in ("情况", "目标", "指标", "万元", "（元）")) and "汇总" not in key:
        return False
    if "汇总" in key or re.match(r"^\d+\s*[、.．)）]\s*\D", key):
        return True
    return started and len(key) <= 20 and key not in ("合计", "其中：", "其中")


def _org_name(cell: str) -> str:
    org = clean_text(cell) or ""
    return "汇总" if ("汇总" in org or squash(org) in ("合计", "总计")) else _ORG_NUMBER.sub("", org)


def _label_cn(field: str) -> str:
    where = "封面" if field in _COVER_FIELDS else "自评表" if field in _SCORE_FIELDS else "基本概况"
    return f"{where}中“{FIELD_LABELS[field][0]}”没有填写内容"


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
    if first in ("机构名称", "单位名称") or HEADING_NUMBER.match(first) and not _ORG_NUMBER.match(first):
        return False
    return not any(k in first for k in ("情况", "目标", "指标")) or "汇总" in first



def _digits_text(text: str | None) -> str | None:
    t = clean_text(text)
    return halfwidth(re.sub(r"\s+", "", t)) if t else None


_NOT_HEADING = object()
_PAGE_FURNITURE = re.compile(r"^(主办[：:]|承办[：:]|版权所有|网站标识码|ICP备|技术支持[：:]|打印本页|关闭窗口|【打印】|扫一扫)")


def _section_of(line: str):
    """The narrative section a heading line opens, None for a heading with no
    section of its own, or _NOT_HEADING for body text."""
    t = squash(line)
    if not t or len(t) > 40 or t.endswith(("。", "；", "，")):
        return _NOT_HEADING
    numbered = HEADING_NUMBER.match(t)
    title = t[numbered.end():] if numbered else t
    if not numbered and len(title) > 16:
        return _NOT_HEADING
    for key, words in SECTION_WORDS:
        if any(w in title for w in words):
            return key
    return _NOT_HEADING
