"""Number, date and text normalisation on the messy forms real reports use."""
import re

import pytest

from etl.cases import channel_of, extract_cases
from etl.textnorm import clean_text, parse_date, parse_number, parse_value


@pytest.mark.parametrize("text, expected", [
    ("85.53", (85.53, False)),
    ("８５.５３", (85.53, False)),           # full-width digits
    ("855,300.00", (855300.0, False)),      # thousands separators
    ("0", (0.0, False)),
    ("0.00", (0.0, False)),
    ("0元", (0.0, False)),
    ("", (None, False)),                     # blank is not zero
    ("  ", (None, False)),
    ("—", (None, False)),
    ("3800余", (3800.0, True)),
    ("约120", (120.0, True)),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_parse_number_refuses_text_without_a_number():
    with pytest.raises(ValueError):
        parse_number("见附表")


@pytest.mark.parametrize("text, expected", [
    ("38670人", (38670.0, "人")),
    ("完成预算的88.97%", (88.97, "%")),
    ("征缴收入526万元", (526.0, "万元")),
    ("按时完成", (None, None)),
    ("12月底前完成", (None, None)),
    ("2022年12月前完成，共3批次", (3.0, "批次")),
    ("≥95%", (95.0, "%")),
    (None, (None, None)),
])
def test_parse_value(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2023 年 7  月  21 日", "2023-07-21"),
    ("2019年06月18日", "2019-06-18"),
    ("2017 -7 - 25", "2017-07-25"),
    ("２０２２年５月６日", "2022-05-06"),
    ("2022年2月30日", None),
    ("年    月    日", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_clean_text_removes_wrap_breaks_but_keeps_sentences_and_items():
    assert clean_text("公共财\n\n政拨款") == "公共财政拨款"
    assert clean_text("　任务1：甲。\n任务2：乙\n\n丙 ") == "任务1：甲。\n任务2：乙丙"
    assert clean_text(" \n\t ") is None


@pytest.mark.parametrize("label, channel", [
    ("国家欠薪平台", "national_platform"), ("全国12315平台", "national_platform"),
    ("省、市长信箱交办", "leader_mailbox"), ("12345投诉", "hotline_12345"),
    ("来信来访", "letters_visits"), ("现场投诉", "walk_in"), ("网上信访", "letters_visits"),
    ("微信公众号", "online"), ("上级交办", "referral"), ("12315热线", "other"),
])
def test_channel_rules(label, channel):
    assert channel_of(label) == channel


def test_cases_counted_once_across_sections_and_amount_in_yuan():
    text = "共受理投诉举报1,200件，其中全国12315平台800件、12345热线转办300件，来信来访100件，涉及金额约56000元。"
    rows, warnings = extract_cases([text, "前言。" + text])
    assert [(r["channel"], r["count"]) for r in rows] == [
        ("total", 1200), ("national_platform", 800), ("hotline_12345", 300), ("letters_visits", 100)]
    assert rows[0]["amount_wan"] == pytest.approx(5.6) and rows[0]["approx"] is True
    assert warnings == []


def test_cases_warn_when_channels_do_not_add_up():
    rows, warnings = extract_cases(["办理信访事项50件，其中网上信访20件，来访10件。"])
    assert len(rows) == 3
    assert warnings == ["信访事项：各渠道合计 30 件，与所述总数 50 件不符"]


def test_cases_in_person_times_and_batches_are_one_count_each():
    # 信访 units count in 件次 and 批次: "356件次" is one count, not 356件 and a stray 次
    rows, warnings = extract_cases(["全年共受理信访事项356件次，其中来信86件次、来访120批次、网上信访150件次。"])
    counts = {(r["channel"], r["channel_label"]): r["count"] for r in rows}
    assert counts == {("total", "信访事项"): 356, ("letters_visits", "来信"): 86, ("walk_in", "来访"): 120,
                      ("letters_visits", "网上信访"): 150}
    assert rows[0]["category"] == "信访事项" and warnings == []


def test_cases_with_the_channel_named_after_the_count():
    rows, warnings = extract_cases(["共受理投诉举报567件，其中312件来自12345热线，255件来自全国12315平台。"])
    assert [(r["channel"], r["count"]) for r in rows] == [("total", 567), ("hotline_12345", 312),
                                                         ("national_platform", 255)]
    assert warnings == []


# --- unit names: one rule for the loader's unit_key and the query layer's name_norm ---

UNIT_NAMES = [
    # (name, region, without region, with region)
    ("云溪区 人民法院（本级）", None, "云溪区人民法院(本级)", "云溪区人民法院(本级)"),
    ("岳阳市云溪区信访局", "岳阳市云溪区", "岳阳市云溪区信访局", "信访局"),
    ("云溪区信访局", "岳阳市云溪区", "云溪区信访局", "信访局"),
    ("\u3000岳阳市教育局 (机关)\u00a0", "岳阳市", "岳阳市教育局(机关)", "教育局(机关)"),
    ("岳阳市云溪区", "岳阳市云溪区", "岳阳市云溪区", "岳阳市云溪区"),  # nothing would be left: kept whole
    ("南县财政局", "湖南省益阳市南县", "南县财政局", "财政局"),
]


@pytest.mark.parametrize("name, region, bare, in_region", UNIT_NAMES)
def test_unit_name_key(name, region, bare, in_region):
    from etl.textnorm import unit_name_key

    assert unit_name_key(name) == bare
    assert unit_name_key(name, region) == in_region


def test_the_query_layer_normalises_unit_names_by_the_same_rule():
    import duckdb

    from queries import SQL_DIR

    con = duckdb.connect()
    derive = (SQL_DIR / "_derive.sql").read_text(encoding="utf-8")
    for name in ("clean_name", "county_of", "name_norm"):
        con.execute(re.search(rf"create or replace macro {name}\(.*?;\n", derive, re.S).group())
    for name, region, bare, in_region in UNIT_NAMES:
        assert con.execute("select clean_name($n), name_norm($n, $r)", {"n": name, "r": region}).fetchone() == (
            bare, in_region), name


def test_unit_key_uses_the_unit_name_rule():
    from etl.load import unit_key

    assert unit_key({"region": "岳阳市云溪区", "unit_name": "云溪区 人民法院（本级）"}) == "岳阳市云溪区|云溪区人民法院(本级)"
    assert unit_key({"region": "岳阳市云溪区", "budget_code": " 125002 ", "unit_name": "x"}) == "岳阳市云溪区|125002"
