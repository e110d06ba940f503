"""单位对比's side-by-side table and charts (ui/compare.py) as plain functions; the page is
tested in tests/test_pages.py (two and five units chosen)."""
from __future__ import annotations

import pandas as pd

from ui import compare


def rows(**changes) -> pd.DataFrame:
    base = {"unit_id": ["a", "b"], "unit_name": ["甲局", "乙局"], "reported_name": ["甲局", "乙局"],
            **{c: [None, None] for c in compare.MEASURES}, "case_unit": [True, False], "is_demo": [False, False]}
    base.update(changes)
    return pd.DataFrame(base)


def test_each_cell_is_written_as_its_measure_and_blank_stays_blank():
    assert compare.cell(1300, "money") == "1,300.00" and compare.cell(925.654, "yuan") == "925.65"
    assert compare.cell(88.97, "rate") == "88.97%" and compare.cell(90, "score") == "90.00"
    assert compare.cell(924.0, "count") == "924" and compare.cell(0, "count") == "0"  # a stated 0 is 0
    assert compare.cell(None, "money") is None and compare.cell(float("nan"), "count") is None
    assert compare.cell(pd.NA, "text") is None and compare.cell("优", "text") == "优"


def test_the_table_has_a_column_per_unit_and_blank_columns_for_units_without_a_report():
    frame = rows(expenditure_total=[85.53, None], review_score=[None, None], grade=["良", None])
    table = compare.side_by_side(frame, {"a": "甲局（演示）"}, missing=["丙局"])
    assert list(table.columns) == ["指标", "甲局（演示）", "乙局", "丙局"]
    shown = table.set_index("指标")
    assert "复核得分" not in shown.index  # nobody reviewed: no row of blanks
    assert shown.loc["支出数（万元）"].tolist() == ["85.53", None, None]
    assert shown.loc["等次"].tolist() == ["良", None, None]
    with_review = compare.side_by_side(rows(review_score=[88.0, None]))
    assert with_review.set_index("指标").loc["复核得分"].tolist() == ["88.00", None]
    # one unit, two reports in the year (two names merged): each under its reported name
    twice = rows(unit_id=["a", "a"], unit_name=["甲局", "甲局"], reported_name=["甲局", "甲所"])
    assert list(compare.side_by_side(twice).columns) == ["指标", "甲局（甲局）", "甲局（甲所）"]


def test_money_far_apart_goes_on_a_log_axis_and_blank_measures_are_not_drawn():
    assert compare.uses_log(pd.Series([20.0, 1300.0]), "money")
    assert not compare.uses_log(pd.Series([85.53, 1300.0]), "money")  # 15 times: linear still reads
    assert not compare.uses_log(pd.Series([1.0, 90.0]), "score")  # scores and rates share a scale
    frame = rows(expenditure_total=[20.0, 1300.0], self_score=[90.0, None])
    assert compare.charted(frame) == ["expenditure_total", "self_score"]
    fig = compare.small_multiples(frame, "图")
    assert [a.text for a in fig.layout.annotations] == ["支出数（万元）（对数刻度）", "自评得分"]
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type != "log"
    assert [list(t.customdata[0]) for t in fig.data[:2]] == [["a"], ["b"]]  # a click opens the unit
