-- title: 投诉案件类别
-- group: 投诉
-- description: 每年每个案件类别一行：件数、涉及金额、涉及单位数，及与上年的比较。
-- formula: 件数 = 各报告该类别“合计”行件数（无合计行时为各渠道之和）之和；
--   金额 = 合计行金额（无则各渠道金额之和），任一为约数（“余”“多”）时标为约数；
--   变化 = 本年 − 上年，变化率 = 变化 ÷ 上年 × 100。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column category: 案件类别
-- column cases: 件数
-- column amount_wan: 涉及金额（万元）
-- column amount_approx: 金额为约数
-- column units: 涉及单位数
-- column prev_cases: 上年件数
-- column change: 变化（件）
-- column change_pct: 变化率（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports(null, null, null, $units, $sectors, $data_kind)
    where in_years_or_prior(fiscal_year, $years, $year_from, $year_to)
),

per_report as (
    select
        r.fiscal_year,
        r.unit_id,
        r.is_demo,
        c.category,
        any_value(c.category_cases) as cases,
        coalesce(sum(c.amount_wan) filter (where c.channel = 'total'), sum(c.amount_wan) filter (where c.channel <> 'total')) as amount_wan,
        bool_or(c.approx) as amount_approx
    from q_cases as c
    join reports as r on r.report_id = c.report_id
    group by r.fiscal_year, r.unit_id, r.is_demo, c.report_id, c.category
),

per_year as (
    select
        fiscal_year,
        category,
        sum(cases) as cases,
        sum(amount_wan) as amount_wan,
        bool_or(amount_approx) as amount_approx,
        count(distinct unit_id) as units,
        bool_or(is_demo) as is_demo
    from per_report
    group by fiscal_year, category
),

final as (
    select
        cur.fiscal_year,
        cur.category,
        cur.cases::bigint as cases,
        round(cur.amount_wan, 2) as amount_wan,
        cur.amount_approx,
        cur.units,
        prev.cases::bigint as prev_cases,
        (cur.cases - prev.cases)::bigint as change,
        round((cur.cases - prev.cases) / nullif(prev.cases, 0) * 100, 2) as change_pct,
        cur.is_demo
    from per_year as cur
    left join per_year as prev on prev.category = cur.category and prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
order by fiscal_year desc, cases desc nulls last, category
