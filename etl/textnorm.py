"""Text and number normalisation shared by the extractor: one place that knows
how reports write numbers (full-width digits, thousands separators, "余"),
dates, and where Word's wrap breaks sit inside a phrase."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９．，％－＋：（）　",
    "0123456789.,%-+:() ",
)
_WS = re.compile(r"[\s\u3000\u00a0]+")
APPROX_WORDS = ("余", "多", "约", "近", "左右")


# Only a full-width digit or number sign makes translating worth it; "，（）："
# are in every Chinese sentence and matter for numbers only next to such digits.
_HAS_FULLWIDTH = re.compile("[０-９．％－＋]")


def halfwidth(text: str) -> str:
    """Full-width digits and punctuation that matter for numbers -> ASCII."""
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


def squash(text: str | None) -> str:
    """Remove all whitespace and unify brackets: the form labels are matched in."""
    if not text:
        return ""
    return _squash(text)


@lru_cache(maxsize=8192)  # the extractor asks about the same cells many times
def _squash(text: str) -> str:
    return _WS.sub("", text).replace("(", "（").replace(")", "）").replace(":", "：")


def unit_name_key(name: str | None, region: str | None = None) -> str:
    """A unit's name as units are told apart: no whitespace, full-width brackets as ASCII
    ("云溪区 人民法院（本级）" -> "云溪区人民法院(本级)"); with `region`, also without the
    region (or its county) it starts with ("岳阳市云溪区信访局", "岳阳市云溪区" -> "信访局").
    The one rule: the loader's unit_key uses it, and queries/_derive.sql's clean_name and
    name_norm are the same rule in SQL (tests/test_textnorm.py holds them to it)."""
    key = _WS.sub("", "" if name is None else str(name)).replace("（", "(").replace("）", ")")
    if region:
        county = re.search(r"[^省市州盟]+$", region)
        for head in (region, county.group(0) if county else ""):
            if head and key.startswith(head) and len(key) > len(head):
                return key[len(head):]
    return key


# A line that ends a sentence or opens a list item keeps its line break; any
# other break inside a cell is Word wrapping a phrase and is removed.
_SENTENCE_END = tuple("。！？；：;:!?…”’）)》")
_ITEM_START = re.compile(
    r"^(任务|目标|指标)\s*\d+\s*[：:]|^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十\d]+[)）]|^\d+[、.．]\D"
)


def clean_text(text: str | None) -> str | None:
    """Cell or section text without layout noise; None when nothing is left."""
    if text is None:
        return None
    lines = [ln.strip(" \t\u3000\u00a0") for ln in text.replace("\r", "\n").split("\n")]
    out = ""
    for ln in lines:
        if not ln:
            continue
        if not out:
            out = ln
        elif out.endswith(_SENTENCE_END) or _ITEM_START.match(ln):
            out += "\n" + ln
        else:
            out += ln
    return out or None


_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+")
_BLANK_MARKS = {"", "-", "—", "——", "/", "－", "—-", "无", "空"}


def parse_number(text: str | None) -> tuple[float | None, bool]:
    """A table cell's number: (value, approx). Blank or a dash -> (None, False).

    Raises ValueError for a cell that holds text but no number, so the caller
    can warn instead of guessing.
    """
    if text is None:
        return None, False
    t = halfwidth(_WS.sub("", text))
    if t in _BLANK_MARKS:
        return None, False
    m = _NUMBER.search(t)
    if not m:
        raise ValueError(text)
    value = float(m.group().replace(",", ""))
    approx = any(w in t for w in APPROX_WORDS)
    return value, approx


def to_int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


# Units that may follow a number in an indicator's result, longest first.
_UNITS = sorted(
    "% ‰ 万元 亿元 元 剂 万人次 人次 万人 人 起 家 件 个 次 户 项 篇 场次 场 天 小时 分钟 公里 亩 吨 平方米 ㎡ "
    "所 名 台 辆 期 批 份 条 宗 座 间 张 本 册 套 株 头 只 分 批次 课时 学时 例 床 辆次 处 公顷 千米 米 个百分点 万册".split(),
    key=len, reverse=True,
)
_NOT_A_VALUE = ("年", "月", "日", "号", "季度", "时前", "周")
_VALUE = re.compile(r"(约|近)?([-+]?\d[\d,]*(?:\.\d+)?)\s*(余|多)?\s*")


def parse_value(text: str | None) -> tuple[float | None, str | None]:
    """The first quantity in a result text: "38670人" -> (38670, "人");
    "完成预算的88.97%" -> (88.97, "%"); "按时完成" -> (None, None).
    Numbers that are dates ("12月底前") are not quantities."""
    if not text:
        return None, None
    t = halfwidth(text)
    for m in _VALUE.finditer(t):
        rest = t[m.end():]
        if rest.startswith(_NOT_A_VALUE):
            continue
        unit = next((u for u in _UNITS if rest.startswith(u)), None)
        if unit and not unit.endswith("次") and rest[len(unit):].startswith("次"):
            unit += "次"  # 户次, 家次, 剂次: a count of visits, not of 户/家
        return float(m.group(2).replace(",", "")), unit
    return None, None


_DATE = re.compile(r"((?:19|20)\d{2})\s*[年\-./／]\s*(\d{1,2})\s*[月\-./／]\s*(\d{1,2})")


def parse_date(text: str | None) -> str | None:
    """"2023 年 7  月  21 日" / "2017 -7 - 25" -> ISO date; None if absent or invalid."""
    if not text:
        return None
    m = _DATE.search(halfwidth(text))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
