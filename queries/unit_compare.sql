-- title: 所选单位并排比较
-- group: 单位
-- description: 单位对比页选 2–5 个单位时的并排表：每份报告一行（一个单位一年），预算、支出、执行率、自评与复核得分、等次、
--   案件数与每件成本、勾稽不符条数。复核得分来自看板提供的关系 review_current（没有复核时为空）。
-- formula: 执行率同「预算执行率」；案件数同「单位案件成本」（各类别合计行件数之和）；每件成本（元/件） =
--   支出合计（万元） × 10000 ÷ 案件数，非办案单位（data/case_units.csv）的每件成本只作参考；空白不按0计。
-- params: filters
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column reported_name: 报告所用名称
-- column sector: 行业
-- column report_id: 报告编号
-- column budget_wan: 预算数（万元）
-- column expenditure_total: 支出数（万元）
-- column execution_rate: 执行率（%）
-- column self_score: 自评得分
-- column review_score: 复核得分
-- column grade: 等次 — 复核等次，未复核时为报告自评等次
-- column cases_handled: 案件数
-- column cost_per_case: 每件成本（元/件）
-- column case_unit: 办案单位
-- column mismatches: 不符
-- column notices: 提示
-- column signals: 信号
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
        r.reported_name,
        r.sector,
        r.report_id,
        round(r.budget_wan, 2) as budget_wan,
        round(r.expenditure_total, 2) as expenditure_total,
        round(r.execution_rate, 2) as execution_rate,
        r.self_score,
        v.review_score,
        coalesce(v.review_grade, r.grade) as grade,
        c.handled::bigint as cases_handled,
        round(r.expenditure_total * 10000 / nullif(c.handled, 0), 2) as cost_per_case,
        r.case_unit,
        f.mismatches,
        f.notices,
        f.signals,
        r.is_demo
    from reports as r
    join q_report_flags as f on f.report_id = r.report_id
    left join report_cases() as c on c.report_id = r.report_id
    left join review_current as v on v.unit_key = r.unit_key and v.fiscal_year = r.fiscal_year
)

select * from final
order by fiscal_year desc, unit_name, report_id
