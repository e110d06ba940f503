-- title: 支出结构
-- group: 预算执行
-- description: 每份报告一行：支出合计及人员、公用、项目支出的金额与占比（汇总行）。
-- formula: 占比 = 分项 ÷ 支出合计 × 100；分项或合计空白时占比为空（不按0计）。
-- params: filters
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column expenditure_total: 支出合计（万元）
-- column basic: 基本支出（万元）
-- column personnel: 人员支出（万元）
-- column public: 公用支出（万元）
-- column project: 项目支出（万元）
-- column personnel_share: 人员支出占比（%）
-- column public_share: 公用支出占比（%）
-- column project_share: 项目支出占比（%）
-- column basic_share: 基本支出占比（%）
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
        r.sector,
        r.report_id,
        r.expenditure_total,
        r.basic,
        r.personnel,
        r.public,
        r.project,
        round(r.personnel / nullif(r.expenditure_total, 0) * 100, 2) as personnel_share,
        round(r.public / nullif(r.expenditure_total, 0) * 100, 2) as public_share,
        round(r.project / nullif(r.expenditure_total, 0) * 100, 2) as project_share,
        round(r.basic / nullif(r.expenditure_total, 0) * 100, 2) as basic_share,
        r.is_demo
    from reports as r
)

select * from final
order by fiscal_year desc, unit_name, report_id
