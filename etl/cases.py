"""Complaint and case counts by channel, read from a report's prose.

Reports state them as one sentence shape:

    [共]妥处欠薪投诉924件，其中国家欠薪平台113件，省、市长信箱交办10件、
    12345投诉435件，现场投诉366件，投诉金额累计达3800余万元

-> a `total` row for the category (欠薪投诉, 924, 3800 万元, approx) and one
row per channel label. Reports repeat the same breakdown in several
sections; each (category, channel label) is counted once, first seen wins.
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
_ITEM = re.compile(rf"(?<![\d.])(?P<n>\d[\d,]*)\s*(?:{_QUANT})")
_AMOUNT = re.compile(r"金额[^，,。；;]*?(?P<pre>约|近)?(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<post>余|多)?\s*(?P<u>亿元|万元|元)")
_LABEL_TRIM = " ，,、：:；;\u3000"

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


def extract_cases(texts: Iterable[str]) -> tuple[list[dict], list[str]]:
    """All channel breakdowns in the texts, each (category, label) once."""
    rows: list[dict] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    for text in texts:
        t = halfwidth(text)
        for head in _HEAD.finditer(t):
            category = re.sub(r"(?:共计?|总计|合计|累计|达到?|计)$", "", head.group("cat")) or head.group("cat")
            total = int(head.group("n").replace(",", ""))
            items, rest_end = _items(t, head.end())
            if not items:
                continue
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
            if new and (category, category) not in seen:
                parts = sum(n for _, n in items)
                if parts != total:
                    q = head.group("q")
                    warnings.append(f"{category}：各渠道合计 {parts} {q}，与所述总数 {total} {q}不符")
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
        label = text[pos:m.start()].strip(_LABEL_TRIM)
        if not label or len(label) > 16 or re.search(r"[，,；;。]|金额|其中", label):
            break
        items.append((label, int(m.group("n").replace(",", ""))))
        pos = m.end()
    return items, pos


def _sentence_end(text: str, pos: int) -> int:
    m = re.compile(r"[。；;\n]").search(text, pos)
    return m.start() if m else len(text)
