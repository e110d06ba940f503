-- title: 在职人员控制率
-- group: 预算执行
-- description: 每份报告一行：人员编制、实有人数与在职人员控制率。
-- formula: 控制率 = 实有人数 ÷ 人员编制 × 100；超编人数 = 实有 − 编制（为正时超编）。任一空白则为空。
-- params: filters
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column staff_quota: 人员编制（人）
-- column staff_actual: 实有人数（人）
-- column control_rate: 在职人员控制率（%）
-- column excess: 超编人数
-- column over_quota: 是否超编
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        fiscal_year,
        unit_id,
        unit_name,
        sector,
        report_id,
        staff_quota,
        staff_actual,
        round(staff_actual / nullif(staff_quota, 0) * 100, 2) as control_rate,
        staff_actual - staff_quota as excess,
        staff_actual > staff_quota as over_quota,
        is_demo
    from reports
)

select * from final
order by fiscal_year desc, control_rate desc nulls last, unit_name, report_id
