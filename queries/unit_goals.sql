-- title: 定性目标
-- group: 单位
-- description: 每份报告的每个预期目标（目标N）一行，并附该报告“实际完成”的原文。
-- params: filters
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column report_id: 报告编号
-- column seq: 目标编号
-- column text: 预期目标
-- column goals_completion: 实际完成
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.report_id,
        g.seq,
        g.text,
        rep.goals_completion,
        r.is_demo,
        g.row_no
    from goals as g
    join reports as r on r.report_id = g.report_id
    join main.reports as rep on rep.report_id = g.report_id
)

select * exclude (row_no) from final
order by unit_name, fiscal_year desc, report_id, row_no
