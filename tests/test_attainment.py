"""达成 / 未达成 / 无法判断 of an indicator (etl.attainment): a verdict only where
the target states a number and a direction and the actual one plain quantity
in the same unit; anything else is 无法判断, never a guess."""
import pytest

from etl.attainment import MET, UNKNOWN, UNMET, counts, judge


@pytest.mark.parametrize("target, actual, verdict", [
    ("≥95%", "96%", MET), ("≥95%", "95%", MET), ("≥95%", "90%", UNMET),
    (">=95%", "96.5%", MET), ("不低于95%", "94%", UNMET), ("95%以上", "97%", MET), ("≧90％", "９５％", MET),
    ("≤3天", "2天", MET), ("≤3天", "5天", UNMET), ("不超过5个工作日", "3个工作日", MET), ("3天以内", "4天", UNMET),
    ("＞90％", "９5％", MET), ("<10%", "10%", UNMET), ("=100%", "100%", MET),
    ("≥38000人", "38670人", MET), ("≥40000人", "38670人", UNMET), ("≤100%", "完成预算的88.97%", MET),
    # a bare target states no direction: only equal, or the ceiling 100%, decides
    ("100%", "100%", MET), ("100%", "98%", UNMET), ("3天", "3天", MET), ("3天", "2天", UNKNOWN),
    ("2800", "2859", UNKNOWN), ("2800", "2800", MET),
    # text targets: only the very same words
    ("按时完成", "按时完成", MET), ("按时", "按时完成", UNKNOWN), ("按时完成", "中秋节前完成", UNKNOWN),
    ("≤年初预算", "完成预算的88.97%", UNKNOWN), ("有效提升", "已提速", UNKNOWN),
    # units differ or are missing on one side
    ("≥95%", "96", UNKNOWN), ("≥95%", "96人", UNKNOWN), ("≥10", "12月底前", UNKNOWN),
    # an actual that qualifies its number, or holds two
    ("≥95%", "未达到95%", UNKNOWN), ("≥95%", "100%以上", UNKNOWN), ("≥95%", "较上年增长5%，达到96%", UNKNOWN),
    ("90%-100%", "95%", UNKNOWN),
    # blanks
    (None, "100%", UNKNOWN), ("≥95%", None, UNKNOWN), ("", "", UNKNOWN), (float("nan"), "100%", UNKNOWN),
])
def test_judge(target, actual, verdict):
    assert judge(target, actual) == verdict


def test_counts_name_every_verdict():
    assert counts([MET, MET, UNKNOWN]) == {MET: 2, UNMET: 0, UNKNOWN: 1}
