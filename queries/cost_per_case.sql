-- title: 单位案件成本
-- group: 成本
-- description: 每个单位每年一行：全年支出（元）除以办理的投诉/案件数，即每件的成本，及与上年的比较。
-- formula: 案件数 = 各类别“合计”行的件数之和（某类别没有合计行时，用其各渠道件数之和）；
--   支出（元） = 支出合计（万元） × 10000；每件成本（元/件） = 支出（元） ÷ 案件数，保留2位小数。
--   例：种子报告 855,300 元 ÷ 924 件 = 925.65 元/件。没有案件数或支出空白的单位年度不列出。
--   同一单位身份一年有多份报告时支出与案件数分别相加。
--   办案单位 = data/case_units.csv 认定其主要产出是办理投诉、举报、信访、执法案件的单位；
--   其余单位（如医院、学校）报告的投诉件数不是其产出，每件成本只作参考，单位对比默认不排。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column case_unit: 办案单位 — 主要产出是办理案件（data/case_units.csv）；否则每件成本仅供参考
-- column expenditure_total: 支出合计（万元）
-- column expenditure_yuan: 支出合计（元）
-- column cases_handled: 办理案件数（件）
-- column categories: 案件类别
-- column cost_per_case: 每件成本（元/件）
-- column prev_cost_per_case: 上年每件成本（元/件）
-- column change_pct: 每件成本变化率（%）
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
        bool_or(r.case_unit) as case_unit,
        sum(r.expenditure_total) as expenditure_total,
        sum(c.handled) as cases_handled,
        flatten(list(c.categories)) as categories,
        bool_or(r.is_demo) as is_demo
    from reports as r
    join report_cases() as c on c.report_id = r.report_id
    group by r.fiscal_year, r.unit_id
),

costs as (
    select
        *,
        expenditure_total * 10000 / nullif(cases_handled, 0) as cost_per_case
    from per_unit_year
    where expenditure_total is not null and cases_handled > 0
),

final as (
    select
        cur.fiscal_year,
        cur.unit_id,
        cur.unit_name,
        cur.sector,
        cur.case_unit,
        round(cur.expenditure_total, 2) as expenditure_total,
        round(cur.expenditure_total * 10000, 2) as expenditure_yuan,
        cur.cases_handled::bigint as cases_handled,
        list_distinct(cur.categories) as categories,
        round(cur.cost_per_case, 2) as cost_per_case,
        round(prev.cost_per_case, 2) as prev_cost_per_case,
        round((cur.cost_per_case - prev.cost_per_case) / nullif(prev.cost_per_case, 0) * 100, 2) as change_pct,
        cur.is_demo
    from costs as cur
    left join costs as prev on prev.unit_id = cur.unit_id and prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
order by fiscal_year desc, cost_per_case desc, unit_name, unit_id
