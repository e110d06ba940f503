"""A record written as a Hunan prose report (family B of
../shared/research/real-report-formats.md, read by the prose extractor):
paragraphs only, in one of the survey's variants (`ProseStyle`).

It carries what prose can: the unit (its name led by the region, as such
titles write it), year, staff, the 汇总 figures, score and grade in
sentences, the narrative sections and the signature date; no codes,
contacts, goals or indicators. The record's narrative texts are written as
they are, after the renderer's own sentences, so a figure they state must
agree with the record (the demo's do). `ProseDoc` also notes what a reader
finds in it (the figures as stated, each section's lines), which
demo/expected.py turns into the expected record.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from etl.document import DEMO_MARKER

from .blocks import PROSE_LAYOUTS, Ctx, Para, ProseStyle, RenderOptions, fmt_number, split_text

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
    return [line.strip(_BLANKS) for line in split_text(text) if line.strip(_BLANKS)]


def _summary_row(record: dict, key: str) -> dict | None:
    """The 汇总 row of a money list (a prose report states only the unit as a whole)."""
    rows = record.get(key) or []
    return next((r for r in rows if r.get("org") == "汇总"), rows[0] if len(rows) == 1 else None)


class ProseDoc:
    """A prose report being written: its paragraphs, and what each narrative
    section holds for a reader who files every line under the last section
    heading above it (a sub-heading that opens no section is a line of its
    section). Also what it stated: figures, staff, functions."""

    def __init__(self, opts: RenderOptions):
        self.opts = opts
        self.style = opts.prose
        self.ctx = Ctx(replace(opts, fullwidth=False))
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


def prose_doc(record: dict, opts: RenderOptions) -> ProseDoc:
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
    doc = ProseDoc(opts)
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


def _money_sentences(record: dict, year, style: ProseStyle, doc: ProseDoc) -> list[str]:
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
