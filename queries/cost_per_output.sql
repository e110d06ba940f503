-- title: 单位产出成本
-- group: 成本
-- description: 每份报告的每个数量指标一行：全年支出（元）除以该指标的完成数量，即每单位产出的成本。
--   只取计量单位为 件/起/人/家/次/户 的数量指标（二级指标含“数量”，或未分二级指标）。
-- formula: 每单位产出成本（元） = 支出合计（万元） × 10000 ÷ 完成数量，保留2位小数；
--   例：种子报告 855,300 元 ÷ 38670 人 = 22.12 元/人。完成数量为0或空白、支出空白时为空。
-- params: filters
-- param output_units varchar[] = null: 计量单位（默认 件/起/人/家/次/户）
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column report_id: 报告编号
-- column indicator: 指标名称
-- column level2: 二级指标
-- column actual_text: 完成情况
-- column quantity: 完成数量
-- column output_unit: 计量单位
-- column expenditure_yuan: 支出合计（元）
-- column cost_per_output: 每单位产出成本（元）
-- column cost_label: 成本口径 — 如“元/件”
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

quantity_indicators as (
    select *
    from q_quantity_indicators
    where list_contains(coalesce($output_units, ['件', '起', '人', '家', '次', '户']), output_unit)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.sector,
        r.report_id,
        i.indicator,
        i.level2,
        i.actual_text,
        i.quantity,
        i.output_unit,
        round(r.expenditure_total * 10000, 2) as expenditure_yuan,
        round(r.expenditure_total * 10000 / nullif(i.quantity, 0), 2) as cost_per_output,
        '元/' || i.output_unit as cost_label,
        r.is_demo,
        i.sort_key
    from reports as r
    join quantity_indicators as i on i.report_id = r.report_id
)

select * exclude (sort_key) from final
order by fiscal_year desc, sort_key
