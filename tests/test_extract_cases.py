"""Cases by channel in the shapes real texts write them (etl/cases.py).

The sentences are real ones found with the `pages` search corpus (bulletins of
the units that handle complaints; sources in tests/real_reports/SOURCES.md,
"Case sentences"), cut to the sentence that holds the counts."""
from etl.cases import NO_TOTAL_CATEGORY, extract_cases, is_outcome


def _rows(text):
    rows, warnings = extract_cases([text])
    return [(r["category"], r["channel"], r["channel_label"], r["count"]) for r in rows], warnings


def test_counts_per_channel_with_no_total_keep_the_total_null():
    rows, warnings = _rows("受理12345热线转办件356件，来信89件，来访120人次，网上信访45件。")
    assert rows == [(NO_TOTAL_CATEGORY, "hotline_12345", "12345热线转办件", 356),
                    (NO_TOTAL_CATEGORY, "letters_visits", "来信", 89),
                    (NO_TOTAL_CATEGORY, "walk_in", "来访", 120),
                    (NO_TOTAL_CATEGORY, "letters_visits", "网上信访", 45)]
    assert warnings == ["案件数：只写了各渠道件数，未写明合计和类别，合计留空"]


def test_channels_with_shares_between_them_and_a_common_category():
    # lanlitx.com (生态环境部 12369 monthly bulletin): no total, "约占…%" after each count
    rows, warnings = _rows("8月，全国接到的举报中，“12369”环保举报热线电话举报共12222件，约占37.7%，"
                           "微信举报17276件，约占53.3%，网上举报2413件，约占7.4%，其他渠道举报493件，约占1.5%。")
    assert [r[2:] for r in rows] == [("12369环保举报热线电话举报", 12222), ("微信举报", 17276),
                                     ("网上举报", 2413), ("其他渠道举报", 493)]
    assert {r[0] for r in rows} == {"举报"} and "total" not in {r[1] for r in rows}
    assert warnings == ["举报：只写了各渠道件数，未写明合计，合计留空"]


def test_total_with_channels_after_qizhong():
    # saes.com.cn (环办应急函〔2018〕500号)
    rows, warnings = _rows("2017年，管理平台共接到举报618856件，其中电话举报409548件，微信举报129423件，"
                           "网上举报79885件，平均受理时间为3天")
    assert rows[0] == ("举报", "total", "举报", 618856)
    assert [r[3] for r in rows[1:]] == [409548, 129423, 79885] and warnings == []


def test_a_breakdown_by_outcome_gives_the_total_only():
    # hbcic.net.cn (天门 数字化城市管理 bulletin): 立案/结案 are outcomes, not channels
    rows, _ = _rows("12月共受理各类城市管理案件1054件，其中立案996件，应结案972件，结案911件，结案率93.72%，按期结案737件。")
    assert rows == [("各类城市管理案件", "total", "各类城市管理案件", 1054)]
    # wfqyp.cn (渭南 市长信箱 quarterly): 直接答复 / 受理转办 / 已办结
    rows, _ = _rows("“市长信箱”共收到群众来信1563件，其中直接答复430件，受理转办有效信件1133件，已办结1121件，办结率98.94%。")
    assert rows == [("群众来信", "total", "群众来信", 1563)]
    assert all(is_outcome(x) for x in ("立案", "应结案", "已办结", "未受理", "受理中", "不受理", "直接答复"))
    assert not any(is_outcome(x) for x in ("来信", "12345热线", "网上信访", "现场投诉"))


def test_channels_after_an_outcome_breakdown_belong_to_its_total_when_they_add_up():
    # tlf.gov.cn (铁岭 生态环境信访 1-4月)
    rows, warnings = _rows("环保举报受理平台共接举报件11件，其中未受理0件、受理中0件、已办结6件、不受理5件。"
                           "按举报类型划分，微信举报8件，网络举报2件、网民留言1件。")
    assert rows == [("举报件", "total", "举报件", 11), ("举报件", "online", "微信举报", 8),
                    ("举报件", "online", "网络举报", 2), ("举报件", "other", "网民留言", 1)]
    assert warnings == []


def test_parenthesised_shares_inside_a_breakdown():
    # multibytes.cn (数字化城市管理 复盘): "（占比47.8%，含12319热线…）" holds a comma
    rows, _ = _rows("系统累计受理城市管理案件3750件，其中信息采集员上报案件1959件（占比52.2%），公众投诉渠道案件1791件"
                    "（占比47.8%，含12319热线、110转办、电视/报纸媒体曝光及领导督办）；立案数达3731件")
    assert [r[3] for r in rows] == [3750, 1959, 1791]


def test_lists_that_are_not_channels_are_not_cases():
    for text in ("从诉求类型来看，投诉类826件，占总量的52.84%；咨询类211件，占总量13.5%；",
                 "全年办理人大建议25件，政协提案30件。",
                 "项目支出包括委员活动经费36.3万元，扫黑除恶工作经费1万元"):
        assert _rows(text) == ([], [])


def test_each_channel_once_across_sections():
    text = "2021年接待群众来访120批次，受理来信50件。"
    rows, warnings = extract_cases([text, "二、工作成效。" + text])
    assert [(r["channel_label"], r["count"]) for r in rows] == [("群众来访", 120), ("来信", 50)]
    assert len(warnings) == 1


def test_a_complaint_total_with_no_breakdown_is_its_total():
    # sgf2.com (岳阳县人社局 2021 自评, ../shared/real-reports yyx-2021-hrss-trad, simplified)
    rows, warnings = _rows("劳动监察全年共收到各类举报投诉1125起，共为3652名农民工追回4415万元拖欠工资，"
                           "联合建设局等部门开展农民工工资支付专项检查用人单位135家，涉及劳动者4235人")
    assert rows == [("举报投诉", "total", "举报投诉", 1125)] and warnings == []


def test_a_lone_total_does_not_repeat_a_breakdown_of_the_same_category():
    rows, _ = _rows("共受理投诉924件，其中12345投诉435件，现场投诉489件。全年受理投诉924件。")
    assert [r[1] for r in rows] == ["total", "hotline_12345", "walk_in"]
