"""What publishing added to a report, removed before any family reads it.

Real reports reach the bureau as copies of web pages and document-sharing
sites as often as in the unit's own file. Those copies carry text the unit
never wrote, and it gets glued onto the title or taken for the unit's name:

- a page's metadata and navigation above the report: 索引号, 发布机构, 文号,
  发布日期/发布时间, 时效性, 来源, 作者, "您现在的位置：首页 > …", "欢迎来到…网站",
  【字体：大 中 小】, a bare "-" between metadata items;
- a document-sharing site's notices ("本文档由用户提供并上传…", "…由会员分享，
  可在线阅读…", 文档简介) and its OCR page marks ("PAGE10PAGE");
- the file name as the first line ("2021年…自评报告.pdf"), which the title repeats;
- pinyin glosses a mirror site puts after each character: "农(nóng)业(yè)".

Only lines near the top (where a page puts them) are dropped, and only when
the whole line is such furniture; pinyin glosses are removed everywhere,
but only in a document that has tone-marked ones.
A site name that names the publishing unit ("欢迎来到南县政协网站"), else the
page's 来源 ("来源:衡阳市公安局"), else a 来源/发布机构 further along a metadata
line, is kept aside as `site_owner`, a last resort for a report that never
names its unit, and the full name of a unit whose first glyph a page lost.
"""
from __future__ import annotations

import re

from ..document import Cell, Document, Row

# Lines a page puts above the report, within this many lines of the top.
_TOP_LINES = 40
_METADATA = re.compile(
    r"^[-—·•\s]*(?:(?:索引号|发布机构|发文机关|发文机构|文号|发文字号|发布日期|发布时间|成文日期|生成日期|时效性)"
    r"|(?:信息来源|来源|作者|浏览次数|阅读次数|点击数|访问量|字号|分类|主题分类|所属主题|公开方式|公开范围|公开时限|"
    r"信息分类|关键词|有效性)\s*[:：])"
)
_NAVIGATION = re.compile(
    r"^(?:您现在的位置|您当前的位置|当前位置|所在位置|当前页面)\s*[:：]|^(?:首页\s*[>＞»/])|[>＞»]\s*正文\s*$"
    r"|^欢迎(?:来到|访问|光临)|^【\s*字体|^【\s*(?:打印|关闭|收藏)|^[-—·•\s]*$"
)
_SHARING = re.compile(
    r"本文档由用户提供|收益归属内容提供方|由会员分享|可在线阅读|请在.{1,12}上搜索|^文档简介$|^版权说明|下载文档|"
    r"^[（(]?\s*\d+\s*页珍藏版|文档贡献者|^猜你喜欢|^相关文档|^当前文档共\s*\d+\s*页|下载后继续阅读"
)
_SITE_OWNER = re.compile(r"^欢迎(?:来到|访问|光临)(?P<name>[\u4e00-\u9fff]{2,20}?)(?:门户|官方)?网站")
# "来源:衡阳市公安局 发布时间:2021-04-30": the unit that published the page.
_SOURCE_OWNER = re.compile(r"^(?:信息)?来源\s*[:：]\s*(?P<name>[\u4e00-\u9fff]{2,20})(?:\s|$)")
# "2022-04-07 15:25 来源: 零陵区林业局 发布机构: 零陵区林业局": the same, further along a metadata line.
_PUBLISHER = re.compile(r"(?:^|\s)(?:信息来源|来源|发布机构)\s*[:：]\s*(?P<name>[\u4e00-\u9fff]{2,20})(?:\s|$)")
_OCR_PAGE = re.compile(r"^(?:PAGE\s*\d{0,4}?\s*)*PAGE")  # "PAGE10PAGE2019年度…": the year stays
_FILE_NAME = re.compile(r"^(?P<name>.{4,80}?)\s*\.(?:pdf|docx?|wps|txt|PDF|DOCX?)$")
# A gloss: lower-case pinyin in brackets right after a Chinese character.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}[)）]")
_TONE = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")


def is_furniture(line: str) -> bool:
    """A whole line of page metadata, navigation or a sharing site's notice."""
    t = line.strip()
    return bool(_METADATA.match(t) or _NAVIGATION.search(t) or _SHARING.search(t))


def strip_page_noise(doc: Document) -> tuple[Document, str | None]:
    """The document without the furniture above (module docstring), and the
    site owner a page header names, if any."""
    text = "\n".join(c.text for r in doc.rows[:400] for c in r.cells)
    depinyin = sum(1 for m in _PINYIN.finditer(text) if _TONE.search(m.group())) >= 3
    owner = source = publisher = None
    rows: list[Row] = []
    seen_lines = 0
    changed = False
    for row in doc.rows:
        cells = []
        for cell in row.cells:
            text = _PINYIN.sub("", cell.text) if depinyin else cell.text
            if seen_lines < _TOP_LINES and row.table == -1:
                kept = []
                for line in text.split("\n"):
                    if not line.strip():
                        kept.append(line)
                        continue
                    seen_lines += 1
                    m = _SITE_OWNER.match(line.strip())
                    if m and owner is None:
                        owner = m.group("name")
                    src = _SOURCE_OWNER.match(line.strip())
                    if src and source is None:
                        source = src.group("name")
                    pub = _PUBLISHER.search(line.strip())
                    if pub and publisher is None:
                        publisher = pub.group("name")
                    if is_furniture(line):
                        continue
                    if line.lstrip().startswith("PAGE"):
                        line = _OCR_PAGE.sub("", line.strip())
                    f = _FILE_NAME.match(line.strip()) if seen_lines <= 3 else None
                    if f and "报告" in f.group("name"):
                        continue  # a sharing site's file name; the report's own title follows
                    kept.append(line)
                text = "\n".join(kept)
            changed |= text != cell.text
            cells.append(Cell(text, cell.col, cell.span))
        if row.table == -1 and not any(c.text.strip() for c in cells) and any(c.text.strip() for c in row.cells):
            continue  # the whole paragraph was furniture
        rows.append(Row(cells, table=row.table, exact=row.exact))
    owner = owner or source or publisher
    if not changed:
        return doc, owner
    return Document(rows=rows, format=doc.format, demo=doc.demo, warnings=list(doc.warnings)), owner
