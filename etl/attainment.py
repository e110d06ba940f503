"""Is an indicator met? 达成 / 未达成 / 无法判断 from a report's 目标值 (target)
and 实际完成值 (actual), by a rule that never guesses.

The rule (README, "Indicators: 达成"):

- The target must be one number with an optional unit and a stated direction:
  ≥ >= 不低于 不少于 至少 大于等于 / "95%以上" (at least), ≤ <= 不高于 不超过 不多于
  小于等于 / "3天以内" "以下" (at most), > 大于 高于 超过 多于, < 小于 低于 少于, = 等于.
- A bare number ("100%", "3天") states no direction: an actual equal to it is
  达成; a bare 100% is a ceiling, so less than 100% is 未达成 and 100% or more
  达成; any other difference is 无法判断 (is 3天 a limit or a goal?).
- The actual must hold exactly one number and no comparison or negation of
  its own ("未达到95%", "100%以上", "较上年增长5%，达到95%" are not read).
- The actual's unit must be the target's (95% against 95人, 96 against ≥95%:
  无法判断); a form that gives units in a 计量单位 column has bare numbers in both.
- A target in words ("按时完成", "≤年初预算", "有效提升") is 无法判断, unless the
  actual says exactly the same words (按时完成 / 按时完成: 达成).
- A blank target or actual: 无法判断.
"""
from __future__ import annotations

import re
from typing import Any

from etl.textnorm import halfwidth

MET, UNMET, UNKNOWN = "达成", "未达成", "无法判断"
VERDICTS = (MET, UNMET, UNKNOWN)

_OPS = (  # longest spellings first
    ("大于等于", "ge"), ("不低于", "ge"), ("不少于", "ge"), ("至少", "ge"), (">=", "ge"), ("≥", "ge"),
    ("小于等于", "le"), ("不高于", "le"), ("不超过", "le"), ("不多于", "le"), ("<=", "le"), ("≤", "le"),
    ("大于", "gt"), ("高于", "gt"), ("超过", "gt"), ("多于", "gt"), (">", "gt"),
    ("小于", "lt"), ("低于", "lt"), ("少于", "lt"), ("<", "lt"),
    ("等于", "eq"), ("=", "eq"),
)
_SUFFIX = {"以上": "ge", "及以上": "ge", "以下": "le", "及以下": "le", "以内": "le"}
_NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?)"
_UNIT = r"([^\d\s.,，。;；、()（）]{0,6}?)"
_TARGET = re.compile(r"^" + _NUMBER + r"\s*" + _UNIT + r"\s*(及以上|及以下|以上|以下|以内)?$")
_ANY_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# words in an actual that change what its number means
_ACTUAL_QUALIFIERS = re.compile(r"未|不|没|无|低于|高于|超过|以上|以下|以内|≥|≤|>|<|=|约|近|余|增长|下降|减少|提高|较")
_WIDE = str.maketrans("＞＜＝％≧≦", "><=%≥≤")
_TEXT_PUNCT = re.compile(r"[\s，。,.;；、：:!！]")


def _norm(text: str) -> str:
    return halfwidth(str(text)).translate(_WIDE).strip().replace(" ", "")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        if value != value:  # NaN
            return True
    except TypeError:
        pass
    return not str(value).strip()


def _target(text: str) -> tuple[str, float, str] | None:
    """(direction, number, unit) of a numeric target, or None when it is not one."""
    t = _norm(text)
    op = "bare"
    for word, code in _OPS:
        if t.startswith(word):
            op, t = code, t[len(word):]
            break
    m = _TARGET.match(t)
    if not m:
        return None
    if m.group(3):
        if op != "bare":  # "≥95%以上": said twice, read as written only if it agrees
            if _SUFFIX[m.group(3)] != op and not (op in ("gt", "ge") and _SUFFIX[m.group(3)] == "ge"):
                return None
        else:
            op = _SUFFIX[m.group(3)]
    return op, float(m.group(1).replace(",", "")), m.group(2)


def _actual(text: str) -> tuple[float, str] | None:
    """(number, the text after it) of an actual that states one plain quantity, else None."""
    t = _norm(text)
    found = _ANY_NUMBER.findall(t)
    if len(found) != 1 or _ACTUAL_QUALIFIERS.search(t):
        return None
    m = _ANY_NUMBER.search(t)
    try:
        return float(m.group(0).replace(",", "")), t[m.end():]
    except ValueError:  # "1.2.3"
        return None


def judge(target_text: Any, actual_text: Any) -> str:
    """达成 / 未达成 / 无法判断 for one indicator (the module's rule)."""
    if _blank(target_text) or _blank(actual_text):
        return UNKNOWN
    target, actual = str(target_text), str(actual_text)
    goal = _target(target)
    if goal is None:
        same = _TEXT_PUNCT.sub("", halfwidth(target)) == _TEXT_PUNCT.sub("", halfwidth(actual))
        return MET if same and not _ANY_NUMBER.search(target) else UNKNOWN
    got = _actual(actual)
    if got is None:
        return UNKNOWN
    op, want, unit = goal
    value, after = got
    if not (after.startswith(unit) if unit else not after):
        return UNKNOWN
    if op == "bare":
        if value == want:
            return MET
        if want == 100 and unit == "%":
            return MET if value >= 100 else UNMET
        return UNKNOWN
    met = {"ge": value >= want, "le": value <= want, "gt": value > want, "lt": value < want, "eq": value == want}[op]
    return MET if met else UNMET


def counts(verdicts) -> dict[str, int]:
    """{达成: n, 未达成: n, 无法判断: n} of a column of verdicts."""
    verdicts = list(verdicts)
    return {v: sum(1 for x in verdicts if x == v) for v in VERDICTS}
