-- title: “三公”经费及其变化
-- group: 预算执行
-- description: 每个单位每年一行：“三公”经费合计与分项（汇总行），及与上年相比的变化。
--   同一单位身份一年有多份报告（合并前的单位）时金额相加。
-- formula: 变化 = 本年合计 − 上年合计；变化率 = 变化 ÷ 上年合计 × 100（上年为0或空白时为空）。
--   未填“三公”表的报告合计为空，不按0计。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column three_public_total: “三公”经费合计（万元）
-- column reception: 公务接待费（万元）
-- column vehicle_operation: 公务用车运维费（万元）
-- column vehicle_purchase: 公务用车购置费（万元）
-- column overseas: 因公出国费（万元）
-- column prev_three_public_total: 上年“三公”经费（万元）
-- column change: 变化（万元）
-- column change_pct: 变化率（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports(null, null, null, $units, $sectors, $data_kind)
    where in_years_or_prior(fiscal_year, $years, $year_from, $year_to)
),

per_unit_year as (
    select
        r.fiscal_year,
        r.unit_id,
        any_value(r.unit_name) as unit_name,
        any_value(r.sector) as sector,
        sum(r.three_public_total) as three_public_total,
        sum(r.reception) as reception,
        sum(r.vehicle_operation) as vehicle_operation,
        sum(r.vehicle_purchase) as vehicle_purchase,
        sum(r.overseas) as overseas,
        bool_or(r.is_demo) as is_demo
    from reports as r
    group by r.fiscal_year, r.unit_id
),

final as (
    select
        cur.fiscal_year,
        cur.unit_id,
        cur.unit_name,
        cur.sector,
        round(cur.three_public_total, 2) as three_public_total,
        round(cur.reception, 2) as reception,
        round(cur.vehicle_operation, 2) as vehicle_operation,
        round(cur.vehicle_purchase, 2) as vehicle_purchase,
        round(cur.overseas, 2) as overseas,
        round(prev.three_public_total, 2) as prev_three_public_total,
        round(cur.three_public_total - prev.three_public_total, 2) as change,
        round((cur.three_public_total - prev.three_public_total) / nullif(prev.three_public_total, 0) * 100, 2) as change_pct,
        cur.is_demo
    from per_unit_year as cur
    left join per_unit_year as prev on prev.unit_id = cur.unit_id and prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
order by fiscal_year desc, three_public_total desc nulls last, unit_name, unit_id
