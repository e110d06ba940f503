-- title: 各单位投诉案件（按渠道）
-- group: 投诉
-- description: 每个单位、年度、类别、渠道一行（含“合计”行）：件数、金额、在该类别中的占比，及与上年的比较。
-- formula: 占比 = 渠道件数 ÷ 该类别合计件数 × 100（无合计行时以各渠道之和为分母）；合计大于各渠道之和时，
--   差额列为“未分渠道”；
--   上年件数取同一单位身份、同一类别、同一渠道的上年报告；变化 = 本年 − 上年。
-- params: filters
-- param categories varchar[] = null: 案件类别（可多选）
-- stored: by year; category in $categories
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column sector: 行业
-- column category: 案件类别
-- column channel: 渠道代码
-- column channel_name: 渠道
-- column channel_label: 报告原文渠道
-- column cases: 件数
-- column amount_wan: 金额（万元）
-- column approx: 金额为约数
-- column share_pct: 占该类别比例（%）
-- column prev_cases: 上年件数
-- column change: 变化（件）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports(null, null, null, $units, $sectors, $data_kind)
    where in_years_or_prior(fiscal_year, $years, $year_from, $year_to)
),

-- unit-years with one report (nearly all) need no grouping: q_cases already has
-- one row per report, category and channel; only the others are added up
reports_per_unit_year as (
    select fiscal_year, unit_id, count(*) = 1 as single_report
    from reports
    group by fiscal_year, unit_id
),

case_rows as (
    select c.*, r.fiscal_year, r.unit_id, r.unit_name, r.name_order, r.sector, r.is_demo, u.single_report
    from q_cases as c
    join reports as r on r.report_id = c.report_id
    join reports_per_unit_year as u on u.fiscal_year = r.fiscal_year and u.unit_id = r.unit_id
    where $categories is null or list_contains($categories, c.category)
),

per_channel as materialized (
    select
        fiscal_year, unit_id, unit_name, name_order, sector, category, channel, channel_label,
        cases::hugeint as cases, amount_wan, approx, is_demo, category_cases
    from case_rows
    where single_report
    union all
    select
        fiscal_year,
        unit_id,
        any_value(unit_name) as unit_name,
        any_value(name_order) as name_order,
        any_value(sector) as sector,
        category,
        channel,
        string_agg(distinct channel_label, '、') as channel_label,
        sum(cases) as cases,
        sum(amount_wan) as amount_wan,
        bool_or(approx) as approx,
        bool_or(is_demo) as is_demo,
        null as category_cases  -- from category_totals
    from case_rows
    where not single_report
    group by fiscal_year, unit_id, category, channel
),

category_totals as (
    select fiscal_year, unit_id, category, sum(category_cases) as category_cases
    from (
        select distinct fiscal_year, unit_id, report_id, category, category_cases
        from case_rows
        where not single_report
    )
    group by fiscal_year, unit_id, category
),

final as (
    select
        cur.fiscal_year,
        cur.unit_id,
        cur.unit_name,
        cur.sector,
        cur.category,
        cur.channel,
        channel_name(cur.channel) as channel_name,
        cur.channel_label,
        cur.cases::bigint as cases,
        round(cur.amount_wan, 2) as amount_wan,
        cur.approx,
        round(cur.cases / nullif(coalesce(cur.category_cases, t.category_cases), 0) * 100, 2) as share_pct,
        prev.cases::bigint as prev_cases,
        (cur.cases - prev.cases)::bigint as change,
        cur.is_demo,
        cur.name_order
    from per_channel as cur
    left join category_totals as t
        on t.fiscal_year = cur.fiscal_year and t.unit_id = cur.unit_id and t.category = cur.category
    left join per_channel as prev
        on prev.unit_id = cur.unit_id
        and prev.category = cur.category
        and prev.channel = cur.channel
        and prev.fiscal_year = cur.fiscal_year - 1
)

select * exclude (name_order) from final
where in_years(fiscal_year, $years, $year_from, $year_to)
order by fiscal_year desc, name_order, category, channel <> 'total', cases desc nulls last, unit_id, channel
