"""The Chinese labels that queries/*.sql writes out (VALUES lists and CASE tables) are the
record vocabulary's (etl/record.py): one name for each money field, section and channel."""
from __future__ import annotations

import re

import pytest

from etl.record import CHANNEL_CN, MONEY_COLUMN_CN, NARRATIVE_SECTIONS, SECTION_CN, UNATTRIBUTED_CHANNEL_CN
from queries import SQL_DIR

_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def values_rows(file: str, cte: str) -> list[list[str]]:
    """The string literals of each row of `cte as (select * from (values ...))` in `file`."""
    sql = (SQL_DIR / file).read_text(encoding="utf-8")
    m = re.search(rf"\b{cte} as \(\s*select \* from \(values\s*(.*?)\n\s*\) as t\(", sql, re.S)
    assert m, f"{file}: no VALUES list {cte}"
    return [_LITERAL.findall(row) for row in re.findall(r"\(([^()]*)\)", m.group(1))]


def test_money_labels_of_unit_money():
    rows = values_rows("unit_money.sql", "items")
    assert {(kind, field): label for kind, _, field, label in rows} == {
        (kind, field): label for kind, labels in MONEY_COLUMN_CN.items() for field, label in labels.items()}


def test_money_labels_of_the_consistency_findings():
    rows = values_rows("_findings.sql", "column_names")
    assert {(kind, field): label for kind, field, label in rows} == {
        (kind, field): label for kind, labels in MONEY_COLUMN_CN.items() for field, label in labels.items()}


@pytest.mark.parametrize("file", ["unit_narratives.sql", "_findings.sql"])
def test_section_labels(file):
    rows = values_rows(file, "section_names")
    assert [row[0] for row in rows] == list(NARRATIVE_SECTIONS)
    assert {row[0]: row[-1] for row in rows} == SECTION_CN


def test_channel_labels():
    sql = (SQL_DIR / "_derive.sql").read_text(encoding="utf-8")
    body = re.search(r"create or replace macro channel_name\(channel\) as(.*?);", sql, re.S).group(1)
    assert dict(re.findall(r"when '(\w+)' then '([^']*)'", body)) == CHANNEL_CN | UNATTRIBUTED_CHANNEL_CN
