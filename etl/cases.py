"""Complaint and case counts by channel, read from a report's prose.

Reports state them as one sentence shape:

    [共]妥处欠薪投诉924件，其中国家欠薪平台113件，省、市长信箱交办10件、
    12345投诉435件，现场投诉366件，投诉金额累计达3800余万元

-> a `total` row for the category (欠薪投诉, 924, 3800 万元, approx) and one
row per channel label. Also read: the channel named after the count ("其中312件
来自12345热线"), shares between the items ("，约占37.7%", "（占比52.2%）"), and
counts per channel with no total ("受理12345热线转办件356件，来信89件，来访120人次，
网上信访45件": no `total` row, the total stays NULL; the query layer counts the
category as the channels' sum). A breakdown by outcome rather than by channel
("其中立案996件，结案911件", "其中直接答复430件") gives the stated total only.
Reports repeat the same breakdown in several sections; each (category, channel
label) is counted once, first seen wins.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .textnorm import halfwidth

_VERBS = "妥处|受理|办理|处理|接到|收到|办结|调处|接收|接待|登记|查处"
_QUANT = "件次|人次|批次|件|起|宗|次|个|条"  # longest first: "356件次" is one count
_HEAD = re.compile(
    rf"(?:{_VERBS})(?P<cat>[\u4e00-\u9fff]{{2,12}}?)(?P<n>\d[\d,]*)\s*(?P<q>{_QUANT})\s*[，,、]?\s*其中\s*[：:]?"
)
# A total of complaints alone: the category must name them, so "检查用人单位135家" is not one.
_LONE_TOTAL = re.compile(
    rf"(?:{_VERBS})(?P<cat>[\u4e00-\u9fff]{{0,8}}?(?:投诉举报|举报投诉|投诉|举报|信访件|信访事项|来信来访))"
    rf"(?:共计?|总计|合计|累计|达到?)?(?P<n>\d[\d,]*)\s*(?:件次|人次|批次|件|起|宗)(?![\d])(?!\s*[，,、]?\s*其中)"
)
_ITEM = re.compile(rf"(?<![\d.])(?P<n>\d[\d,]*)\s*(?:{_QUANT})")
_AMOUNT = re.compile(r"金额[^，,。；;]*?(?P<pre>约|近)?(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<post>余|多)?\s*(?P<u>亿元|万元|元)")
_LABEL_TRIM = " ，,、：:；;\u3000"
_QUOTES = re.compile(r"[“”\"‘’']")
# Between items: a share of the total ("，约占37.7%", "（占比52.2%，含12319热线…）").
_SHARE = re.compile(r"\s*(?:[（(][^（()）]*[）)]|[，,]\s*约?占[^，,；;。\d]{0,8}\d+(?:\.\d+)?%)")
# An outcome, not a channel: 立案, 应结案, 已办结, 未受理, 受理中, 不予受理, 直接答复, 有效/无效…
_STATUS = re.compile(
    r"^(?:已|未|应|不予?|按期|按时|超期|超时|逾期|直接|正在)?"
    r"(?:立案|结案|办结|受理|答复|回复|处理|化解|调处|办理|销号|转办有效)|^(?:有效|无效|重复)"
)

# Channel rules, first match wins (kept in step with the demo's vocabulary, demo/data.py).
_CHANNELS = (
    ("national_platform", re.compile(r"(国家|全国).*平台")),
    ("leader_mailbox", re.compile(r"信箱")),
    ("hotline_12345", re.compile(r"12345")),
    ("letters_visits", re.compile(r"信访|来信")),
    ("walk_in", re.compile(r"现场|来访|窗口|上门")),
    ("online", re.compile(r"网上|网络|微信|APP|app|平台|网站")),
    ("referral", re.compile(r"交办|转办|移送|转交")),
)
_UNIT_TO_WAN = {"亿元": 10000.0, "万元": 1.0, "元": 0.0001}


def channel_of(label: str) -> str:
    return next((ch for ch, rx in _CHANNELS if rx.search(label)), "other")


def is_outcome(label: str) -> bool:
    """"立案", "已办结", "直接答复": how cases were handled, not where they came from."""
    return bool(_STATUS.match(label))


def extract_cases(texts: Iterable[str]) -> tuple[list[dict], list[str]]:
    """All channel breakdowns in the texts, each (category, label) once."""
    rows: list[dict] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    for text in texts:
        t = halfwidth(text)
        covered: list[tuple[int, int]] = []
        by_outcome: dict[int, str] = {}  # totals broken down by outcome only: total -> category
        for head in _HEAD.finditer(t):
            category = re.sub(r"(?:共计?|总计|合计|累计|达到?|计)$", "", head.group("cat")) or head.group("cat")
            category = re.sub(r"^.*共(?:计|接到?|收到?)?", "", category) or category
            total = int(head.group("n").replace(",", ""))
            items, rest_end = _items(t, head.end())
            if not items and not _outcome_follows(t, head.end()):
                continue
            if not items:
                by_outcome[total] = category
            covered.append((head.start(), _sentence_end(t, rest_end)))
            amount = _AMOUNT.search(t[rest_end: _sentence_end(t, rest_end)])
            amount_wan, approx = None, False
            if amount:
                amount_wan = round(float(amount.group("v").replace(",", "")) * _UNIT_TO_WAN[amount.group("u")], 6)
                approx = bool(amount.group("pre") or amount.group("post"))
            found = [{"category": category, "channel": "total", "channel_label": category, "count": total,
                      "amount_wan": amount_wan, "approx": approx}]
            found += [{"category": category, "channel": channel_of(label), "channel_label": label, "count": n,
                       "amount_wan": None, "approx": False} for label, n in items]
            new = [r for r in found if (r["category"], r["channel_label"]) not in seen]
            if items and new and (category, category) not in seen:
                parts = sum(n for _, n in items)
                if parts != total:
                    q = head.group("q")
                    warnings.append(f"{category}：各渠道合计 {parts} {q}，与所述总数 {total} {q}不符")
            for r in new:
                seen.add((r["category"], r["channel_label"]))
                rows.append(r)
        for m in _LONE_TOTAL.finditer(t):
            # "全年共收到各类举报投诉1125起，共为…": a complaint total stated with no breakdown.
            if any(a <= m.start() < b for a, b in covered):
                continue
            category = re.sub(r"^(?:各类|各种|群众|有关)", "", m.group("cat")) or m.group("cat")
            if any(r["category"] == category for r in rows):
                continue
            seen.add((category, category))
            covered.append((m.start(), m.end()))
            rows.append({"category": category, "channel": "total", "channel_label": category,
                         "count": int(m.group("n").replace(",", "")), "amount_wan": None, "approx": False})
        for found in _untotalled(t, covered):
            # "共接举报件11件，其中已办结6件…。按举报类型划分，微信举报8件…": the channels of that total
            category = by_outcome.get(sum(r["count"] for r in found))
            for r in found:
                r["category"] = category or r["category"]
            new = [r for r in found if (r["category"], r["channel_label"]) not in seen]
            if new and not category and not any(r["category"] == new[0]["category"] for r in rows):
                what = new[0]["category"]
                warnings.append("案件数：只写了各渠道件数，未写明合计和类别，合计留空" if what == NO_TOTAL_CATEGORY
                                else f"{what}：只写了各渠道件数，未写明合计，合计留空")
            for r in new:
                seen.add((r["category"], r["channel_label"]))
                rows.append(r)
    return rows, warnings


# "其中312件来自12345热线、255件来自全国12315平台": the channel named after the count.
_ITEM_AFTER = re.compile(rf"(?P<n>\d[\d,]*)\s*(?:{_QUANT})\s*(?:来自|来源于|通过|经由|经|为)(?P<label>[^，,、；;。]{{2,16}})")


def _items(text: str, pos: int) -> tuple[list[tuple[str, int]], int]:
    """The "label N件" items after "其中" (or "N件来自label"), up to the first
    clause that is not one."""
    end = _sentence_end(text, pos)
    after = []
    p = pos
    while True:
        m = _ITEM_AFTER.match(text, p, end)
        if not m:
            break
        after.append((m.group("label").strip(_LABEL_TRIM), int(m.group("n").replace(",", ""))))
        p = m.end()
        while p < end and text[p] in _LABEL_TRIM:
            p += 1
    if after:
        return after, p
    items = []
    while True:
        m = _ITEM.search(text, pos, end)
        if not m:
            break
        label = _QUOTES.sub("", text[pos:m.start()]).strip(_LABEL_TRIM)
        if not label or len(label) > 16 or re.search(r"[，,；;。]|金额|其中", label) or is_outcome(label):
            break
        items.append((label, int(m.group("n").replace(",", ""))))
        pos = _skip_share(text, m.end(), end)
    return items, pos


def _skip_share(text: str, pos: int, end: int) -> int:
    m = _SHARE.match(text, pos, end)
    return m.end() if m else pos


def _outcome_follows(text: str, pos: int) -> bool:
    """"…1054件，其中立案996件": the breakdown after 其中 is by outcome."""
    m = _ITEM.search(text, pos, _sentence_end(text, pos))
    return bool(m) and is_outcome(text[pos:m.start()].strip(_LABEL_TRIM))


# Counts per channel with no total: clause after clause "label N件".
_CLAUSE_ITEM = re.compile(
    rf"^(?P<label>[^，,、；;。]{{2,20}}?)"
    rf"(?:共计?|合计|达|为)?(?<![\d.])(?P<n>\d[\d,]*)\s*(?:{_QUANT})$"
)
_SHARE_CLAUSE = re.compile(r"^约?占[^\d]{0,8}\d+(?:\.\d+)?%$")
NO_TOTAL_CATEGORY = "未写明类别"


def _untotalled(text: str, covered: list[tuple[int, int]]) -> list[list[dict]]:
    """Runs of at least two "label N件" clauses in one sentence, outside the
    breakdowns already read, of which at least two name a known channel and none
    an outcome: one channel row each, no total."""
    out = []
    for sent in re.finditer(r"[^。；;\n]+", text):
        if any(a < sent.end() and sent.start() < b for a, b in covered):
            continue
        body = re.sub(r"[（(][^（()）]*[）)]", "", sent.group())
        run: list[tuple[str, int]] = []
        for clause in re.split(r"[，,、]", body) + [""]:
            clause = clause.strip(_LABEL_TRIM)
            if clause and _SHARE_CLAUSE.match(clause):
                continue
            m = _CLAUSE_ITEM.match(clause)
            label = _clean_label(re.split(r"[：:]", m.group("label"))[-1]) if m else ""
            if m and len(label) >= 2 and not is_outcome(label) and "其中" not in label:
                run.append((label, int(m.group("n").replace(",", ""))))
                continue
            if len(run) >= 2 and sum(channel_of(lb) != "other" for lb, _ in run) >= 2:
                category = _common_suffix([lb for lb, _ in run]) or NO_TOTAL_CATEGORY
                out.append([{"category": category, "channel": channel_of(lb), "channel_label": lb, "count": n,
                             "amount_wan": None, "approx": False} for lb, n in run])
            run = []
    return out


_LEAD = re.compile(rf"^(?:\d{{4}}年度?|\d{{1,2}}(?:-\d{{1,2}})?月份?|全年|本年度?|当年|共计?|累计|{_VERBS}|接待|接收到?|了)")


def _clean_label(label: str) -> str:
    """"2021年接待群众来访" -> "群众来访"; quotes dropped ("“12369”环保举报" -> "12369环保举报")."""
    label = _QUOTES.sub("", label).strip(_LABEL_TRIM)
    while (m := _LEAD.match(label)) and m.end() < len(label):
        label = label[m.end():].strip(_LABEL_TRIM)
    return label


def _common_suffix(labels: list[str]) -> str | None:
    """"电话举报", "微信举报", "网上举报" -> "举报" (two characters at least)."""
    n = 0
    while all(len(lb) > n for lb in labels) and len({lb[-1 - n] for lb in labels}) == 1:
        n += 1
    return labels[0][-n:] if n >= 2 else None


def _sentence_end(text: str, pos: int) -> int:
    m = re.compile(r"[。；;\n]").search(text, pos)
    return m.start() if m else len(text)
