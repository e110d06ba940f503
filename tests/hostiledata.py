"""A report whose text tries to be Markdown, HTML, KaTeX and Streamlit directives.

`build_hostile_db(path)` is tests/pagedata.py's sample database plus one real
report of 2022 whose unit name, budget-code-free identity, goals, narrative,
indicator, complaint category, reading warning and file name carry HOSTILE:
an image and a link to evil.example, an <img onerror>, a <script>, a coloured
directive, KaTeX, an emoji shortcode, a heading and a list marker, and text
that a spreadsheet would take for a formula. The dashboard must show all of it
as the literal text, load nothing from evil.example and link nowhere.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

import queries
from tests.dbfactory import create_schema, insert_record, log_failure
from tests.pagedata import FAILED_FILE, FAILED_REASON, SEED_TEXT, _money, _unit, sample_records, seed_record

EVIL = "evil.example"
IMG = f"![x](http://{EVIL}/t.png)"
LINK = f"[link](http://{EVIL})"
HTML = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
COLOUR = ":red[红]"
KATEX = "$\\KaTeX$"
# the unit's name: everything a name can carry on one line
HOSTILE_NAME = f"恶意局{IMG}{LINK}{HTML}{COLOUR}{KATEX}{SCRIPT}"
# a narrative of several lines: headings, lists, quotes, a bare address, an emoji shortcode
HOSTILE_TEXT = (f"# 标题 {IMG}\n- 列表 {LINK} www.{EVIL}\n1. 有序 {HTML}\n> 引用 {COLOUR} :smile: "
                f":material/home: {KATEX} **粗** _斜_ `码` ~~删~~ | 表 | {SCRIPT} a&amp;b \\*")
FORMULA = "=HYPERLINK(\"http://evil.example\",\"点击\")"
HOSTILE_FILE = f"恶意{HTML}.txt"
HOSTILE_CODE = "125666"
HOSTILE_UNIT = f"岳阳市云溪区|{HOSTILE_CODE}"


def hostile_record() -> dict:
    seed = seed_record()
    cases = [{"category": f"投诉{HTML}", "channel": "total", "channel_label": f"投诉{HTML}", "count": 12,
              "amount_wan": None, "approx": False}]
    record = _unit(seed, HOSTILE_CODE, HOSTILE_NAME, 2022, 91, f"优{HTML}", _money(300.0, 200.0, 50.0, 50.0),
                   70.0, cases, file_name=HOSTILE_FILE)
    record["report"].update(functions=HOSTILE_TEXT, main_tasks=FORMULA, overall_results=HOSTILE_TEXT)
    record["goals"] = [{"seq": 1, "text": HOSTILE_TEXT}]
    record["goals_completion"] = HOSTILE_TEXT
    record["narrative"] = {"problems": HOSTILE_TEXT, "improvements": FORMULA, "other": HOSTILE_TEXT}
    record["indicators"][0]["name"] = HOSTILE_NAME
    record["source"]["warnings"] = [f"读取警告 {HOSTILE_TEXT}"]
    return record


def build_hostile_db(path: Path | str) -> Path:
    path = Path(path)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        create_schema(con)
        for record in sample_records():
            insert_record(con, record)
        insert_record(con, hostile_record(), file_bytes=SEED_TEXT.read_bytes())
        log_failure(con, FAILED_FILE, FAILED_REASON)
        log_failure(con, HOSTILE_FILE, f"无法读取：{HOSTILE_TEXT}")
        queries.refresh(con)
    finally:
        con.close()
    return path
