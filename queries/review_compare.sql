-- title: 自评得分与复核得分
-- group: 评分
-- description: 每份报告一行：自评得分、绩效科的复核得分（最新一次复核）与两者之差。复核记录不在报告库中：
--   看板把当前复核（bureau.store.current_reviews）作为关系 review_current 提供；没有复核时复核得分为空。
-- formula: 差值 = 自评得分 − 复核得分（正数：自评高于复核）。报告在复核后被替换（文件指纹不同）时标“需重新复核”。
-- params: filters
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column self_score: 自评得分
-- column review_score: 复核得分
-- column score_gap: 自评减复核
-- column review_grade: 复核等次
-- column needs_rereview: 需重新复核
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        b.fiscal_year,
        b.unit_id,
        b.unit_name,
        b.sector,
        b.report_id,
        b.self_score,
        v.review_score,
        round(b.self_score - v.review_score, 2) as score_gap,
        v.review_grade,
        v.reviewed_sha256 is not null and v.reviewed_sha256 is distinct from r.sha256 as needs_rereview,
        b.is_demo
    from reports as b
    join main.reports as r on r.report_id = b.report_id
    left join review_current as v on v.unit_key = b.unit_key and v.fiscal_year = b.fiscal_year
)

select * from final
order by fiscal_year desc, score_gap desc nulls last, unit_name, report_id
