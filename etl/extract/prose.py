"""The prose family: a 部门整体支出绩效自评报告 written as text -> one report record.

Family B of the survey (../shared/research/real-report-formats.md, sections
1.B and 2–6): no fill-in template, but a title line, an opening paragraph
citing the documents it answers (湘财绩〔2020〕7号), numbered sections
(一、/（一）/(一)/1./1.1 …), and figures inside sentences ("基本支出2602.28万元，
其中人员支出1903.67万元"). Everything is read from that wording and the
heading structure. What is not stated stays null, and the warnings say so
(rule below: key figures one by one, what prose reports normally lack in one
summary); in particular a total is never summed from its parts (the query
layer derives figures).

Rules chosen here:

- **Region** is the chain of administrative divisions the unit's name begins
  with: 省/自治区, then 市/州/地区/盟, then 县/区/县级市/旗, stopping at the
  first part that is none of these ("南县财政局" -> "南县", "岳阳市岳阳楼区财政局"
  -> "岳阳市岳阳楼区", "湘西州吉首市乾州街道办事处" -> "湘西州吉首市": a 乡、镇 or
  街道 is a unit, not a region). This matches the seed, whose region
  "岳阳市云溪区" is the chain down to the district its unit belongs to; a prose
  title names only the unit, so a county unit's region is "南县", not
  "益阳市南县" (data/unit_aliases.csv merges spellings across families).
- **Staff**: a figure that the sentence itself breaks down into 在职 and
  离退休 ("编制人员205人，其中在职132人，离退休73人") is a headcount, not a quota:
  it is skipped with a warning (staff_quota is a quota stated elsewhere, else
  null), and staff_actual is the 在职 figure. Quotas given only by type
  (行政编制20名、事业编制25名) are not added up.
- **Year**: from the title; a title without one takes the "20XX年度" the
  opening paragraph evaluates (else the body's first), with a warning that
  it was inferred. No year anywhere rejects the document.
- **Money unit**: amounts in 元 and 亿元 are converted to 万元;
  source.money_unit is the unit most amounts were written in ("元" or
  "万元", 亿元 counting as 万元), with a warning when units are mixed.
- **Warnings** are read by the staff who load reports (数据质量 page), so they
  say what to check, not what a prose report never has. Kept one by one,
  as a problem or a judgement to check:
  - a key figure not found where prose reports give it: 支出 (none at all, or
    its 支出合计, 基本支出 or 项目支出), 人员编制, 实有人数, 绩效自评综合得分,
    评价等次;
  - a core section not found: 部门（单位）概况, 部门整体支出绩效情况, and
    存在的问题及原因分析 / 下一步改进措施 (a report that skips its problems
    or improvements is worth a question to the unit);
  - every judgement: a year inferred, no region in the title, a headcount
    with retirees not taken as quota, quotas given only by type, an
    approximate amount, mixed money units, cases whose channels do not add
    up, and whatever the reader or an appended table could not read.
  What a prose report normally lacks is ONE summary, the last warning, that
  names the layout and lists only what this document lacks
  (PROSE_SUMMARY_PREFIX, e.g. "文字版报告（无填报表）：没有定性目标表和绩效指标表，
  正文中未找到收入、三公经费和固定资产金额，相关项目为空"): the 定性目标表 and
  绩效指标表 (unless appended), and the amounts of 收入, 三公经费, 固定资产
  (none stated), their totals (parts only), and the 人员支出/公用支出 split.
  No summary when nothing is missing. The 基本支出/项目支出 sub-sections
  (their figures are checked above), the 政府性基金/国有资本/社会保险基金
  sections and 其他需要说明的情况 are optional in prose: no warning at all.
"""
from __future__ import annotations

import re
from collections import Counter

from ..cases import extract_cases
from ..document import Document, ExtractError
from ..record import MONEY_COLUMN_CN, MONEY_FIELDS, MONEY_LIST_CN, NARRATIVE_SECTIONS, SECTION_CN
from ..textnorm import halfwidth, parse_date, squash
from .common import NOT_A_REPORT, SECTION_WORDS, Extraction, assemble, grade_in_prose, plain, score_in_prose

TEMPLATE = "hunan-prose"
# The one warning listing what a prose report normally lacks (module docstring).
PROSE_SUMMARY_PREFIX = "文字版报告（无填报表）："


def extract_prose(doc: Document, cover_unit: str | None = None, site_owner: str | None = None) -> dict:
    """The record of a prose report; raises ExtractError(NOT_A_REPORT) when the
    document has no prose report's title either. cover_unit: the unit a
    template cover names, for a title that names only the region; site_owner:
    the unit a web page's header names, the last resort for a report that
    never names its own."""
    lines = _split_glued_title(_lines(doc))
    title = _find_title(lines) or _situation_title(lines) or _untitled_report(lines)
    if title is None:
        notice = _notice_title(lines)
        if notice:
            raise ExtractError(f"不是绩效自评报告：这是一份通知或函（“{notice[:40]}”），不是单位的自评报告")
        if any(_REPORT_OPENING.search(line) for line in lines[:8]):
            raise ExtractError("绩效自评报告未写明单位名称：没有标题，正文中也未找到单位全称，无法归属到单位")
        raise ExtractError(NOT_A_REPORT)
    start, end, unit, year = title
    ex = Extraction(doc)
    if start == end:
        ex.warn(f"报告没有标题：单位取自正文“{unit}”，请核对")
    body = _without_signature(lines[end:])
    unit = unit or cover_unit
    labelled = _labelled_unit(body)
    if labelled and (not unit or (unit in labelled and not region_of(unit))):
        unit = labelled  # "前山镇…报告" above "评价单位(公章):徐闻县前山镇人民政府"
    if not unit:
        unit, body = _unit_below_title(body)
    if not unit:
        unit = _unit_from_context(lines, start)
    if not unit:
        unit = _unit_in_body(body)
        if unit:
            ex.warn(f"标题中未写单位名称：单位取自正文“{unit}”，请核对")
    if not unit and site_owner and region_of(site_owner):
        unit = site_owner
        ex.warn(f"报告中未写单位名称：单位取自网站名称“{unit}”，请核对")
    if not unit:
        raise ExtractError("绩效自评报告未写明单位名称：标题、落款和正文中都未找到单位全称，无法归属到单位")
    if year is None:
        year, where = _infer_year(body)
        if year is None:
            raise ExtractError("绩效自评报告未写明年度：标题和正文中都未找到“20XX年度”")
        ex.warn(f"标题中未找到年度：已按{where}所述推定为 {year} 年度")
    region = region_of(unit)
    if not region:
        ex.warn("标题中未找到地区名称")

    narrative, functions = _narrative(body, ex)
    labels = _labelled_fields(body)
    text = "\n".join(body)
    quota, actual = _staff(body, ex)
    absent_tables: list[str] = []    # for the summary warning (module docstring)
    absent_figures: list[str] = []
    money, money_unit = _money(body, year, ex, absent_figures)
    report = {
        "region": region, "fiscal_year": year, "unit_name": unit,
        "budget_code": None, "evaluation_method": None, "evaluator": None,
        "report_date": _report_date(lines) or _cover_date(body) or labels.get("report_date"),
        "contact": labels.get("contact"), "phone": labels.get("phone"),
        "staff_quota": quota, "staff_actual": actual,
        "functions": functions, "main_tasks": None, "overall_results": None,
        "self_score": score_in_prose(text), "grade": grade_in_prose(text),
    }
    for field, label in (("self_score", "绩效自评综合得分"), ("grade", "评价等次")):
        if report[field] is None:
            ex.warn(f"未找到“{label}”")
    # A prose report may still append the 自评表 as a table: read it if so;
    # without one, its absence goes into the summary.
    goals, completion = _table_or_absent(ex, ex.goals, "未找到定性目标表", "定性目标表", absent_tables)
    indicators = _table_or_absent(ex, ex.indicators, "未找到定量目标表", "绩效指标表", absent_tables)
    cases, case_warnings = extract_cases(body)
    ex.warnings.extend(case_warnings)
    if absent_tables or absent_figures:
        ex.warn(prose_summary(absent_tables, absent_figures))
    return assemble(doc, report, money, goals, completion, indicators, cases, narrative,
                    money_unit=money_unit, template=TEMPLATE, warnings=ex.warnings)


def _table_or_absent(ex: Extraction, read, not_found: str, name: str, absent: list[str]):
    """`read()`'s result; its "table not found" warning becomes `name` in `absent`
    (any other warning about an appended table stays)."""
    start = len(ex.warnings)
    out = read()
    added = ex.warnings[start:]
    kept = [w for w in added if not w.startswith(not_found)]
    if len(kept) < len(added):
        absent.append(name)
        ex.warnings[start:] = kept
    return out


def prose_summary(tables: list[str], figures: list[str]) -> str:
    """The one warning on what a prose report lacks: "文字版报告（无填报表）：没有
    定性目标表和绩效指标表，正文中未找到收入、三公经费和固定资产金额，相关项目为空"."""
    parts = []
    if tables:
        parts.append(f"没有{_and(tables)}")
    if figures:
        parts.append(f"正文中未找到{_and(figures)}金额")
    return PROSE_SUMMARY_PREFIX + "，".join(parts) + "，相关项目为空"


def _and(items: list[str]) -> str:
    """"甲、乙和丙"."""
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


# --- lines and title -----------------------------------------------------------

_BLANKS = " \t\u3000\u00a0"


def _lines(doc: Document) -> list[str]:
    """Every non-blank line of the document in order, table cells included
    (a text dump may indent paragraphs with a TAB, which reads as a cell)."""
    out = []
    for row in doc.rows:
        for text in row.texts:
            for line in text.split("\n"):
                line = line.strip(_BLANKS)
                if line:
                    out.append(line)
    return out


# "2021年度", or a year glued to the title's subject ("惠州市交通运输局2021部门整体绩效自评报告").
_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年度?|(?=(?:部门|单位)?整体))")
_TITLE_END = re.compile(r"(?:报告|总结)(?:[（(][^（()）]{1,8}[)）])?$")
_ANNEX = re.compile(r"^附件[\d一二三四五六七八九十\-—－]*[：:]?")


_PART = re.compile(r"^第[一二三四五六七八九十\d]{1,3}部分")
_ANNEX_LIST = re.compile(r"^附件[:：]\d{1,2}[.、．]")
_FILE_EXT = re.compile(r"\.(?:pdf|docx?|wps|PDF|DOCX?)$")


def _title_text(text: str) -> str:
    """A line as titles are matched: squashed, half-width, without a file
    name's extension (a sharing site shows "…自评报告.pdf" for the title). An
    attachment ("附件9:…绩效评价报告.pdf", a notice's list) keeps it: no title."""
    t = squash(halfwidth(text))
    return t if _ANNEX.match(t) else _FILE_EXT.sub("", t)


def _find_title(lines: list[str]) -> tuple[int, int, str, int | None] | None:
    """(first line, line after, unit name, year or None) of the title: a line,
    or two or three short lines together (a title Word wrapped), naming a
    整体 self-evaluation and ending in 报告 (红河州 adds "(本局)")."""
    for i in range(min(len(lines), 25)):
        for k in (1, 2, 3):
            if i + k > len(lines) or (k > 1 and max(len(x) for x in lines[i:i + k]) > 40):
                break
            if k > 1 and lines[i].rstrip(_BLANKS + "|").endswith((":", "：")):
                break  # a page's "文号：" label above the title, not part of it
            if k > 1 and re.search(r"[!！?？。]", lines[i]):
                break  # a page's greeting ("您好!今天是") above the title, not part of it
            t = _title_text("".join(lines[i:i + k]))
            if len(t) > 80 or _ANNEX_LIST.match(t):
                break  # "附件:1.广东省科学技术厅2020年度…报告": a list of the reports attached, not one
            if _is_title(t):
                later = squash(halfwidth("".join(lines[i + 1:i + k])))
                if k > 1 and _is_title(later) and _title_parts(later)[0]:
                    break  # a whole title (unit included) starts on a later line: this one is above it
                found = (i, i + k, *_title_parts(t))
                if not found[2]:  # a page's own title without the unit; the document's may follow
                    fuller = _find_title_with_unit(lines, i + k, i + k + 5)
                    if fuller:
                        return fuller
                return found
    return None


def _find_title_with_unit(lines: list[str], start: int, stop: int) -> tuple[int, int, str, int | None] | None:
    for i in range(start, min(stop, len(lines))):
        for k in (1, 2):  # "吉首市乾州街道办事处部门整体支出" / "绩效评价报告"
            t = squash(halfwidth("".join(lines[i:i + k])))
            if len(t) <= 80 and _is_title(t):
                unit, year = _title_parts(t)
                if unit:
                    return i, i + k, unit, year
    return None


# "2022年度部门整体支出绩效自评情况" heading a form-like page, its first section next.
_SITUATION_TITLE = re.compile(r".{0,30}?(?:19|20)\d{2}年度?.{0,20}整体支出绩效自评情况")


# "保山市交通运输局是保山市人民政府工作部门": the sentence (or clause, "…(保办字〔2019〕41号),保山市水务局是…")
# that says what the unit is.
_DEFINED_UNIT = re.compile(
    r"(?:^|[。；;，,])(?P<name>[\u4e00-\u9fff（）]{2,30}?(?:局|委员会|委|办公室|中心|医院|学校|中学|小学|所|站|队|厅|馆|会|政府|街道办事处))"
    r"(?:是|为|系)")


def _untitled_report(lines: list[str]) -> tuple[int, int, str, int | None] | None:
    """A report whose opening has no title (a page that shows it under another heading):
    the opening says it reports a 整体支出 self-evaluation ("开展了2021年度部门整体支出绩效
    自评…现将自评情况报告如下", "…单位整体支出自我绩效评价的通知…形成本评价报告"), and an early
    sentence says what the unit is, its name beginning with its region ("湛江市公安局是市政府
    主管全市公安工作的职能部门"). The year is then inferred from the body."""
    opening = []
    for line in lines:
        if _heading(line) is not None:
            break
        opening.append(line)
    text = halfwidth("".join(opening))
    whole_budget = _WHOLE_BUDGET_OPENING.search(text) and (score_in_prose(text) or _REPORT_OPENING.search(text))
    if not (("整体" in text and _REPORT_OPENING.search(text)) or whole_budget):
        return None
    for line in lines[:15]:
        for m in _DEFINED_UNIT.finditer(squash(halfwidth(line))):
            name = m.group("name")
            if region_of(name) not in (None, name):
                return 0, 0, name, None
    for line in lines[:15]:
        for m in _OWN_REGULATION.finditer(squash(halfwidth(line))):
            name = re.sub(r"^.*印发", "", m.group("name"))
            if region_of(name) not in (None, name):
                return 0, 0, name, None
    return None


# "我厅认真开展了2022年度部门预算绩效自评工作…自评得97.5分": the unit's whole budget, evaluated
# by itself, with its score (or "报告如下") in the same opening.
_WHOLE_BUDGET_OPENING = re.compile(r"(?:我|本)(?:厅|局|委|办|部门|单位|中心)[^。]{0,8}开展了?(?:19|20)\d{2}年度?部门预算绩效自评")
# "《陕西省应急管理厅职能配置内设机构和人员编制规定》": the unit's own 三定 regulation, which the
# report cites for its functions -- the name it gives the unit, when no sentence names it otherwise.
_OWN_REGULATION = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,40}?(?:局|委员会|委|办公室|中心|厅|馆|会|政府))职能配置、?内设机构和人员编制规定")


def _situation_title(lines: list[str]) -> tuple[int, int, str, int | None] | None:
    for i, line in enumerate(lines[:3]):
        t = squash(halfwidth(line)).strip("|")
        if _SITUATION_TITLE.fullmatch(t) and i + 1 < len(lines) and _heading(lines[i + 1]) is not None:
            return (i, i + 1, *_title_parts(t))
    return None


def _is_title(t: str) -> bool:
    """整体 (or 部门绩效) self-evaluation, ending in 报告 or 总结 ("…部门绩效自评情况总结"),
    or a unit's 年度预算绩效自评报告, or an organisation's own 年度绩效自评报告."""
    return (("整体" in t or "部门绩效" in t or "单位绩效" in t) and ("自评" in t or "评价" in t)
            and bool(_TITLE_END.search(t))) or bool(_BUDGET_TITLE.search(t)) or _is_unit_year_title(t)


# "西藏自治区残疾人联合会2020年度预算绩效自评报告": a unit's whole budget, by its year
# ("…项目支出绩效自评报告" names a project, and is no such title).
_BUDGET_TITLE = re.compile(r"[\u4e00-\u9fff]{4}(?:19|20)\d{2}年度?(?:部门|单位)?预算绩效自评报告$")


def _is_unit_year_title(t: str) -> bool:
    """"下桥镇人民政府2024年度绩效自评报告": an organisation's name, its year, then 绩效自评报告
    and nothing else — the unit's self-evaluation of its year. A project or a fund names
    itself before the year ("…项目2023年度绩效自评报告") and no organisation ends it."""
    m = _UNIT_YEAR_TITLE.search(t)
    return bool(m) and not re.search(r"项目|资金|经费|专项", m.group("name"))


# A title glued to the text after it (a PDF or OCR copy flattened into long lines).
_GLUED_TITLE = re.compile(r"^(?P<title>.{6,60}?(?:自评|评价)\s*(?:总结)?\s*报告(?:[（(][^（()）]{1,8}[)）])?)(?P<rest>.+)$")
_REPORT_OPENING = re.compile(r"(?:自评|评价)[^。]{0,12}报告如下|整体支出(?:开展|进行)了?绩效(?:自评|评价)"
                             r"|形成(?:本|此)?(?:自评|评价)报告")
_NOTICE = re.compile(r"^(?:[\u4e00-\u9fff]{2,30}?)?关于.{4,80}(?:的)?(?:通知|函|通报|批复|公告|公示)$")


def _split_glued_title(lines: list[str]) -> list[str]:
    """Lines with a title that runs on into the body split after "报告", when no
    line near the top is a title by itself."""
    if any(_is_title(_title_text(line)) for line in lines[:25]):
        return lines
    for i, line in enumerate(lines[:25]):
        m = _GLUED_TITLE.match(line)
        if m and len(line) > 80 and _is_title(squash(halfwidth(m.group("title")))):
            return [*lines[:i], m.group("title"), m.group("rest").strip(_BLANKS), *lines[i + 1:]]
    return lines


def _notice_title(lines: list[str]) -> str | None:
    """The title of a notice or letter ("关于开展2023年度部门整体支出绩效自评工作的
    通知") among the first lines of a document that has no report title."""
    for line in lines[:6]:
        t = squash(halfwidth(line))
        if _NOTICE.match(t):
            return t
    return None


def _title_parts(title: str) -> tuple[str, int | None]:
    m = _YEAR.search(title)
    year = int(m.group(1)) if m and 1990 <= int(m.group(1)) <= 2100 else None
    if m:
        # "1、2022年度长沙市…报告": a sharing site numbers its text chunks; the number is no unit
        head = re.sub(r"^\d{1,2}\s*[、.．]\s*$", "", title[:m.start()])
        # "第五部分 附件 邵阳市北塔区医疗保障局 2021 年度…": the 决算 part the report is filed under
        head = _PART.sub("", head)
        if not _ANNEX.sub("", head).strip("：，、"):
            # "2021年茂名市发展和改革局部门整体支出…": the unit after the year
            tail = title[m.end():]
            head = tail[:tail.index("整体")] if "整体" in tail else ""
            head = re.sub(r"(?:部门（单位）|单位（部门）|部门\(单位\)|部门|单位)$", "", head)
    else:
        head = title[:title.index("整体")]
        head = re.sub(r"(?:部门（单位）|单位（部门）|部门|单位)$", "", head)
    head = _ANNEX.sub("", head)
    head = re.sub(r"^[^:：]{0,6}[:：]", "", head)  # a page's "名称：" label cut to "称："
    head = re.sub(r"^标题", "", head)  # a page's metadata "标      题 西藏自治区…报告"
    head = re.sub(r"^关于|关于$", "", head)
    return head.strip("：，、"), year


def _unit_from_context(lines: list[str], title_start: int) -> str | None:
    """A title without the unit: the line above it if that is a bare name
    (a two-line title), else the signature line above the closing date."""
    candidates = []
    if title_start > 0:
        candidates.append(lines[title_start - 1])
    for j in range(len(lines) - 1, max(len(lines) - 6, 0), -1):
        if _DATE_LINE.fullmatch(squash(halfwidth(lines[j]))):
            candidates.append(lines[j - 1])
            break
    for c in candidates:
        t = _ANNEX.sub("", squash(c))
        if re.fullmatch(r"[\u4e00-\u9fff（）]{2,30}", t):  # a name, not "您好!今天是"
            return t
    return None



_ORG_SUFFIX = r"(?:局|委员会|委|办公室|办|中心|医院|院|学校|中学|小学|校|所|站|队|厅|馆|会|部|处|政府|政协|街道办事处|社|团)"
_UNIT_YEAR_TITLE = re.compile(rf"^(?P<name>[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})(?:19|20)\d{{2}}年度?绩效自评报告$")
_SEALED_NAME = re.compile(rf"^(?P<name>[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_SUFFIX})\s*(?P<seal>[（(](?:盖章|公章|章)[)）])?(?P<rest>.*)$")
_MONEY_SUBJECT = re.compile(
    rf"(?:^|[，,。；;：:]|年度?)\s*(?P<name>[\u4e00-\u9fff]{{2,24}}?{_ORG_SUFFIX})(?:机关|本级)?"
    r"(?:各项|全年|本年度?|年度|共|实际)?(?:总?收入|总?支出)"
    # "…，德钦县人民代表大会常务委员会部门2022年末实有人员编制20人": the subject of its staff
    rf"|(?:^|[，,。；;：:])\s*(?P<staffed>[\u4e00-\u9fff]{{2,24}}?{_ORG_SUFFIX})(?:部门|机关|本级)?"
    r"(?:\d{4}年末?)?(?:实有|在职|现有)?(?:人员)?编制")


def _unit_below_title(body: list[str]) -> tuple[str | None, list[str]]:
    """A title without the unit, the unit on the line below it ("衡山县妇幼保健
    计划生育服务中心（盖章）"): the name, and the body without it."""
    if not body:
        return None, body
    line = squash(halfwidth(body[0]))
    bracketed = re.fullmatch(rf"[（(](?P<name>[\u4e00-\u9fff]{{2,30}}?{_ORG_SUFFIX})[)）]", line)
    if bracketed and region_of(bracketed.group("name")):
        return bracketed.group("name"), body[1:]  # "（冷水滩区环境保护局）" under the title
    m = _SEALED_NAME.match(line)
    if not m or not region_of(m.group("name")):
        return None, body
    rest = m.group("rest")
    if rest and not m.group("seal"):
        return None, body  # a sentence that begins with a name, not a name line
    return m.group("name"), ([rest] if rest else []) + body[1:]


_UNIT_LABEL = re.compile(
    rf"^(?:评价单位|填报单位|报送单位|单位名称|部门（单位）名称)(?:（(?:盖章|公章)）)?[：:]"
    rf"(?P<name>[\u4e00-\u9fff（）]{{2,30}}?{_ORG_SUFFIX})(?:（(?:盖章|公章)）)?$")


def _labelled_unit(body: list[str]) -> str | None:
    """The unit a label under the title names ("评价单位(公章):徐闻县前山镇人民政府"),
    when it begins with its region."""
    for line in body[:8]:
        m = _UNIT_LABEL.match(squash(halfwidth(line)))
        if m and region_of(m.group("name")):
            return m.group("name")
    return None


def _unit_in_body(body: list[str]) -> str | None:
    """The unit an opening sentence names as the subject of its figures
    ("2024年，南县财政局机关各项收入合计…"); only a name that begins with its
    region, so "我局" or "本单位" never become a unit."""
    for line in body[:15]:
        for m in _MONEY_SUBJECT.finditer(squash(halfwidth(line))):
            name = m.group("name") or m.group("staffed")
            if region_of(name) not in (None, name):  # a region and an organisation, not a bare region
                return name
    return None


# Administrative division names: CJK without the division suffixes themselves.
_DIV = r"[^\s\d省市州县区旗盟，。、；：（）()“”]"
_REGION = re.compile(
    rf"(?:{_DIV}{{1,8}}?(?:省|自治区))?"
    rf"(?:{_DIV}{{1,10}}?(?:自治州|地区|州市(?![场政民级委直])|市|州|盟))?"
    rf"(?:{_DIV}{{1,8}}?(?:自治县|县|区|市|旗))?"
)
_PARTY_PREFIX = re.compile(r"^(?:中国共产党|中共|共青团|中国)")


def region_of(unit_name: str) -> str | None:
    """The administrative divisions a unit's name begins with (module
    docstring): "湘西州吉首市乾州街道办事处" -> "湘西州吉首市"; None if none."""
    name = _PARTY_PREFIX.sub("", squash(unit_name))
    m = _REGION.match(name)
    return m.group(0) if m and m.group(0) else None


def _infer_year(body: list[str]) -> tuple[int | None, str]:
    """The year an untitled-year report evaluates: the first "20XX年度" of the
    opening paragraph (before the first heading), else of the body; a year
    inside a cited document's 《title》 only when there is no other."""
    opening = []
    for line in body:
        if _heading(line) is not None:
            break
        opening.append(line)
    for where, lines, rx in (("开篇段落", opening, _YEAR_DU), ("正文", body, _YEAR_DU),
                             ("开篇段落", opening, _YEAR_ONLY), ("正文", body, _YEAR_ONLY)):
        inside = None
        for line in lines:
            t = halfwidth(line)
            for m in rx.finditer(t):
                before = t[:m.start()]
                if before.count("《") > before.count("》"):
                    inside = inside or int(m.group(1))
                    continue
                return int(m.group(1)), where
        if inside:
            return inside, where
    return None, ""


_DATE_LINE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日")
_YEAR_DU = re.compile(r"((?:19|20)\d{2})\s*年度")
# "2021年部门决算…": a year, not a date ("2023年2月") nor a span ("2021年至2023年").
_YEAR_ONLY = re.compile(r"(?<![\d-])((?:19|20)\d{2})\s*年(?!\s*\d)(?!度)(?![至到\-—~])")


def _without_signature(body: list[str]) -> list[str]:
    """The body without the closing signature (a bare name line above a line
    that is only a date), which would otherwise end the last section."""
    if body and _DATE_LINE.fullmatch(squash(halfwidth(body[-1]))):
        body = body[:-1]
        if body and len(body[-1]) <= 30 and not re.search(r"[\d，。；：、,.;:！？]", body[-1]):
            body = body[:-1]
    return body


# A header of labelled fields under the title (广东's 参考格式: "填报人:邓瑾姿
# 联系电话:0752-2829637 填报日期:2022 年 5 月 20"): each label's value only.
_FIELD_LABELS_RX = (
    ("contact", re.compile(r"(?:联系人|填报人)\s*[:：]\s*(?P<v>[\u4e00-\u9fff]{2,4})(?![\u4e00-\u9fff])")),
    ("phone", re.compile(r"(?:联系电话|联络电话)\s*[:：]\s*(?P<v>\d[\d\-－]{5,}\d)(?![\d*＊])")),
    ("report_date", re.compile(r"(?:填报日期|报告日期)\s*[:：]\s*(?P<v>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2})(?!\d)")),
)
_GLUED_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})")


def _labelled_fields(body: list[str]) -> dict[str, str]:
    """Contact, phone and report date a labelled header above the first section states."""
    out: dict[str, str] = {}
    for line in body[:12]:
        t = halfwidth(line)
        for field, rx in _FIELD_LABELS_RX:
            m = rx.search(t)
            if m and field not in out:
                value = squash(m.group("v"))
                if field == "report_date":
                    d = _GLUED_DATE.fullmatch(value)  # the day may have lost its 日
                    value = parse_date(f"{d.group(1)}年{d.group(2)}月{d.group(3)}日") if d else None
                if value:
                    out[field] = value
    return out


def _cover_date(body: list[str]) -> str | None:
    """The date a cover prints alone under the unit's seal line ("部门(单位)名称(盖章)" /
    "2023年3月15日"), before the first section."""
    for i, line in enumerate(body[:10]):
        if _heading(line) is not None:
            return None
        t = squash(halfwidth(line))
        if i > 0 and _DATE_LINE.fullmatch(t) and re.search(r"盖章|公章", body[i - 1]):
            return parse_date(t)
    return None


def _report_date(lines: list[str]) -> str | None:
    """The date under the signature: a line that is only a date, near the end."""
    for line in reversed(lines[-6:]):
        t = squash(halfwidth(line))
        if _DATE_LINE.fullmatch(t):
            return parse_date(t)
    return None


# --- headings and narrative ------------------------------------------------------

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}
_NUMBERINGS = (
    ("一、", re.compile(r"第?([一二三四五六七八九十]{1,3})\s*(?:[、.．]|\s+)")),
    ("（一）", re.compile(r"[（(]([一二三四五六七八九十]{1,3})[)）]\s*")),
    ("1.1", re.compile(r"(\d{1,2})[.．]\d{1,2}(?:[.．]\d{1,2})?(?![\d%])\s*")),
    ("1.", re.compile(r"(\d{1,2})\s*[、.．](?!\d)\s*")),
    ("（1）", re.compile(r"[（(](\d{1,2})[)）]\s*")),
    ("①", re.compile(r"([①-⑳])\s*")),
)
_NOT_TITLE_START = tuple("万亿元%％年月日个人")  # units after a decimal number


class _Heading:
    __slots__ = ("kind", "number", "title", "body", "sentence")

    def __init__(self, kind, number, title, body, sentence=False):
        self.kind, self.number, self.title, self.body = kind, number, title, body
        self.sentence = sentence  # the title ends in "。": as likely a list item as a heading


def _cn_number(text: str) -> int:
    if len(text) == 1 and "①" <= text <= "⑳":
        return ord(text) - ord("①") + 1  # "①".isdigit() is True, but int("①") fails
    if text.isascii() and text.isdigit():
        return int(text)
    if text.startswith("十"):
        text = "一" + text
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS.get(text, 0)


def _heading(line: str) -> _Heading | None:
    """A heading line: numbering then a short title, the title alone on the
    line or followed by "：" or "。" and its text ("（二）人员编制：编制人员…");
    or an unnumbered short line naming a section. None for body text."""
    for kind, rx in _NUMBERINGS:
        m = rx.match(line)
        if m:
            break
    else:
        t = squash(line)
        if len(t) <= 16 and not t.endswith(("。", "；", "，", "：")) and _section_key(t) is not _UNKNOWN:
            return _Heading(None, 0, t, "")
        return None
    rest = line[m.end():].strip(_BLANKS)
    if not rest or not re.match(r"[\u4e00-\u9fff“（(]", rest):
        return None
    if kind in ("1.1", "1.") and rest.startswith(_NOT_TITLE_START):
        return None  # "85.53万元…", "2.5人": an amount at the start of a line
    cut = re.search(r"[：:。]", rest[:25])
    if cut:
        title, body = rest[:cut.start()], rest[cut.end():].strip(_BLANKS)
    elif len(squash(rest)) <= 36 and not rest.endswith(("；", "，", ";", ",")):
        title, body = rest, ""
    else:
        return None  # a numbered sentence: a list item, not a heading
    return _Heading(kind, _cn_number(m.group(1)), squash(title), body, bool(cut) and cut.group() == "。")


_UNKNOWN = object()
# Prose reports name a few sections in words the template's outline does not use.
_PROSE_SECTIONS = (
    *SECTION_WORDS[:-1],
    ("performance", ("绩效自评情况", "绩效实现情况", "绩效目标实现", "履职效益", "产出及效益")),
    SECTION_WORDS[-1],
)
# Sections of the spending part: a sub-heading opens one only from an
# overview or spending context, so that "（一）项目支出管理不规范" under
# 存在的问题 stays a problem.
_SPENDING = ("basic_expenditure", "project_expenditure", "government_fund", "state_capital",
             "social_insurance_fund")
# Sections every prose report has, warned about when not found; the others
# (基本/项目支出 sub-sections, the three funds, 其他) are optional in prose.
EXPECTED_SECTIONS = ("overview", "performance", "problems", "improvements")


def _section_key(title: str):
    """The record's narrative key a heading title names; None for a heading
    the template also leaves out (一般公共预算支出情况); _UNKNOWN otherwise."""
    for key, words in _PROSE_SECTIONS:
        if any(w in title for w in words):
            return key
    return _UNKNOWN


def _narrative(body: list[str], ex: Extraction) -> tuple[dict[str, str | None], str | None]:
    """Narrative sections by heading, and the 职能/职责 sub-section's text.

    The top numbering is 一、, or 1. in reports that number decimally
    (1./1.1, 吉首), whichever comes first; other styles rank below it by first
    appearance. A top heading is one that continues the top numbering (a "1."
    restarted under 存在的问题 is a list item); one the record has no section
    for (一、自评得分情况) ends the section before it. Lower headings and list
    items are body text of their section, except a heading naming another
    section: that opens it, but a spending sub-section (（一）基本支出) only
    from the overview or spending part, so "（一）项目支出管理不规范" under
    存在的问题 stays a problem."""
    heads = [_heading(line) for line in body]
    ranks: dict[str, int] = {}
    for h in heads:
        if h is not None and h.kind is not None:
            ranks.setdefault(h.kind, len(ranks))
    top_kind = min((k for k in ("一、", "1.") if k in ranks and (k == "一、" or "1.1" in ranks)),
                   key=ranks.get, default=None)
    sections: dict[str, list[str]] = {}
    functions: list[str] | None = None
    in_functions = False
    func_rank = 0
    current = None
    last_top = 0
    for line, h in zip(body, heads):
        if h is None:
            key, rank, top = _UNKNOWN, None, False
        else:
            key = _section_key(h.title)
            rank = ranks.get(h.kind)
            top = h.kind == top_kind and (h.number == last_top + 1
                                          or key is not _UNKNOWN and h.number > last_top)
        if in_functions and (top or rank is not None and rank <= func_rank):
            in_functions = False  # the 职能 sub-section ends at the next heading of its rank
        opens = key is not _UNKNOWN and (top or not h.sentence and key != current and (
            key is not None and key not in _SPENDING or current in (None, "overview", *_SPENDING)))
        if opens:
            current, in_functions = key, False
            if top:
                last_top = h.number
            if key:
                sections.setdefault(key, [])
                if h.body:
                    sections[key].append(h.body)
            continue
        if top:  # a top section the record has no place for
            current, last_top = None, h.number
        elif current:
            sections[current].append(line)
        if rank is not None and functions is None and ("职能" in h.title or "职责" in h.title):
            functions, in_functions, func_rank = [h.body] if h.body else [], True, rank
        elif in_functions:
            functions.append(line)
    out = {}
    for key in NARRATIVE_SECTIONS:
        if key not in sections and key in EXPECTED_SECTIONS:
            ex.warn(f"正文中未找到“{SECTION_CN[key]}”一节")
        out[key] = ("\n".join(sections[key]) or None) if key in sections else None
    return out, ("\n".join(functions) or None) if functions else None


# --- staff ---------------------------------------------------------------------

_N = r"(\d{1,6})\s*(?:人|名|个)"
_FILL = r"(?:总数|合计|共计|共|为|是|：|:|\s)*"
_QUOTA = re.compile(rf"(?:(?<![行政事业工勤公执法作])(?:核定|实有|人员)?编制(?:人员|人数|数)?|编制部门核定人数){_FILL}{_N}")
# "用于行政执法工作编制28名" is a kind of quota, as 行政编制 is
_TYPED_QUOTA = re.compile(rf"((?:行政|事业|工勤|参公|行政执法)(?:工作)?编制(?:人员|人数|数)?){_FILL}{_N}")
# "…厅所属事业单位15个，其中…，核定编制数320人，在职人员288人": the staff of the units under
# it, counted by number, not the unit's own ("无下属二级预算单位" and "县级政府下属行政单位" are not)
_SUBORDINATES = re.compile(r"(?<![无没])(?:所属|下属)[^，,。；;]{0,8}?单位\s*(?:\d+|[一二三四五六七八九十两]+)\s*个")
_SENTENCE_END = re.compile(r"(?<=[。；;])")
_ACTUAL = re.compile(
    rf"(?:(?:实有|实际|现有|年末|目前)?在职(?:在编)?(?:人员|职工|干部职工)?(?:人数|总数)?|实有人(?:员|数)|在职实有(?:人员|人数)?|在岗人员|在编在岗(?:人员|人数)?)"
    rf"{_FILL}{_N}")
_RETIRED_BREAKDOWN = re.compile(r"^[，,、]?\s*[（(]?\s*其中[^。；;]*?退休")


def _staff(body: list[str], ex: Extraction) -> tuple[int | None, int | None]:
    quota = actual = None
    headcount = False
    typed: list[str] = []
    sentences = [t for line in body for t in _SENTENCE_END.split(halfwidth(line))]
    for t in sentences:
        if _SUBORDINATES.search(t):
            continue
        if quota is None:
            for m in _QUOTA.finditer(t):
                if _RETIRED_BREAKDOWN.match(t[m.end():]):
                    # 编制人员205人，其中在职132人，离退休73人: everyone on the
                    # books, retirees included -- not a quota to compare 在职 with;
                    # the real one may follow ("…离退休73人。核定编制140人").
                    ex.warn(f"“{m.group(0)}”含离退休人员，不是编制数，未计入“人员编制”")
                    headcount = True
                    continue
                quota = int(m.group(1))
                break
        if quota is None:
            typed += [m.group(0) for m in _TYPED_QUOTA.finditer(t)]
        if actual is None:
            m = _ACTUAL.search(t)
            if m:
                actual = int(m.group(1))
    if quota is None and not headcount:  # after a headcount its warning has said enough
        kinds = {re.match(r"\D+", t).group(0) for t in typed}
        if len(kinds) == 1 and len(set(typed)) == 1:
            # "部门事业编制人数15人" and no other kind: that kind is the whole quota
            quota = int(re.search(r"\d+", typed[0]).group(0))
            ex.warn(f"人员编制只写了“{typed[0]}”，已按此计入“人员编制”")
        elif typed:
            ex.warn(f"人员编制按类型分列（{'、'.join(typed)}），未写合计，已留空")
        else:
            ex.warn("未找到“人员编制”")
    if actual is None:
        ex.warn("未找到“实有人数”")
    return quota, actual


# --- money ---------------------------------------------------------------------

# Label -> field, per list. A label is accepted only where the sentence is
# about this unit's figure for the year: followed directly by the amount
# (a share "占99.30%" or a change "比上年增加…" in between breaks the match),
# not the tail of a longer noun ("“三公”经费支出合计"), and not about another
# year or a budget ("上年基本支出", "年初预算项目支出").
_MONEY_LABELS = {
    "expenditure": (
        ("total", r"(?:全年|本年度?|年度)(?:共|实际)?支出|总支出|支出(?:总额|合计|总计)|共计?支出|实际支出|完成支出"
                  r"|(?<=\d)年(?:共|实际)?支出|整体支出(?:数|总额)?|(?:本年)?财政资金支出合计"
                  r"|(?<![\u4e00-\u9fff])支出(?=\s*[:：])"),
        ("basic", r"基本支出"),
        ("personnel", r"人员(?:支出|经费(?:支出)?)"),
        ("public", r"(?:日常)?公用(?:支出|经费(?:支出)?)"),
        ("project", r"项目支出"),
        ("surplus_year", r"(?:当年|本年)结余"),
        ("surplus_cumulative", r"累计结余"),
    ),
    "income": (
        ("total", r"(?:全年|本年度?|年度)(?:总)?收入|总收入|(?:各项)?收入(?:总额|合计|总计)|(?:本年)?财政资金收入合计"
                  r"|(?<![\u4e00-\u9fff])收入(?=\s*[:：])"),
        ("carryover", r"(?:上年|年初)结转(?:和|及)?(?:结余)?(?:资金|收入)?"),
        ("fiscal_appropriation", r"(?:一般公共预算|公共财政)?财政拨款(?:收入)?|公共财政拨款"),
        ("fund_appropriation", r"政府性基金(?:预算)?(?:财政)?(?:拨款|收入)"),
        ("special_account_income", r"(?:纳入)?专户管理的?非税收入(?:拨款)?"),
        ("other_income", r"其他收入"),
    ),
    "three_public": (
        ("total", r"[“\"]?三公[”\"]?经费(?:共|合计)?(?:支出)?"),
        ("reception", r"公务接待费(?:支出)?"),
        ("vehicle_operation", r"公务用车运行(?:维护)?费(?:支出)?|公务用车运行费维护费|公务用车运维费(?:支出)?"),
        ("vehicle_purchase", r"公务用车购置费(?:支出)?"),
        ("overseas", r"因公出国[（(]?境?[)）]?费(?:用)?(?:支出)?"),
    ),
    "fixed_assets": (
        # "固定资产年初数0万元,期末数0万元": the year-end figure is the unit's.
        ("total", r"固定资产(?:年初数?[^，,。；;]{0,16}[，,])?(?:期末|年末)(?:数|余额)?|固定资产(?:原值|总值|总额|合计)?"),
        ("in_use", r"在用固定资产"),
        ("leased", r"出租(?:出借)?固定资产"),
    ),
}
_AMOUNT = (r"(?:总额|合计|总计|共计|共|为|是|就|达到|达|金额|：|:|\s)*"
           r"(?P<pre>约|近)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<post>余|多)?\s*"
           r"(?P<unit>亿元|万元|元)(?P<after>左右)?")
_MONEY_RX = {kind: [(field, re.compile(f"(?:{label}){_AMOUNT}")) for field, label in specs]
             for kind, specs in _MONEY_LABELS.items()}
# What may stand right before a label: a boundary, a year ("2020年度"), or the
# end of the unit's own name, "其中/包括/为" or "一般公共预算" -- not the end of a
# longer noun ("“三公”经费支出合计").
_BEFORE_OK = set("年度中为是括含即局位门院校心队所站会府处办委厅部司的其及和与共计算关级")
_OTHER_PERIOD = re.compile(r"上年|去年|上一年|同期|比|较|(?<!公共)预算|年初")
_CLAUSE_START = re.compile(r".*[，,。；;：:（(]")
_WAN = {"万元": 1.0, "亿元": 10000.0, "元": 0.0001}
_MAIN_FIELDS = {"expenditure": ("total", "basic", "personnel", "public", "project"), "income": ("total",),
                "three_public": ("total",), "fixed_assets": ("total",)}
# Key figures (module docstring): not found -> a warning of its own; the rest
# of _MAIN_FIELDS, and a list with no figure at all, go into the summary.
_KEY_LISTS = ("expenditure",)
_KEY_FIELDS = {"expenditure": ("total", "basic", "project")}


def _money(body: list[str], year: int, ex: Extraction,
           absent: list[str]) -> tuple[dict[str, list[dict]], str]:
    """One "汇总" row per list from the sentences that state the figures (first
    statement wins); a list with no figure at all is empty. What is not found
    is warned about (key figures) or added to `absent` (for the summary)."""
    units: Counter[str] = Counter()
    texts = [halfwidth(line) for line in _outside_budget_sections(body)]
    out: dict[str, list[dict]] = {}
    for kind, fields in _MONEY_RX.items():
        values: dict[str, float | None] = {}
        for field, rx in fields:
            values[field] = None
            found = next((m for t in texts for m in rx.finditer(t)
                          if _about_this_year(t, m.start(), year)), None)
            if found is None:
                continue
            value = float(found.group("num").replace(",", ""))
            unit = found.group("unit")
            units[unit] += 1
            values[field] = round(value * _WAN[unit], 6)
            if found.group("pre") or found.group("post") or found.group("after"):
                ex.warn(f"正文“{found.group(0).strip()}”是约数，已按 {plain(values[field])} 万元计")
        names = MONEY_COLUMN_CN[kind]
        if all(v is None for v in values.values()):
            out[kind] = []
            if kind in _KEY_LISTS:
                ex.warn(f"正文中未找到{MONEY_LIST_CN[kind]}金额")
            else:
                absent.append(MONEY_LIST_CN[kind])
            continue
        key = _KEY_FIELDS.get(kind, ())
        missing = [names[f] for f in _MAIN_FIELDS[kind] if values[f] is None and f in key]
        if missing:
            ex.warn(f"正文中未找到{MONEY_LIST_CN[kind]}的“{'”“'.join(missing)}”金额，已留空")
        absent += [names[f] for f in _MAIN_FIELDS[kind] if values[f] is None and f not in key]
        out[kind] = [{"org": "汇总", **{f: values.get(f) for f in MONEY_FIELDS[kind]}}]
    if len(units) > 1:
        ex.warn(f"正文金额单位不一（{'、'.join(sorted(units, key=list(_WAN).index))}），已全部换算为万元")
    yuan = units["元"]
    money_unit = "元" if yuan and yuan > sum(units.values()) - yuan else "万元"
    return out, money_unit


_BUDGET = re.compile(r"(?<!公共)预算(?!执行|完成)|年初")


def _outside_budget_sections(body: list[str]) -> list[str]:
    """The body without the sections about the budget ("3.三公经费预算情况"):
    their figures are plans, not what was spent."""
    out, skipping = [], False
    for line in body:
        h = _heading(line)
        if h is not None:
            skipping = bool(_BUDGET.search(h.title)) and not re.search(r"执行|决算|完成|使用", h.title)
            if skipping:
                continue
        if not skipping:
            out.append(line)
    return out


def _about_this_year(text: str, pos: int, year: int) -> bool:
    """Whether a money label at `pos` states this unit's figure for `year`."""
    if pos > 0:
        before = text[pos - 1]
        if not (before in _BEFORE_OK or before.isdigit() or not ("\u4e00" <= before <= "\u9fff")):
            return False
    m = _CLAUSE_START.match(text, 0, pos)
    clause = text[m.end() if m else 0:pos]
    if _OTHER_PERIOD.search(clause):
        return False
    if "其中" in clause:  # "预算支出为1250万元。其中，基本支出922万元": parts of the sentence before
        sentence = text.rfind("。", 0, pos)
        previous = text[text.rfind("。", 0, max(sentence, 0)) + 1:max(sentence, 0)]
        if sentence > 0 and "其中" in text[sentence:pos] and _BUDGET.search(previous):
            return False
    head = text[text.rfind("。", 0, pos) + 1:pos]
    if "其中" in head:
        # the figure "其中" breaks down is the clause right before it: "年初预算支出
        # 140204.65万元,其中:基本支出4334.81万元" lists the budget's parts
        broken_down = re.split(r"[，,；;]", head[:head.rindex("其中")].rstrip("，,：: "))[-1]
        if _BUDGET.search(broken_down):
            return False
    return all(int(y) == year for y in re.findall(r"(?:19|20)\d{2}(?=\s*年|$)", clause))
